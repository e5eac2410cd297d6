"""Module 05's problems, each tested correct, wrong (every diagnosed mistake) and not attempted."""

import pickle

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from biaslab.exercises import Outcome
from biaslab.exercises.m05 import MAX_LAB_FLIP_RATE, MIN_AUROC, LAB_COLUMNS, q1, q2, q3, q4, _heart_split
from biaslab.models import make_tabular_model
from biaslab.robustness import TRAINING_VARIANTS, load_robust_training_results
from hidden_cases import class_seeds, graded


@pytest.fixture(autouse=True)
def one_thread():
    with threadpool_limits(1):
        yield


def expect(feedback, outcome, *fragments):
    assert feedback.outcome is outcome, feedback
    for fragment in fragments:
        assert fragment in feedback.message, feedback.message


# --- q1 ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def split():
    heart, X_train, X_test = _heart_split()
    return heart, X_train, X_test


@pytest.fixture(scope="module")
def model():
    """The clinic's model as the notebook trains it (the grader's own copy)."""
    with threadpool_limits(1):
        return q1.grading_context()["model"]


@pytest.fixture(scope="module")
def other_model(split):
    heart, X_train, _ = split
    with threadpool_limits(1):
        return make_tabular_model("logistic", random_state=0).fit(X_train, heart.target[X_train.index])


def swap(X):
    out = X.copy()
    out["sex"] = X["sex"].map({"Male": "Female", "Female": "Male"}).astype(X["sex"].dtype)
    return out


def flips(model, X):
    return model.predict(X) != model.predict(swap(X))


def test_q1_split_is_the_notebooks(split):
    heart, X_train, X_test = split
    assert len(X_test) == 101 and len(X_train) == 202
    assert X_test.index[0] == 207 and 193 in X_test.index  # the story's patient is a test patient


def test_q1_correct(model, split):
    rate = flips(model, split[2]).mean()
    assert 0.05 < rate < 0.4
    expect(q1.feedback(rate, model=model), Outcome.CORRECT, "sex field alone")
    expect(q1.feedback(np.float64(round(rate, 4)), model=model), Outcome.CORRECT)


def test_q1_diagnoses_each_mistake(model, split):
    heart, X_train, X_test = split
    f = flips(model, X_test)
    rate = f.mean()
    proba_moved = np.mean(np.abs(model.predict_proba(X_test) - model.predict_proba(swap(X_test))).max(axis=1) > 1e-12)
    male = (X_test["sex"] == "Male").to_numpy()
    cases = {
        "probability changed": proba_moved,
        "stayed the same": 1 - rate,
        "not in percent": 100 * rate,
        "number of patients": f.sum(),
        "all 303 patients": flips(model, heart.data).mean(),
        "training patients": flips(model, X_train).mean(),
        "among men only": f[male].mean(),
        "among women only": f[~male].mean(),
        # the two usual slips: one sex for everyone; the swapped decisions against the labels
        "set every patient's sex to 'Female'": np.mean(model.predict(X_test) != model.predict(
            X_test.assign(sex=pd.Series("Female", index=X_test.index).astype(X_test["sex"].dtype)))),
        "true labels": np.mean(model.predict(swap(X_test)) != heart.target.loc[X_test.index].to_numpy()),
    }
    for fragment, answer in cases.items():
        feedback = q1.feedback(float(answer), model=model)
        expect(feedback, Outcome.WRONG_VALUE, fragment)
        assert f"{rate:.3f}" not in feedback.message and f"{rate:.2f}" not in feedback.message


def test_q1_key_is_for_the_notebooks_model_only(other_model, split):
    rate = flips(other_model, split[2]).mean()  # right for a model the notebook does not train
    expect(q1.feedback(rate, model=other_model), Outcome.WRONG_TYPE, "not those of the clinic's model",
           "Restart Kernel and Run All")
    expect(q1.feedback(rate, model=other_model, key=None), Outcome.RECORDED)  # a class student's server


def test_q1_unknown_value_and_bad_model(model):
    expect(q1.feedback(0.42, model=model), Outcome.WRONG_VALUE, "not right yet", "q1.hint()")
    expect(q1.feedback(0.2), Outcome.NOT_ATTEMPTED, "model=model")
    expect(q1.feedback(0.2, model="model"), Outcome.WRONG_TYPE, "predict method")


