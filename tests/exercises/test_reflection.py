"""Reflections: answers in words, recorded in the workbook, graded by a person in a class."""

import pytest

from biaslab.exercises import Outcome, ReflectionProblem
from biaslab.progress import ProgressStore


@pytest.fixture
def problem():
    q = ReflectionProblem(title="Why", min_words=5, points_to_cover=["who is harmed", "what to change"],
                          hints=["Think of the people behind the rows."])
    q.module_id, q.name = "99_test", "q9"
    return q


def test_enough_words_are_recorded_with_the_points_to_cover(problem):
    feedback = problem.feedback("Women are invited less often, because the labels encode history.")
    assert feedback.outcome is Outcome.CORRECT and feedback.label == "Recorded"
    assert "10 words" in feedback.message and "who is harmed; what to change" in feedback.message
    assert str(feedback).startswith("[99_test.q9] Recorded:")
    assert ">Recorded<" in feedback._repr_html_()


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


def test_the_text_is_kept_in_the_progress_file(problem, tmp_path, monkeypatch):
    monkeypatch.setenv("BIASLAB_WORKBOOK", str(tmp_path))
    (tmp_path / ".biaslab").mkdir()
    (tmp_path / ".biaslab" / "workbook.json").write_text("{}")
    text = "The model reads sex from the relationship column, so deleting sex changes little."
    problem.check(text)
    entry = ProgressStore.current().results()["99_test.q9"]
    assert entry["best"] == "correct" and entry["answer"] == text


@pytest.mark.parametrize("kwargs, error", [
    ({"min_words": 0}, ValueError), ({"min_words": True}, ValueError), ({"min_words": 2.5}, ValueError),
    ({"points_to_cover": "one string"}, TypeError), ({"points_to_cover": [1, 2]}, TypeError),
])
def test_bad_arguments(kwargs, error):
    with pytest.raises(error, match=next(iter(kwargs))):
        ReflectionProblem(title="t", **kwargs)
