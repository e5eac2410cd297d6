"""Module 02's problems, each tested correct, wrong (every diagnosed mistake), wrong type and not attempted."""

import warnings

import numpy as np
import pandas as pd
import pytest

from biaslab.datasets import DatasetHarmWarning, load_compas
from biaslab.exercises import Outcome
from biaslab.exercises.m02 import q1, q2, q3, q4, q5
from biaslab.metrics import equalized_odds_difference, group_metrics


@pytest.fixture(scope="module")
def compas():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DatasetHarmWarning)
        return load_compas()


@pytest.fixture(scope="module")
def rates(compas):
    race = compas.frame["race"].astype(str).to_numpy()
    keep = np.isin(race, ["African-American", "Caucasian"])
    return group_metrics(compas.target.to_numpy()[keep], compas.high_risk.to_numpy()[keep],
                         sensitive_features=race[keep],
                         metrics=["base_rate", "true_positive_rate", "false_positive_rate", "false_negative_rate",
                                  "precision"]).by_group


def expect(feedback, outcome, *fragments):
    assert feedback.outcome is outcome, feedback
    for fragment in fragments:
        assert fragment in feedback.message, feedback.message


def hides(feedback, value):
    for text in (f"{value:.3f}", f"{value:.4f}", f"{value:.2%}", f"{100 * value:.1f}"):
        assert text not in feedback.message, feedback.message


# --- q1 ----------------------------------------------------------------------------------------

def fpr_right(y_true, y_pred, groups):
    frame = pd.DataFrame({"t": np.asarray(y_true), "p": np.asarray(y_pred), "g": np.asarray(groups)})
    return frame[frame["t"] == 0].groupby("g")["p"].mean()


def fpr_as_dict(y_true, y_pred, groups):
    return fpr_right(y_true, y_pred, groups).to_dict()


def fnr(y_true, y_pred, groups):
    frame = pd.DataFrame({"t": np.asarray(y_true), "p": np.asarray(y_pred), "g": np.asarray(groups)})
    return 1 - frame[frame["t"] == 1].groupby("g")["p"].mean()


def tnr(y_true, y_pred, groups):
    return 1 - fpr_right(y_true, y_pred, groups)


def tpr(y_true, y_pred, groups):
    return 1 - fnr(y_true, y_pred, groups)


def fp_over_everyone(y_true, y_pred, groups):
    frame = pd.DataFrame({"t": np.asarray(y_true), "p": np.asarray(y_pred), "g": np.asarray(groups)})
    return ((frame["t"] == 0) & (frame["p"] == 1)).groupby(frame["g"]).mean()


def false_discovery(y_true, y_pred, groups):
    frame = pd.DataFrame({"t": np.asarray(y_true), "p": np.asarray(y_pred), "g": np.asarray(groups)})
    return 1 - frame[frame["p"] == 1].groupby("g")["t"].mean()


def selection(y_true, y_pred, groups):
    frame = pd.DataFrame({"p": np.asarray(y_pred), "g": np.asarray(groups)})
    return frame.groupby("g")["p"].mean()


@pytest.mark.parametrize("variant", ["visible", "hidden"])
@pytest.mark.parametrize("function", [fpr_right, fpr_as_dict])
def test_q1_correct(function, variant):
    expect(q1.feedback(function, variant=variant), Outcome.CORRECT, "ProPublica")


@pytest.mark.parametrize("function, fragment", [
    (fnr, "false negative rates"), (tnr, "true negative rate"), (tpr, "true positive rates"),
    (fp_over_everyone, "everyone in the group"), (false_discovery, "false discovery rate"),
    (selection, "selection rates"),
])
def test_q1_diagnoses_each_mistake(function, fragment):
    expect(q1.feedback(function), Outcome.WRONG_VALUE, fragment)


def test_q1_unknown_mistake_does_not_reveal_the_rates():
    feedback = q1.feedback(lambda t, p, g: fpr_right(t, p, g) + 0.01)
    expect(feedback, Outcome.WRONG_VALUE, "FP / (FP + TN)")
    assert "0." not in feedback.message


def test_q1_wrong_type_and_not_attempted():
    expect(q1.feedback(lambda t, p, g: 0.3), Outcome.WRONG_TYPE, "one number")
    expect(q1.feedback(lambda t, p, g: [0.3, 0.2]), Outcome.WRONG_TYPE, "Series")
    expect(q1.feedback(lambda t, p, g: pd.Series([0.3, 0.2], index=["p", "q"])), Outcome.WRONG_TYPE, "indexed by")
    expect(q1.feedback(lambda t, p, g: 1 / 0), Outcome.WRONG_TYPE, "ZeroDivisionError")
    expect(q1.feedback(0.42), Outcome.WRONG_TYPE, "function itself")

    def empty(y_true, y_pred, groups):
        """Not written yet."""

    expect(q1.feedback(empty), Outcome.NOT_ATTEMPTED, "returns None")
    expect(q1.feedback(...), Outcome.NOT_ATTEMPTED)


