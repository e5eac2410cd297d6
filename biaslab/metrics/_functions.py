"""Single metrics and disparities with Fairlearn's signatures, all computed by the one engine."""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .._validation import (
    check_array_1d,
    check_binary,
    check_choice,
    check_consistent_length,
    check_sample_weight,
    check_sensitive_features,
    group_mask,
)
from ._engine import RATES, UndefinedMetricWarning, confusion_counts, warn_undefined
from ._report import group_metrics

__all__ = [
    "selection_rate",
    "true_positive_rate",
    "true_negative_rate",
    "false_positive_rate",
    "false_negative_rate",
    "false_omission_rate",
    "precision",
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
    "predictive_parity_difference",
    "discrimination_score",
    "disparate_impact_ratio",
]


def _binarize(values, name: str, pos_label):
    if pos_label is None or (not isinstance(pos_label, (bool, np.bool_)) and pos_label == 1):
        return check_binary(values, name)
    arr = check_array_1d(values, name)
    found = pd.unique(pd.Series(arr))
    if len(found) > 2:
        raise ValueError(f"{name} must hold at most two distinct values, found {len(found)}.")
    return (arr == pos_label).astype(np.int8)


def _single_rate(rate: str, y_true, y_pred, sample_weight, pos_label):
    y_true = _binarize(y_true, "y_true", pos_label)
    y_pred = _binarize(y_pred, "y_pred", pos_label)
    n = check_consistent_length(y_true=y_true, y_pred=y_pred)
    w = check_sample_weight(sample_weight, n)
    counts = confusion_counts(y_true, y_pred, np.zeros(n, dtype=np.int64), 1, w)
    value = RATES[rate][0](counts)
    warn_undefined(value[:, None], [rate], pd.Index(["all rows"]), np.array([n]), stacklevel=4)
    return float(value[0])


def selection_rate(y_true, y_pred, *, pos_label=1, sample_weight=None) -> float:
    """Share of rows predicted positive, P(y_pred = 1) (``y_true`` is only checked for length).

    >>> selection_rate([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
    """
    y_pred_checked = _binarize(y_pred, "y_pred", pos_label)
    if y_true is not None:
        check_consistent_length(y_true=check_array_1d(y_true, "y_true"), y_pred=y_pred_checked)
    return _single_rate("selection_rate", y_pred_checked, y_pred_checked, sample_weight, None)


def true_positive_rate(y_true, y_pred, sample_weight=None, pos_label=1) -> float:
    """TP / (TP + FN): the share of actual positives predicted positive (recall, sensitivity).

    >>> true_positive_rate([1, 1, 0, 1], [1, 0, 0, 1])
    0.6666666666666666
    """
    return _single_rate("true_positive_rate", y_true, y_pred, sample_weight, pos_label)


def true_negative_rate(y_true, y_pred, sample_weight=None, pos_label=1) -> float:
    """TN / (TN + FP): the share of actual negatives predicted negative (specificity).

    >>> true_negative_rate([0, 0, 1, 0], [0, 1, 1, 0])
    0.6666666666666666
    """
    return _single_rate("true_negative_rate", y_true, y_pred, sample_weight, pos_label)


def false_positive_rate(y_true, y_pred, sample_weight=None, pos_label=1) -> float:
    """FP / (FP + TN): the share of actual negatives predicted positive.

    >>> false_positive_rate([0, 0, 1, 0], [0, 1, 1, 0])
    0.3333333333333333
    """
    return _single_rate("false_positive_rate", y_true, y_pred, sample_weight, pos_label)


def false_negative_rate(y_true, y_pred, sample_weight=None, pos_label=1) -> float:
    """FN / (FN + TP): the share of actual positives missed (underdiagnosis in medicine).

    >>> false_negative_rate([1, 1, 0, 1], [1, 0, 0, 1])
    0.3333333333333333
    """
    return _single_rate("false_negative_rate", y_true, y_pred, sample_weight, pos_label)


def false_omission_rate(y_true, y_pred, sample_weight=None, pos_label=1) -> float:
    """FN / (FN + TN): the share of rows predicted negative that are actually positive.

    >>> false_omission_rate([1, 0, 0, 1], [0, 0, 0, 1])
    0.3333333333333333
    """
    return _single_rate("false_omission_rate", y_true, y_pred, sample_weight, pos_label)


