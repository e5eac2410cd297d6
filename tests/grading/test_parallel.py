"""Parallel grading (``biaslab grade``): a small class of module 02 graded by one worker and by
two workers sharing one gradebook gives the same grades, cell by cell, also while another
process holds the gradebook's write lock for longer than SQLite's default 5 s wait: the workers
wait for it instead of failing.
"""

import shutil
import sqlite3
import threading
import time
import warnings

import nbformat
import pytest

from biaslab.cli import main
from biaslab.course import course_root, load_curriculum, release_course
from biaslab.grading._parallel import _with_busy_timeout, add_parser, grade_class

MODULE = load_curriculum().module("02")
ASSIGNMENT = MODULE.id
AUTO_POINTS = sum(e.points for e in MODULE.exercises if e.kind == "auto")
STUDENTS = ("ada", "bob", "cyd")


def _wrong(right):
    """Answers with two mistakes: q1 counts the re-arrested (a TPR), q3 swaps the groups."""
    wrong = dict(right)
    wrong["q1_answer"] = right["q1_answer"].replace('frame["y_true"] == 0', 'frame["y_true"] == 1')
    wrong["q3_answer"] = right["q3_answer"].replace(
        'black, white = rates.loc["African-American"], rates.loc["Caucasian"]',
        'white, black = rates.loc["African-American"], rates.loc["Caucasian"]')
    assert wrong["q1_answer"] != right["q1_answer"] and wrong["q3_answer"] != right["q3_answer"]
    return wrong


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    shutil.copy(course_root() / "nbgrader_config.py", root)
    shutil.copytree(course_root() / "source" / ASSIGNMENT, root / "source" / ASSIGNMENT)
    assert release_course(root) == {ASSIGNMENT: True}
    release = nbformat.read(root / "release" / MODULE.notebook, as_version=4)
    source = nbformat.read(root / "source" / MODULE.notebook, as_version=4)
    right = {c.metadata.nbgrader.grade_id: c.source for c in source.cells
             if c.metadata.get("nbgrader", {}).get("solution")}
    # cyd: q1 and q3 wrong, q4 and the reflection q5 left untouched: only q2 earns its points
    cyd = {k: v for k, v in _wrong(right).items() if k not in ("q4_answer", "q5_answer")}
    for student, answers in zip(STUDENTS, (right, {}, cyd)):
        nb = nbformat.from_dict(release)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in answers:
                cell.source = answers[grade_id]
        folder = root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")
    return root


def _gradebook(root):
    from nbgrader.api import Gradebook

    return Gradebook(f"sqlite:///{root / 'gradebook.db'}")


def cell_grades(root):
    """{(student, grade cell): (auto_score, needs_manual_grade)} from the gradebook."""
    from sqlalchemy.exc import SAWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)
        with _gradebook(root) as gb:
            assignment = gb.find_assignment(ASSIGNMENT)
            return {(sub.student.id, grade.name): (grade.auto_score, grade.needs_manual_grade)
                    for sub in assignment.submissions for nb in sub.notebooks for grade in nb.grades}


def forget_submissions(root):
    """Remove the class's graded submissions from the gradebook. Grading a submission again with
    unchanged scores writes nothing; grading a forgotten one must write its submission and scores."""
    from sqlalchemy.exc import SAWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)
        with _gradebook(root) as gb:
            for sub in list(gb.find_assignment(ASSIGNMENT).submissions):
                gb.remove_submission(ASSIGNMENT, sub.student.id)


