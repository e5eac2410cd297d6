"""Module 01's problems, each tested correct, wrong (every diagnosed mistake) and not attempted."""

import numpy as np
import pytest

from biaslab.datasets import load_adult
from biaslab.exercises import Outcome
from biaslab.exercises.m01 import q1, q2, q3
from biaslab.metrics import discrimination_score


@pytest.fixture(scope="module")
def adult():
    return load_adult()


def rate(y, sex, group):
    return float(np.asarray(y)[np.asarray(sex) == group].mean())


def expect(feedback, outcome, *fragments):
    assert feedback.outcome is outcome, feedback
    for fragment in fragments:
        assert fragment in feedback.message, feedback.message


# --- q1 ----------------------------------------------------------------------------------------

def test_q1_correct(adult):
    sex = adult.sensitive_features["sex"]
    value = discrimination_score(adult.target, sensitive_features=sex, favoured="Male")
    assert value == pytest.approx(0.3038 - 0.1093, abs=1e-3)  # Kamiran & Calders
    expect(q1.feedback(value), Outcome.CORRECT, "Kamiran & Calders")
    expect(q1.feedback(np.float64(value)), Outcome.CORRECT)
    expect(q1.feedback(round(value, 4)), Outcome.CORRECT)


def test_q1_diagnoses_each_mistake(adult):
    y, sex = adult.target.to_numpy(), adult.sensitive_features["sex"].to_numpy()
    value = rate(y, sex, "Male") - rate(y, sex, "Female")
    train = adult.frame["split"].to_numpy() == "train"
    cases = {
        "sign is flipped": -value,
        "not in percent": 100 * value,
        "ratio": rate(y, sex, "Female") / rate(y, sex, "Male"),
        "one group's share": rate(y, sex, "Male"),
        "over everyone": y.mean(),
        "only the training split": rate(y[train], sex[train], "Male") - rate(y[train], sex[train], "Female"),
    }
    for fragment, answer in cases.items():
        feedback = q1.feedback(answer)
        expect(feedback, Outcome.WRONG_VALUE, fragment)
        assert f"{value:.3f}" not in feedback.message and f"{value:.4f}" not in feedback.message


def test_q1_unknown_wrong_value_does_not_reveal_the_answer():
    feedback = q1.feedback(0.42)
    expect(feedback, Outcome.WRONG_VALUE, "not right yet", "0.42", "q1.hint()")
    assert "0.19" not in feedback.message


@pytest.mark.parametrize("answer, fragment", [
    ("0.19", "single number"), ([0.19], "single number"), (True, "True/False"), (float("nan"), "NaN"),
    (np.array([0.1, 0.2]), "not a table"),
])
def test_q1_wrong_type(answer, fragment):
    expect(q1.feedback(answer), Outcome.WRONG_TYPE, fragment)


def test_q1_not_attempted():
    expect(q1.feedback(...), Outcome.NOT_ATTEMPTED, "placeholder")
    expect(q1.feedback(), Outcome.NOT_ATTEMPTED)


# --- q2 ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def test_split(adult):
    test = adult.frame["split"].to_numpy() == "test"
    sex = adult.sensitive_features["sex"].to_numpy()[test]
    y_pred = q2.grading_context()["predictions"]  # the notebook's model, as the grader retrains it
    return y_pred, sex, adult.target.to_numpy()[test]


def test_q2_correct(test_split):
    y_pred, sex, _ = test_split
    value = rate(y_pred, sex, "Male") - rate(y_pred, sex, "Female")
    expect(q2.feedback(value, predictions=y_pred), Outcome.CORRECT, "without the sex column")


def test_q2_diagnoses_each_mistake(test_split):
    y_pred, sex, y_test = test_split
    value = rate(y_pred, sex, "Male") - rate(y_pred, sex, "Female")
    expect(q2.feedback(-value, predictions=y_pred), Outcome.WRONG_VALUE, "sign is flipped")
    expect(q2.feedback(100 * value, predictions=y_pred), Outcome.WRONG_VALUE, "not in percent")
    labels = rate(y_test, sex, "Male") - rate(y_test, sex, "Female")
    expect(q2.feedback(labels, predictions=y_pred), Outcome.WRONG_VALUE, "test labels")


def test_q2_training_split_and_ratio_are_named(adult, test_split):
    """The two slips after a sign flip: the score of the training predictions, and a ratio for a difference."""
    from sklearn.base import clone

    y_pred, sex, _ = test_split
    train = adult.frame["split"].to_numpy() == "train"
    features = [c for c in adult.feature_names if c != "sex"]
    from biaslab.exercises.m01 import _agency_model

    model = clone(_agency_model()[0]).fit(adult.data.loc[train, features], adult.target[train])
    train_pred = model.predict(adult.data.loc[train, features])
    train_sex = adult.sensitive_features["sex"].to_numpy()[train]
    on_train = rate(train_pred, train_sex, "Male") - rate(train_pred, train_sex, "Female")
    feedback = q2.feedback(on_train, predictions=y_pred)
    expect(feedback, Outcome.WRONG_VALUE, "training split", "test split")
    ratio = rate(y_pred, sex, "Female") / rate(y_pred, sex, "Male")
    expect(q2.feedback(ratio, predictions=y_pred), Outcome.WRONG_VALUE, "ratio", "difference")


