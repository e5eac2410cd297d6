"""Fairlearn's semantics where they used to differ: undefined groups (zero_division), pos_label,
score metrics by group, control features, scalar selection rates; and clear errors elsewhere.

Without sample weights every count is an integer and the values must be bit-equal to Fairlearn's;
with weights, sums are taken in another order than scikit-learn's, so they agree to 1e-12.
"""

import functools
import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn.metrics as skm
from fairlearn import metrics as fm
from hypothesis import given, settings
from hypothesis import strategies as st

from biaslab import metrics as bm
from biaslab.metrics import UndefinedMetricWarning, group_metrics, score_metric

DISPARITIES = [
    "demographic_parity_difference", "demographic_parity_ratio", "equalized_odds_difference",
    "equalized_odds_ratio", "equal_opportunity_difference", "equal_opportunity_ratio",
]
RATES = ["selection_rate", "true_positive_rate", "true_negative_rate", "false_positive_rate", "false_negative_rate"]


def fairlearn_quietly(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn and pandas warnings inside Fairlearn
        return func(*args, **kwargs)


def same(ours, theirs, weighted):
    ours, theirs = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    assert np.array_equal(np.isnan(ours), np.isnan(theirs)), (ours, theirs)
    if weighted:
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)
    else:
        np.testing.assert_array_equal(ours, theirs)


@st.composite
def small_intersectional(draw):
    """A few rows over 2-3 sensitive columns: many groups lack positives, negatives or rows."""
    n = draw(st.integers(4, 30))
    n_cols = draw(st.integers(2, 3))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    levels = [["F", "M"], ["a", "b", "c"], ["x", "y"]][:n_cols]
    sf = pd.DataFrame({f"s{i}": rng.choice(lv, n) for i, lv in enumerate(levels)})
    y_true = rng.integers(0, 2, n)
    y_pred = rng.integers(0, 2, n)
    weights = rng.uniform(0.1, 3.0, n) if draw(st.booleans()) else None
    coding = draw(st.sampled_from(["01", "-11", "bool"]))
    if coding == "-11":
        y_true, y_pred = 2 * y_true - 1, 2 * y_pred - 1
    elif coding == "bool":
        y_true, y_pred = y_true.astype(bool), y_pred.astype(bool)
    return y_true, y_pred, sf, weights


# --- the example of issue 17 ---------------------------------------------------------------------

def test_issue_example_equals_fairlearn_with_zero_division_0():
    args = ([1, 0, 0, 0], [1, 0, 0, 0])
    kw = dict(sensitive_features=["a", "a", "b", "b"])
    assert fm.equal_opportunity_difference(*args, **kw) == 1.0
    assert bm.equal_opportunity_difference(*args, **kw, zero_division=0) == 1.0
    # the default leaves the undefined group out, and says so, naming it
    with pytest.warns(UndefinedMetricWarning, match=r"equal_opportunity_difference: undefined true_positive_rate "
                      r"for group\(s\) 'b' \(no actual positives\): left out of the difference; zero_division=0"):
        assert bm.equal_opportunity_difference(*args, **kw) == 0.0
    with pytest.warns(UndefinedMetricWarning, match=r"'b' .*counted as 0 \(zero_division='warn'\)"):
        assert bm.equal_opportunity_difference(*args, **kw, zero_division="warn") == 1.0
    # 1 counts the missing group as perfectly treated
    assert bm.equal_opportunity_difference(*args, **kw, zero_division=1) == 0.0
    assert bm.equal_opportunity_ratio(*args, **kw, zero_division=0) == fm.equal_opportunity_ratio(*args, **kw) == 0.0


# --- random small intersectional groups, where rates are undefined ------------------------------

