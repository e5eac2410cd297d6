"""biaslab's metrics equal Fairlearn's (and scikit-learn's) to 1e-9 on random inputs."""

import numpy as np
import pandas as pd
import pytest
import sklearn.metrics as skm
from fairlearn import metrics as fm
from hypothesis import given, settings
from hypothesis import strategies as st

from biaslab import metrics as bm

RATE_PAIRS = {
    "selection_rate": fm.selection_rate,
    "true_positive_rate": fm.true_positive_rate,
    "true_negative_rate": fm.true_negative_rate,
    "false_positive_rate": fm.false_positive_rate,
    "false_negative_rate": fm.false_negative_rate,
}

DISPARITY_PAIRS = [
    (bm.demographic_parity_difference, fm.demographic_parity_difference),
    (bm.demographic_parity_ratio, fm.demographic_parity_ratio),
    (bm.equalized_odds_difference, fm.equalized_odds_difference),
    (bm.equalized_odds_ratio, fm.equalized_odds_ratio),
    (bm.equal_opportunity_difference, fm.equal_opportunity_difference),
    (bm.equal_opportunity_ratio, fm.equal_opportunity_ratio),
]


def random_case(seed, n=600, n_cols=2, weighted=True):
    """Random labels/predictions where every group has both classes (so Fairlearn's 0 and our NaN agree)."""
    rng = np.random.default_rng(seed)
    levels = [["F", "M"], ["a", "b", "c"], ["x", "y"]][:n_cols]
    sf = pd.DataFrame({f"s{i}": rng.choice(lv, n) for i, lv in enumerate(levels)})
    y_true = rng.integers(0, 2, n)
    y_pred = (rng.random(n) < 0.3 + 0.4 * y_true + 0.1 * (sf["s0"] == "M")).astype(int)
    w = rng.uniform(0.1, 3.0, n) if weighted else None
    return y_true, y_pred, sf, w


def weighted_params(w, names):
    return None if w is None else {name: {"sample_weight": w} for name in names}


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_cols=st.integers(1, 3), weighted=st.booleans())
def test_group_metrics_equal_metricframe(seed, n_cols, weighted):
    y_true, y_pred, sf, w = random_case(seed, n_cols=n_cols, weighted=weighted)
    names = list(RATE_PAIRS)
    ours = bm.group_metrics(y_true, y_pred, sensitive_features=sf, metrics=names, sample_weight=w)
    theirs = fm.MetricFrame(
        metrics=RATE_PAIRS, y_true=y_true, y_pred=y_pred, sensitive_features=sf,
        sample_params=weighted_params(w, names),
    )
    assert list(ours.by_group.index) == list(theirs.by_group.index)
    assert ours.by_group.index.names == theirs.by_group.index.names
    np.testing.assert_allclose(ours.by_group[names].to_numpy(), theirs.by_group[names].to_numpy(), atol=1e-9, rtol=0)
    np.testing.assert_allclose(ours.overall[names].to_numpy(), theirs.overall[names].to_numpy(), atol=1e-9, rtol=0)
    for method in ("between_groups", "to_overall"):
        np.testing.assert_allclose(ours.difference(method)[names], theirs.difference(method)[names], atol=1e-9)
        np.testing.assert_allclose(ours.ratio(method)[names], theirs.ratio(method)[names], atol=1e-9)
    np.testing.assert_allclose(ours.group_min()[names], theirs.group_min()[names], atol=1e-9)
    np.testing.assert_allclose(ours.group_max()[names], theirs.group_max()[names], atol=1e-9)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_cols=st.integers(1, 3), weighted=st.booleans())
def test_disparities_equal_fairlearn(seed, n_cols, weighted):
    y_true, y_pred, sf, w = random_case(seed, n_cols=n_cols, weighted=weighted)
    for ours, theirs in DISPARITY_PAIRS:
        for method in ("between_groups", "to_overall"):
            expected = theirs(y_true, y_pred, sensitive_features=sf, method=method, sample_weight=w)
            got = ours(y_true, y_pred, sensitive_features=sf, method=method, sample_weight=w)
            assert got == pytest.approx(expected, abs=1e-9), (ours.__name__, method)


@pytest.mark.parametrize("agg", ["worst_case", "mean"])
def test_equalized_odds_agg_equals_fairlearn(agg):
    y_true, y_pred, sf, w = random_case(7, n_cols=2)
    for ours, theirs in [(bm.equalized_odds_difference, fm.equalized_odds_difference),
                         (bm.equalized_odds_ratio, fm.equalized_odds_ratio)]:
        expected = theirs(y_true, y_pred, sensitive_features=sf, sample_weight=w, agg=agg)
        assert ours(y_true, y_pred, sensitive_features=sf, sample_weight=w, agg=agg) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("name", list(RATE_PAIRS))
@pytest.mark.parametrize("weighted", [False, True])
def test_single_rates_equal_fairlearn(name, weighted):
    y_true, y_pred, _, w = random_case(3, weighted=weighted)
    ours = getattr(bm, name)
    expected = RATE_PAIRS[name](y_true, y_pred, sample_weight=w)
    assert ours(y_true, y_pred, sample_weight=w) == pytest.approx(expected, abs=1e-12)


