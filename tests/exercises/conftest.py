"""The checks of the judgement exercises get their answer keys from the source notebooks here,
read as the grader and the workbook's builder read them (biaslab.exercises._keys)."""

import pytest

from biaslab.course import load_curriculum, source_dir
from biaslab.exercises._keys import notebook_keys, use_keys


@pytest.fixture(scope="session")
def source_keys():
    """``{"<module id>.<name>": key}`` of every graded test cell of notebooks/source."""
    keys = {}
    for module in load_curriculum().modules:
        path = source_dir() / module.notebook
        if path.is_file():
            keys.update(notebook_keys(path, module.id))
    return keys


@pytest.fixture(autouse=True)
def keys_from_the_source(source_keys):
    """Every check in these tests decides against the instructor's key (``key=None`` tests the class student's side)."""
    with use_keys(source_keys):
        yield