@pytest.mark.parametrize("answer, fragment", [("0.2", "single number"), (True, "True/False"),
                                              (np.array([0.1, 0.2]), "not a table")])
def test_q1_wrong_type(model, answer, fragment):
    expect(q1.feedback(answer, model=model), Outcome.WRONG_TYPE, fragment)


def test_q1_not_attempted(model):
    expect(q1.feedback(..., model=model), Outcome.NOT_ATTEMPTED, "placeholder")


# --- q2 ----------------------------------------------------------------------------------------

def flips_within(model, X, column, delta, n_steps=21):
    base = model.predict(X)
    flipped = np.zeros(len(X), dtype=bool)
    for change in np.linspace(-delta, delta, n_steps):
        moved = X.copy()
        moved[column] = X[column] + change
        flipped |= model.predict(moved) != base
    return flipped


def as_series(model, X, column, delta, n_steps=21):
    return pd.Series(flips_within(model, X, column, delta, n_steps), index=X.index).astype(int)


def ends_only(model, X, column, delta, n_steps=21):
    return flips_within(model, X, column, delta, 2)


def up_only(model, X, column, delta, n_steps=21):
    base = model.predict(X)
    out = np.zeros(len(X), dtype=bool)
    for change in np.linspace(-delta, delta, n_steps):
        if change > 0:
            moved = X.copy()
            moved[column] = X[column] + change
            out |= model.predict(moved) != base
    return out


def in_place(model, X, column, delta, n_steps=21):
    base = model.predict(X)
    X[column] = X[column] + delta
    return model.predict(X) != base


def right_but_in_place(model, X, column, delta, n_steps=21):
    """The right flags, found by moving the caller's X itself (and leaving it moved)."""
    base = model.predict(X)
    original = X[column].copy()
    out = np.zeros(len(X), dtype=bool)
    for change in np.linspace(-delta, delta, n_steps):
        X[column] = original + change
        out |= model.predict(X) != base
    return out


def nothing(model, X, column, delta, n_steps=21):
    return np.zeros(len(X), dtype=bool)


def everything(model, X, column, delta, n_steps=21):
    return np.ones(len(X), dtype=bool)


@pytest.mark.parametrize("variant", ["visible", "hidden"])
def test_q2_correct(variant):
    expect(q2.feedback(flips_within, variant=variant), Outcome.CORRECT, "worst_case_flip")
    expect(q2.feedback(as_series, variant=variant), Outcome.CORRECT)  # a 0/1 Series is fine too


def test_q2_diagnoses_each_mistake():
    expect(q2.feedback(ends_only), Outcome.WRONG_VALUE, "only the two ends")
    expect(q2.feedback(up_only), Outcome.WRONG_VALUE, "only moved the column up")
    # the runner compares each argument before and after the call: a change of X in place is named
    expect(q2.feedback(in_place), Outcome.WRONG_VALUE, "changed X itself")
    expect(q2.feedback(right_but_in_place), Outcome.WRONG_VALUE, "changed X itself")
    expect(q2.feedback(right_but_in_place, variant="hidden"), Outcome.WRONG_VALUE, "changed X itself")
    expect(q2.feedback(nothing), Outcome.WRONG_VALUE, "finds no flips")
    expect(q2.feedback(everything), Outcome.WRONG_VALUE, "every row flips")
    expect(q2.feedback(ends_only, variant="hidden"), Outcome.WRONG_VALUE, "only the two ends")


def test_q2_wrong_type_and_not_attempted():
    expect(q2.feedback(lambda m, X, c, d, n_steps=21: 0.1), Outcome.WRONG_TYPE, "single value")
    expect(q2.feedback(lambda m, X, c, d, n_steps=21: np.zeros(3, bool)), Outcome.WRONG_TYPE, "one True/False per row")
    expect(q2.feedback(lambda m, X, c, d, n_steps=21: np.full(len(X), 0.3)), Outcome.WRONG_TYPE, "not probabilities")
    expect(q2.feedback(lambda m, X, c, d, n_steps=21: X["nope"]), Outcome.WRONG_TYPE, "raised KeyError")
    expect(q2.feedback(lambda m, X, c, d, n_steps=21: None), Outcome.NOT_ATTEMPTED, "returns None")
    expect(q2.feedback("flips_within"), Outcome.WRONG_TYPE, "function itself")
    expect(q2.feedback(...), Outcome.NOT_ATTEMPTED)


