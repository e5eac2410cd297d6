"""A class cycle with real nbgrader on module 01: release, submissions, autograde, feedback, export.

One module-scoped course in a temporary folder; each test reads one aspect of it.
"""

import csv
import shutil
from pathlib import Path

import nbformat
import pytest

from biaslab.course import course_root, load_curriculum, nbgrader_api, release_course

MODULE = load_curriculum().module("01")
ASSIGNMENT = MODULE.id
SOLUTION_LINES = [
    'discrimination_score(adult.target, sensitive_features=sex, favoured="Male")',
    "return y[groups != favoured].mean() / y[groups == favoured].mean()",
]
HIDDEN_MARKERS = ["BEGIN HIDDEN TESTS", 'variant="hidden"']


def solution_sources(nb):
    return {c.metadata.nbgrader.grade_id: c.source for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("solution")}


def answered(release_nb, answers):
    """A student's copy of the release with some solution cells filled in."""
    nb = nbformat.from_dict(release_nb)  # a deep copy
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    shutil.copy(course_root() / "nbgrader_config.py", root)
    shutil.copytree(course_root() / "source" / ASSIGNMENT, root / "source" / ASSIGNMENT)
    assert release_course(root) == {ASSIGNMENT: True}
    api = nbgrader_api(root)
    release_nb = nbformat.read(root / "release" / MODULE.notebook, as_version=4)
    source_nb = nbformat.read(root / "source" / MODULE.notebook, as_version=4)
    right = solution_sources(source_nb)
    wrong = dict(right)
    wrong["q1_answer"] = right["q1_answer"].replace("discrimination_score(", "-discrimination_score(")
    wrong["q3_answer"] = right["q3_answer"].replace(
        "y[groups != favoured].mean() / y[groups == favoured].mean()",
        "y[groups == favoured].mean() / y[groups != favoured].mean()")
    assert wrong["q3_answer"] != right["q3_answer"]
    students = {"ada": right, "bob": {}, "cyd": wrong}
    for student, answers in students.items():
        folder = root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(answered(release_nb, answers), folder / f"{ASSIGNMENT}.ipynb")
        result = api.autograde(ASSIGNMENT, student)
        assert result["success"], result.get("log", "") + result.get("error", "")
    assert api.generate_feedback(ASSIGNMENT)["success"]
    return root, api, release_nb, right


def scores(root):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        out = {}
        for student in ("ada", "bob", "cyd"):
            sub = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
            out[student] = {g.name: g.score for g in sub.grades}
        max_score = gb.find_assignment(ASSIGNMENT).max_score
    return out, max_score


def test_release_has_no_solutions_and_no_hidden_tests(course):
    root, _, release_nb, _ = course
    text = (root / "release" / MODULE.notebook).read_text()
    for line in SOLUTION_LINES + HIDDEN_MARKERS + ["BEGIN SOLUTION"]:
        assert line not in text
    sources = solution_sources(release_nb)
    assert set(sources) == {f"{e.name}_answer" for e in MODULE.exercises}
    assert "disc_data = ..." in sources["q1_answer"]


