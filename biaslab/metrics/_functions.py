"""Single metrics and disparities with Fairlearn's signatures, all computed by the one engine."""

from __future__ import annotations

import warnings

import numpy as np

from .._validation import (
    check_array_1d,
    check_binary,
    check_choice,
    check_consistent_length,
    check_sample_weight,
    group_mask,
)
from ._engine import RATES, UndefinedMetricWarning, check_feature_columns, confusion_counts
from ._labels import binarize_labels, check_zero_division, zero_division_text
from ._report import _group_metrics

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


_POS_LABEL_DOC = """pos_label : optional
        The positive label, as in Fairlearn: ``None`` (default) accepts labels from {0, 1} or {-1, 1}
        (and booleans) with 1 positive; otherwise ``y_true`` and ``y_pred`` may hold at most two
        labels together and, if they hold two, ``pos_label`` must be one of them."""

_ZERO_DIVISION_DOC = """zero_division : {np.nan, "warn", 0, 1}, default np.nan
        scikit-learn's option for a rate whose denominator is zero: ``np.nan`` (with an
        :class:`UndefinedMetricWarning`), ``"warn"`` (0 with the warning), or 0 or 1 silently.
        Fairlearn returns 0: ``zero_division=0`` gives its number."""


def _rate(rate: str, y_true, y_pred, sample_weight, zero_division, *, stacklevel: int = 4) -> float:
    """One rate on all rows, from 0/1 arrays."""
    fill, warn = check_zero_division(zero_division)
    n = check_consistent_length(y_true=y_true, y_pred=y_pred)
    w = check_sample_weight(sample_weight, n)
    counts = confusion_counts(y_true, y_pred, np.zeros(n, dtype=np.int64), 1, w)
    value = float(RATES[rate][0](counts)[0])
    if np.isnan(value):
        if warn:
            warnings.warn(
                f"{rate} is undefined (no {RATES[rate][1]}); returning {zero_division_text(fill)}. "
                "zero_division=0 returns 0, as Fairlearn does.",
                UndefinedMetricWarning,
                stacklevel=stacklevel,
            )
        value = fill
    return value


def _single_rate(rate: str, y_true, y_pred, sample_weight, pos_label, zero_division) -> float:
    check_zero_division(zero_division)
    y_true, y_pred = binarize_labels({"y_true": y_true, "y_pred": y_pred}, pos_label)
    return _rate(rate, y_true, y_pred, sample_weight, zero_division, stacklevel=4)


def selection_rate(y_true, y_pred, *, pos_label=1, sample_weight=None, zero_division=np.nan) -> float:
    """Share of rows predicted ``pos_label``, P(y_pred = pos_label), as Fairlearn's ``selection_rate``.

    ``y_true`` is not used (give ``None``, a single value or labels of the same length, which are
    checked for length). ``y_pred`` may be a single prediction and may hold more than two labels;
    ``pos_label`` (default 1) must be among them when it holds two or more, and of their kind.
    ``zero_division`` is accepted for a uniform interface (the share of a non-empty sample is
    always defined).

    >>> selection_rate([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
    >>> selection_rate(None, 1), selection_rate([1, 0, 0], ["yes", "no", "no"], pos_label="yes")
    (1.0, 0.3333333333333333)
    """
    check_zero_division(zero_division)
    if np.ndim(y_pred) == 0 and y_pred is not None:
        y_pred = [y_pred.item() if isinstance(y_pred, np.ndarray) else y_pred]
    (selected,) = binarize_labels({"y_pred": y_pred}, pos_label, binary=False)
    if y_true is not None and np.ndim(y_true) > 0:
        check_consistent_length(y_true=check_array_1d(y_true, "y_true"), y_pred=selected)
    return _rate("selection_rate", selected, selected, sample_weight, zero_division)