def hold_write_lock(db, arrived, seconds, held, releasing):
    """Hold SQLite's RESERVED lock (the one every writer needs) on ``db`` until ``seconds`` after
    ``arrived()`` is true. ``releasing`` is set just before the lock is given up, so no other
    writer's write can succeed before it is set."""
    con = sqlite3.connect(db, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
        held.set()
        guard = time.monotonic() + 120  # never hold the lock for ever, whatever happens to the workers
        while not arrived() and time.monotonic() < guard:
            time.sleep(0.05)
        time.sleep(seconds)
        releasing.set()
        con.execute("COMMIT")
    finally:
        releasing.set()
        con.close()


@pytest.fixture(scope="module")
def graded(course):
    """The class graded by one worker (the CLI), then, forgotten by the gradebook, graded again by
    two workers while another process holds the gradebook's write lock."""
    code = main(["grade", ASSIGNMENT, "--root", str(course), "--workers", "1"])
    assert code == 0
    one = cell_grades(course)
    forget_submissions(course)
    assert cell_grades(course) == {}

    # A worker starts a student by removing the student's autograded folder (grading is forced),
    # then writes the submission into the gradebook. Once both workers have started one, the lock
    # is held 8 s more, longer than SQLite's default 5 s wait.
    autograded = [course / "autograded" / s / ASSIGNMENT for s in STUDENTS]
    assert all(folder.is_dir() for folder in autograded)
    done = threading.Event()
    held, releasing = threading.Event(), threading.Event()

    def arrived():
        return done.is_set() or sum(not folder.exists() for folder in autograded) >= 2

    locker = threading.Thread(target=hold_write_lock,
                              args=(course / "gradebook.db", arrived, 8.0, held, releasing))
    locker.start()
    lines, released = [], []  # each line of the log, and whether the lock holder had let go by then

    def log(line):
        lines.append(line)
        released.append(releasing.is_set())

    try:
        assert held.wait(10)
        report = grade_class(course, ASSIGNMENT, workers=2, log=log)
    finally:
        done.set()
        locker.join()
    return {"one": one, "two": cell_grades(course), "report": report, "lines": lines, "released": released}


def test_two_workers_give_the_grades_of_one(graded):
    report = graded["report"]
    assert report.failed == [] and report.workers == 2
    assert graded["two"] == graded["one"]
    assert len(graded["one"]) == 3 * 5  # three students, five grade cells each
    q = {e.name: e.points for e in MODULE.exercises}
    assert report.scores == {"ada": AUTO_POINTS, "bob": 0, "cyd": q["q2"]}
    assert {r.max_score for r in report.results.values()} == {MODULE.points}
    # the students were split between two long-lived processes
    assert len({r.pid for r in report.results.values()}) == 2
    assert graded["lines"][0] == f"grading 3 submission(s) of {ASSIGNMENT} with 2 worker(s)"
    # another process held the gradebook's write lock as the workers were launched, and each student's
    # grading writes the gradebook: every student was graded (and logged) only after it let go, and
    # at the first attempt (the workers waited for the lock instead of failing)
    after_release = [released for line, released in zip(graded["lines"], graded["released"]) if ": graded in" in line]
    assert after_release == [True, True, True]
    assert all(r.attempts == 1 for r in report.results.values())


def test_reflections_wait_for_the_instructor(graded):
    # an answered reflection (q5) has no automatic score: it waits for the instructor; an untouched one scores 0
    assert graded["one"][("ada", "q5_answer")] == (None, True)
    assert all(graded["one"][(s, "q5_answer")] == (0.0, False) for s in ("bob", "cyd"))
    assert graded["one"][("ada", "q1")] == (2.0, False) and graded["one"][("cyd", "q1")] == (0.0, False)


def test_cli_grades_selected_students(course, graded, capsys):
    code = main(["grade", ASSIGNMENT, "--root", str(course), "--student", "bob", "--no-force"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "grading 1 submission(s) of" in out and "with 1 worker(s)" in out
    assert "1 of 1 submission(s) graded" in out
    assert cell_grades(course) == graded["one"]


def test_bad_arguments(course, tmp_path, capsys):
    with pytest.raises(TypeError, match="assignment must be"):
        grade_class(course, None)
    with pytest.raises(ValueError, match="workers must be at least 1"):
        grade_class(course, ASSIGNMENT, workers=0)
    with pytest.raises(TypeError, match="workers must be an int"):
        grade_class(course, ASSIGNMENT, workers="2")
    with pytest.raises(TypeError, match="students must be a list"):
        grade_class(course, ASSIGNMENT, students="ada")
    with pytest.raises(ValueError, match="students is empty"):
        grade_class(course, ASSIGNMENT, students=[])
    with pytest.raises(ValueError, match=r"students \['zoe'\] have no submission"):
        grade_class(course, ASSIGNMENT, students=["ada", "zoe"])
    with pytest.raises(ValueError, match="twice"):
        grade_class(course, ASSIGNMENT, students=["ada", "ada"])
    with pytest.raises(ValueError, match="no submissions of '01_bias_in_bias_out'"):
        grade_class(course, "01_bias_in_bias_out")
    with pytest.raises(ValueError, match="not an nbgrader course root"):
        grade_class(tmp_path, ASSIGNMENT)
    with pytest.raises(TypeError, match="log must be"):
        grade_class(course, ASSIGNMENT, log="print")
    with pytest.raises(ValueError, match="busy_timeout"):
        grade_class(course, ASSIGNMENT, busy_timeout=0)
    with pytest.raises(TypeError, match="retries"):
        grade_class(course, ASSIGNMENT, retries=1.5)
    # a submission folder of an assignment the gradebook does not know
    (course / "submitted" / "ada" / "99_unknown").mkdir()
    try:
        with pytest.raises(ValueError, match="knows no assignment '99_unknown'"):
            grade_class(course, "99_unknown")
    finally:
        (course / "submitted" / "ada" / "99_unknown").rmdir()
    # the CLI: one line, exit code 2
    assert main(["grade", ASSIGNMENT, "--root", str(tmp_path)]) == 2
    assert "biaslab grade: error: root" in capsys.readouterr().err


def test_busy_timeout_in_the_url():
    assert _with_busy_timeout("sqlite:////tmp/g.db", 60) == "sqlite:////tmp/g.db?timeout=60"
    assert _with_busy_timeout("sqlite:////tmp/g.db?timeout=5", 60) == "sqlite:////tmp/g.db?timeout=5"
    assert _with_busy_timeout("postgresql://u:p@host/db", 60) == "postgresql://u:p@host/db"


def test_parser_registers_grade():
    import argparse

    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["grade", ASSIGNMENT, "--workers", "3", "--student", "ada", "bob"])
    assert (args.assignment, args.workers, args.students, args.force) == (ASSIGNMENT, 3, ["ada", "bob"], True)
