"""Instructor path: results read from a real nbgrader gradebook, and one badge per passing student."""

import shutil
import warnings
from datetime import datetime, timedelta, timezone

import pytest

from gradebooks import make_gradebook

from biaslab.badges import eligible, generate_keypair, results_from_gradebook, verify_badge
from biaslab.cli import main
from biaslab.course import course_root, load_curriculum

CURRICULUM = load_curriculum()


def _evidence_rows(credential) -> dict:
    """{(module number, exercise name): how it was assessed}, from the table in the badge's evidence."""
    (evidence,) = credential["evidence"]
    lines = [line.strip("| ").split(" | ") for line in evidence["narrative"].splitlines() if line.startswith("| ")]
    assert lines[0] == ["module", "exercise", "points", "passed", "assessed"]
    return {(cells[0].split()[0], cells[1].split()[0]): cells[4] for cells in lines[1:]}


@pytest.fixture(scope="module")
def gradebook(tmp_path_factory):
    folder = tmp_path_factory.mktemp("course")
    shutil.copy(course_root() / "nbgrader_config.py", folder)  # the course grades with biaslab's grader
    return make_gradebook(folder / "gradebook.db")


def test_full_marks_pass(gradebook):
    results = results_from_gradebook(gradebook, "ada")
    assert all(r.passed for r in results.values())
    assert all(r.earned == pytest.approx(r.points) for r in results.values())
    assert eligible(results).ok


def test_a_reflection_counts_once_a_person_graded_it(gradebook):
    results = results_from_gradebook(gradebook, "ada")
    for ex in CURRICULUM.exercises:  # ada's reflections were graded in formgrader
        expected = "human-graded" if ex.kind == "reflection" else "machine-checked"
        assert results[ex.key].assessment == expected, ex.key
    reflection = next(e for e in CURRICULUM.exercises if e.kind == "reflection")
    assert results[reflection.key].passed and results[reflection.key].earned == pytest.approx(reflection.points)
    # bob's first exercise of each module: the instructor's score overrides the autograder's
    first = CURRICULUM.module("01").exercises[0]
    assert results_from_gradebook(gradebook, "bob")[first.key].assessment == "human-graded"


def test_an_ungraded_or_blank_reflection_counts_nothing(gradebook, tmp_path):
    """The same gradebook, but ada's reflections answered and waiting for the instructor (as nbgrader
    leaves them after autograding), or left blank (nbgrader's automatic 0)."""
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    reflections = [e for e in CURRICULUM.exercises if e.kind == "reflection"]
    waiting, blank = reflections[::2], reflections[1::2]
    copy = tmp_path / "gradebook.db"
    shutil.copy(gradebook.removeprefix("sqlite:///"), copy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)
        with Gradebook(f"sqlite:///{copy}") as gb:
            for ex in reflections:
                grade = gb.find_grade(ex.grade_cell, ex.module, ex.module, "ada")
                grade.manual_score = None
                grade.auto_score, grade.needs_manual_grade = (None, True) if ex in waiting else (0.0, False)
            gb.db.commit()
    results = results_from_gradebook(copy, "ada")
    for ex in reflections:
        r = results[ex.key]
        assert not r.passed and r.earned == 0 and r.assessment == "not assessed", ex.key
        assert r.detail == ("not graded by the instructor yet" if ex in waiting else "left blank"), ex.key
    assert eligible(results).ok  # reflections are optional


def test_partial_marks_fail_with_the_score(gradebook):
    results = results_from_gradebook(gradebook, "bob")
    first = CURRICULUM.module("01").exercises[0]  # required; bob has half marks on each module's first
    assert first.required
    r = results[first.key]
    assert not r.passed
    assert r.earned == pytest.approx(first.points / 2)
    assert r.detail == f"score {first.points:g}/{2 * first.points:g}"
    ok, reasons = eligible(results)
    assert not ok and any(first.key in reason for reason in reasons)


def test_no_submission_means_not_attempted(gradebook):
    results = results_from_gradebook(gradebook, "eve")
    assert not any(r.passed for r in results.values())
    assert all(r.detail == "no graded submission" and r.assessment == "not assessed" for r in results.values())


def test_gradebook_errors_are_clear(gradebook, tmp_path):
    with pytest.raises(ValueError, match="'mallory' is not in the gradebook"):
        results_from_gradebook(gradebook, "mallory")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        results_from_gradebook(tmp_path / "missing.db", "ada")
    assert not (tmp_path / "missing.db").exists()  # nbgrader would have created an empty one
    with pytest.raises(FileNotFoundError, match="does not exist"):
        results_from_gradebook(f"sqlite:///{tmp_path}/missing.db", "ada")
    with pytest.raises(ValueError, match="student_id"):
        results_from_gradebook(gradebook, "  ")