@settings(max_examples=30, deadline=None)
@given(case=small_intersectional())
def test_disparities_equal_fairlearn_on_undefined_groups(case):
    y_true, y_pred, sf, w = case
    for name in DISPARITIES:
        aggs = ["worst_case", "mean"] if name.startswith("equalized_odds") else [None]
        for method in ("between_groups", "to_overall"):
            for agg in aggs:
                extra = {} if agg is None else {"agg": agg}
                theirs = fairlearn_quietly(getattr(fm, name), y_true, y_pred, sensitive_features=sf, method=method,
                                           sample_weight=w, **extra)
                ours = getattr(bm, name)(y_true, y_pred, sensitive_features=sf, method=method, sample_weight=w,
                                         zero_division=0, **extra)
                if name == "equalized_odds_ratio" and agg == "worst_case" and np.isnan(theirs):
                    # Fairlearn takes Python's min() of [TPR ratio, FPR ratio]; a 0/0 TPR ratio (every group
                    # at TPR 0) makes it NaN while a 0/0 FPR ratio does not. biaslab skips a NaN ratio either way.
                    eo = fairlearn_quietly(fm.MetricFrame, metrics={"tpr": fm.true_positive_rate,
                                                                    "fpr": fm.false_positive_rate},
                                           y_true=y_true, y_pred=y_pred, sensitive_features=sf,
                                           sample_params={"tpr": {"sample_weight": w}, "fpr": {"sample_weight": w}})
                    theirs = eo.ratio(method=method).min()  # skips NaN
                same(ours, theirs, w is not None)


@settings(max_examples=40, deadline=None)
@given(case=small_intersectional())
def test_group_metrics_equal_metricframe_on_undefined_groups(case):
    y_true, y_pred, sf, w = case
    funcs = {name: getattr(fm, name) for name in RATES}
    funcs["precision"] = functools.partial(skm.precision_score, zero_division=0)
    theirs = fairlearn_quietly(fm.MetricFrame, metrics=funcs, y_true=y_true, y_pred=y_pred, sensitive_features=sf,
                               sample_params=None if w is None else {k: {"sample_weight": w} for k in funcs})
    ours = group_metrics(y_true, y_pred, sensitive_features=sf, metrics=list(funcs), sample_weight=w, zero_division=0)
    weighted = w is not None
    same(ours.by_group.to_numpy(), theirs.by_group[list(funcs)].to_numpy(), weighted)
    same(ours.overall.to_numpy(), theirs.overall[list(funcs)].to_numpy(), weighted)
    for method in ("between_groups", "to_overall"):
        same(ours.difference(method).to_numpy(), theirs.difference(method=method)[list(funcs)].to_numpy(), weighted)
        same(ours.ratio(method).to_numpy(), theirs.ratio(method=method)[list(funcs)].to_numpy(), weighted)


@settings(max_examples=40, deadline=None)
@given(case=small_intersectional())
def test_default_never_drops_an_undefined_group_silently(case):
    """Whenever zero_division=0 and the default disagree, the default warned and named the group."""
    y_true, y_pred, sf, w = case
    for name in DISPARITIES:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            default = getattr(bm, name)(y_true, y_pred, sensitive_features=sf, sample_weight=w)
        fairlearn_like = getattr(bm, name)(y_true, y_pred, sensitive_features=sf, sample_weight=w, zero_division=0)
        if not (default == fairlearn_like or (np.isnan(default) and np.isnan(fairlearn_like))):
            messages = [str(c.message) for c in caught if issubclass(c.category, UndefinedMetricWarning)]
            assert len(messages) == 1 and messages[0].startswith(f"{name}: undefined ")
            assert "left out of the" in messages[0] and "group(s) (" in messages[0]


def test_undefined_groups_default_and_warn_values():
    y_true, y_pred = [1, 1, 0, 0, 0, 0], [1, 0, 0, 1, 0, 0]
    sf = ["a", "a", "a", "b", "b", "b"]  # b has no positives
    with pytest.warns(UndefinedMetricWarning, match=r"set to NaN: true_positive_rate for group\(s\) 'b'"):
        nan_report = group_metrics(y_true, y_pred, sensitive_features=sf, metrics=["true_positive_rate"])
    assert np.isnan(nan_report.by_group.loc["b", "true_positive_rate"])
    with pytest.warns(UndefinedMetricWarning, match=r"set to 0 \(zero_division='warn'\): true_positive_rate"):
        warn_report = group_metrics(y_true, y_pred, sensitive_features=sf, metrics=["true_positive_rate"],
                                    zero_division="warn")
    assert warn_report.by_group["true_positive_rate"].tolist() == [0.5, 0.0]
    one = group_metrics(y_true, y_pred, sensitive_features=sf, metrics=["true_positive_rate"], zero_division=1)
    assert one.by_group["true_positive_rate"].tolist() == [0.5, 1.0]


