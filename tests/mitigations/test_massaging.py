"""Massaging relabels exactly M = round(disc |D_f| |D_d| / |D|) pairs, chosen by rank, leaving
|disc| <= (1/|D_f| + 1/|D_d|) / 2."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.tree import DecisionTreeClassifier

from biaslab.datasets import load_adult
from biaslab.metrics import discrimination_score
from biaslab.mitigations import massage


@pytest.fixture(scope="module")
def adult_train():
    return load_adult(subset="train")


def disc(y, fav):
    return y[fav].mean() - y[~fav].mean()


@st.composite
def biased_data(draw):
    n = draw(st.integers(6, 300))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    fav = rng.random(n) < draw(st.floats(0.2, 0.8))
    fav[:2] = [True, False]
    p_fav, p_dep = draw(st.floats(0.05, 0.95)), draw(st.floats(0.05, 0.95))
    y = (rng.random(n) < np.where(fav, p_fav, p_dep)).astype(int)
    # integer scores give many ties, which the stable rule must break by position
    scores = rng.integers(0, draw(st.sampled_from([3, 10, 10_000])), n).astype(float)
    return y, np.where(fav, "f", "d"), scores


@settings(max_examples=100, deadline=None)
@given(biased_data())
def test_exact_pairs_bound_and_only_candidates_change(data):
    y, groups, scores = data
    fav = groups == "f"
    n, n_f, n_d = len(y), fav.sum(), (~fav).sum()
    result = massage(None, y, sensitive_features=groups, favoured="f", ranker=scores)
    new = np.asarray(result.y)

    numerator = y[fav].sum() * n_d - y[~fav].sum() * n_f
    m = (2 * abs(numerator) + n) // (2 * n)
    assert result.n_pairs == result.demoted.sum() == m
    up, down = (~fav, fav) if numerator >= 0 else (fav, ~fav)
    assert not (result.promoted & ~(up & (y == 0))).any()
    assert not (result.demoted & ~(down & (y == 1))).any()
    assert (new[result.promoted] == 1).all() and (new[result.demoted] == 0).all()
    assert (new[~result.changed] == y[~result.changed]).all()

    after = disc(new, fav)
    assert abs(after) <= n / (2 * n_f * n_d) + 1e-12
    # no other whole number of pairs does better: one pair moves disc by n / (n_f n_d)
    step = n / (n_f * n_d) * np.sign(numerator)
    assert abs(after) <= min(abs(after + step), abs(after - step)) + 1e-12
    assert after == pytest.approx(discrimination_score(new, sensitive_features=groups, favoured="f"), abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(biased_data())
def test_rank_order_with_stable_ties(data):
    y, groups, scores = data
    fav = groups == "f"
    result = massage(None, y, sensitive_features=groups, favoured="f", ranker=scores)
    if y[fav].mean() < y[~fav].mean():
        fav = ~fav
    idx = np.arange(len(y))
    # promoted: first M deprived negatives by (score descending, position ascending)
    cands = idx[~fav & (y == 0)]
    order = cands[np.lexsort((cands, -scores[cands]))]
    np.testing.assert_array_equal(np.flatnonzero(result.promoted), np.sort(order[: result.n_pairs]))
    cands = idx[fav & (y == 1)]
    order = cands[np.lexsort((cands, scores[cands]))]
    np.testing.assert_array_equal(np.flatnonzero(result.demoted), np.sort(order[: result.n_pairs]))


def test_rounding_halves_up_and_zero_pairs():
    # disc * |Df| |Dd| / |D| = (2*2 - 1*2) / 4 = 0.5 -> 1 pair
    y = [1, 1, 1, 0]
    g = ["f", "f", "d", "d"]
    assert massage(None, y, sensitive_features=g, favoured="f", ranker=[0, 0, 0, 0]).n_pairs == 1
    # (1*2 - 1*2)/4 = 0 -> nothing changes, the ranker is not even fitted
    result = massage(np.zeros((4, 1)), [1, 0, 1, 0], sensitive_features=g, favoured="f", ranker=None)
    assert result.n_pairs == 0 and not result.changed.any()


def test_negative_discrimination_swaps_roles():
    y = [0, 0, 0, 1, 1, 1, 1, 0]
    g = ["f"] * 4 + ["d"] * 4
    scores = [0.1, 0.6, 0.5, 0.9, 0.8, 0.2, 0.7, 0.3]
    a = massage(None, y, sensitive_features=g, favoured="f", ranker=scores)
    b = massage(None, y, sensitive_features=g, favoured="d", ranker=scores)
    assert a.n_pairs == 1
    np.testing.assert_array_equal(a.promoted, b.promoted)
    np.testing.assert_array_equal(a.demoted, b.demoted)
    assert np.flatnonzero(a.promoted).tolist() == [1] and np.flatnonzero(a.demoted).tolist() == [5]


def test_adult_default_ranker(adult_train):
    sex = adult_train.sensitive_features["sex"]
    y = adult_train.target
    fav = (sex == "Male").to_numpy()
    result = massage(adult_train.data, y, sensitive_features=sex, favoured="Male")
    n, n_f, n_d = len(y), fav.sum(), (~fav).sum()
    numerator = int(y[fav].sum()) * n_d - int(y[~fav].sum()) * n_f
    assert result.n_pairs == (2 * numerator + n) // (2 * n)
    assert isinstance(result.y, pd.Series) and (result.y.index == y.index).all()
    after = discrimination_score(result.y, sensitive_features=sex, favoured="Male")
    assert abs(after) <= n / (2 * n_f * n_d)
    again = massage(adult_train.data, y, sensitive_features=sex, favoured="Male")
    np.testing.assert_array_equal(result.promoted, again.promoted)
    np.testing.assert_array_equal(result.demoted, again.demoted)


def test_custom_ranker_is_cloned_and_seeded(adult_train):
    X = adult_train.data[["age", "education_num", "hours_per_week", "capital_gain"]]
    sex = adult_train.sensitive_features["sex"]
    tree = DecisionTreeClassifier(max_depth=4)
    a = massage(X, adult_train.target, sensitive_features=sex, favoured="Male", ranker=tree, random_state=3)
    b = massage(X, adult_train.target, sensitive_features=sex, favoured="Male", ranker=tree, random_state=3)
    assert not hasattr(tree, "tree_"), "the caller's estimator is cloned, not fitted in place"
    np.testing.assert_array_equal(a.changed, b.changed)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(favoured="X"), ValueError, r"favoured='X' is not a group"),
    (dict(sensitive_features=["a"] * 4), ValueError, "has only one group"),
    (dict(y=[1, 0, 2, 1]), ValueError, "y must be binary"),
    (dict(y=[1, 0, 1]), ValueError, "sensitive_features has 4 rows but the labels have 3"),
    (dict(X=np.zeros((3, 1))), ValueError, "X has 3, y has 4"),
    (dict(X=None), TypeError, "X is required"),
    (dict(ranker=[0.1, 0.2]), ValueError, "ranker: the given scores have 2 values"),
    (dict(ranker=[0.1, np.nan, 0.2, 0.3]), ValueError, "ranker must be finite"),
    (dict(ranker=object()), TypeError, "ranker must be"),
    (dict(ranker=DecisionTreeClassifier().apply), TypeError, "ranker must be"),
])
def test_bad_input(kwargs, error, match):
    args = dict(X=np.arange(4.0).reshape(-1, 1), y=[1, 1, 0, 0], sensitive_features=["a", "a", "b", "b"],
                favoured="a")
    args.update(kwargs)
    with pytest.raises(error, match=match):
        massage(args.pop("X"), args.pop("y"), **args)
