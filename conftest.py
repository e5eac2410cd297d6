"""Repository-wide pytest hooks.

nbval executes every source notebook with its solutions. The checks of the number and judgement
exercises decide against answer keys that live only in the source notebooks' hidden test regions
(biaslab.exercises._keys); without them a check only records the answer, and a wrong solution or a
stale key would pass unseen. So each notebook's kernel starts with ``BIASLAB_ANSWER_KEYS`` naming a
file of the source notebooks' keys, as a presenter's run (``biaslab workshop``) does; tests of the
package never see it.
"""

import json
import os

import pytest

_KEYS_FILE = None


def _keys_file(config) -> str:
    global _KEYS_FILE
    if _KEYS_FILE is None:
        from biaslab.course import load_curriculum, source_dir
        from biaslab.exercises._keys import notebook_keys

        keys = {}
        for module in load_curriculum().modules:
            path = source_dir() / module.notebook
            if path.is_file():
                keys.update(notebook_keys(path, module.id))
        folder = config._tmp_path_factory.mktemp("answer_keys")  # pytest's own, removed with its temp folders
        target = folder / "keys.json"
        target.write_text(json.dumps(keys), encoding="utf-8")
        _KEYS_FILE = str(target)
    return _KEYS_FILE


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    """The kernel of a notebook starts in its first cell's setup: hand it the keys then, and only then."""
    if item.path.suffix != ".ipynb":
        yield
        return
    from biaslab.exercises._keys import KEYS_ENV

    from biaslab.plots._style import STRICT_ENV

    # the kernel also refuses a picture wider than the notebook column (JupyterLab would shrink it)
    saved = {name: os.environ.get(name) for name in (KEYS_ENV, STRICT_ENV)}
    os.environ[KEYS_ENV] = _keys_file(item.config)
    os.environ[STRICT_ENV] = "1"
    try:
        yield
    finally:
        for name, before in saved.items():
            if before is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = before
