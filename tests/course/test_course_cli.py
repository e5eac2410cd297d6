"""``biaslab release`` and ``biaslab grade`` work on the course folder they are run in (nbgrader's
convention), or on the one ``--root`` names; elsewhere they stop with a clear message instead of
falling back to the checkout's ``notebooks/``."""

import shutil

import pytest

from biaslab.cli import main
from biaslab.course import course_root, load_curriculum

MODULE = load_curriculum().module("00")


@pytest.fixture
def course(tmp_path):
    """A course folder with only nbgrader_config.py and the source of one small module."""
    root = tmp_path / "course"
    root.mkdir()
    shutil.copy(course_root() / "nbgrader_config.py", root)
    shutil.copytree(course_root() / "source" / MODULE.id, root / "source" / MODULE.id)
    return root


@pytest.fixture
def elsewhere(tmp_path):
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


def test_release_in_the_course_folder_writes_its_release(course, monkeypatch, capsys):
    monkeypatch.chdir(course)
    assert main(["release"]) == 0, capsys.readouterr().err
    assert (course / "release" / MODULE.notebook).is_file()
    assert f"generated the class version of 1 module(s): {MODULE.id}" in capsys.readouterr().out


def test_release_with_root_from_another_folder(course, elsewhere, monkeypatch, capsys):
    monkeypatch.chdir(elsewhere)
    assert main(["release", "--root", str(course), MODULE.id]) == 0, capsys.readouterr().err
    assert (course / "release" / MODULE.notebook).is_file()
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("argv", [["release"], ["grade", MODULE.id]], ids=["release", "grade"])
def test_outside_a_course_folder_the_command_says_where_to_run(argv, elsewhere, monkeypatch, capsys):
    monkeypatch.chdir(elsewhere)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"biaslab {argv[0]}: error: {elsewhere} is not an nbgrader course folder" in err
    assert "cd into the course folder" in err and "--root" in err
    assert list(elsewhere.iterdir()) == []  # nothing written, and not the checkout's notebooks/ either


def test_grade_in_the_course_folder_grades_that_folder(course, monkeypatch, capsys):
    # no submissions in this course folder: the message names its submitted/, not the checkout's
    monkeypatch.chdir(course)
    assert main(["grade", MODULE.id]) == 2
    err = capsys.readouterr().err
    assert f"no submissions of '{MODULE.id}' in {course / 'submitted'}" in err