def test_single_rates_zero_division():
    assert fm.true_positive_rate([0, 0], [0, 1]) == 0.0
    assert bm.true_positive_rate([0, 0], [0, 1], zero_division=0) == 0.0
    assert bm.true_positive_rate([0, 0], [0, 1], zero_division=1) == 1.0
    with pytest.warns(UndefinedMetricWarning, match=r"true_positive_rate is undefined \(no actual positives\); returning NaN"):
        assert np.isnan(bm.true_positive_rate([0, 0], [0, 1]))
    with pytest.warns(UndefinedMetricWarning, match="returning 0"):
        assert bm.false_positive_rate([1, 1], [0, 1], zero_division="warn") == 0.0
    assert bm.precision([1, 0], [0, 0], zero_division=0) == skm.precision_score([1, 0], [0, 0], zero_division=0)


def test_empty_intersections_stay_nan_whatever_zero_division(recwarn):
    frame = pd.DataFrame({"a": ["x", "x", "y", "y"], "b": ["p", "q", "p", "p"]})
    report = group_metrics([1, 0, 1, 0], [1, 0, 0, 0], sensitive_features=frame, metrics=["true_positive_rate"],
                           zero_division=0)
    assert np.isnan(report.by_group.loc[("y", "q"), "true_positive_rate"])
    assert report.by_group.loc[("x", "q"), "true_positive_rate"] == 0.0  # no positives: Fairlearn's 0


@pytest.mark.parametrize("bad, error", [("nan", ValueError), (0.5, ValueError), (2, ValueError), (None, TypeError),
                                        (True, TypeError)])
def test_bad_zero_division(bad, error):
    with pytest.raises(error, match="zero_division must be 'warn', 0, 1 or np.nan"):
        group_metrics([1, 0], [1, 0], sensitive_features=["a", "b"], zero_division=bad)
    with pytest.raises(error, match="zero_division"):
        bm.equal_opportunity_difference([1, 0], [1, 0], sensitive_features=["a", "b"], zero_division=bad)
    with pytest.raises(error, match="zero_division"):
        bm.true_positive_rate([1, 0], [1, 0], zero_division=bad)


def test_bootstrap_with_zero_division_fills_resampled_groups():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    y[:10] = 0  # group "rare" has no positives
    sf = np.where(np.arange(200) < 10, "rare", "common")
    report = group_metrics(y, y, sensitive_features=sf, metrics=["true_positive_rate"], zero_division=0,
                           n_boot=50, random_state=0)
    assert report.by_group_ci.loc["rare"].tolist() == [0.0, 0.0]


# --- pos_label --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "y_true, y_pred, pos_label",
    [
        ([-1, 1, 1, -1, 1], [1, 1, -1, -1, 1], None),
        ([-1, 1, 1, -1, 1], [1, 1, -1, -1, 1], 1),
        ([-1, 1, 1, -1, 1], [1, 1, -1, -1, 1], -1),
        ([0, 1, 1, 0, 1], [1, 1, 0, 0, 1], 0),
        (["no", "yes", "yes", "no", "yes"], ["yes", "yes", "no", "no", "yes"], "yes"),
        (["no", "yes", "yes", "no", "yes"], ["yes", "yes", "no", "no", "yes"], "no"),
        ([True, False, True, True, False], [True, True, False, True, False], None),
        ([2, 2, 2, 2, 2], [2, 2, 2, 2, 2], 7),  # one label that is not pos_label: every row negative
        (["a", "a", "a"], ["a", "a", "a"], "b"),
        ([0, 0, 0], [0, 0, 0], None),
    ],
)
def test_single_rates_pos_label_equal_fairlearn(y_true, y_pred, pos_label):
    for name in RATES[1:]:
        theirs = fairlearn_quietly(getattr(fm, name), y_true, y_pred, pos_label=pos_label)
        ours = getattr(bm, name)(y_true, y_pred, pos_label=pos_label, zero_division=0)
        assert ours == theirs, (name, ours, theirs)
    if pos_label is not None:
        assert bm.selection_rate(y_true, y_pred, pos_label=pos_label) == fm.selection_rate(y_true, y_pred,
                                                                                           pos_label=pos_label)


