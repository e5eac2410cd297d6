"""Module 08's problems, each tested correct, wrong (every diagnosed mistake), wrong type and not attempted."""

import numpy as np
import pandas as pd
import pytest

from biaslab.exercises import Outcome
from biaslab.exercises._plain import encode
from biaslab.exercises.m08 import MITIGATION_CHOICES, q1, q2, q3, q4
from biaslab.mitigations import group_thresholds, reweighing_weights
from biaslab.mitigations._comparison import fit_baseline, mitigation_data


@pytest.fixture(scope="module")
def data():
    return mitigation_data("adult")


@pytest.fixture(scope="module")
def validation(data):
    scores = fit_baseline("adult").predict_proba(data.X_validation)[:, 1]
    return scores, data.y_validation, data.s_validation.to_numpy()


def expect(feedback, outcome, *fragments):
    assert feedback.outcome is outcome, feedback
    for fragment in fragments:
        assert fragment in feedback.message, feedback.message


def hides(feedback, value):
    for text in (f"{value:.3f}", f"{value:.4f}", f"{value:.2f}"):
        assert text not in feedback.message, feedback.message


# --- q1 ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cell(data):
    y, s = data.y_train, data.s_train.to_numpy()
    n, n_s, n_c = len(y), int((s == "Female").sum()), int((y == 1).sum())
    n_sc = int(((s == "Female") & (y == 1)).sum())
    return n, n_s, n_c, n_sc


def test_q1_correct_matches_the_library(data, cell):
    n, n_s, n_c, n_sc = cell
    expected = n_s * n_c / (n * n_sc)
    weights = reweighing_weights(data.y_train, sensitive_features=data.s_train)
    library = weights[(data.s_train.to_numpy() == "Female") & (data.y_train == 1)][0]
    assert expected == pytest.approx(library)
    expect(q1.feedback(expected), Outcome.CORRECT)
    expect(q1.feedback(np.float64(expected)), Outcome.CORRECT)


@pytest.mark.parametrize("mistake, fragment", [
    (lambda n, n_s, n_c, n_sc: n * n_sc / (n_s * n_c), "upside down"),
    (lambda n, n_s, n_c, n_sc: n_s * n_c / n ** 2, "P(Female) · P(>50K)"),
    (lambda n, n_s, n_c, n_sc: n_s * n_c / n, "expected count"),
    (lambda n, n_s, n_c, n_sc: n_c / n_sc, "left out the group's share"),
    (lambda n, n_s, n_c, n_sc: n_sc / n_s, "rate within the group"),
    (lambda n, n_s, n_c, n_sc: n * n_sc / n_s ** 2, "joint and marginal"),
])
def test_q1_diagnosed_mistakes(cell, mistake, fragment):
    n, n_s, n_c, n_sc = cell
    feedback = q1.feedback(mistake(*cell))
    expect(feedback, Outcome.WRONG_VALUE, fragment)
    hides(feedback, n_s * n_c / (n * n_sc))


def test_q1_a_cell_count_in_place_of_a_total_is_named(data, cell):
    """The commonest slip with a counts table: reading a cell where the formula wants a row or column total."""
    n, n_s, n_c, n_sc = cell
    y, s = data.y_train, data.s_train.to_numpy()
    female_low = int(((s == "Female") & (y == 0)).sum())
    male_high = int(((s == "Male") & (y == 1)).sum())
    feedback = q1.feedback(female_low * n_c / (n * n_sc))
    expect(feedback, Outcome.WRONG_VALUE, "For |D_s| you took the cell (Female, <= 50K)", "row total")
    hides(feedback, n_s * n_c / (n * n_sc))
    feedback = q1.feedback(n_s * male_high / (n * n_sc))
    expect(feedback, Outcome.WRONG_VALUE, "For |D_c| you took the cell (Male, > 50K)", "column total")
    hides(feedback, n_s * n_c / (n * n_sc))


