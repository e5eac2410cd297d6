"""Reweighing makes label and group independent: weighted label discrimination is exactly zero."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from biaslab.datasets import load_adult
from biaslab.metrics import discrimination_score
from biaslab.mitigations import Reweighing, reweighing_weights


@pytest.fixture(scope="module")
def adult():
    return load_adult()


def weighted_positive_rates(y, groups, w):
    frame = pd.DataFrame({"y": np.asarray(y) * w, "w": w, "g": np.asarray(groups)})
    sums = frame.groupby("g").sum()
    return sums["y"] / sums["w"], float(np.sum(np.asarray(y) * w) / np.sum(w))


def test_hand_computed_weights_three_groups():
    # |D| = 9, |D+| = 5, |D-| = 4; groups a (4 rows, 3+), b (3 rows, 1+), c (2 rows, 1+)
    y = [1, 1, 1, 0, 1, 0, 0, 1, 0]
    g = ["a", "a", "a", "a", "b", "b", "b", "c", "c"]
    w = reweighing_weights(y, sensitive_features=g)
    expected = {
        ("a", 1): 4 * 5 / (9 * 3), ("a", 0): 4 * 4 / (9 * 1),
        ("b", 1): 3 * 5 / (9 * 1), ("b", 0): 3 * 4 / (9 * 2),
        ("c", 1): 2 * 5 / (9 * 1), ("c", 0): 2 * 4 / (9 * 1),
    }
    np.testing.assert_allclose(w, [expected[(gi, yi)] for gi, yi in zip(g, y)], rtol=0, atol=1e-15)
    rates, overall = weighted_positive_rates(y, g, w)
    np.testing.assert_allclose(rates.to_numpy(), overall, atol=1e-12)


def test_adult_sex_discrimination_is_zero(adult):
    sex = adult.sensitive_features["sex"]
    assert discrimination_score(adult.target, sensitive_features=sex, favoured="Male") == pytest.approx(0.1945, abs=5e-5)
    w = reweighing_weights(adult.target, sensitive_features=sex)
    assert abs(discrimination_score(adult.target, sensitive_features=sex, favoured="Male", sample_weight=w)) < 1e-12
    # total weight is preserved: sum over cells of |D_s||D_c|/|D| = |D|
    assert w.sum() == pytest.approx(len(w), rel=1e-12)


def test_adult_race_and_intersections(adult):
    for sf in (adult.sensitive_features["race"], adult.sensitive_features[["sex", "race"]]):
        w = reweighing_weights(adult.target, sensitive_features=sf)
        keys = sf if isinstance(sf, pd.Series) else sf.astype(str).agg("|".join, axis=1)
        rates, overall = weighted_positive_rates(adult.target, keys, w)
        np.testing.assert_allclose(rates.to_numpy(), overall, atol=1e-12)


@st.composite
def labelled_groups(draw):
    n_groups = draw(st.integers(2, 4))
    n = draw(st.integers(4 * n_groups, 200))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    groups = np.concatenate([np.arange(n_groups).repeat(2), rng.integers(0, n_groups, n - 2 * n_groups)])
    y = np.concatenate([np.tile([0, 1], n_groups), rng.integers(0, 2, n - 2 * n_groups)])
    weights = rng.uniform(0.1, 3.0, n) if draw(st.booleans()) else None
    return y, np.array([f"g{k}" for k in groups]), weights


@settings(max_examples=60, deadline=None)
@given(labelled_groups())
def test_random_data_weighted_discrimination_is_zero(data):
    y, groups, sample_weight = data
    w = reweighing_weights(y, sensitive_features=groups, sample_weight=sample_weight)
    for favoured in np.unique(groups):
        disc = discrimination_score(y, sensitive_features=groups, favoured=favoured, sample_weight=w)
        assert abs(disc) < 1e-12
    base = np.ones(len(y)) if sample_weight is None else sample_weight
    assert w.sum() == pytest.approx(base.sum(), rel=1e-12)  # reweighing moves weight, never adds it


def test_sample_weight_multiplies():
    y = [1, 0, 1, 0, 0, 1]
    g = ["a", "a", "a", "b", "b", "b"]
    sw = np.array([2.0, 1.0, 1.0, 1.0, 3.0, 1.0])
    w = reweighing_weights(y, sensitive_features=g, sample_weight=sw)
    # weighted counts: |D|=9, |D+|=4, a: 4 (3+), b: 5 (1+)
    table = {("a", 1): 4 * 4 / (9 * 3), ("a", 0): 4 * 5 / (9 * 1), ("b", 1): 5 * 4 / (9 * 1), ("b", 0): 5 * 5 / (9 * 4)}
    np.testing.assert_allclose(w, sw * np.array([table[k] for k in zip(g, y)]), atol=1e-15)


def test_estimator_matches_function_and_reuses_table(adult):
    sex = adult.sensitive_features["sex"]
    rw = Reweighing().fit(adult.data, adult.target, sensitive_features=sex)
    np.testing.assert_array_equal(rw.sample_weight_, reweighing_weights(adult.target, sensitive_features=sex))
    assert list(rw.weights_.index) == ["Female", "Male"] and list(rw.weights_.columns) == [0, 1]
    assert rw.weights_.loc["Female", 1] > 1 > rw.weights_.loc["Male", 1]  # deprived positives weigh more
    new = rw.compute_weights([1, 0, 1], sensitive_features=["Male", "Female", "Female"])
    np.testing.assert_array_equal(new, [rw.weights_.loc["Male", 1], rw.weights_.loc["Female", 0], rw.weights_.loc["Female", 1]])
    assert repr(clone(rw)) == "Reweighing()"


def test_weights_train_a_fairer_model(adult):
    from sklearn.linear_model import LogisticRegression

    train = adult.split == "train"
    X = pd.get_dummies(adult.data[["age", "education_num", "hours_per_week", "sex"]], dtype=float)[train.to_numpy()]
    y = adult.target[train.to_numpy()]
    sex = adult.sensitive_features["sex"][train.to_numpy()]
    w = reweighing_weights(y, sensitive_features=sex)
    plain = LogisticRegression(max_iter=500).fit(X, y).predict(X)
    weighted = LogisticRegression(max_iter=500).fit(X, y, sample_weight=w).predict(X)
    d_plain = discrimination_score(plain, sensitive_features=sex, favoured="Male")
    d_weighted = discrimination_score(weighted, sensitive_features=sex, favoured="Male")
    assert d_weighted < d_plain / 2


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(y=[1, 0, 2, 1]), ValueError, "y must be binary"),
    (dict(y=[1, 1, 1, 1]), ValueError, "y has only one class"),
    (dict(y=[1, 0, 1]), ValueError, "sensitive_features has 4 rows but the labels have 3"),
    (dict(y=[1, 1, 0, 1]), ValueError, "group 'a' has no rows with y = 0"),
    (dict(sensitive_features=None), TypeError, "sensitive_features is required"),
    (dict(sample_weight=[1, 1, 1]), ValueError, "sample_weight has 3 values"),
    (dict(sample_weight=[1, -1, 1, 1]), ValueError, "sample_weight must be non-negative"),
])
def test_bad_input(kwargs, error, match):
    args = dict(y=[1, 0, 1, 0], sensitive_features=["a", "a", "b", "b"])
    args.update(kwargs)
    with pytest.raises(error, match=match):
        reweighing_weights(args.pop("y"), **args)


def test_estimator_bad_input():
    rw = Reweighing()
    with pytest.raises(AttributeError, match="not fitted"):
        rw.compute_weights([1], sensitive_features=["a"])
    rw.fit(None, [1, 0, 1, 0], sensitive_features=["a", "a", "b", "b"])
    with pytest.raises(ValueError, match="not seen in fit: 'c'"):
        rw.compute_weights([1], sensitive_features=["c"])
    with pytest.raises(ValueError, match="X has 3, y has 4"):
        Reweighing().fit(np.zeros((3, 2)), [1, 0, 1, 0], sensitive_features=["a", "a", "b", "b"])
