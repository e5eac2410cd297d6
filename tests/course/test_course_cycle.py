"""The whole course through a class cycle with real nbgrader: release every module, three
students' submissions, autograde, feedback, grade export, and Learner badges issued from the
gradebook and verified. (test_nbgrader_cycle.py looks closely at one module; this one at all.)
"""

import csv
import shutil
import warnings

import nbformat
import pytest

from biaslab.badges import generate_keypair, verify_badge
from biaslab.cli import main
from biaslab.course import load_curriculum, nbgrader_api, release_course, source_dir

CURRICULUM = load_curriculum()
MODULES = [m for m in CURRICULUM.modules if (source_dir() / m.notebook).is_file()]
HIDDEN_MARKERS = ["BEGIN HIDDEN TESTS", 'variant="hidden"']
# cyd's one mistake: module 01's q1 with the sign flipped (a required exercise, so no badge)
MISTAKE = ("01_bias_in_bias_out", "q1_answer", "discrimination_score(", "-discrimination_score(")


def answer_cells(nb):
    return {c.metadata.nbgrader.grade_id: c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    root = tmp_path_factory.mktemp("course")
    shutil.copy(source_dir().parent / "nbgrader_config.py", root)
    shutil.copytree(source_dir(), root / "source")
    assert release_course(root) == {m.id: True for m in MODULES}
    api = nbgrader_api(root)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)
        with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
            for sid, first, last in (("ada", "Ada", "Lovelace"), ("bob", "Bob", "Builder"), ("cyd", "Cyd", "Charisse")):
                gb.add_student(sid, first_name=first, last_name=last, email=f"{sid}@example.org")
    for module in MODULES:
        release = nbformat.read(root / "release" / module.notebook, as_version=4)
        solutions = answer_cells(nbformat.read(root / "source" / module.notebook, as_version=4))
        # ada: the source solutions; bob: the release untouched; cyd: ada's answers with one mistake
        cyd = dict(solutions)
        if module.id == MISTAKE[0]:
            cyd[MISTAKE[1]] = cyd[MISTAKE[1]].replace(MISTAKE[2], MISTAKE[3])
            assert cyd[MISTAKE[1]] != solutions[MISTAKE[1]]
        for student, answers in (("ada", solutions), ("bob", {}), ("cyd", cyd)):
            nb = nbformat.from_dict(release)
            for cell in nb.cells:
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                if grade_id in answers:
                    cell.source = answers[grade_id]
            folder = root / "submitted" / student / module.id
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / f"{module.id}.ipynb")
            result = api.autograde(module.id, student)
            assert result["success"], f"{student} {module.id}: " + result.get("log", "") + result.get("error", "")
        assert api.generate_feedback(module.id)["success"]
    return root


def test_every_module_released_without_solutions(course):
    for module in MODULES:
        text = (course / "release" / module.notebook).read_text()
        assert "BEGIN SOLUTION" not in text and not any(m in text for m in HIDDEN_MARKERS), module.id


def test_grades_and_feedback(course, tmp_path):
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin

    out = tmp_path / "grades.csv"
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        CsvExportPlugin(to=str(out)).export(gb)
    with out.open() as fh:
        rows = list(csv.DictReader(fh))
    scores = {(r["assignment"], r["student_id"]): float(r["score"]) for r in rows}
    auto = {m.id: sum(e.points for e in m.exercises if e.kind == "auto") for m in MODULES}
    for module in MODULES:  # reflections wait for the instructor; every auto-graded point is earned
        assert scores[(module.id, "ada")] == auto[module.id], module.id
        assert scores[(module.id, "bob")] == 0, module.id
    q1 = CURRICULUM.exercise(f"{MISTAKE[0]}.q1").points
    assert scores[(MISTAKE[0], "cyd")] == auto[MISTAKE[0]] - q1
    for module in MODULES:
        for student in ("ada", "bob", "cyd"):
            html = (course / "feedback" / student / module.id / f"{module.id}.html").read_text()
            assert not any(marker in html for marker in HIDDEN_MARKERS), f"hidden tests leaked: {student} {module.id}"
    assert "sign is flipped" in (course / "feedback" / "cyd" / MISTAKE[0] / f"{MISTAKE[0]}.html").read_text()


def test_badges_issued_from_the_gradebook_and_verified(course, tmp_path, capsys):
    keys = generate_keypair(tmp_path / "keys")
    out = tmp_path / "badges"
    code = main(["badge", "issue", "--gradebook", str(course / "gradebook.db"), "--key", str(keys.private),
                 "--issuer-name", "Example University", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "ada: passed" in printed and "bob: not eligible" in printed and "cyd: not eligible" in printed
    assert "1 of 3 student(s) earned the badge" in printed
    result = verify_badge(out / f"{CURRICULUM.id}-ada.png", public_key=keys.public, email="ada@example.org")
    assert result.valid and result.key_trusted and result.recipient_verified and not result.self_assessed
