"""Reflections: answers in words, recorded (never scored by code) in the workbook, graded by a person in a class."""

import pytest

from biaslab.badges import results_from_progress
from biaslab.course import load_curriculum
from biaslab.exercises import Outcome, ReflectionProblem
from biaslab.exercises._plain import encode
from biaslab.progress import REFLECTION_STATUS, ProgressStore, progress_table

#: a reflection of the course (2 points in a class): its key, so that the workbook's totals see it
REAL = load_curriculum().exercise("01_bias_in_bias_out.q4")


@pytest.fixture
def problem():
    q = ReflectionProblem(title="Why", min_words=5, points_to_cover=["who is harmed", "what to change"],
                          hints=["Think of the people behind the rows."])
    q.module_id, q.name = "99_test", "q9"
    return q


@pytest.fixture
def in_workbook(tmp_path, monkeypatch):
    monkeypatch.setenv("BIASLAB_WORKBOOK", str(tmp_path))
    (tmp_path / ".biaslab").mkdir()
    (tmp_path / ".biaslab" / "workbook.json").write_text("{}")
    return tmp_path


def test_enough_words_are_recorded_not_scored_with_the_points_to_cover(problem):
    feedback = problem.feedback("Women are invited less often, because the labels encode history.")
    assert feedback.outcome is Outcome.RECORDED and not feedback.passed and not feedback
    assert "10 words" in feedback.message and "who is harmed; what to change" in feedback.message
    assert "A person grades this one" in feedback.message and "earns no points" in feedback.message
    assert str(feedback).startswith("[99_test.q9] Recorded, not scored:")
    assert ">Recorded, not scored<" in feedback._repr_html_()


@pytest.mark.parametrize("answer, outcome, fragment", [
    (..., Outcome.NOT_ATTEMPTED, "placeholder"),
    ("   \n", Outcome.NOT_ATTEMPTED, "empty"),
    ("too short", Outcome.WRONG_VALUE, "2 words"),
    (42, Outcome.WRONG_TYPE, "triple quotes"),
])
def test_no_answer_or_too_little(problem, answer, outcome, fragment):
    feedback = problem.feedback(answer)
    assert feedback.outcome is outcome and fragment in feedback.message
    assert feedback.label == "" and "who is harmed" not in feedback.message


def test_the_text_is_kept_in_the_progress_file(problem, in_workbook):
    text = "The model reads sex from the relationship column, so deleting sex changes little."
    problem.check(text)
    entry = ProgressStore.current().results()["99_test.q9"]
    assert entry["best"] == "recorded" and entry["answer"] == text
    assert "first_correct_time" not in entry


def test_banana_45_times_earns_nothing(in_workbook):
    q = ReflectionProblem(title=REAL.title, min_words=40)
    q.module_id, q.name = REAL.module, REAL.name
    banana = " ".join(["banana"] * 45)
    feedback = q.feedback(banana)
    assert feedback.outcome is not Outcome.CORRECT and not feedback.passed
    with pytest.raises(AssertionError, match="Recorded, not scored"):
        q.assert_passed(banana)  # nothing can take a reflection for a passed check
    q.check(banana)
    store = ProgressStore.current()
    assert store.results()[REAL.key]["best"] == "recorded" and not store.passed(REAL.key)
    row = progress_table(store).set_index(["module", "exercise"]).loc[(REAL.module, REAL.name)]
    assert row["earned"] == 0 and row["status"] == REFLECTION_STATUS
    result = results_from_progress(store)[REAL.key]
    assert result.earned == 0 and not result.passed and result.assessment == "self-assessed"


def test_the_grader_records_a_reflection_too(problem):
    # a class's grader decides from the answer as plain data: the same verdict, never correct
    feedback = problem.decide({"kind": "value", "answer": encode(" ".join(["banana"] * 45))})
    assert feedback.outcome is Outcome.RECORDED and not feedback.passed


@pytest.mark.parametrize("kwargs, error", [
    ({"min_words": 0}, ValueError), ({"min_words": True}, ValueError), ({"min_words": 2.5}, ValueError),
    ({"points_to_cover": "one string"}, TypeError), ({"points_to_cover": [1, 2]}, TypeError),
])
def test_bad_arguments(kwargs, error):
    with pytest.raises(error, match=next(iter(kwargs))):
        ReflectionProblem(title="t", **kwargs)
