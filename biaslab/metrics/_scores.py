"""Metrics of scores rather than hard predictions: AUROC and calibration by group."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import (
    check_binary,
    check_consistent_length,
    check_positive_int,
    check_sample_weight,
    check_scores,
    check_choice,
)
from ._engine import encode_groups, warn_undefined
from ._labels import binarize_labels

__all__ = ["roc_auc_by_group", "calibration_by_group", "youden_threshold"]


class _SortedScores:
    """Rows sorted by (group, score) once, so AUROC can be computed for many weightings."""

    def __init__(self, y_true: np.ndarray, scores: np.ndarray, codes: np.ndarray, n_groups: int):
        order = np.lexsort((scores, codes))
        self.order = order
        self.y = y_true[order].astype(np.float64)
        g = codes[order]
        s = scores[order]
        new_block = np.empty(len(order), dtype=bool)
        new_block[0] = True
        new_block[1:] = (g[1:] != g[:-1]) | (s[1:] != s[:-1])
        self.block_starts = np.flatnonzero(new_block)
        self.block_group = g[self.block_starts]
        self.n_groups = n_groups
        # first block of each group that has rows
        self.group_first_block = np.searchsorted(self.block_group, np.arange(n_groups))

    def auc(self, weights: np.ndarray) -> np.ndarray:
        """AUROC per group for weights of shape (n,) or (B, n) given in original row order."""
        w = np.atleast_2d(weights)[:, self.order]
        pos = np.add.reduceat(w * self.y, self.block_starts, axis=1)
        neg = np.add.reduceat(w * (1.0 - self.y), self.block_starts, axis=1)
        # negative weight strictly below each block, within its group
        below = np.cumsum(neg, axis=1) - neg
        first = np.minimum(self.group_first_block, neg.shape[1] - 1)
        below -= below[:, first][:, self.block_group]
        credit = pos * (below + 0.5 * neg)
        nb = np.zeros((w.shape[0], self.n_groups))
        pb = np.zeros_like(nb)
        cb = np.zeros_like(nb)
        for target, values in ((nb, neg), (pb, pos), (cb, credit)):
            # sum blocks per group; np.add.at is slow, so use a bincount per row of the batch
            flat = (np.arange(w.shape[0])[:, None] * self.n_groups + self.block_group[None, :]).ravel()
            target[:] = np.bincount(flat, weights=values.ravel(), minlength=w.shape[0] * self.n_groups).reshape(
                w.shape[0], self.n_groups
            )
        out = np.full_like(nb, np.nan)
        den = pb * nb
        np.divide(cb, den, out=out, where=den > 0)
        return out if np.ndim(weights) == 2 else out[0]


def _prepare_scores(y_true, y_score, sensitive_features, sample_weight, score_name, pos_label):
    (y_true,) = binarize_labels({"y_true": y_true}, pos_label)
    y_score = check_scores(y_score, score_name)
    n = check_consistent_length(y_true=y_true, **{score_name: y_score})
    weights = check_sample_weight(sample_weight, n)
    groups = encode_groups(sensitive_features, n)
    return y_true, y_score, weights, groups


def roc_auc_by_group(y_true, y_score, *, sensitive_features, sample_weight=None, pos_label=None) -> pd.Series:
    """Area under the ROC curve within each group.

    Equals ``sklearn.metrics.roc_auc_score`` on each group's rows (ties count one half).
    A group that lacks positives or negatives gets NaN and an ``UndefinedMetricWarning``.

    Parameters
    ----------
    y_true : array-like of 0/1
    y_score : array-like of float
        Scores or probabilities; higher means more likely positive.
    sensitive_features : array-like, Series or DataFrame
        One group label per row; several columns give intersectional groups.
    sample_weight : array-like, optional
    pos_label : optional
        The positive label of ``y_true``: ``None`` accepts 0/1 or -1/1 (1 positive), as in Fairlearn.

    Returns
    -------
    pandas.Series indexed by group.

    Examples
    --------
    >>> roc_auc_by_group([0, 1, 0, 1], [0.1, 0.9, 0.8, 0.3], sensitive_features=["a", "a", "b", "b"])
    sensitive_feature_0
    a    1.0
    b    0.0
    Name: roc_auc, dtype: float64
    """
    y_true, y_score, weights, groups = _prepare_scores(y_true, y_score, sensitive_features, sample_weight, "y_score",
                                                       pos_label)
    sorted_scores = _SortedScores(y_true, y_score, groups.codes, groups.n_groups)
    values = sorted_scores.auc(np.ones(len(y_true)) if weights is None else weights)
    warn_undefined(values[:, None], ["roc_auc"], groups.index, groups.sizes)
    return pd.Series(values, index=groups.index, name="roc_auc")


def calibration_by_group(
    y_true, y_prob, *, sensitive_features, n_bins: int = 10, strategy: str = "uniform", sample_weight=None,
    pos_label=None,
) -> pd.DataFrame:
    """Reliability table by group: mean predicted probability vs observed positive rate per bin.

    Bins follow ``sklearn.calibration.calibration_curve``: ``"uniform"`` splits [0, 1] into
    ``n_bins`` equal-width bins, ``"quantile"`` uses the quantiles of all of ``y_prob`` (the same
    edges for every group, so groups are compared bin by bin). Empty bins are left out.
    ``pos_label`` names the positive label of ``y_true`` (``None``: 0/1 or -1/1, 1 positive).

    Returns
    -------
    pandas.DataFrame
        One row per non-empty (group, bin): the group column(s), ``bin``, ``bin_low``,
        ``bin_high``, ``mean_predicted``, ``observed_rate``, ``weight`` (sum of weights) and
        ``count`` (rows).

    Examples
    --------
    >>> table = calibration_by_group([0, 1, 1, 0], [0.2, 0.8, 0.7, 0.4],
    ...                              sensitive_features=["a", "a", "b", "b"], n_bins=2)
    >>> table[["sensitive_feature_0", "bin", "mean_predicted", "observed_rate"]]
      sensitive_feature_0  bin  mean_predicted  observed_rate
    0                   a    0             0.2            0.0
    1                   a    1             0.8            1.0
    2                   b    0             0.4            0.0
    3                   b    1             0.7            1.0
    """
    y_true, y_prob, weights, groups = _prepare_scores(y_true, y_prob, sensitive_features, sample_weight, "y_prob",
                                                      pos_label)
    if (y_prob < 0).any() or (y_prob > 1).any():
        raise ValueError("y_prob must be probabilities between 0 and 1; found values outside [0, 1].")
    n_bins = check_positive_int(n_bins, "n_bins")
    check_choice(strategy, "strategy", ("uniform", "quantile"))
    if strategy == "quantile":
        edges = np.quantile(y_prob, np.linspace(0, 1, n_bins + 1))
    else:
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    bins = np.searchsorted(edges[1:-1], y_prob)
    w = np.ones(len(y_true)) if weights is None else weights
    key = groups.codes * n_bins + bins
    size = groups.n_groups * n_bins
    total = np.bincount(key, weights=w, minlength=size)
    count = np.bincount(key, minlength=size)
    mean_pred = np.bincount(key, weights=w * y_prob, minlength=size)
    observed = np.bincount(key, weights=w * y_true, minlength=size)
    keep = np.flatnonzero(count > 0)
    group_pos, bin_pos = np.divmod(keep, n_bins)
    table = groups.index[group_pos].to_frame(index=False)
    table["bin"] = bin_pos
    table["bin_low"] = edges[bin_pos]
    table["bin_high"] = edges[bin_pos + 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        table["mean_predicted"] = mean_pred[keep] / total[keep]
        table["observed_rate"] = observed[keep] / total[keep]
    table["weight"] = total[keep]
    table["count"] = count[keep]
    return table


def youden_threshold(y_true, scores) -> float:
    """The score threshold that maximises Youden's J = TPR - FPR (sensitivity + specificity - 1).

    Predict positive when ``score >= threshold``. Among thresholds with the same J the highest
    is returned (fewest positives). Hidden in Plain Sight sets each model's operating point this
    way on its internal test set.

    Examples
    --------
    >>> youden_threshold([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.8
    >>> youden_threshold([0, 0, 1, 1], [0.1, 0.2, 0.6, 0.8])
    0.6
    """
    from sklearn.metrics import roc_curve

    y_true = check_binary(y_true, "y_true")
    scores = check_scores(scores, "scores")
    check_consistent_length(y_true=y_true, scores=scores)
    if y_true.min() == y_true.max():
        raise ValueError("y_true must contain both classes (0 and 1) to choose a threshold; it has only one.")
    fpr, tpr, thresholds = roc_curve(y_true, scores, drop_intermediate=False)
    j = tpr - fpr
    best = int(np.argmax(j[1:])) + 1  # index 0 is the "predict nothing" point (threshold +inf)
    return float(thresholds[best])