def precision(y_true, y_pred, sample_weight=None, pos_label=1) -> float:
    """TP / (TP + FP): the share of predicted positives that are actually positive (PPV).

    Equal precision across groups is *predictive parity*.

    >>> precision([1, 0, 1, 1], [1, 1, 1, 0])
    0.6666666666666666
    """
    return _single_rate("precision", y_true, y_pred, sample_weight, pos_label)


def _disparity(rates, y_true, y_pred, sensitive_features, method, sample_weight, kind, agg="worst_case"):
    check_choice(method, "method", ("between_groups", "to_overall"))
    check_choice(agg, "agg", ("worst_case", "mean"))
    report = group_metrics(
        y_true, y_pred, sensitive_features=sensitive_features, metrics=list(rates), sample_weight=sample_weight
    )
    present = report.counts.index[report.counts["n"].to_numpy() > 0]
    if len(present) < 2:
        raise ValueError(
            f"sensitive_features has only one group ({present[0]!r}); expected at least two groups to compare."
        )
    values = report.difference(method) if kind == "difference" else report.ratio(method)
    if kind == "difference":
        return float(values.max() if agg == "worst_case" else values.mean())
    return float(values.min() if agg == "worst_case" else values.mean())


_SF_DOC = """
    Parameters
    ----------
    y_true, y_pred : array-like of 0/1
    sensitive_features : array-like, Series, DataFrame or dict of columns
        One group label per row (several columns: intersectional groups); at least two groups.
    method : {"between_groups", "to_overall"}
        Compare groups with each other (max - min, or min / max) or each group with the overall value.
    sample_weight : array-like, optional
"""


def demographic_parity_difference(y_true, y_pred, *, sensitive_features, method="between_groups", sample_weight=None) -> float:
    """Largest difference in selection rate between groups (0 means demographic parity).
    {doc}
    >>> demographic_parity_difference([0, 0, 0, 0], [1, 1, 1, 0], sensitive_features=["a", "a", "b", "b"])
    0.5
    """
    return _disparity(["selection_rate"], y_true, y_pred, sensitive_features, method, sample_weight, "difference")


def demographic_parity_ratio(y_true, y_pred, *, sensitive_features, method="between_groups", sample_weight=None) -> float:
    """Smallest ratio of selection rates between groups (1 means demographic parity).
    {doc}
    >>> demographic_parity_ratio([0, 0, 0, 0], [1, 1, 1, 0], sensitive_features=["a", "a", "b", "b"])
    0.5
    """
    return _disparity(["selection_rate"], y_true, y_pred, sensitive_features, method, sample_weight, "ratio")


def equalized_odds_difference(
    y_true, y_pred, *, sensitive_features, method="between_groups", sample_weight=None, agg="worst_case"
) -> float:
    """The larger (``agg="worst_case"``) or mean of the TPR and FPR differences between groups.
    {doc}    agg : {{"worst_case", "mean"}}

    >>> equalized_odds_difference([1, 0, 1, 0], [1, 0, 0, 0], sensitive_features=["a", "a", "b", "b"])
    1.0
    """
    return _disparity(
        ["true_positive_rate", "false_positive_rate"], y_true, y_pred, sensitive_features, method, sample_weight,
        "difference", agg,
    )


def equalized_odds_ratio(
    y_true, y_pred, *, sensitive_features, method="between_groups", sample_weight=None, agg="worst_case"
) -> float:
    """The smaller (``agg="worst_case"``) or mean of the TPR and FPR ratios between groups.
    {doc}    agg : {{"worst_case", "mean"}}

    >>> equalized_odds_ratio([1, 0, 1, 0], [1, 1, 1, 0], sensitive_features=["a", "a", "b", "b"])
    0.0
    """
    return _disparity(
        ["true_positive_rate", "false_positive_rate"], y_true, y_pred, sensitive_features, method, sample_weight,
        "ratio", agg,
    )


def equal_opportunity_difference(y_true, y_pred, *, sensitive_features, method="between_groups", sample_weight=None) -> float:
    """Largest difference in true positive rate between groups (0 means equal opportunity).
    {doc}
    >>> equal_opportunity_difference([1, 1, 1, 1], [1, 1, 1, 0], sensitive_features=["a", "a", "b", "b"])
    0.5
    """
    return _disparity(["true_positive_rate"], y_true, y_pred, sensitive_features, method, sample_weight, "difference")


