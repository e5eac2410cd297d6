"""Hand-computed values, edge cases, bootstrap and bad input of the metrics engine."""

import numpy as np
import pandas as pd
import pytest

from biaslab import metrics as bm
from biaslab.metrics import UndefinedMetricWarning, group_metrics

# A case small enough to check by hand.
#   group F: y_true 1 1 0 0, y_pred 1 0 0 1 -> TP1 FN1 TN1 FP1
#   group M: y_true 1 1 1 0, y_pred 1 1 0 0 -> TP2 FN1 TN1 FP0
Y_TRUE = [1, 1, 0, 0, 1, 1, 1, 0]
Y_PRED = [1, 0, 0, 1, 1, 1, 0, 0]
SEX = ["F"] * 4 + ["M"] * 4


def test_hand_computed_by_group():
    report = group_metrics(
        Y_TRUE, Y_PRED, sensitive_features=pd.Series(SEX, name="sex"),
        metrics=["selection_rate", "true_positive_rate", "false_positive_rate", "false_negative_rate",
                 "false_omission_rate", "precision", "accuracy", "count", "base_rate"],
    )
    by = report.by_group
    assert by.index.name == "sex" and list(by.index) == ["F", "M"]
    assert by.loc["F"].to_dict() == {
        "selection_rate": 0.5, "true_positive_rate": 0.5, "false_positive_rate": 0.5, "false_negative_rate": 0.5,
        "false_omission_rate": 0.5, "precision": 0.5, "accuracy": 0.5, "count": 4.0, "base_rate": 0.5,
    }
    assert by.loc["M", "selection_rate"] == 0.5
    assert by.loc["M", "true_positive_rate"] == pytest.approx(2 / 3)
    assert by.loc["M", "false_positive_rate"] == 0.0
    assert by.loc["M", "false_omission_rate"] == 0.5  # FN1 / (FN1 + TN1)
    assert by.loc["M", "precision"] == 1.0
    assert report.overall["true_positive_rate"] == pytest.approx(3 / 5)
    assert report.difference()["true_positive_rate"] == pytest.approx(2 / 3 - 1 / 2)
    assert report.ratio()["true_positive_rate"] == pytest.approx((1 / 2) / (2 / 3))
    assert report.counts.loc["F"].to_dict() == {"tn": 1.0, "fp": 1.0, "fn": 1.0, "tp": 1.0, "n": 4}


def test_hand_computed_disparities():
    kw = dict(sensitive_features=SEX)
    assert bm.demographic_parity_difference(Y_TRUE, Y_PRED, **kw) == 0.0
    assert bm.equal_opportunity_difference(Y_TRUE, Y_PRED, **kw) == pytest.approx(1 / 6)
    # equalized odds: max(TPR gap 1/6, FPR gap 1/2)
    assert bm.equalized_odds_difference(Y_TRUE, Y_PRED, **kw) == pytest.approx(0.5)
    assert bm.equalized_odds_ratio(Y_TRUE, Y_PRED, **kw) == 0.0
    assert bm.predictive_parity_difference(Y_TRUE, Y_PRED, **kw) == pytest.approx(0.5)


def test_weights_equal_repeated_rows():
    w = np.array([1, 2, 1, 3, 1, 1, 2, 1])
    weighted = group_metrics(Y_TRUE, Y_PRED, sensitive_features=SEX, sample_weight=w)
    rows = np.repeat(np.arange(8), w)
    repeated = group_metrics(np.array(Y_TRUE)[rows], np.array(Y_PRED)[rows],
                             sensitive_features=np.array(SEX)[rows])
    pd.testing.assert_frame_equal(weighted.by_group, repeated.by_group)


def test_discrimination_score_calders_definition():
    # P(+ | M) = 3/4, P(+ | F) = 1/4
    y = [1, 1, 1, 0, 1, 0, 0, 0]
    sex = ["M"] * 4 + ["F"] * 4
    assert bm.discrimination_score(y, sensitive_features=sex, favoured="M") == pytest.approx(0.5)
    assert bm.discrimination_score(y, sensitive_features=sex, favoured="F") == pytest.approx(-0.5)
    assert bm.disparate_impact_ratio(y, sensitive_features=sex, favoured="M") == pytest.approx(1 / 3)