@pytest.mark.parametrize("pos_label", ["yes", "no"])
def test_group_metrics_string_labels_equal_metricframe(pos_label):
    rng = np.random.default_rng(1)
    n = 60
    y_true = rng.choice(["no", "yes"], n)
    y_pred = rng.choice(["no", "yes"], n)
    sf = pd.DataFrame({"sex": rng.choice(["F", "M"], n), "race": rng.choice(["a", "b", "c", "d"], n)})
    funcs = {name: functools.partial(getattr(fm, name), pos_label=pos_label) for name in RATES}
    theirs = fairlearn_quietly(fm.MetricFrame, metrics=funcs, y_true=y_true, y_pred=y_pred, sensitive_features=sf)
    ours = group_metrics(y_true, y_pred, sensitive_features=sf, metrics=RATES, pos_label=pos_label, zero_division=0)
    same(ours.by_group.to_numpy(), theirs.by_group[RATES].to_numpy(), False)
    for name in ("equalized_odds_difference", "equal_opportunity_ratio", "demographic_parity_difference"):
        ours = getattr(bm, name)(y_true, y_pred, sensitive_features=sf, pos_label=pos_label, zero_division=0)
        rates = {"equalized_odds_difference": ["true_positive_rate", "false_positive_rate"],
                 "equal_opportunity_ratio": ["true_positive_rate"],
                 "demographic_parity_difference": ["selection_rate"]}[name]
        values = theirs.ratio() if name.endswith("ratio") else theirs.difference()
        assert ours == (values[rates].min() if name.endswith("ratio") else values[rates].max())


def test_minus_one_one_labels_in_disparities_equal_fairlearn():
    rng = np.random.default_rng(2)
    y_true, y_pred = rng.choice([-1, 1], 80), rng.choice([-1, 1], 80)
    sf = rng.choice(["F", "M", "X"], 80)
    for name in DISPARITIES:
        assert getattr(bm, name)(y_true, y_pred, sensitive_features=sf, zero_division=0) == getattr(fm, name)(
            y_true, y_pred, sensitive_features=sf)


@pytest.mark.parametrize(
    "y_true, y_pred, pos_label, error, match",
    [
        # Fairlearn raises too ("Must have pos_label in y values")
        (["no", "yes"], ["yes", "no"], "Yes", ValueError, r"pos_label='Yes' is not one of the labels of y_true and y_pred \('no', 'yes'\)"),
        ([0, 2, 0], [2, 2, 0], 1, ValueError, r"pos_label=1 is not one of the labels of y_true and y_pred \(0, 2\)"),
        ([0, 1, 0], [1, 1, 0], "1", TypeError, r"pos_label='1' is a str but the labels of y_true and y_pred are not"),
        ([0, 0, 0], [0, 0, 0], "1", TypeError, r"pos_label='1' is a str"),
        (["a", "b", "c"], ["a", "a", "a"], "a", ValueError, r"at most two distinct values .* found 3"),
        (["no", "yes"], ["yes", "no"], None, ValueError, r"y_true holds the labels 'no', 'yes': pass pos_label \(e.g. pos_label='yes'\)"),
        ([0, 1, 2], [0, 1, 1], None, ValueError, r"y_true must be binary"),
        ([0, 1, 0], [-1, 1, -1], None, ValueError, r"mix 0/1 and -1/1 labels"),
        ([0, 1, np.nan], [0, 1, 1], None, ValueError, r"y_true contains 1 missing value"),
    ],
)
def test_bad_pos_label(y_true, y_pred, pos_label, error, match):
    with pytest.raises(error, match=match):
        bm.true_positive_rate(y_true, y_pred, pos_label=pos_label)
    with pytest.raises(error, match=match):
        group_metrics(y_true, y_pred, sensitive_features=["a", "b", "a"][: len(y_true)], pos_label=pos_label)
    with pytest.raises(error, match=match):
        bm.equalized_odds_difference(y_true, y_pred, sensitive_features=["a", "b", "a"][: len(y_true)],
                                     pos_label=pos_label)


