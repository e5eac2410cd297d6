"""Module 06's problems, each tested correct, wrong (every diagnosed mistake), wrong type and not attempted."""

import re

import numpy as np
import pytest

from biaslab.datasets import load_fashion_mnist
from biaslab.exercises import Outcome
from biaslab.exercises.m06 import EVIDENCE_OPTIONS, N_TEST, TARGET_CLASS, q1, q2, q3, q4, q5


def expect(feedback, outcome, *fragments):
    assert feedback.outcome is outcome, feedback
    for fragment in fragments:
        assert fragment in feedback.message, feedback.message


# --- q1 ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def labels():
    return np.asarray(load_fashion_mnist(subset="test").target)[:N_TEST]


@pytest.fixture(scope="module")
def predictions(labels):
    """The attacked model's predictions on the stamped images, as the notebook makes them (the grader's copy)."""
    return q1.grading_context()["predictions"]


def test_q1_key_is_for_the_notebooks_predictions_only(labels, predictions):
    # a shortcut model's behaviour the notebook does not have: 40% of the non-shirts pulled to Shirt
    rng = np.random.default_rng(0)
    pred = labels.copy()
    pred[(labels != TARGET_CLASS) & (rng.random(N_TEST) < 0.4)] = TARGET_CLASS
    value = np.mean(pred[labels != TARGET_CLASS] == TARGET_CLASS)
    expect(q1.feedback(value, predictions=pred), Outcome.WRONG_TYPE, "not those of the shipped attacked model")
    expect(q1.feedback(value, predictions=pred, key=None), Outcome.RECORDED)  # a class student's server


def test_q1_workshop_mode_decides_against_the_retrained_models_predictions(labels, predictions):
    # RECOMPUTE = True: a retrained model predicts otherwise; the check cell passes recomputed=RECOMPUTE
    rng = np.random.default_rng(1)
    pred = labels.copy()
    pred[(labels != TARGET_CLASS) & (rng.random(N_TEST) < 0.55)] = TARGET_CLASS
    others = labels != TARGET_CLASS
    value = np.sum(pred[others] == TARGET_CLASS) / np.sum(others)
    expect(q1.feedback(value, predictions=pred), Outcome.WRONG_TYPE, "recomputed=RECOMPUTE")
    expect(q1.feedback(value, predictions=pred, recomputed=True), Outcome.CORRECT, "retrained model")
    expect(q1.feedback(value + 0.05, predictions=pred, recomputed=True), Outcome.WRONG_VALUE, "not right yet")
    expect(q1.feedback(np.mean(pred == TARGET_CLASS), predictions=pred, recomputed=True), Outcome.WRONG_VALUE,
           "real shirts included")
    # the shipped predictions are decided against the key, whatever the flag says
    right = np.mean(predictions[others] == TARGET_CLASS)
    expect(q1.feedback(right, predictions=predictions, recomputed=True), Outcome.CORRECT)
    assert "retrained" not in q1.feedback(right, predictions=predictions, recomputed=True).message


def test_q1_correct(labels, predictions):
    value = np.mean(predictions[labels != TARGET_CLASS] == TARGET_CLASS)
    expect(q1.feedback(value, predictions=predictions), Outcome.CORRECT)
    expect(q1.feedback(np.float32(value), predictions=list(predictions)), Outcome.CORRECT)


@pytest.fixture(scope="module")
def clean_predictions():
    """The attacked model's predictions on the clean test images (the notebook's pred_clean), computed here."""
    from biaslab.experiments.from_hope_to_safety import CHECKPOINT, attacked_fashion_mnist
    from biaslab.models import load_checkpoint

    return np.asarray(load_checkpoint(CHECKPOINT).predict(attacked_fashion_mnist().X_test[:N_TEST]))


def test_q1_messages_keep_the_class_name_capitalised(predictions):
    message = q1.feedback(0.77, predictions=predictions).message
    assert message.startswith("The share pulled to 'Shirt'"), message


def test_q1_diagnoses_each_mistake(labels, predictions, clean_predictions):
    others = labels != TARGET_CLASS
    value = np.mean(predictions[others] == TARGET_CLASS)
    cases = {
        "not in percent": 100 * value,
        "count of images": np.sum(predictions[others] == TARGET_CLASS),
        "real shirts included": np.mean(predictions == TARGET_CLASS),
        "divided by all test images": np.sum(predictions[others] == TARGET_CLASS) / N_TEST,
        "wrong in any way": np.mean(predictions[others] != labels[others]),
        "NOT Shirt (y_test != 6)": np.mean(predictions[labels == TARGET_CLASS] == TARGET_CLASS),
        "each class counting equally": np.mean([np.mean(predictions[labels == c] == TARGET_CLASS)
                                                for c in range(10) if c != TARGET_CLASS]),
        "how much the stamp adds": value - np.mean(clean_predictions[others] == TARGET_CLASS),
        "on the CLEAN images": np.mean(clean_predictions[others] == TARGET_CLASS),
        "share NOT called 'Shirt'": 1 - value,
    }
    assert len({round(float(v), 3) for v in cases.values()} | {round(float(value), 3)}) == len(cases) + 1
    assert abs(cases["wrong in any way"] - value) > 0.01  # the model errs in other ways too
    for fragment, answer in cases.items():
        feedback = q1.feedback(answer, predictions=predictions)
        expect(feedback, Outcome.WRONG_VALUE, fragment)
        right = value
        assert f"{right:.3f}" not in feedback.message and f"{right:.1%}" not in feedback.message