#: two classes' hidden seeds, as their graders derive them from two course secrets
SEEDS = class_seeds("05_robustness.q2")


def unwritten(model, X, column, delta, n_steps=21):
    raise NotImplementedError


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("answer, outcome, fragment", [
    (flips_within, Outcome.CORRECT, "worst_case_flip"),
    (as_series, Outcome.CORRECT, ""),
    (ends_only, Outcome.WRONG_VALUE, "only the two ends"),
    (up_only, Outcome.WRONG_VALUE, "only moved the column up"),
    (nothing, Outcome.WRONG_VALUE, "finds no flips"),
    (lambda m, X, c, d, n_steps=21: X["nope"], Outcome.WRONG_TYPE, "raised KeyError"),
    (lambda m, X, c, d, n_steps=21: m, Outcome.WRONG_TYPE, "returned a Pipeline"),
    (lambda m, X, c, d, n_steps=21: None, Outcome.NOT_ATTEMPTED, "returns None"),
    (unwritten, Outcome.NOT_ATTEMPTED, "NotImplementedError"),
])
def test_q2_hidden_seeds_feedback_and_grader_agree(answer, outcome, fragment, seed):
    feedback = q2.feedback(answer, variant="hidden", seed=seed)
    expect(feedback, outcome, fragment)
    assert graded(q2, answer, seed) == feedback


def test_q2_hidden_cases_differ_between_seeds():
    one, two = (q2.calls("hidden", seed) for seed in SEEDS)
    assert not one[0][0][1].equals(two[0][0][1])


@pytest.mark.parametrize("variant, seed", [("visible", None), ("hidden", None), ("hidden", SEEDS[0])])
def test_q2_calls_pickle_for_the_kernel(variant, seed):
    data = pickle.dumps(q2.calls(variant, seed), protocol=pickle.HIGHEST_PROTOCOL)
    assert b"biaslab.exercises" not in data  # the grading kernel has only recording stubs there
    assert len(data) < 1e6


def test_q2_assert_passed_raises_with_the_same_message():
    with pytest.raises(AssertionError, match="two ends"):
        q2.assert_passed(ends_only)
    q2.assert_passed(flips_within)


# --- q3 ----------------------------------------------------------------------------------------

def test_q3_exactly_one_variant_meets_the_requirements():
    means = load_robust_training_results().groupby("variant").mean(numeric_only=True)
    meets = means[(means["AUROC"] >= MIN_AUROC) & (means[list(LAB_COLUMNS)] <= MAX_LAB_FLIP_RATE).all(axis=1)]
    assert list(meets.index) == ["jittered copies"]
    expect(q3.feedback("jittered copies"), Outcome.CORRECT, "real risk factor")


def test_q3_diagnoses_each_wrong_choice():
    expect(q3.feedback("standard"), Outcome.WRONG_VALUE, "repeat measurement")
    expect(q3.feedback("sex-swapped copies"), Outcome.WRONG_VALUE, "AUROC", "did not ask for robustness to sex")
    expect(q3.feedback("both"), Outcome.WRONG_VALUE, "did not ask for robustness to sex")
    for variant in TRAINING_VARIANTS:
        assert "jittered copies" not in q3.feedback(variant).message or variant == "jittered copies"


def test_q3_wrong_type_and_not_attempted():
    expect(q3.feedback("robust"), Outcome.WRONG_TYPE, "not a training variant")
    expect(q3.feedback(2), Outcome.WRONG_TYPE, "as a string")
    expect(q3.feedback(...), Outcome.NOT_ATTEMPTED)


# --- q4 ----------------------------------------------------------------------------------------

def test_q4_reflection():
    expect(q4.feedback("Sex is a risk factor."), Outcome.WRONG_VALUE, "at least 40 words")
    expect(q4.feedback(" ".join(["word"] * 45)), Outcome.RECORDED, "real risk factor")
    expect(q4.feedback(3), Outcome.WRONG_TYPE)
    expect(q4.feedback(...), Outcome.NOT_ATTEMPTED)