def test_cli_issues_one_badge_per_passing_student(gradebook, tmp_path, capsys):
    keys = generate_keypair(tmp_path / "keys")
    out = tmp_path / "badges"
    code = main(["badge", "issue", "--gradebook", gradebook, "--key", str(keys.private),
                 "--issuer-name", "Example University", "--issuer-url", "https://example.edu/fairness",
                 "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert "ada: passed" in printed
    assert "bob: not eligible" in printed and "score" in printed
    assert "eve: not eligible" in printed and "no graded submission" in printed
    assert "1 of 3 student(s) earned the badge" in printed
    png = out / f"{CURRICULUM.id}-ada.png"
    expected = sorted(f"{CURRICULUM.id}-ada.{ext}" for ext in ("jwt", "json", "svg", "png"))
    assert sorted(p.name for p in out.iterdir()) == expected
    result = verify_badge(png, public_key=keys.public, email="ada@example.org")
    assert result.valid, result.reason
    assert result.self_assessed is False and result.key_trusted and result.recipient_verified
    assert result.issuer == "Example University"
    # the evidence says, exercise by exercise, how each was assessed
    rows = _evidence_rows(result.credential)
    assert rows == {(CURRICULUM.module(ex.module).number, ex.name):
                    "human-graded" if ex.kind == "reflection" else "machine-checked" for ex in CURRICULUM.exercises}
    # without --with-names the student's name stays out of the badge
    assert result.learner.startswith("hashed emailAddress")
    assert "Lovelace" not in (out / f"{CURRICULUM.id}-ada.json").read_text()

    code = main(["badge", "issue", "--gradebook", gradebook, "--key", str(keys.private), "--issuer-name", "Example U",
                 "--student", "ada", "--with-names", "--valid-days", "30", "--out", str(out), "--overwrite"])
    assert code == 0
    result = verify_badge(png, public_key=keys.public)
    assert result.valid and result.learner == "Ada Lovelace"
    issued = datetime.fromisoformat(result.credential["validFrom"])
    assert result.valid_until == (issued + timedelta(days=30)).date().isoformat()
    assert issued.tzinfo == timezone.utc
    capsys.readouterr()
    code = main(["badge", "issue", "--gradebook", gradebook, "--key", str(keys.private), "--issuer-name", "Example U",
                 "--student", "bob", "--out", str(out)])
    assert code == 1 and "bob: not eligible" in capsys.readouterr().out


def test_cli_class_mode_needs_a_key_and_an_issuer(gradebook, tmp_path, capsys):
    assert main(["badge", "issue", "--gradebook", gradebook, "--issuer-name", "X", "--out", str(tmp_path)]) == 2
    assert "--key PRIV is required" in capsys.readouterr().err
    keys = generate_keypair(tmp_path / "keys")
    assert main(["badge", "issue", "--gradebook", gradebook, "--key", str(keys.private), "--out", str(tmp_path)]) == 2
    assert "--issuer-name is required" in capsys.readouterr().err


def test_cli_issues_no_badge_from_grades_decided_in_the_kernel(gradebook, tmp_path, capsys):
    """nbgrader's own autograding lets a student's code decide its grade: such a gradebook makes no badge."""
    keys = generate_keypair(tmp_path / "keys")
    plain = tmp_path / "plain_nbgrader"
    plain.mkdir()
    shutil.copy(str(gradebook).removeprefix("sqlite:///"), plain / "gradebook.db")
    args = ["badge", "issue", "--gradebook", str(plain / "gradebook.db"), "--key", str(keys.private),
            "--issuer-name", "Example U", "--out", str(tmp_path / "badges")]
    assert main(args) == 2  # no nbgrader_config.py beside it: how it was graded cannot be told
    assert "No badges issued" in capsys.readouterr().err
    (plain / "nbgrader_config.py").write_text("c = get_config()\nc.CourseDirectory.course_id = 'x'\n")
    assert main(args) == 2  # nbgrader's default autograding
    err = capsys.readouterr().err
    assert "does not grade with biaslab's grader" in err and not (tmp_path / "badges").exists()
    assert main(args + ["--trust-gradebook"]) == 0  # the instructor's explicit override