def equal_opportunity_ratio(y_true, y_pred, *, sensitive_features, method="between_groups", sample_weight=None) -> float:
    """Smallest ratio of true positive rates between groups (1 means equal opportunity).
    {doc}
    >>> equal_opportunity_ratio([1, 1, 1, 1], [1, 1, 1, 0], sensitive_features=["a", "a", "b", "b"])
    0.5
    """
    return _disparity(["true_positive_rate"], y_true, y_pred, sensitive_features, method, sample_weight, "ratio")


def predictive_parity_difference(y_true, y_pred, *, sensitive_features, method="between_groups", sample_weight=None) -> float:
    """Largest difference in precision (positive predictive value) between groups.
    {doc}
    >>> predictive_parity_difference([1, 0, 1, 1], [1, 1, 1, 1], sensitive_features=["a", "a", "b", "b"])
    0.5
    """
    return _disparity(["precision"], y_true, y_pred, sensitive_features, method, sample_weight, "difference")


for _f in (
    demographic_parity_difference, demographic_parity_ratio, equalized_odds_difference, equalized_odds_ratio,
    equal_opportunity_difference, equal_opportunity_ratio, predictive_parity_difference,
):
    _f.__doc__ = _f.__doc__.replace("{doc}", _SF_DOC).replace("{{", "{").replace("}}", "}")


def _favoured_deprived_rates(y, sensitive_features, favoured, deprived, sample_weight, y_name):
    y = check_binary(y, y_name)
    frame = check_sensitive_features(sensitive_features, len(y))
    w = check_sample_weight(sample_weight, len(y))
    w = np.ones(len(y)) if w is None else w
    fav = group_mask(frame, favoured, "favoured")
    dep = ~fav if deprived is None else group_mask(frame, deprived, "deprived")
    if deprived is not None and (fav & dep).any():
        raise ValueError("favoured and deprived overlap: a row cannot be in both groups.")
    if not dep.any():
        raise ValueError("Every row is in the favoured group: there is no deprived group to compare with.")
    p_fav = np.sum(w[fav] * y[fav]) / np.sum(w[fav])
    p_dep = np.sum(w[dep] * y[dep]) / np.sum(w[dep])
    return float(p_fav), float(p_dep)


def discrimination_score(y, *, sensitive_features, favoured, deprived=None, sample_weight=None) -> float:
    """Calders' discrimination score: P(y = 1 | favoured) - P(y = 1 | deprived).

    Works on labels (discrimination in the data) and on predictions (discrimination of a model).
    Positive values mean the favoured group gets the positive outcome more often.

    Parameters
    ----------
    y : array-like of 0/1
        Labels or predictions; 1 is the desirable outcome (e.g. income > 50K, loan granted).
    sensitive_features : array-like, Series or DataFrame
    favoured : a group value, or a mapping column -> value for an intersection
        The group the caller names as favoured (e.g. ``"Male"``).
    deprived : a group value or mapping, optional
        The group compared with; by default every row not in ``favoured``.
    sample_weight : array-like, optional

    Examples
    --------
    >>> discrimination_score([1, 1, 0, 1, 0, 0], sensitive_features=["M", "M", "M", "F", "F", "F"],
    ...                      favoured="M")
    0.3333333333333333
    """
    p_fav, p_dep = _favoured_deprived_rates(y, sensitive_features, favoured, deprived, sample_weight, "y")
    return p_fav - p_dep


def disparate_impact_ratio(y, *, sensitive_features, favoured, deprived=None, sample_weight=None) -> float:
    """P(y = 1 | deprived) / P(y = 1 | favoured); below 0.8 fails the "four-fifths rule".

    Same arguments as :func:`discrimination_score`. NaN (with a warning) if the favoured group
    never gets the positive outcome.

    Examples
    --------
    >>> disparate_impact_ratio([1, 1, 0, 1, 0, 0], sensitive_features=["M", "M", "M", "F", "F", "F"],
    ...                        favoured="M")
    0.5
    """
    p_fav, p_dep = _favoured_deprived_rates(y, sensitive_features, favoured, deprived, sample_weight, "y")
    if p_fav == 0:
        warnings.warn(
            f"disparate_impact_ratio is undefined: the favoured group {favoured!r} never has y = 1; returning NaN.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        return float("nan")
    return p_dep / p_fav