def true_positive_rate(y_true, y_pred, sample_weight=None, pos_label=None, zero_division=np.nan) -> float:
    """TP / (TP + FN): the share of actual positives predicted positive (recall, sensitivity).

    >>> true_positive_rate([1, 1, 0, 1], [1, 0, 0, 1])
    0.6666666666666666
    >>> true_positive_rate([-1, 1, 1], [1, 1, -1]), true_positive_rate([0, 0], [0, 1], zero_division=0)
    (0.5, 0.0)
    """
    return _single_rate("true_positive_rate", y_true, y_pred, sample_weight, pos_label, zero_division)


def true_negative_rate(y_true, y_pred, sample_weight=None, pos_label=None, zero_division=np.nan) -> float:
    """TN / (TN + FP): the share of actual negatives predicted negative (specificity).

    >>> true_negative_rate([0, 0, 1, 0], [0, 1, 1, 0])
    0.6666666666666666
    """
    return _single_rate("true_negative_rate", y_true, y_pred, sample_weight, pos_label, zero_division)


def false_positive_rate(y_true, y_pred, sample_weight=None, pos_label=None, zero_division=np.nan) -> float:
    """FP / (FP + TN): the share of actual negatives predicted positive.

    >>> false_positive_rate([0, 0, 1, 0], [0, 1, 1, 0])
    0.3333333333333333
    """
    return _single_rate("false_positive_rate", y_true, y_pred, sample_weight, pos_label, zero_division)


def false_negative_rate(y_true, y_pred, sample_weight=None, pos_label=None, zero_division=np.nan) -> float:
    """FN / (FN + TP): the share of actual positives missed (underdiagnosis in medicine).

    >>> false_negative_rate([1, 1, 0, 1], [1, 0, 0, 1])
    0.3333333333333333
    """
    return _single_rate("false_negative_rate", y_true, y_pred, sample_weight, pos_label, zero_division)


def false_omission_rate(y_true, y_pred, sample_weight=None, pos_label=None, zero_division=np.nan) -> float:
    """FN / (FN + TN): the share of rows predicted negative that are actually positive.

    >>> false_omission_rate([1, 0, 0, 1], [0, 0, 0, 1])
    0.3333333333333333
    """
    return _single_rate("false_omission_rate", y_true, y_pred, sample_weight, pos_label, zero_division)


def precision(y_true, y_pred, sample_weight=None, pos_label=None, zero_division=np.nan) -> float:
    """TP / (TP + FP): the share of predicted positives that are actually positive (PPV).

    Equal precision across groups is *predictive parity*. ``zero_division=0`` equals
    ``sklearn.metrics.precision_score`` (whose default ``"warn"`` is 0 with a warning).

    >>> precision([1, 0, 1, 1], [1, 1, 1, 0])
    0.6666666666666666
    """
    return _single_rate("precision", y_true, y_pred, sample_weight, pos_label, zero_division)


for _f in (true_positive_rate, true_negative_rate, false_positive_rate, false_negative_rate, false_omission_rate,
           precision):
    _f.__doc__ = _f.__doc__.replace(
        "\n\n    >>>",
        "\n\n    Parameters\n    ----------\n    y_true, y_pred : array-like of labels\n"
        "    sample_weight : array-like, optional\n    " + _POS_LABEL_DOC + "\n    " + _ZERO_DIVISION_DOC
        + "\n\n    Examples\n    --------\n    >>>",
        1,
    )