def test_discrimination_score_intersections_and_explicit_deprived():
    frame = pd.DataFrame({"sex": ["M", "M", "F", "F", "F", "M"], "race": ["w", "b", "w", "b", "b", "w"]})
    y = [1, 0, 1, 0, 0, 1]
    score = bm.discrimination_score(
        y, sensitive_features=frame, favoured={"sex": "M", "race": "w"}, deprived={"sex": "F", "race": "b"}
    )
    assert score == pytest.approx(1.0)
    # deprived defaults to everyone else: P(+ | not white men) = 1/4
    assert bm.discrimination_score(y, sensitive_features=frame, favoured={"sex": "M", "race": "w"}) == pytest.approx(0.75)


def test_discrimination_score_weighted():
    y = [1, 0, 1, 0]
    sex = ["M", "M", "F", "F"]
    w = [3, 1, 1, 1]
    assert bm.discrimination_score(y, sensitive_features=sex, favoured="M", sample_weight=w) == pytest.approx(0.25)


def test_group_without_positives_gives_nan_and_warning():
    with pytest.warns(UndefinedMetricWarning, match=r"true_positive_rate for group\(s\) 'b'"):
        report = group_metrics([1, 0, 0, 0], [1, 0, 1, 0], sensitive_features=["a", "a", "b", "b"],
                               metrics=["true_positive_rate", "selection_rate"])
    assert np.isnan(report.by_group.loc["b", "true_positive_rate"])
    assert report.by_group.loc["b", "selection_rate"] == 0.5
    # NaN groups are skipped by the aggregates
    assert report.difference()["true_positive_rate"] == 0.0


def test_empty_intersections_are_nan_without_warning(recwarn):
    frame = pd.DataFrame({"a": ["x", "x", "y", "y"], "b": ["p", "q", "p", "p"]})
    report = group_metrics([1, 0, 1, 0], [1, 0, 0, 0], sensitive_features=frame, metrics=["selection_rate", "count"])
    assert len(report.by_group) == 4
    assert np.isnan(report.by_group.loc[("y", "q"), "selection_rate"])
    assert report.by_group.loc[("y", "q"), "count"] == 0
    assert not [w for w in recwarn if issubclass(w.category, UndefinedMetricWarning)]


def test_categorical_group_order_follows_categories():
    sf = pd.Series(pd.Categorical(["young", "old", "mid"], categories=["young", "mid", "old"], ordered=True), name="age")
    report = group_metrics([1, 0, 1], [1, 0, 0], sensitive_features=sf, metrics=["count"])
    assert list(report.by_group.index) == ["young", "mid", "old"]


# --- bootstrap --------------------------------------------------------------------------------