def test_q1_hidden_cases_differ_from_visible():
    visible, hidden = q1.cases("visible"), q1.cases("hidden")
    assert len({str(g) for g in np.unique(hidden[1][0][2])}) > 2  # more than two groups
    assert not np.array_equal(np.asarray(visible[1][0][0]), np.asarray(hidden[1][0][0]))


# --- q2 ----------------------------------------------------------------------------------------

def test_q2_correct(compas):
    age = compas.sensitive_features["age_band"]
    value = equalized_odds_difference(compas.target, compas.high_risk, sensitive_features=age)
    expect(q2.feedback(value), Outcome.CORRECT, "youngest")
    expect(q2.feedback(np.float64(round(value, 4))), Outcome.CORRECT)


def test_q2_diagnoses_each_mistake(compas, rates):
    y, y_pred = compas.target.to_numpy(), compas.high_risk.to_numpy()
    age = compas.sensitive_features["age_band"].astype(str).to_numpy()
    black_white = compas.frame["race"].astype(str).isin(["African-American", "Caucasian"]).to_numpy()
    by_age = group_metrics(y, y_pred, sensitive_features=age,
                           metrics=["true_positive_rate", "false_positive_rate", "selection_rate", "precision"])
    gap = by_age.difference()
    value = max(gap["true_positive_rate"], gap["false_positive_rate"])
    race_value = max(rates["true_positive_rate"].max() - rates["true_positive_rate"].min(),
                     rates["false_positive_rate"].max() - rates["false_positive_rate"].min())
    cases = {
        "true positive rates alone": gap["true_positive_rate"],
        "mean of the TPR and FPR gaps": (gap["true_positive_rate"] + gap["false_positive_rate"]) / 2,
        "sum of the two gaps": gap["true_positive_rate"] + gap["false_positive_rate"],
        "not negative": -value,
        "not in percent": 100 * value,
        "overall rate": equalized_odds_difference(y, y_pred, sensitive_features=age, method="to_overall"),
        "demographic parity": gap["selection_rate"],
        "predictive parity": gap["precision"],
        "by race": race_value,
        # the two most common mistakes: a subset of the rows (the black and white defendants of the race
        # comparison above), and the labels and predictions swapped
        "every defendant": equalized_odds_difference(y[black_white], y_pred[black_white],
                                                     sensitive_features=age[black_white]),
        "labels and the predictions are swapped": equalized_odds_difference(y_pred, y, sensitive_features=age),
        "by race, over every race": equalized_odds_difference(y, y_pred, sensitive_features=compas.frame["race"]),
        "by sex": equalized_odds_difference(y, y_pred, sensitive_features=compas.frame["sex"]),
    }
    for fragment, answer in cases.items():
        feedback = q2.feedback(answer)
        expect(feedback, Outcome.WRONG_VALUE, fragment)
        hides(feedback, value)


def test_q2_wrong_type_and_not_attempted():
    expect(q2.feedback("0.4"), Outcome.WRONG_TYPE, "single number")
    expect(q2.feedback(pd.Series([0.3, 0.4])), Outcome.WRONG_TYPE, "not a table")
    expect(q2.feedback(...), Outcome.NOT_ATTEMPTED, "placeholder")
    feedback = q2.feedback(0.123)
    expect(feedback, Outcome.WRONG_VALUE, "not right yet")


# --- q3 ----------------------------------------------------------------------------------------

def identity(p, ppv, fnr_):
    return p / (1 - p) * (1 - ppv) / ppv * (1 - fnr_)


def test_q3_identity_holds_on_the_data(rates):
    np.testing.assert_allclose(identity(rates["base_rate"], rates["precision"], rates["false_negative_rate"]),
                               rates["false_positive_rate"], atol=1e-12)


def test_q3_correct(rates):
    black, white = rates.loc["African-American"], rates.loc["Caucasian"]
    value = identity(white["base_rate"], black["precision"], black["false_negative_rate"])
    assert 0.2 < value < black["false_positive_rate"]  # lower than black defendants' FPR: the lesson
    expect(q3.feedback(value), Outcome.CORRECT, "cannot both hold")