def test_precision_and_false_omission_rate_equal_sklearn():
    y_true, y_pred, sf, w = random_case(11, n_cols=2)
    assert bm.precision(y_true, y_pred, sample_weight=w) == pytest.approx(
        skm.precision_score(y_true, y_pred, sample_weight=w), abs=1e-12
    )
    # FOR = FN / (FN + TN) = 1 - NPV, and NPV is the precision of the negative class
    npv = skm.precision_score(y_true, y_pred, sample_weight=w, pos_label=0)
    assert bm.false_omission_rate(y_true, y_pred, sample_weight=w) == pytest.approx(1 - npv, abs=1e-12)
    report = bm.group_metrics(y_true, y_pred, sensitive_features=sf, metrics=["precision", "false_omission_rate"],
                              sample_weight=w)
    frame = fm.MetricFrame(
        metrics={"precision": skm.precision_score,
                 "npv": lambda yt, yp, sample_weight: skm.precision_score(yt, yp, pos_label=0, sample_weight=sample_weight)},
        y_true=y_true, y_pred=y_pred, sensitive_features=sf,
        sample_params={"precision": {"sample_weight": w}, "npv": {"sample_weight": w}},
    )
    np.testing.assert_allclose(report.by_group["precision"], frame.by_group["precision"], atol=1e-9)
    np.testing.assert_allclose(report.by_group["false_omission_rate"], 1 - frame.by_group["npv"], atol=1e-9)


def test_accuracy_and_balanced_accuracy_equal_sklearn():
    y_true, y_pred, sf, w = random_case(5, n_cols=1)
    report = bm.group_metrics(y_true, y_pred, sensitive_features=sf, metrics=["accuracy", "balanced_accuracy"],
                              sample_weight=w)
    frame = fm.MetricFrame(
        metrics={"accuracy": skm.accuracy_score, "balanced_accuracy": skm.balanced_accuracy_score},
        y_true=y_true, y_pred=y_pred, sensitive_features=sf,
        sample_params={"accuracy": {"sample_weight": w}, "balanced_accuracy": {"sample_weight": w}},
    )
    np.testing.assert_allclose(report.by_group.to_numpy(), frame.by_group.to_numpy(), atol=1e-9)
    np.testing.assert_allclose(report.overall.to_numpy(), frame.overall.to_numpy(), atol=1e-9)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), weighted=st.booleans(), ties=st.booleans())
def test_roc_auc_by_group_equals_sklearn(seed, weighted, ties):
    y_true, _, sf, w = random_case(seed, n_cols=2, weighted=weighted)
    rng = np.random.default_rng(seed)
    scores = rng.random(len(y_true)) + 0.3 * y_true
    if ties:
        scores = np.round(scores, 1)  # many tied scores, within and across classes
    ours = bm.roc_auc_by_group(y_true, scores, sensitive_features=sf, sample_weight=w)
    groups = sf.groupby(list(sf.columns)).indices
    for key, rows in groups.items():
        expected = skm.roc_auc_score(y_true[rows], scores[rows], sample_weight=None if w is None else w[rows])
        assert ours.loc[key] == pytest.approx(expected, abs=1e-9)
    report = bm.group_metrics(y_true, (scores > 0.6).astype(int), sensitive_features=sf, metrics=["roc_auc"],
                              y_score=scores, sample_weight=w)
    assert report.overall["roc_auc"] == pytest.approx(skm.roc_auc_score(y_true, scores, sample_weight=w), abs=1e-9)
    np.testing.assert_allclose(report.by_group["roc_auc"], ours, atol=1e-12)


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_calibration_by_group_equals_sklearn(strategy):
    from sklearn.calibration import calibration_curve

    rng = np.random.default_rng(0)
    n = 3000
    sex = rng.choice(["F", "M"], n)
    prob = rng.random(n)
    y = (rng.random(n) < np.where(sex == "F", prob, prob**2)).astype(int)
    table = bm.calibration_by_group(y, prob, sensitive_features=pd.Series(sex, name="sex"), n_bins=8,
                                    strategy=strategy)
    for group in ("F", "M"):
        rows = sex == group
        if strategy == "uniform":
            frac, mean = calibration_curve(y[rows], prob[rows], n_bins=8, strategy="uniform")
        else:
            # quantile edges are those of all rows, so groups are compared bin by bin
            edges = np.quantile(prob, np.linspace(0, 1, 9))
            bins = np.searchsorted(edges[1:-1], prob[rows])
            mean = np.array([prob[rows][bins == b].mean() for b in np.unique(bins)])
            frac = np.array([y[rows][bins == b].mean() for b in np.unique(bins)])
        sub = table[table["sex"] == group]
        np.testing.assert_allclose(sub["observed_rate"], frac, atol=1e-12)
        np.testing.assert_allclose(sub["mean_predicted"], mean, atol=1e-12)
    assert table["count"].sum() == n


def test_callable_metric_matches_named_metric():
    y_true, y_pred, sf, w = random_case(2, n_cols=2)
    report = bm.group_metrics(
        y_true, y_pred, sensitive_features=sf, sample_weight=w,
        metrics={"tpr": "true_positive_rate", "recall": skm.recall_score},
    )
    np.testing.assert_allclose(report.by_group["tpr"], report.by_group["recall"], atol=1e-12)
    assert report.overall["tpr"] == pytest.approx(report.overall["recall"], abs=1e-12)