def _data(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    sf = pd.DataFrame({"sex": rng.choice(["F", "M"], n), "race": rng.choice(["a", "b", "c"], n, p=[0.7, 0.2, 0.1])})
    y = rng.integers(0, 2, n)
    p = (rng.random(n) < 0.3 + 0.4 * y).astype(int)
    return y, p, sf, rng.uniform(0.5, 2, n), rng.random(n) + 0.2 * y


def test_bootstrap_is_deterministic_and_seed_dependent():
    y, p, sf, _, _ = _data()
    a = group_metrics(y, p, sensitive_features=sf, n_boot=200, random_state=3)
    b = group_metrics(y, p, sensitive_features=sf, n_boot=200, random_state=3)
    c = group_metrics(y, p, sensitive_features=sf, n_boot=200, random_state=4)
    pd.testing.assert_frame_equal(a.by_group_ci, b.by_group_ci)
    assert not a.by_group_ci.equals(c.by_group_ci)


@pytest.mark.parametrize("weighted", [False, True])
def test_bootstrap_intervals_cover_estimate_and_shrink_with_n(weighted):
    widths = []
    for n in (1000, 16000):
        y, p, sf, w, _ = _data(n)
        report = group_metrics(y, p, sensitive_features=sf, n_boot=300, random_state=0,
                               sample_weight=w if weighted else None)
        ci = report.by_group_ci
        low = ci.xs("lower", axis=1, level="bound")
        high = ci.xs("upper", axis=1, level="bound")
        assert ((low <= report.by_group + 1e-12) & (report.by_group <= high + 1e-12)).all().all()
        assert (report.overall_ci["lower"] <= report.overall).all() and (report.overall <= report.overall_ci["upper"]).all()
        widths.append((high - low).to_numpy().mean())
    # intervals shrink roughly like 1/sqrt(n): 16x the rows, about a quarter of the width
    assert 0.15 < widths[1] / widths[0] < 0.4


def test_bootstrap_width_matches_binomial_standard_error():
    # A selection rate p on n rows has bootstrap SE about sqrt(p(1-p)/n); 95% width about 3.92 SE.
    y, p, sf, _, _ = _data(20000, seed=1)
    report = group_metrics(y, p, sensitive_features=sf["sex"], metrics=["selection_rate"], n_boot=2000,
                           random_state=0)
    for group, row in report.by_group.iterrows():
        n = int(report.counts.loc[group, "n"])
        rate = row["selection_rate"]
        expected = 3.92 * np.sqrt(rate * (1 - rate) / n)
        got = report.by_group_ci.loc[group, ("selection_rate", "upper")] - report.by_group_ci.loc[group, ("selection_rate", "lower")]
        assert got == pytest.approx(expected, rel=0.1)


def test_bootstrap_paths_agree():
    """The multinomial shortcut (unweighted) and the row-resampling path (weights of 1) agree."""
    y, p, sf, _, _ = _data(8000)
    fast = group_metrics(y, p, sensitive_features=sf, n_boot=1000, random_state=0).by_group_ci
    rows = group_metrics(y, p, sensitive_features=sf, n_boot=1000, random_state=0, sample_weight=np.ones(len(y))).by_group_ci
    np.testing.assert_allclose(fast.to_numpy(), rows.to_numpy(), atol=0.02)


def test_bootstrap_with_roc_auc_and_callable():
    y, p, sf, _, scores = _data(1500)
    report = group_metrics(
        y, p, sensitive_features=sf["sex"], y_score=scores, n_boot=50, random_state=0,
        metrics={"auc": "roc_auc", "mean_pred": lambda yt, yp: float(np.mean(yp)), "sr": "selection_rate"},
    )
    ci = report.by_group_ci
    assert (ci[("auc", "lower")] < report.by_group["auc"]).all() and (report.by_group["auc"] < ci[("auc", "upper")]).all()
    # a function without sample_weight is resampled by repeating rows: same intervals as the built-in
    np.testing.assert_allclose(ci["mean_pred"].to_numpy(), ci["sr"].to_numpy(), atol=1e-12)
    assert report.difference_ci().loc["auc", "lower"] <= report.difference()["auc"] <= report.difference_ci().loc["auc", "upper"]
    assert report.ratio_ci().shape == (3, 2)


def test_no_bootstrap_means_no_intervals():
    report = group_metrics(Y_TRUE, Y_PRED, sensitive_features=SEX)
    assert report.n_boot is None
    with pytest.raises(ValueError, match="n_boot"):
        report.by_group_ci


# --- bad input --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(y_true=[1, 0, 1]), ValueError, r"same number of rows: y_true has 3, y_pred has 8"),
        (dict(y_true=[1, 0, np.nan, 1, 0, 1, 0, 1]), ValueError, r"y_true contains 1 missing value"),
        (dict(y_pred=[0, 1, 2, 1, 0, 1, 0, 1]), ValueError, r"y_pred must be binary"),
        (dict(y_pred=["yes"] * 8), ValueError, r"y_pred must be binary .* found the labels 'yes'"),
        (dict(y_true=[], y_pred=[]), ValueError, r"y_true is empty"),
        (dict(y_true=5), TypeError, r"y_true must be array-like"),
        (dict(sensitive_features=["F", "M"]), ValueError, r"sensitive_features has 2 rows but the labels have 8"),
        (dict(sensitive_features=["F", None, "F", "F", "M", "M", "M", "M"]), ValueError, r"sensitive_features column .* missing"),
        (dict(sensitive_features=None), TypeError, r"sensitive_features is required"),
        (dict(metrics=["tpr"]), ValueError, r"metrics: unknown metric 'tpr'"),
        (dict(metrics=42), TypeError, r"metrics must be a list"),
        (dict(metrics=["roc_auc"]), ValueError, r"needs y_score"),
        (dict(sample_weight=[1, 2]), ValueError, r"sample_weight has 2 values"),
        (dict(sample_weight=[-1] * 8), ValueError, r"sample_weight must be non-negative"),
        (dict(n_boot=1), ValueError, r"n_boot must be at least 2"),
        (dict(n_boot=10, ci=1.5), ValueError, r"ci must be between 0 and 1"),
        (dict(n_boot=10, random_state="seed"), TypeError, r"random_state must be None"),
    ],
)
def test_group_metrics_bad_input(kwargs, error, match):
    args = dict(y_true=Y_TRUE, y_pred=Y_PRED, sensitive_features=SEX)
    args.update(kwargs)
    with pytest.raises(error, match=match):
        group_metrics(args.pop("y_true"), args.pop("y_pred"), **args)