def test_fairlearn_raises_for_an_absent_pos_label_too():
    with pytest.raises(ValueError, match="Must have pos_label in y values"):
        fm.true_positive_rate(["no", "yes"], ["yes", "no"], pos_label="Yes")


# --- selection_rate: scalars and any labels, as Fairlearn -------------------------------------------

@pytest.mark.parametrize(
    "y_true, y_pred, kwargs",
    [(1, 1, {}), (0, 1, {}), (None, 1, {}), ([1], 1, {}), (1, [1], {}), (1, 0, {}), (None, np.int64(1), {}),
     (None, "yes", {"pos_label": "yes"}), ([0, 1, 2], [0, 1, 2], {}), ([0, 1, 2], [0, 1, 2], {"pos_label": 2}),
     (None, [1, 0, 1], {"sample_weight": [1.0, 2.0, 3.0]}), (None, [-1, 1, 1], {})],
)
def test_selection_rate_equals_fairlearn(y_true, y_pred, kwargs):
    assert bm.selection_rate(y_true, y_pred, **kwargs) == fm.selection_rate(y_true, y_pred, **kwargs)


def test_selection_rate_bad_input():
    with pytest.raises(ValueError, match=r"pos_label='Yes' is not one of the labels of y_pred \('no', 'yes'\)"):
        bm.selection_rate(None, ["yes", "no"], pos_label="Yes")
    with pytest.raises(TypeError, match="pos_label=1 is a number but the labels of y_pred are not"):
        bm.selection_rate(None, ["yes", "yes"])
    with pytest.raises(ValueError, match="same number of rows"):
        bm.selection_rate([1, 0], [1, 0, 1])
    with pytest.raises(TypeError, match="y_pred must be array-like"):
        bm.selection_rate(None, None)


# --- duplicate and clashing column names -----------------------------------------------------------

def test_duplicate_sensitive_column_names_raise_naming_the_argument():
    sf = pd.DataFrame([["a", "x"], ["b", "y"], ["a", "y"], ["b", "x"]], columns=["s", "s"])
    with pytest.raises(ValueError, match="Detected duplicate feature name"):
        fm.MetricFrame(metrics=fm.selection_rate, y_true=[1, 0, 1, 0], y_pred=[1, 0, 0, 1], sensitive_features=sf)
    with pytest.raises(ValueError, match=r"sensitive_features has duplicate column names 's'"):
        group_metrics([1, 0, 1, 0], [1, 0, 0, 1], sensitive_features=sf)
    with pytest.raises(ValueError, match=r"sensitive_features has duplicate column names 's'"):
        bm.demographic_parity_difference([1, 0, 1, 0], [1, 0, 0, 1], sensitive_features=sf)
    with pytest.raises(ValueError, match=r"sensitive_features has duplicate column names 's'"):
        bm.roc_auc_by_group([1, 0, 1, 0], [0.1, 0.2, 0.3, 0.4], sensitive_features=sf)
    with pytest.raises(ValueError, match=r"sensitive_features has duplicate column names 's'"):
        bm.discrimination_score([1, 0, 1, 0], sensitive_features=sf, favoured={"s": "a"})
    as_text = pd.DataFrame({1: ["a", "b"], "1": ["x", "y"]})
    with pytest.raises(ValueError, match=r"duplicate column names '1' \(as text\)"):
        group_metrics([1, 0], [1, 0], sensitive_features=as_text)
    with pytest.raises(ValueError, match=r"control_features has duplicate column names 'c'"):
        group_metrics([1, 0, 1, 0], [1, 0, 0, 1], sensitive_features=["a", "b", "a", "b"],
                      control_features=pd.DataFrame([[1, 2]] * 4, columns=["c", "c"]))
    with pytest.raises(ValueError, match=r"control_features and sensitive_features share the column name\(s\) 's'"):
        group_metrics([1, 0, 1, 0], [1, 0, 0, 1], sensitive_features=pd.Series(["a", "b", "a", "b"], name="s"),
                      control_features=pd.Series(["x", "x", "y", "y"], name="s"))


# --- score metrics by group -------------------------------------------------------------------