def test_q2_key_is_for_the_notebooks_predictions_only(test_split):
    y_pred, sex, _ = test_split
    other = y_pred.copy()
    other[:50] = 1 - other[:50]  # a model the notebook does not train
    value = rate(other, sex, "Male") - rate(other, sex, "Female")
    expect(q2.feedback(value, predictions=other), Outcome.WRONG_TYPE, "not those of the notebook's model",
           "Restart Kernel and Run All")
    expect(q2.feedback(value, predictions=other, key=None), Outcome.RECORDED)  # a class student's server


def test_q2_wrong_predictions(test_split):
    y_pred, sex, _ = test_split
    expect(q2.feedback(0.1, predictions=y_pred[:100]), Outcome.WRONG_TYPE, "predict on X_test")
    expect(q2.feedback(0.1, predictions=np.full(len(y_pred), 0.5)), Outcome.WRONG_TYPE, "binary")
    expect(q2.feedback(0.1), Outcome.NOT_ATTEMPTED, "predictions=y_pred")
    expect(q2.feedback(..., predictions=y_pred), Outcome.NOT_ATTEMPTED)


# --- q3 ----------------------------------------------------------------------------------------

def di_right(y, groups, favoured):
    """P(y = 1 | not favoured) / P(y = 1 | favoured)."""
    y, groups = np.asarray(y), np.asarray(groups)
    return y[groups != favoured].mean() / y[groups == favoured].mean()


def di_inverted(y, groups, favoured):
    y, groups = np.asarray(y), np.asarray(groups)
    return y[groups == favoured].mean() / y[groups != favoured].mean()


def di_difference(y, groups, favoured):
    y, groups = np.asarray(y), np.asarray(groups)
    return y[groups == favoured].mean() - y[groups != favoured].mean()


def di_one_other_group(y, groups, favoured):
    y, groups = np.asarray(y), np.asarray(groups)
    other = [g for g in np.unique(groups) if g != favoured][0]
    return y[groups == other].mean() / y[groups == favoured].mean()


def di_empty(y, groups, favoured):
    """Not written yet."""


def di_raises(y, groups, favoured):
    raise KeyError("favoured")


@pytest.mark.parametrize("variant", ["visible", "hidden"])
def test_q3_correct(variant):
    expect(q3.feedback(di_right, variant=variant), Outcome.CORRECT)


def test_q3_diagnoses_each_mistake():
    expect(q3.feedback(di_inverted), Outcome.WRONG_VALUE, "upside down")
    expect(q3.feedback(di_difference), Outcome.WRONG_VALUE, "difference")
    # a visible case has three groups, so the learner's own check catches it before the grader's hidden ones
    expect(q3.feedback(di_one_other_group), Outcome.WRONG_VALUE, "everyone else")
    expect(q3.feedback(di_one_other_group, variant="hidden"), Outcome.WRONG_VALUE, "everyone else")


def test_q3_wrong_type_and_not_attempted():
    expect(q3.feedback(di_raises), Outcome.WRONG_TYPE, "raised KeyError")
    expect(q3.feedback(0.8), Outcome.WRONG_TYPE, "function itself")
    expect(q3.feedback(lambda y, g, f: "0.8"), Outcome.WRONG_VALUE)
    expect(q3.feedback(lambda y, g, f: [1, 2]), Outcome.WRONG_TYPE, "one number")
    expect(q3.feedback(di_empty), Outcome.NOT_ATTEMPTED, "returns None")
    expect(q3.feedback(...), Outcome.NOT_ATTEMPTED)


def test_assert_passed_raises_with_the_same_message():
    with pytest.raises(AssertionError, match="upside down") as info:
        q3.assert_passed(di_inverted)
    assert str(q3.feedback(di_inverted)) == str(info.value)
    q3.assert_passed(di_right)  # no exception


# --- q4 (a reflection) -------------------------------------------------------------------------

def test_q4_records_an_answer_in_words_and_shows_what_to_cover():
    from biaslab.exercises.m01 import q4

    short = q4.feedback("No, proxies.")
    expect(short, Outcome.WRONG_VALUE, "2 words")
    answer = " ".join(["Deleting sex did not remove the gap because relationship and marital status carry it."] * 4)
    feedback = q4.feedback(answer)
    expect(feedback, Outcome.RECORDED, "A person grades this one", "proxies for sex")
    assert not feedback.passed
    expect(q4.feedback(...), Outcome.NOT_ATTEMPTED)


def test_q3_every_hidden_case_is_defined_whatever_the_graders_seed():
    """A class's secret once drew a case whose favoured group had no positive: the reference's ratio was
    undefined and grading the notebook failed (CI, tests/course/test_nbgrader_cycle.py)."""
    from biaslab.exercises.m01 import _q3_cases

    for seed in (2273, *range(50)):  # 2273 drew an undefined case before cases were redrawn
        for (y, groups, favoured), _ in _q3_cases("hidden", seed)[1:]:
            y, groups = np.asarray(y), np.asarray(groups)
            assert y[groups == favoured].any() and (groups != favoured).any()
