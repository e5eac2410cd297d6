"""Group thresholds bring every group's TPR (or selection rate) to the target, within b_g / (2 n_g),
and predict the same way every run."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from biaslab.metrics import equal_opportunity_difference, group_metrics
from biaslab.mitigations import GroupThresholds, group_thresholds


@st.composite
def scored(draw):
    n_groups = draw(st.integers(2, 4))
    n = draw(st.integers(4 * n_groups, 400))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    groups = np.concatenate([np.arange(n_groups).repeat(2), rng.integers(0, n_groups, n - 2 * n_groups)])
    y = np.concatenate([np.tile([0, 1], n_groups), rng.integers(0, 2, n - 2 * n_groups)])
    scores = rng.beta(2, 2, n) + 0.3 * y - 0.2 * (groups == 0)
    decimals = draw(st.sampled_from([None, 1, 2]))  # None: distinct scores; else many ties
    if decimals is not None:
        scores = np.round(scores, decimals)
    target = draw(st.one_of(st.none(), st.floats(0, 1)))
    return np.array([f"g{k}" for k in groups]), y, scores, target


def largest_tie_block(values):
    return np.unique(values, return_counts=True)[1].max()


@settings(max_examples=100, deadline=None)
@given(scored(), st.sampled_from(["equal_opportunity", "demographic_parity"]))
def test_rates_within_the_discreteness_bound(data, criterion):
    groups, y, scores, target = data
    model = GroupThresholds(criterion=criterion, target=target).fit(scores, y, sensitive_features=groups)
    relevant = y == 1 if criterion == "equal_opportunity" else np.ones(len(y), dtype=bool)
    if target is None:
        assert model.target_ == np.mean(scores[relevant] >= 0.5)
    pred = model.predict(scores, sensitive_features=groups)
    for g in np.unique(groups):
        rows = relevant & (groups == g)
        rate = pred[rows].mean()
        assert rate == model.rates_[g]
        assert model.n_rows_[g] == rows.sum()
        bound = largest_tie_block(scores[rows]) / (2 * rows.sum())
        assert abs(rate - model.target_) <= bound + 1e-12
        # and no threshold does better: the rate one tie block up or down is no closer
        values = np.unique(scores[rows])
        reachable = np.concatenate([[0.0], [np.mean(scores[rows] >= v) for v in values]])
        assert abs(rate - model.target_) <= np.abs(reachable - model.target_).min() + 1e-12


def test_distinct_scores_bound_between_groups():
    rng = np.random.default_rng(0)
    n = 2000
    groups = rng.choice(["F", "M"], n, p=[0.3, 0.7])
    y = rng.integers(0, 2, n)
    scores = rng.random(n) + 0.2 * y + 0.2 * (groups == "M")
    model = GroupThresholds().fit(scores, y, sensitive_features=groups)
    pred = model.predict(scores, sensitive_features=groups)
    n_f, n_m = ((y == 1) & (groups == "F")).sum(), ((y == 1) & (groups == "M")).sum()
    gap = equal_opportunity_difference(y, pred, sensitive_features=groups)
    assert gap <= 1 / (2 * n_f) + 1 / (2 * n_m) + 1e-12
    blind = (scores >= 0.5).astype(int)
    assert equal_opportunity_difference(y, blind, sensitive_features=groups) > 0.1  # there was something to fix


def test_demographic_parity_without_labels_and_multi_column_groups():
    rng = np.random.default_rng(1)
    sf = pd.DataFrame({"sex": rng.choice(["F", "M"], 600), "age": rng.choice(["young", "old"], 600)})
    scores = rng.random(600) + 0.3 * (sf["sex"] == "M").to_numpy()
    model = GroupThresholds(criterion="demographic_parity", target=0.25).fit(scores, sensitive_features=sf)
    assert isinstance(model.thresholds_.index, pd.MultiIndex) and len(model.thresholds_) == 4
    pred = model.predict(scores, sensitive_features=sf)
    rates = group_metrics(pred, pred, sensitive_features=sf, metrics=["selection_rate"]).by_group["selection_rate"]
    sizes = sf.value_counts()
    for key, rate in rates.items():
        assert abs(rate - 0.25) <= 1 / (2 * sizes[key]) + 1e-12


def test_hand_case_ties_and_extremes():
    scores = [0.9, 0.5, 0.5, 0.1, 0.8, 0.6, 0.4, 0.2]
    y = [1, 1, 1, 1, 1, 1, 1, 1]
    g = ["a"] * 4 + ["b"] * 4
    # target 0.5: group a can select 1/4 or 3/4 (the two 0.5s are tied) -> tie, the lower rate wins
    t = group_thresholds(y, scores, sensitive_features=g, target=0.5)
    assert t.to_dict() == {"a": 0.9, "b": 0.6}
    assert group_thresholds(y, scores, sensitive_features=g, target=0.0).tolist() == [np.inf, np.inf]
    assert group_thresholds(y, scores, sensitive_features=g, target=1.0).tolist() == [0.1, 0.2]


def test_deterministic_and_clonable():
    rng = np.random.default_rng(2)
    groups = rng.choice(["F", "M"], 500)
    y = rng.integers(0, 2, 500)
    scores = rng.random(500)
    a = GroupThresholds().fit(scores, y, sensitive_features=groups)
    b = clone(a).fit(scores, y, sensitive_features=groups)
    pd.testing.assert_series_equal(a.thresholds_, b.thresholds_)
    for _ in range(3):
        np.testing.assert_array_equal(a.predict(scores, sensitive_features=groups),
                                      b.predict(scores, sensitive_features=groups))


@pytest.mark.parametrize("params, fit_kwargs, error, match", [
    (dict(criterion="equalized_odds"), {}, ValueError, "criterion must be one of"),
    (dict(target=1.5), {}, ValueError, "target must be between 0 and 1"),
    (dict(target="high"), {}, TypeError, "target must be a number"),
    (dict(reference_threshold="x"), {}, TypeError, "reference_threshold must hold numbers"),
    ({}, dict(y=None), TypeError, "y is required for criterion='equal_opportunity'"),
    ({}, dict(y=[1, 0, 1, 2]), ValueError, "y must be binary"),
    ({}, dict(y=[1, 0, 1]), ValueError, "y has 3 values but scores has 4"),
    ({}, dict(y=[1, 0, 0, 0]), ValueError, "group 'b' has no positives"),
    ({}, dict(sensitive_features=["a"] * 4), ValueError, "has only one group"),
    ({}, dict(scores=[0.1, np.nan, 0.3, 0.4]), ValueError, "scores must be finite"),
])
def test_bad_input(params, fit_kwargs, error, match):
    args = dict(scores=[0.1, 0.2, 0.3, 0.4], y=[1, 0, 1, 0], sensitive_features=["a", "a", "b", "b"])
    args.update(fit_kwargs)
    with pytest.raises(error, match=match):
        GroupThresholds(**params).fit(args.pop("scores"), args.pop("y"), **args)


def test_predict_bad_input():
    model = GroupThresholds()
    with pytest.raises(AttributeError, match="not fitted"):
        model.predict([0.1], sensitive_features=["a"])
    model.fit([0.1, 0.2, 0.3, 0.4], [1, 0, 1, 0], sensitive_features=["a", "a", "b", "b"])
    with pytest.raises(ValueError, match="not seen in fit: 'c'"):
        model.predict([0.5], sensitive_features=["c"])
    with pytest.raises(ValueError, match="sensitive_features has 1 rows but the labels have 2"):
        model.predict([0.5, 0.6], sensitive_features=["a"])