@pytest.mark.parametrize("weighted", [False, True])
def test_score_metrics_by_group_equal_metricframe(weighted):
    rng = np.random.default_rng(3)
    n = 400
    sf = pd.DataFrame({"sex": rng.choice(["F", "M"], n), "age": rng.choice(["young", "old"], n)})
    y = rng.integers(0, 2, n)
    p = np.clip(rng.random(n) * 0.6 + 0.3 * y, 0.01, 0.99)
    w = rng.uniform(0.5, 2.0, n) if weighted else None
    funcs = {"log_loss": skm.log_loss, "brier": skm.brier_score_loss, "auc": skm.roc_auc_score,
             "ap": skm.average_precision_score}
    theirs = fm.MetricFrame(metrics=funcs, y_true=y, y_pred=p, sensitive_features=sf,
                            sample_params=None if w is None else {k: {"sample_weight": w} for k in funcs})
    ours = group_metrics(
        y, (p > 0.5).astype(int), y_score=p, sensitive_features=sf, sample_weight=w,
        metrics={"log_loss": score_metric(skm.log_loss), "brier": skm.brier_score_loss, "auc": skm.roc_auc_score,
                 "ap": skm.average_precision_score, "tpr": "true_positive_rate"},
    )
    np.testing.assert_array_equal(ours.by_group[list(funcs)].to_numpy(), theirs.by_group[list(funcs)].to_numpy())
    np.testing.assert_array_equal(ours.overall[list(funcs)].to_numpy(), theirs.overall[list(funcs)].to_numpy())
    np.testing.assert_allclose(ours.difference()[list(funcs)], theirs.difference()[list(funcs)], rtol=0, atol=0)


def test_score_metrics_bootstrap_and_errors():
    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, 300)
    p = np.clip(rng.random(300) * 0.5 + 0.4 * y, 0.01, 0.99)
    sf = rng.choice(["a", "b"], 300)
    report = group_metrics(y, (p > 0.5).astype(int), y_score=p, sensitive_features=sf, n_boot=30, random_state=0,
                           metrics={"brier": skm.brier_score_loss})
    ci = report.by_group_ci
    assert ((ci[("brier", "lower")] <= report.by_group["brier"]) & (report.by_group["brier"] <= ci[("brier", "upper")])).all()
    with pytest.raises(ValueError, match=r"metrics includes 'brier', which needs y_score"):
        group_metrics(y, (p > 0.5).astype(int), sensitive_features=sf, metrics={"brier": skm.brier_score_loss})
    with pytest.raises(TypeError, match="score_metric needs a function"):
        score_metric("log_loss")


def test_functions_get_the_labels_as_given():
    seen = []
    group_metrics(["no", "yes"], ["yes", "yes"], pos_label="yes", sensitive_features=["a", "b"],
                  metrics={"f": lambda yt, yp: seen.append((list(yt), list(yp))) or 0.0})
    assert (["no"], ["yes"]) in seen and (["no", "yes"], ["yes", "yes"]) in seen


# --- control features -------------------------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(12, 120), weighted=st.booleans(), two_controls=st.booleans())
def test_control_features_equal_metricframe(seed, n, weighted, two_controls):
    rng = np.random.default_rng(seed)
    sf = pd.DataFrame({"sex": rng.choice(["F", "M"], n), "race": rng.choice(["a", "b", "c"], n)})
    cf = pd.DataFrame({"site": rng.choice(["x", "y"], n)})
    if two_controls:
        cf["year"] = rng.choice([2020, 2021], n)
    y_true, y_pred = rng.integers(0, 2, n), rng.integers(0, 2, n)
    w = rng.uniform(0.1, 3.0, n) if weighted else None
    theirs = fairlearn_quietly(
        fm.MetricFrame, metrics={name: getattr(fm, name) for name in RATES}, y_true=y_true, y_pred=y_pred,
        sensitive_features=sf, control_features=cf,
        sample_params=None if w is None else {k: {"sample_weight": w} for k in RATES},
    )
    ours = group_metrics(y_true, y_pred, sensitive_features=sf, control_features=cf, metrics=RATES, sample_weight=w,
                         zero_division=0)
    assert list(ours.by_group.index) == list(theirs.by_group.index)
    assert list(ours.by_group.index.names) == list(theirs.by_group.index.names)
    assert list(ours.overall.index) == list(theirs.overall.index)
    same(ours.by_group.to_numpy(), theirs.by_group[RATES].to_numpy(), weighted)
    same(ours.overall.to_numpy(), theirs.overall[RATES].to_numpy(), weighted)
    same(ours.group_min().to_numpy(), theirs.group_min()[RATES].to_numpy(), weighted)
    same(ours.group_max().to_numpy(), theirs.group_max()[RATES].to_numpy(), weighted)
    for method in ("between_groups", "to_overall"):
        same(ours.difference(method).to_numpy(), theirs.difference(method=method)[RATES].to_numpy(), weighted)
        same(ours.ratio(method).to_numpy(), theirs.ratio(method=method)[RATES].to_numpy(), weighted)


