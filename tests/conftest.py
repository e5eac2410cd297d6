import json
import os
import sys

import pytest

# Plots render off-screen in tests.
os.environ.setdefault("MPLBACKEND", "Agg")
# Tools that the code under test starts by name (nbgrader runs `alembic`, kernels run `python`)
# must come from this environment, however pytest was started.
os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A fresh home folder (the learner's key goes to ~/.biaslab/keys) and no workbook from the environment."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("BIASLAB_WORKBOOK", raising=False)
    return home


@pytest.fixture
def workbook(tmp_path):
    """An empty self-paced workbook folder (test modules may define their own ``workbook``)."""
    from biaslab.course import load_curriculum

    folder = tmp_path / "workbook"
    (folder / ".biaslab").mkdir(parents=True)
    (folder / ".biaslab" / "workbook.json").write_text(json.dumps({"course": load_curriculum().id}))
    return folder