def test_q1_other_cells_and_other_rows(data, cell):
    table = pd.DataFrame({"s": data.s_train.to_numpy(), "y": data.y_train,
                          "w": reweighing_weights(data.y_train, sensitive_features=data.s_train)})
    for (sex, label), fragment in [(("Female", 0), "women with income <= 50K"), (("Male", 1), "men with income > 50K"),
                                   (("Male", 0), "men with income <= 50K")]:
        w = table[(table.s == sex) & (table.y == label)]["w"].iloc[0]
        expect(q1.feedback(w), Outcome.WRONG_VALUE, fragment)
    y_all = np.r_[data.y_train, data.y_validation, data.y_test]
    s_all = np.r_[data.s_train, data.s_validation, data.s_test]
    w = reweighing_weights(y_all, sensitive_features=s_all)[(s_all == "Female") & (y_all == 1)][0]
    expect(q1.feedback(w), Outcome.WRONG_VALUE, "48,842")
    expect(q1.feedback(5.0), Outcome.WRONG_VALUE, "not right yet")


def test_q1_wrong_type_and_not_attempted():
    expect(q1.feedback("2.2"), Outcome.WRONG_TYPE)
    expect(q1.feedback(True), Outcome.WRONG_TYPE)
    expect(q1.feedback(np.array([1.0, 2.0])), Outcome.WRONG_TYPE)
    expect(q1.feedback(...), Outcome.NOT_ATTEMPTED)


# --- q2 ----------------------------------------------------------------------------------------

def quantile_thresholds(scores, y, s, subset):
    target = np.mean(scores[subset] >= 0.5)  # the rate of the single threshold 0.5 on the same rows
    return {g: float(np.quantile(scores[(s == g) & subset], 1 - target)) for g in ("Female", "Male")}


def test_q2_correct_visible_and_hidden(validation):
    scores, y, s = validation
    answer = quantile_thresholds(scores, y, s, y == 1)
    expect(q2.feedback(answer), Outcome.CORRECT, "TPR gap")
    expect(q2.feedback(answer, variant="hidden"), Outcome.CORRECT, "test rows")
    # the library's own equal-opportunity thresholds pass too; keys are case-insensitive
    library = group_thresholds(y, scores, sensitive_features=s, criterion="equal_opportunity").to_dict()
    expect(q2.feedback({k.lower(): v for k, v in library.items()}), Outcome.CORRECT)


def test_q2_diagnoses(validation):
    scores, y, s = validation
    expect(q2.feedback({"Female": 0.5, "Male": 0.5}), Outcome.WRONG_VALUE, "same threshold")
    expect(q2.feedback({"Female": 0.45, "Male": 0.5}), Outcome.WRONG_VALUE, "still", "Male has the higher")
    expect(q2.feedback({"Female": 0.1, "Male": 0.5}), Outcome.WRONG_VALUE, "Female has the higher")
    expect(q2.feedback({"Female": 0.0, "Male": 0.0}), Outcome.WRONG_VALUE, "accuracy falls")
    parity = group_thresholds(y, scores, sensitive_features=s, criterion="demographic_parity").to_dict()
    expect(q2.feedback(parity), Outcome.WRONG_VALUE, "selection rates")
    expect(q2.feedback(quantile_thresholds(scores, y, s, y == 0)), Outcome.WRONG_VALUE, "false positive rates")


def test_q2_wrong_type_and_not_attempted():
    expect(q2.feedback([0.4, 0.5]), Outcome.WRONG_TYPE, "dict")
    expect(q2.feedback({"Female": 0.4}), Outcome.WRONG_TYPE, "missing: Male")
    expect(q2.feedback({"Female": 0.4, "Male": 0.5, "Other": 0.5}), Outcome.WRONG_TYPE, "not a group")
    expect(q2.feedback({"Female": "0.4", "Male": 0.5}), Outcome.WRONG_TYPE, "number")
    expect(q2.feedback({"Female": 40, "Male": 50}), Outcome.WRONG_TYPE, "between 0 and 1")
    expect(q2.feedback({"Female": float("nan"), "Male": 0.5}), Outcome.WRONG_TYPE)
    expect(q2.feedback(...), Outcome.NOT_ATTEMPTED)