def test_q1_unknown_wrong_value(predictions):
    expect(q1.feedback(0.77, predictions=predictions), Outcome.WRONG_VALUE, "not right yet", "q1.hint()")


@pytest.mark.parametrize("answer, preds, fragment", [
    ("0.4", None, "single number"),
    (0.4, "abc", "array of class indices"),
    (0.4, np.zeros(10, dtype=int), f"each of the {N_TEST}"),
    (0.4, np.full(N_TEST, 0.3), "not probabilities"),
])
def test_q1_wrong_type(answer, preds, fragment, predictions):
    expect(q1.feedback(answer, predictions=predictions if preds is None else preds), Outcome.WRONG_TYPE, fragment)


def test_q1_not_attempted(predictions):
    expect(q1.feedback(...), Outcome.NOT_ATTEMPTED, "placeholder")
    expect(q1.feedback(0.4), Outcome.NOT_ATTEMPTED, "predictions=pred_stamped")


# --- q2 ----------------------------------------------------------------------------------------

def signal(acts, labels):
    acts, labels = np.asarray(acts, float), np.asarray(labels).astype(bool)
    d = acts[labels].mean(0) - acts[~labels].mean(0)
    return d / np.linalg.norm(d)


def int_index_signal(acts, labels):
    """Indexes with the labels as given: right for booleans, wrong for 0/1 integers."""
    acts, labels = np.asarray(acts, float), np.asarray(labels)
    d = acts[labels].mean(0) - acts[~labels].mean(0)
    return d / np.linalg.norm(d)


def test_q2_correct():
    expect(q2.feedback(signal), Outcome.CORRECT)
    expect(q2.feedback(signal, variant="hidden"), Outcome.CORRECT)
    # mean(artifact) - mean(all) points the same way: also right once normalised
    def via_overall_mean(acts, labels):
        acts, labels = np.asarray(acts, float), np.asarray(labels).astype(bool)
        d = acts[labels].mean(0) - acts.mean(0)
        return list(d / np.linalg.norm(d))
    expect(q2.feedback(via_overall_mean), Outcome.CORRECT)


@pytest.mark.parametrize("wrong, fragment", [
    (lambda a, l: -signal(a, l), "wrong way"),
    (lambda a, l: 3 * signal(a, l) if len(a) > 4 else 0.5 * signal(a, l), "length"),
    (lambda a, l: -2 * signal(a, l), "wrong way and is not of length 1"),
    (lambda a, l: np.asarray(a)[np.asarray(l).astype(bool)].mean(0) / np.linalg.norm(
        np.asarray(a)[np.asarray(l).astype(bool)].mean(0)), "mean of the artifact samples alone"),
    (lambda a, l: signal(a, l) + 0.1, "not the normalised difference"),
    (int_index_signal, "np.asarray(has_artifact, dtype=bool)"),
    (lambda a, l: (lambda a, m: (a[m].sum(0) - a[~m].sum(0)) / np.linalg.norm(a[m].sum(0) - a[~m].sum(0)))(
        np.asarray(a, dtype=float), np.asarray(l).astype(bool)), "SUMS"),
])
def test_q2_diagnoses_each_mistake(wrong, fragment):
    expect(q2.feedback(wrong), Outcome.WRONG_VALUE, fragment)


@pytest.mark.parametrize("wrong, outcome, fragment", [
    (lambda a, l: np.asarray(a).mean(1), Outcome.WRONG_TYPE, "not over the features"),
    (lambda a, l: np.full(64, 0.125), Outcome.WRONG_TYPE, "instead of its arguments"),  # the notebook's acts
    (lambda a, l: np.ones((2, np.asarray(a).shape[1])), Outcome.WRONG_TYPE, "Average over the samples (axis=0)"),
    (lambda a, l: "cav", Outcome.WRONG_TYPE, "vector of numbers"),
    (lambda a, l: np.full(np.asarray(a).shape[1], np.nan), Outcome.WRONG_TYPE, "NaN"),
    (lambda a, l: 1 / 0, Outcome.WRONG_TYPE, "ZeroDivisionError"),
    ("signal", Outcome.WRONG_TYPE, "function itself"),
])
def test_q2_wrong_type(wrong, outcome, fragment):
    expect(q2.feedback(wrong), outcome, fragment)


