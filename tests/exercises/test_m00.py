"""Module 00's problems, each tested correct, wrong (every diagnosed mistake) and not attempted."""

import numpy as np
import pytest

from biaslab.datasets import load_adult
from biaslab.exercises import Outcome
from biaslab.exercises.m00 import q1, q2


@pytest.fixture(scope="module")
def adult():
    return load_adult()


def expect(feedback, outcome, *fragments):
    assert feedback.outcome is outcome, feedback
    for fragment in fragments:
        assert fragment in feedback.message, feedback.message


# --- q1 ----------------------------------------------------------------------------------------

def test_q1_correct(adult):
    women = adult.sensitive_features["sex"] == "Female"
    share = women.mean()
    assert share == pytest.approx(16192 / 48842)  # the datasheet's count
    expect(q1.feedback(share), Outcome.CORRECT, "one person in three")
    expect(q1.feedback(np.float64(share)), Outcome.CORRECT)
    expect(q1.feedback(round(share, 3)), Outcome.CORRECT)


def test_q1_diagnoses_each_mistake(adult):
    women = (adult.sensitive_features["sex"] == "Female").to_numpy()
    rich = adult.target.to_numpy() == 1
    share = women.mean()
    cases = {
        "not in percent": 100 * share,
        "share of men": 1 - share,
        "number of people; divide": women.sum(),
        "(and of men)": (~women).sum(),
        "number of women by the number of men": women.sum() / (~women).sum(),
        "women who earn more": rich[women].mean(),
        "among the high earners": women[rich].mean(),
    }
    for fragment, answer in cases.items():
        feedback = q1.feedback(answer)
        expect(feedback, Outcome.WRONG_VALUE, fragment)
        assert f"{share:.3f}" not in feedback.message and f"{share:.2f}" not in feedback.message


@pytest.mark.parametrize("percent", [33.15, 33.2, 33.1])
def test_q1_rounded_percent_is_diagnosed(percent):
    expect(q1.feedback(percent), Outcome.WRONG_VALUE, "not in percent")


def test_q1_unknown_wrong_value_does_not_reveal_the_answer():
    feedback = q1.feedback(0.5)
    expect(feedback, Outcome.WRONG_VALUE, "not right yet", "0.5", "q1.hint()")
    assert "0.33" not in feedback.message and "0.332" not in feedback.message


@pytest.mark.parametrize("answer, fragment", [
    ("a third", "single number"), ([0.33], "single number"), (True, "True/False"), (float("nan"), "NaN"),
    (np.array([0.3, 0.7]), "not a table"),
])
def test_q1_wrong_type(answer, fragment):
    expect(q1.feedback(answer), Outcome.WRONG_TYPE, fragment)


def test_q1_not_attempted():
    expect(q1.feedback(...), Outcome.NOT_ATTEMPTED, "placeholder")
    expect(q1.feedback(), Outcome.NOT_ATTEMPTED)


# --- q2 ----------------------------------------------------------------------------------------

def rate_right(y, groups, group):
    """P(y = 1 | group)."""
    y, groups = np.asarray(y), np.asarray(groups)
    return y[groups == group].mean()


def rate_count(y, groups, group):
    y, groups = np.asarray(y), np.asarray(groups)
    return y[groups == group].sum()


def rate_everyone(y, groups, group):
    return np.mean(y)


def rate_outside(y, groups, group):
    y, groups = np.asarray(y), np.asarray(groups)
    return y[groups != group].mean()


def rate_bayes(y, groups, group):
    y, groups = np.asarray(y), np.asarray(groups)
    return (groups[y == 1] == group).mean()


def rate_percent(y, groups, group):
    return 100 * rate_right(y, groups, group)


def rate_table(y, groups, group):
    import pandas as pd

    return pd.Series(np.asarray(y)).groupby(np.asarray(groups)).mean()


def rate_empty(y, groups, group):
    """Not written yet."""


def rate_raises(y, groups, group):
    raise NotImplementedError


@pytest.mark.parametrize("variant", ["visible", "hidden"])
def test_q2_correct(variant):
    expect(q2.feedback(rate_right, variant=variant), Outcome.CORRECT, "building block")


def test_q2_diagnoses_each_mistake():
    expect(q2.feedback(rate_count), Outcome.WRONG_VALUE, "how many positives")
    expect(q2.feedback(rate_everyone), Outcome.WRONG_VALUE, "of everyone")
    expect(q2.feedback(rate_outside), Outcome.WRONG_VALUE, "*outside* the group")
    expect(q2.feedback(lambda y, g, grp: np.asarray(y)[np.asarray(g) == grp].sum() / len(y)), Outcome.WRONG_VALUE,
           "number of all rows")
    expect(q2.feedback(rate_bayes), Outcome.WRONG_VALUE, "P(group | y = 1)")
    expect(q2.feedback(rate_percent), Outcome.WRONG_VALUE, "not in percent")
    expect(q2.feedback(lambda y, g, grp: 0.123), Outcome.WRONG_VALUE, "not the group's positive rate")


def test_q2_hidden_cases_differ_and_catch_list_inputs():
    visible, hidden = q2.cases("visible"), q2.cases("hidden")
    assert len(hidden) > len(visible)
    assert any(isinstance(args[0], list) for args, _ in hidden)
    assert any(len(set(np.asarray(args[1]).tolist())) == 3 for args, _ in hidden)

    def no_lists(y, groups, group):  # works only when given numpy arrays
        return y[groups == group].mean()

    assert q2.feedback(no_lists, variant="hidden").outcome is Outcome.WRONG_TYPE


def test_q2_wrong_type_and_not_attempted():
    expect(q2.feedback(rate_table), Outcome.WRONG_TYPE, "one number")
    expect(q2.feedback(lambda y, g, grp: True), Outcome.WRONG_TYPE, "one number")
    expect(q2.feedback(0.5), Outcome.WRONG_TYPE, "function itself")
    expect(q2.feedback(rate_empty), Outcome.NOT_ATTEMPTED, "returns None")
    expect(q2.feedback(rate_raises), Outcome.NOT_ATTEMPTED, "NotImplementedError")
    expect(q2.feedback(...), Outcome.NOT_ATTEMPTED)


def test_q2_messages_do_not_reveal_the_expected_rate():
    expected = [rate_right(*args) for args, _ in q2.cases("visible")]
    for wrong in (rate_count, rate_everyone, rate_outside, rate_bayes, rate_percent, lambda y, g, grp: 0.123):
        message = q2.feedback(wrong).message
        for value in expected:
            assert f"{value:.4g}" not in message and f"{value:.2f}" not in message


def test_points_and_required_come_from_the_curriculum():
    assert (q1.points, q1.required, q2.points, q2.required) == (1, False, 1, False)
    assert q1.key == "00_welcome.q1"


def test_q2_the_group_asked_about_always_has_rows_whatever_the_graders_seed():
    """Seed 11895 once drew a hidden case asking for a group with no rows (an undefined rate)."""
    from biaslab.exercises.m00 import _q2_cases

    for seed in (11895, *range(50)):
        for (y, groups, group), _ in _q2_cases("hidden", seed):
            assert (np.asarray(groups) == group).any()