def _disparity(name, rates, y_true, y_pred, sensitive_features, method, sample_weight, kind, agg, pos_label,
               zero_division):
    check_choice(method, "method", ("between_groups", "to_overall"))
    check_choice(agg, "agg", ("worst_case", "mean"))
    check_zero_division(zero_division)
    if rates == ["selection_rate"]:  # as in Fairlearn, y_true only has to have the right length
        (y_pred,) = binarize_labels({"y_pred": y_pred}, pos_label)
        check_consistent_length(y_true=check_array_1d(y_true, "y_true"), y_pred=y_pred)
        y_true, pos_label = y_pred, None
    report, parts, fill = _group_metrics(
        y_true, y_pred, sensitive_features=sensitive_features, metrics=list(rates), sample_weight=sample_weight,
        y_score=None, control_features=None, pos_label=pos_label, zero_division=zero_division,
        n_boot=None, ci=0.95, random_state=None,
    )
    present = report.counts.index[report.counts["n"].to_numpy() > 0]
    if len(present) < 2:
        raise ValueError(
            f"sensitive_features has only one group ({present[0]!r}); expected at least two groups to compare."
        )
    if parts:
        fate = (f"left out of the {kind}; zero_division=0 counts it as 0, as Fairlearn does" if np.isnan(fill)
                else f"counted as {fill:g} (zero_division='warn')")
        warnings.warn(f"{name}: undefined {'; '.join(parts)}: {fate}.", UndefinedMetricWarning, stacklevel=3)
    values = report.difference(method) if kind == "difference" else report.ratio(method)
    if kind == "difference":
        return float(values.max() if agg == "worst_case" else values.mean())
    return float(values.min() if agg == "worst_case" else values.mean())


_SF_DOC = """
    Parameters
    ----------
    y_true, y_pred : array-like of labels
    sensitive_features : array-like, Series, DataFrame or dict of columns
        One group label per row (several columns: intersectional groups); at least two groups.
    method : {"between_groups", "to_overall"}
        Compare groups with each other (max - min, or min / max) or each group with the overall value.
    sample_weight : array-like, optional
    """ + _POS_LABEL_DOC + """
    """ + _ZERO_DIVISION_DOC.replace(
        "Fairlearn returns 0: ``zero_division=0`` gives its number.",
        "A NaN group is left out of the comparison\n        and named in the warning; Fairlearn counts it as 0: "
        "``zero_division=0`` gives Fairlearn's number.",
    ) + "\n"


def demographic_parity_difference(y_true, y_pred, *, sensitive_features, method="between_groups", sample_weight=None,
                                  pos_label=None, zero_division=np.nan) -> float:
    """Largest difference in selection rate between groups (0 means demographic parity).
    {doc}
    >>> demographic_parity_difference([0, 0, 0, 0], [1, 1, 1, 0], sensitive_features=["a", "a", "b", "b"])
    0.5
    """
    return _disparity("demographic_parity_difference", ["selection_rate"], y_true, y_pred, sensitive_features, method,
                      sample_weight, "difference", "worst_case", pos_label, zero_division)


def demographic_parity_ratio(y_true, y_pred, *, sensitive_features, method="between_groups", sample_weight=None,
                             pos_label=None, zero_division=np.nan) -> float:
    """Smallest ratio of selection rates between groups (1 means demographic parity).
    {doc}
    >>> demographic_parity_ratio([0, 0, 0, 0], [1, 1, 1, 0], sensitive_features=["a", "a", "b", "b"])
    0.5
    """
    return _disparity("demographic_parity_ratio", ["selection_rate"], y_true, y_pred, sensitive_features, method,
                      sample_weight, "ratio", "worst_case", pos_label, zero_division)


def equalized_odds_difference(
    y_true, y_pred, *, sensitive_features, method="between_groups", sample_weight=None, agg="worst_case",
    pos_label=None, zero_division=np.nan,
) -> float:
    """The larger (``agg="worst_case"``) or mean of the TPR and FPR differences between groups.
    {doc}    agg : {{"worst_case", "mean"}}

    >>> equalized_odds_difference([1, 0, 1, 0], [1, 0, 0, 0], sensitive_features=["a", "a", "b", "b"])
    1.0
    """
    return _disparity("equalized_odds_difference", ["true_positive_rate", "false_positive_rate"], y_true, y_pred,
                      sensitive_features, method, sample_weight, "difference", agg, pos_label, zero_division)


