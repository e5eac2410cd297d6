"""The one engine behind every group metric: weighted confusion counts per group in one pass.

Rows are encoded once into integer group codes (the Cartesian product of the sensitive
columns' observed values, as Fairlearn's ``MetricFrame`` does), then a single ``np.bincount``
over ``group * 4 + 2 * y_true + y_pred`` gives the (weighted) true/false positives/negatives of
every group. Every rate, disparity and bootstrap interval is derived from those counts.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._validation import (
    check_binary,
    check_consistent_length,
    check_sample_weight,
    check_sensitive_features,
    raise_if_missing_groups,
)

__all__ = ["GroupIndex", "UndefinedMetricWarning", "encode_groups", "confusion_counts", "RATES", "rates_from_counts"]

# Column order of a counts array's last axis: index = 2 * y_true + y_pred.
TN, FP, FN, TP = 0, 1, 2, 3


class UndefinedMetricWarning(UserWarning):
    """A metric is undefined for a group (its denominator is zero) and was set to NaN."""


@dataclass(frozen=True)
class GroupIndex:
    """Integer group codes of every row and the index that labels them."""

    codes: np.ndarray  # int64, one per row, in [0, n_groups)
    index: pd.Index  # Index (one feature) or MultiIndex (several), one entry per group
    sizes: np.ndarray  # number of rows per group

    @property
    def n_groups(self) -> int:
        return len(self.index)


def encode_groups(sensitive_features, n: int | None = None, *, name: str = "sensitive_features") -> GroupIndex:
    """Encode one or more sensitive columns into group codes (the intersections of their values)."""
    frame = check_sensitive_features(sensitive_features, n, name, check_missing=False)
    level_codes, level_values = [], []
    for col in frame.columns:
        column = frame[col]
        # pandas' str dtype factorizes about 2x slower than the same values as a numpy array
        values = column if isinstance(column.dtype, pd.CategoricalDtype) else column.to_numpy()
        codes, uniques = pd.factorize(values, sort=True)
        raise_if_missing_groups(int((codes < 0).sum()), col, name)
        level_codes.append(codes.astype(np.int64, copy=False))
        level_values.append(pd.Index(uniques, name=col))
    if len(level_codes) == 1:
        codes = level_codes[0]
        index = level_values[0]
    else:
        shape = tuple(len(v) for v in level_values)
        codes = np.ravel_multi_index(tuple(level_codes), shape)
        index = pd.MultiIndex.from_product(level_values, names=list(frame.columns))
    sizes = np.bincount(codes, minlength=len(index))
    return GroupIndex(codes=codes, index=index, sizes=sizes)


def confusion_counts(y_true: np.ndarray, y_pred: np.ndarray, codes: np.ndarray, n_groups: int, weights=None) -> np.ndarray:
    """Weighted (tn, fp, fn, tp) per group: an array of shape (n_groups, 4)."""
    key = codes * 4 + (2 * y_true.astype(np.int64) + y_pred)
    counts = np.bincount(key, weights=weights, minlength=4 * n_groups)
    return counts.reshape(n_groups, 4).astype(np.float64, copy=False)


def _ratio(num, den):
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def _c(counts, k):
    return counts[..., k]


# Each rate is a function of a counts array (..., 4) -> (...); the denominators name what must be
# present for the rate to be defined (used in warnings).
RATES = {
    "selection_rate": (lambda c: _ratio(_c(c, FP) + _c(c, TP), c.sum(-1)), "rows"),
    "base_rate": (lambda c: _ratio(_c(c, FN) + _c(c, TP), c.sum(-1)), "rows"),
    "accuracy": (lambda c: _ratio(_c(c, TN) + _c(c, TP), c.sum(-1)), "rows"),
    "error_rate": (lambda c: _ratio(_c(c, FP) + _c(c, FN), c.sum(-1)), "rows"),
    "true_positive_rate": (lambda c: _ratio(_c(c, TP), _c(c, TP) + _c(c, FN)), "actual positives"),
    "false_negative_rate": (lambda c: _ratio(_c(c, FN), _c(c, TP) + _c(c, FN)), "actual positives"),
    "true_negative_rate": (lambda c: _ratio(_c(c, TN), _c(c, TN) + _c(c, FP)), "actual negatives"),
    "false_positive_rate": (lambda c: _ratio(_c(c, FP), _c(c, TN) + _c(c, FP)), "actual negatives"),
    "precision": (lambda c: _ratio(_c(c, TP), _c(c, TP) + _c(c, FP)), "predicted positives"),
    "false_discovery_rate": (lambda c: _ratio(_c(c, FP), _c(c, TP) + _c(c, FP)), "predicted positives"),
    "negative_predictive_value": (lambda c: _ratio(_c(c, TN), _c(c, TN) + _c(c, FN)), "predicted negatives"),
    "false_omission_rate": (lambda c: _ratio(_c(c, FN), _c(c, TN) + _c(c, FN)), "predicted negatives"),
    "balanced_accuracy": (
        lambda c: (_ratio(_c(c, TP), _c(c, TP) + _c(c, FN)) + _ratio(_c(c, TN), _c(c, TN) + _c(c, FP))) / 2,
        "actual positives and negatives",
    ),
}


def rates_from_counts(counts: np.ndarray, names) -> np.ndarray:
    """Stack the named rates of a counts array (..., 4) into an array (..., len(names))."""
    return np.stack([RATES[name][0](counts) for name in names], axis=-1)


def warn_undefined(values: np.ndarray, names, index: pd.Index, sizes: np.ndarray, *, stacklevel: int = 3) -> None:
    """Warn once about every (group, metric) that is NaN although the group has rows."""
    undefined = np.isnan(values) & (sizes[:, None] > 0)
    if not undefined.any():
        return
    parts = []
    for j, name in enumerate(names):
        groups = [index[i] for i in np.flatnonzero(undefined[:, j])]
        if groups:
            shown = ", ".join(map(repr, groups[:5])) + (" ..." if len(groups) > 5 else "")
            parts.append(f"{name} for group(s) {shown} (no {RATES[name][1] if name in RATES else 'valid rows'})")
    warnings.warn(
        "Undefined metric set to NaN: " + "; ".join(parts) + ".",
        UndefinedMetricWarning,
        stacklevel=stacklevel,
    )


def prepare(y_true, y_pred, sensitive_features, sample_weight, *, min_groups: int = 1):
    """Validate the common inputs of a group metric and encode the groups."""
    y_true = check_binary(y_true, "y_true")
    y_pred = check_binary(y_pred, "y_pred")
    n = check_consistent_length(y_true=y_true, y_pred=y_pred)
    weights = check_sample_weight(sample_weight, n)
    groups = encode_groups(sensitive_features, n)
    if min_groups > 1:
        present = int((groups.sizes > 0).sum())
        if present < min_groups:
            raise ValueError(
                f"sensitive_features has only {present} group(s) "
                f"({', '.join(map(repr, groups.index[groups.sizes > 0]))}); "
                f"expected at least {min_groups} groups to compare."
            )
    return y_true, y_pred, weights, groups