def test_points_in_the_notebook_match_the_curriculum(course):
    _, _, release_nb, _ = course
    points = {c.metadata.nbgrader.grade_id: c.metadata.nbgrader.points for c in release_nb.cells
              if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"}
    assert points == {e.grade_cell: e.points for e in MODULE.exercises}


def test_autograde_scores(course):
    root, _, _, _ = course
    got, max_score = scores(root)
    assert max_score == MODULE.points == 7
    # the reflection q4 scores 0 until the instructor grades it (test_reflections_are_graded_by_hand)
    assert got["ada"] == {"q1": 2, "q2": 2, "q3": 1, "q4_answer": 0}, "the source solution gets full marks"
    assert got["bob"] == {"q1": 0, "q2": 0, "q3": 0, "q4_answer": 0}, "an untouched release gets zero"
    assert got["cyd"] == {"q1": 0, "q2": 2, "q3": 0, "q4_answer": 0}, "a submission with mistakes gets partial marks"


def test_reflections_are_graded_by_hand(course, tmp_path):
    import warnings

    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    from biaslab.badges import results_from_gradebook

    root, _, _, _ = course
    db = tmp_path / "gradebook.db"
    shutil.copy(root / "gradebook.db", db)
    key = f"{ASSIGNMENT}.q4"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)
        with Gradebook(f"sqlite:///{db}") as gb:
            waiting = {s: gb.find_grade("q4_answer", ASSIGNMENT, ASSIGNMENT, s).needs_manual_grade
                       for s in ("ada", "bob", "cyd")}
    assert waiting == {"ada": True, "bob": False, "cyd": True}, "an untouched answer needs no grading"
    before = results_from_gradebook(db, "ada")[key]
    assert not before.passed and before.detail == "not graded by the instructor yet"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)
        with Gradebook(f"sqlite:///{db}") as gb:
            for student, points in (("ada", 2), ("cyd", 1)):  # what formgrader does when the instructor grades
                grade = gb.find_grade("q4_answer", ASSIGNMENT, ASSIGNMENT, student)
                grade.manual_score = points
                grade.needs_manual_grade = False
            gb.db.commit()
            totals = {s: gb.find_submission(ASSIGNMENT, s).score for s in ("ada", "bob", "cyd")}
    assert totals == {"ada": 7, "bob": 0, "cyd": 3}
    assert results_from_gradebook(db, "ada")[key].passed
    cyd = results_from_gradebook(db, "cyd")[key]
    assert not cyd.passed and cyd.earned == 1 and cyd.detail == "score 1/2"


def feedback_html(root, student):
    return (root / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()


def test_feedback_carries_the_diagnoses_but_not_the_hidden_tests(course):
    root, _, _, _ = course
    cyd = feedback_html(root, "cyd")
    assert "sign is flipped" in cyd
    assert "upside down" in cyd
    bob = feedback_html(root, "bob")
    assert "Not attempted" in bob
    for student in ("ada", "bob", "cyd"):
        html = feedback_html(root, student)
        for marker in HIDDEN_MARKERS:
            assert marker not in html, f"hidden test text leaked into {student}'s feedback"
        for line in SOLUTION_LINES[1:]:
            assert line not in html or student == "ada"


def test_a_changed_read_only_cell_is_detected(course, tmp_path):
    from nbgrader.validator import Validator

    root, _, release_nb, right = course
    nb = answered(release_nb, right)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "q1":
            cell.source = "pass  # the test is gone"
    path = tmp_path / f"{ASSIGNMENT}.ipynb"
    nbformat.write(nb, path)
    result = Validator().validate(str(path))
    assert [c["source"] for c in result.get("changed", [])] == ["pass  # the test is gone"]


def test_grade_export(course, tmp_path):
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin

    root, _, _, _ = course
    out = tmp_path / "grades.csv"
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        CsvExportPlugin(to=str(out)).export(gb)
    with out.open() as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    assert {k: float(v["score"]) for k, v in rows.items()} == {"ada": 5.0, "bob": 0.0, "cyd": 2.0}
    assert all(float(r["max_score"]) == 7.0 for r in rows.values())


def test_every_module_releases_without_solutions_or_hidden_tests(tmp_path):
    """The class version of the whole course, as `make release` makes it."""
    from biaslab.course import CODE_STUB, source_dir

    shutil.copy(course_root() / "nbgrader_config.py", tmp_path)
    shutil.copytree(source_dir(), tmp_path / "source")
    modules = [m for m in load_curriculum().modules if (source_dir() / m.notebook).is_file()]
    assert release_course(tmp_path) == {m.id: True for m in modules}
    for module in modules:
        nb = nbformat.read(tmp_path / "release" / module.notebook, as_version=4)
        text = (tmp_path / "release" / module.notebook).read_text()
        for marker in HIDDEN_MARKERS + ["BEGIN SOLUTION", "END SOLUTION", "# answer key"]:
            assert marker not in text, f"{marker} left in the release of {module.id}"
        answers = solution_sources(nb)
        assert set(answers) == {f"{e.name}_answer" for e in module.exercises}
        assert all(CODE_STUB.strip() in source for source in answers.values()), module.id