def value_record(answer, variant):
    """The record a grading kernel makes of a value answer (biaslab.grading._recorder)."""
    if answer is Ellipsis:
        return {"kind": "placeholder", "variant": variant}
    return {"kind": "value", "variant": variant, "answer": encode(answer), "context": {}}


def test_q2_is_a_value_answer_the_grader_decides_like_the_check(validation):
    scores, y, s = validation
    assert not q2.takes_function  # a dict of thresholds, not a function: no calls to make
    right = {k: np.float64(v) for k, v in quantile_thresholds(scores, y, s, y == 1).items()}
    for answer, outcome in [(right, Outcome.CORRECT), ({"Female": 0.5, "Male": 0.5}, Outcome.WRONG_VALUE),
                            ({"Female": 0.4}, Outcome.WRONG_TYPE), (..., Outcome.NOT_ATTEMPTED)]:
        feedback = q2.feedback(answer)
        assert feedback.outcome is outcome
        assert q2.decide(value_record(answer, "visible")) == feedback


def test_q2_hidden_record_is_decided_on_the_test_rows(validation):
    scores, y, s = validation
    answer = quantile_thresholds(scores, y, s, y == 1)
    assert q2.decide(value_record(answer, "hidden"), seed=12345) == q2.feedback(answer, variant="hidden")


# --- q3 ----------------------------------------------------------------------------------------

RIGHT = {"A": "group thresholds", "B": "reweighing", "C": "massaging", "D": "preferential sampling",
         "E": "exponentiated gradient"}


def test_q3_correct():
    expect(q3.feedback(RIGHT), Outcome.CORRECT, "All five")
    expect(q3.feedback({**RIGHT, "D": "uniform sampling"}), Outcome.CORRECT)
    expect(q3.feedback({k.lower(): v.upper().replace(" ", "_") for k, v in RIGHT.items()}), Outcome.CORRECT)


@pytest.mark.parametrize("key", sorted(RIGHT))
def test_q3_every_wrong_choice_is_explained_without_the_answer(key):
    for choice in MITIGATION_CHOICES:
        if choice == RIGHT[key] or (key == "D" and choice == "uniform sampling"):
            continue
        feedback = q3.feedback({**RIGHT, key: choice})
        expect(feedback, Outcome.WRONG_VALUE)
        right = RIGHT[key].split()[0]
        assert right not in feedback.message.lower().replace(choice, ""), feedback.message


def test_q3_counts_other_wrong_contexts():
    expect(q3.feedback({**RIGHT, "A": "reweighing", "B": "massaging"}), Outcome.WRONG_VALUE, "1 more context")


def test_q3_wrong_type_and_not_attempted():
    expect(q3.feedback("reweighing"), Outcome.WRONG_TYPE, "dict")
    expect(q3.feedback({"A": "reweighing"}), Outcome.WRONG_TYPE, "missing")
    expect(q3.feedback({**RIGHT, "F": "reweighing"}), Outcome.WRONG_TYPE, "not a context")
    expect(q3.feedback({**RIGHT, "A": "fairness"}), Outcome.WRONG_TYPE, "not one of")
    expect(q3.feedback(...), Outcome.NOT_ATTEMPTED)


# --- q4 ----------------------------------------------------------------------------------------

def test_q4_reflection():
    expect(q4.feedback(...), Outcome.NOT_ATTEMPTED)
    expect(q4.feedback(""), Outcome.NOT_ATTEMPTED)
    expect(q4.feedback(42), Outcome.WRONG_TYPE)
    expect(q4.feedback("Thresholds, because."), Outcome.WRONG_VALUE, "words")
    feedback = q4.feedback(" ".join(["word"] * 60))
    assert feedback.outcome is Outcome.RECORDED and not feedback.passed