def equalized_odds_ratio(
    y_true, y_pred, *, sensitive_features, method="between_groups", sample_weight=None, agg="worst_case",
    pos_label=None, zero_division=np.nan,
) -> float:
    """The smaller (``agg="worst_case"``) or mean of the TPR and FPR ratios between groups.
    {doc}    agg : {{"worst_case", "mean"}}

    If every group has the same TPR or FPR of 0, that ratio is 0/0 (NaN) and the other one is the
    worst case. Fairlearn takes Python's ``min()`` of the two instead, which returns NaN when the
    TPR ratio is the NaN one (but not the FPR ratio); that is the one case where
    ``zero_division=0`` does not give Fairlearn's number.

    >>> equalized_odds_ratio([1, 0, 1, 0], [1, 1, 1, 0], sensitive_features=["a", "a", "b", "b"])
    0.0
    """
    return _disparity("equalized_odds_ratio", ["true_positive_rate", "false_positive_rate"], y_true, y_pred,
                      sensitive_features, method, sample_weight, "ratio", agg, pos_label, zero_division)


def equal_opportunity_difference(y_true, y_pred, *, sensitive_features, method="between_groups", sample_weight=None,
                                 pos_label=None, zero_division=np.nan) -> float:
    """Largest difference in true positive rate between groups (0 means equal opportunity).
    {doc}
    >>> equal_opportunity_difference([1, 1, 1, 1], [1, 1, 1, 0], sensitive_features=["a", "a", "b", "b"])
    0.5

    Group ``b`` has no positives, so its true positive rate is undefined. By default it is left
    out (with a warning naming it); Fairlearn counts it as 0:

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     equal_opportunity_difference([1, 0, 0, 0], [1, 0, 0, 0], sensitive_features=["a", "a", "b", "b"])
    0.0
    >>> equal_opportunity_difference([1, 0, 0, 0], [1, 0, 0, 0], sensitive_features=["a", "a", "b", "b"],
    ...                              zero_division=0)
    1.0
    """
    return _disparity("equal_opportunity_difference", ["true_positive_rate"], y_true, y_pred, sensitive_features,
                      method, sample_weight, "difference", "worst_case", pos_label, zero_division)


def equal_opportunity_ratio(y_true, y_pred, *, sensitive_features, method="between_groups", sample_weight=None,
                            pos_label=None, zero_division=np.nan) -> float:
    """Smallest ratio of true positive rates between groups (1 means equal opportunity).
    {doc}
    >>> equal_opportunity_ratio([1, 1, 1, 1], [1, 1, 1, 0], sensitive_features=["a", "a", "b", "b"])
    0.5
    """
    return _disparity("equal_opportunity_ratio", ["true_positive_rate"], y_true, y_pred, sensitive_features, method,
                      sample_weight, "ratio", "worst_case", pos_label, zero_division)


def predictive_parity_difference(y_true, y_pred, *, sensitive_features, method="between_groups", sample_weight=None,
                                 pos_label=None, zero_division=np.nan) -> float:
    """Largest difference in precision (positive predictive value) between groups.
    {doc}
    >>> predictive_parity_difference([1, 0, 1, 1], [1, 1, 1, 1], sensitive_features=["a", "a", "b", "b"])
    0.5
    """
    return _disparity("predictive_parity_difference", ["precision"], y_true, y_pred, sensitive_features, method,
                      sample_weight, "difference", "worst_case", pos_label, zero_division)


for _f in (
    demographic_parity_difference, demographic_parity_ratio, equalized_odds_difference, equalized_odds_ratio,
    equal_opportunity_difference, equal_opportunity_ratio, predictive_parity_difference,
):
    _f.__doc__ = _f.__doc__.replace("{doc}", _SF_DOC).replace("{{", "{").replace("}}", "}")


def _favoured_deprived_rates(y, sensitive_features, favoured, deprived, sample_weight, y_name):
    y = check_binary(y, y_name)
    frame = check_feature_columns(sensitive_features, len(y), "sensitive_features", check_missing=True)
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