def test_disparity_needs_two_groups():
    with pytest.raises(ValueError, match=r"sensitive_features has only one group \('F'\)"):
        bm.demographic_parity_difference(Y_TRUE, Y_PRED, sensitive_features=["F"] * 8)


@pytest.mark.parametrize("method", ["between", "overall", None])
def test_unknown_method(method):
    error = TypeError if method is None else ValueError
    with pytest.raises(error, match="method must be one of"):
        bm.demographic_parity_difference(Y_TRUE, Y_PRED, sensitive_features=SEX, method=method)


def test_discrimination_score_bad_groups():
    with pytest.raises(ValueError, match=r"favoured='Female' is not a group .* 'F', 'M'"):
        bm.discrimination_score(Y_TRUE, sensitive_features=SEX, favoured="Female")
    with pytest.raises(ValueError, match="give favoured as a mapping"):
        bm.discrimination_score(Y_TRUE, sensitive_features=pd.DataFrame({"a": SEX, "b": SEX}), favoured="F")
    with pytest.raises(ValueError, match="favoured names the column 'race'"):
        bm.discrimination_score(Y_TRUE, sensitive_features=pd.Series(SEX, name="sex"), favoured={"race": "w"})
    with pytest.raises(ValueError, match="no deprived group"):
        bm.discrimination_score([1, 0], sensitive_features=["F", "F"], favoured="F")
    with pytest.raises(ValueError, match="overlap"):
        bm.discrimination_score(Y_TRUE, sensitive_features=SEX, favoured="F", deprived="F")


def test_disparate_impact_undefined_when_favoured_never_positive():
    with pytest.warns(UndefinedMetricWarning, match="never has y = 1"):
        assert np.isnan(bm.disparate_impact_ratio([0, 0, 1, 1], sensitive_features=["M", "M", "F", "F"], favoured="M"))


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(y_score=[0.1, np.nan, 0.3, 0.4]), ValueError, "y_score must be finite"),
        (dict(y_score=[0.1, 0.2]), ValueError, "same number of rows"),
    ],
)
def test_roc_auc_bad_input(kwargs, error, match):
    args = dict(y_true=[0, 1, 0, 1], y_score=[0.1, 0.2, 0.3, 0.4], sensitive_features=["a", "a", "b", "b"])
    args.update(kwargs)
    with pytest.raises(error, match=match):
        bm.roc_auc_by_group(args.pop("y_true"), args.pop("y_score"), **args)


def test_roc_auc_group_with_one_class_warns():
    with pytest.warns(UndefinedMetricWarning, match="roc_auc for group"):
        values = bm.roc_auc_by_group([0, 1, 1, 1], [0.1, 0.9, 0.3, 0.4], sensitive_features=["a", "a", "b", "b"])
    assert values["a"] == 1.0 and np.isnan(values["b"])


def test_calibration_bad_input():
    with pytest.raises(ValueError, match="y_prob must be probabilities"):
        bm.calibration_by_group([0, 1], [0.5, 1.5], sensitive_features=["a", "b"])
    with pytest.raises(ValueError, match="strategy must be one of"):
        bm.calibration_by_group([0, 1], [0.5, 0.5], sensitive_features=["a", "b"], strategy="kmeans")
    with pytest.raises(TypeError, match="n_bins must be an int"):
        bm.calibration_by_group([0, 1], [0.5, 0.5], sensitive_features=["a", "b"], n_bins=2.5)


def test_pos_label_for_string_labels():
    assert bm.true_positive_rate(["yes", "yes", "no"], ["yes", "no", "no"], pos_label="yes") == 0.5
    with pytest.raises(ValueError, match="at most two distinct values"):
        bm.true_positive_rate(["a", "b", "c"], ["a", "a", "a"], pos_label="a")
