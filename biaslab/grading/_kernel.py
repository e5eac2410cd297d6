"""The graded kernel: ipykernel with the recording-only exercises (``python -P -m biaslab.grading._kernel -f ...``).

Inside the bubblewrap sandbox the package's ``exercises`` folder is already replaced by the
grader's stubs; without it (``BIASLAB_SANDBOX=off``) this module points the package there.
"""

from __future__ import annotations

import os
import sys


def _use_stubs() -> None:
    stubs = os.environ.get("BIASLAB_GRADING_STUBS")
    if not stubs or not os.path.isdir(stubs):
        return
    import importlib.util

    spec = importlib.util.spec_from_file_location("biaslab.exercises", os.path.join(stubs, "__init__.py"),
                                                  submodule_search_locations=[stubs])
    module = importlib.util.module_from_spec(spec)
    import biaslab

    sys.modules["biaslab.exercises"] = module
    biaslab.exercises = module
    spec.loader.exec_module(module)


if __name__ == "__main__":
    if sys.path and sys.path[0] in ("", os.getcwd()):
        sys.path.pop(0)
    _use_stubs()
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()