def test_control_features_names_scores_and_bootstrap():
    rng = np.random.default_rng(5)
    n = 500
    y = rng.integers(0, 2, n)
    p = rng.random(n) * 0.6 + 0.3 * y
    sf = rng.choice(["F", "M"], n)
    cf = rng.choice(["x", "y", "z"], n)
    theirs = fm.MetricFrame(metrics={"auc": skm.roc_auc_score}, y_true=y, y_pred=p, sensitive_features=sf,
                            control_features=cf)
    ours = group_metrics(y, (p > 0.5).astype(int), y_score=p, sensitive_features=sf, control_features=cf,
                         metrics={"auc": "roc_auc", "f_auc": skm.roc_auc_score}, n_boot=40, random_state=0)
    assert ours.by_group.index.names == ["control_feature_0", "sensitive_feature_0"] == theirs.by_group.index.names
    np.testing.assert_allclose(ours.by_group["auc"], theirs.by_group["auc"], atol=1e-12)
    np.testing.assert_allclose(ours.by_group["f_auc"], theirs.by_group["auc"], atol=0)
    np.testing.assert_allclose(ours.overall["auc"], theirs.overall["auc"], atol=1e-12)
    assert list(ours.difference_ci().index) == ["x", "y", "z"]
    assert ours.overall_ci.shape == (3, 4) and ours.ratio_ci("to_overall").shape == (3, 4)
    low = ours.difference_ci()[("auc", "lower")]
    high = ours.difference_ci()[("auc", "upper")]
    assert (low <= ours.difference()["auc"]).all() and (ours.difference()["auc"] <= high).all()


def test_score_functions_take_pos_label():
    rng = np.random.default_rng(6)
    y = rng.choice(["no", "yes"], 200)
    scores = rng.random(200) + 0.3 * (y == "yes")
    sf = rng.choice(["a", "b"], 200)
    by_name = bm.roc_auc_by_group(y, scores, sensitive_features=sf, pos_label="yes")
    by_minus_one = bm.roc_auc_by_group(np.where(y == "yes", 1, -1), scores, sensitive_features=sf)
    for group in ("a", "b"):
        rows = sf == group
        expected = skm.roc_auc_score(y[rows] == "yes", scores[rows])
        assert by_name[group] == pytest.approx(expected, abs=1e-12)
        assert by_minus_one[group] == by_name[group]
    table = bm.calibration_by_group(y, np.clip(scores, 0, 1), sensitive_features=sf, n_bins=4, pos_label="no")
    assert table["observed_rate"].between(0, 1).all()
    with pytest.raises(ValueError, match="y_true holds the labels 'no', 'yes': pass pos_label"):
        bm.roc_auc_by_group(y, scores, sensitive_features=sf)


def test_control_features_bad_input():
    args = ([1, 0, 1, 0], [1, 0, 0, 1])
    with pytest.raises(ValueError, match="control_features has 2 rows but the labels have 4"):
        group_metrics(*args, sensitive_features=["a", "b", "a", "b"], control_features=["x", "y"])
    with pytest.raises(ValueError, match=r"control_features column 'c' has 1 missing value"):
        group_metrics(*args, sensitive_features=["a", "b", "a", "b"],
                      control_features=pd.Series(["x", None, "y", "y"], name="c"))