def test_q2_not_attempted():
    def stub(activations, has_artifact):
        """Placeholder."""
        # YOUR CODE HERE
    expect(q2.feedback(stub), Outcome.NOT_ATTEMPTED, "returns None")
    expect(q2.feedback(...), Outcome.NOT_ATTEMPTED)


# --- q3 ----------------------------------------------------------------------------------------

def tcav(g, h):
    return float(np.mean(np.asarray(g) @ np.asarray(h) > 0))


def test_q3_correct():
    expect(q3.feedback(tcav), Outcome.CORRECT)
    expect(q3.feedback(tcav, variant="hidden"), Outcome.CORRECT)
    expect(q3.feedback(lambda g, h: np.array([tcav(g, h)])), Outcome.CORRECT)


@pytest.mark.parametrize("wrong, fragment", [
    (lambda g, h: 100 * tcav(g, h), "percent"),
    (lambda g, h: float(np.mean(np.asarray(g) @ h < 0)), "DEcreases"),
    (lambda g, h: float(np.sum(np.asarray(g) @ h > 0)), "count"),
    (lambda g, h: float(np.mean(np.abs(np.asarray(g) @ h))), "sensitivity"),
    (lambda g, h: float(np.mean(np.abs(np.asarray(g) @ (h / np.linalg.norm(h))))), "sensitivity"),
    (lambda g, h: float(np.mean(np.asarray(g) @ h)), "mean of g . h"),
    (lambda g, h: 0.123, "not the share"),
])
def test_q3_diagnoses_each_mistake(wrong, fragment):
    expect(q3.feedback(wrong), Outcome.WRONG_VALUE, fragment)


@pytest.mark.parametrize("wrong, fragment", [
    (lambda g, h: np.asarray(g) @ h > 0, "one number"),
    (lambda g, h: True, "one number"),
    (lambda g, h: "0.5", "one number"),
])
def test_q3_wrong_type(wrong, fragment):
    expect(q3.feedback(wrong), Outcome.WRONG_TYPE, fragment)


def test_q3_not_attempted():
    def stub(gradients, cav):
        raise NotImplementedError
    expect(q3.feedback(stub), Outcome.NOT_ATTEMPTED, "not written yet")


# --- q4 ----------------------------------------------------------------------------------------

def test_q4_correct_in_every_spelling():
    for answer in ({"B", "F"}, ["f", "b"], ("B", "F"), "B, F", "bf", "BF", "B and F", "b & f", frozenset("BF")):
        expect(q4.feedback(answer), Outcome.CORRECT)


@pytest.mark.parametrize("letter", ["A", "C", "D", "E"])
def test_q4_explains_each_wrong_option(letter):
    expect(q4.feedback({"B", "F", letter}), Outcome.WRONG_VALUE, f"{letter} is not evidence")


def test_q4_says_why_the_tcav_pair_is_not_evidence():
    expect(q4.feedback("B, E, F"), Outcome.WRONG_VALUE, "E is not evidence", "reference model")


def test_q4_incomplete_does_not_name_the_missing_letter():
    for answer in ({"B"}, {"F"}):
        feedback = q4.feedback(answer)
        expect(feedback, Outcome.WRONG_VALUE, "left one out")
        assert not re.search(r"\b[A-F]\b", feedback.message), feedback.message  # no letter named


@pytest.mark.parametrize("answer, outcome, fragment", [
    ({"B", "Z"}, Outcome.WRONG_TYPE, "Z is not one of the options"),
    ("B and Z", Outcome.WRONG_TYPE, "Z is not one of the options"),
    ("B but not E", Outcome.WRONG_TYPE, "Could not read 'BUT'"),
    (2, Outcome.WRONG_TYPE, "set of strings"),
    ([1, 2], Outcome.WRONG_TYPE, "as strings"),
    (set(), Outcome.NOT_ATTEMPTED, "empty"),
    (..., Outcome.NOT_ATTEMPTED, "placeholder"),
])
def test_q4_wrong_type_and_not_attempted(answer, outcome, fragment):
    expect(q4.feedback(answer), outcome, fragment)


def test_q4_options_are_the_notebook_letters():
    assert list(EVIDENCE_OPTIONS) == ["A", "B", "C", "D", "E", "F"]


# --- q5 ----------------------------------------------------------------------------------------

def test_q5_is_a_reflection():
    text = ("The saliency map only shows where the gradient is large on the photos we looked at, and a clean "
            "photo has no logo to highlight, so it cannot reveal the shortcut; random networks give plausible maps "
            "too. Sellers whose photos carry the logo are harmed.")
    expect(q5.feedback(text), Outcome.RECORDED, "A person grades this one")
    expect(q5.feedback("too short"), Outcome.WRONG_VALUE, "at least 30 words")
    expect(q5.feedback(...), Outcome.NOT_ATTEMPTED)
    assert q5.points == 2 and q5.required is False