def test_q3_diagnoses_each_mistake(rates):
    black, white = rates.loc["African-American"], rates.loc["Caucasian"]
    p, ppv, fn = white["base_rate"], black["precision"], black["false_negative_rate"]
    value = identity(p, ppv, fn)
    cases = {
        "actually have": white["false_positive_rate"],
        "base rate too": black["false_positive_rate"],
        "base-rate factor is upside down": (1 - p) / p * (1 - ppv) / ppv * (1 - fn),
        "precision factor is upside down": p / (1 - p) * ppv / (1 - ppv) * (1 - fn),
        "not the FNR itself": p / (1 - p) * (1 - ppv) / ppv * fn,
        "groups are swapped": identity(black["base_rate"], white["precision"], white["false_negative_rate"]),
        "not in percent": 100 * value,
    }
    for fragment, answer in cases.items():
        feedback = q3.feedback(answer)
        expect(feedback, Outcome.WRONG_VALUE, fragment)
        hides(feedback, value)


def test_q3_wrong_type_and_not_attempted():
    expect(q3.feedback(True), Outcome.WRONG_TYPE, "True/False")
    expect(q3.feedback(float("nan")), Outcome.WRONG_TYPE, "NaN")
    expect(q3.feedback(...), Outcome.NOT_ATTEMPTED)


# --- q4 ----------------------------------------------------------------------------------------

RIGHT = {"A": "equal opportunity", "B": "predictive parity", "C": "demographic parity", "D": "equalized odds"}


def test_q4_correct_and_lenient_about_spelling():
    expect(q4.feedback(RIGHT), Outcome.CORRECT, "context decides")
    relaxed = {"a": "Equal_Opportunity", "b": "predictive-parity", "c": " demographic  parity", "d": "EQUALIZED ODDS"}
    expect(q4.feedback(relaxed), Outcome.CORRECT)


@pytest.mark.parametrize("context, choice, fragment", [
    ("A", "equalized odds", "harmless follow-up test"),
    ("A", "demographic parity", "ignores who really has the condition"),
    ("A", "calibration", "yes/no decision"),
    ("B", "equal opportunity", "only the true positive rate"),
    ("B", "equalized odds", "both kinds of error"),
    ("C", "calibration", "no score"),
    ("C", "predictive parity", "what a positive flag means"),
    ("D", "equal opportunity", "both errors harm people"),
    ("D", "predictive parity", "what a positive flag means"),
])
def test_q4_diagnoses_each_wrong_choice(context, choice, fragment):
    feedback = q4.feedback({**RIGHT, context: choice})
    expect(feedback, Outcome.WRONG_VALUE, f"Context {context}", fragment)
    assert RIGHT[context] not in feedback.message.lower()  # never names the right criterion


def test_q4_every_wrong_choice_gets_a_message_without_the_answer():
    from biaslab.exercises.m02 import CRITERIA

    for context, right in RIGHT.items():
        for choice in CRITERIA:
            if choice != right:
                feedback = q4.feedback({**RIGHT, context: choice})
                expect(feedback, Outcome.WRONG_VALUE, f"Context {context}")
                assert right not in feedback.message.lower()


def test_q4_counts_the_other_wrong_contexts():
    feedback = q4.feedback({**RIGHT, "A": "calibration", "C": "equalized odds"})
    expect(feedback, Outcome.WRONG_VALUE, "Context A", "1 more context")


@pytest.mark.parametrize("answer, fragment", [
    ("equal opportunity", "Give a dict"),
    ({"A": "equal opportunity"}, "missing: B, C, D"),
    ({**RIGHT, "E": "calibration"}, "not a context: E"),
    ({**RIGHT, "B": "fairness"}, "not one of the criteria"),
    ({**RIGHT, "B": 3}, "not one of the criteria"),
])
def test_q4_wrong_type(answer, fragment):
    expect(q4.feedback(answer), Outcome.WRONG_TYPE, fragment)


def test_q4_not_attempted():
    expect(q4.feedback(...), Outcome.NOT_ATTEMPTED)


# --- q5 ----------------------------------------------------------------------------------------

def test_q5_is_a_reflection_recorded_with_points_to_cover():
    text = ("ProPublica compared false positive rates, Northpointe compared precision and calibration. Because the "
            "base rates differ between black and white defendants, Chouldechova shows that an imperfect tool cannot "
            "satisfy both at once, so a court must decide which error matters more to it.")
    feedback = q5.feedback(text)
    expect(feedback, Outcome.RECORDED, "base rates")
    expect(q5.feedback("Both are right."), Outcome.WRONG_VALUE, "words")
    expect(q5.feedback(...), Outcome.NOT_ATTEMPTED)
    assert q5.points == 2 and q5.required is False


def test_points_and_required_come_from_the_curriculum():
    assert [q.points for q in (q1, q2, q3, q4)] == [2, 2, 2, 2]
    assert [q.required for q in (q1, q2, q3, q4)] == [True, True, True, False]
