"""The one engine behind every group metric: weighted confusion counts per group in one pass.

Rows are encoded once into integer group codes (the Cartesian product of the sensitive
columns' observed values, as Fairlearn's ``MetricFrame`` does), then a single ``np.bincount``
over ``group * 4 + 2 * y_true + y_pred`` gives the (weighted) true/false positives/negatives of
every group. Every rate, disparity and bootstrap interval is derived from those counts.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._validation import (
    check_consistent_length,
    check_sample_weight,
    check_sensitive_features,
    raise_if_missing_groups,
)
from ._labels import binarize_labels

__all__ = [
    "GroupIndex", "UndefinedMetricWarning", "check_feature_columns", "encode_groups", "confusion_counts", "RATES", "rates_from_counts",
    "fill_undefined", "undefined_message", "undefined_parts", "warn_undefined", "prepare",
]

# Column order of a counts array's last axis: index = 2 * y_true + y_pred.
TN, FP, FN, TP = 0, 1, 2, 3


class UndefinedMetricWarning(UserWarning):
    """A metric is undefined for a group (its denominator is zero): set to NaN, or to 0 with ``zero_division="warn"``."""


@dataclass(frozen=True)
class GroupIndex:
    """Integer group codes of every row and the index that labels them."""

    codes: np.ndarray  # int64, one per row, in [0, n_groups)
    index: pd.Index  # Index (one feature) or MultiIndex (several), one entry per group
    sizes: np.ndarray  # number of rows per group
    control_index: pd.Index | None = None  # the control groups (control_features), leading levels of index

    @property
    def n_groups(self) -> int:
        return len(self.index)

    @property
    def n_control(self) -> int:
        """Number of control groups (1 without control features)."""
        return 1 if self.control_index is None else len(self.control_index)


def check_feature_columns(features, n: int | None, name: str, *, prefix: str | None = None,
                          check_missing: bool = False) -> pd.DataFrame:
    """Sensitive or control features as a DataFrame whose column names are unique."""
    frame = check_sensitive_features(features, n, name, check_missing=check_missing)
    if prefix is not None and not isinstance(features, (pd.DataFrame, Mapping)) and not (
        isinstance(features, pd.Series) and features.name is not None
    ):
        frame.columns = [f"{prefix}_{i}" for i in range(frame.shape[1])]
    if frame.columns.duplicated().any():  # names that differ only as text, like 1 and "1"
        dup = list(dict.fromkeys(frame.columns[frame.columns.duplicated()]))
        raise ValueError(f"{name} has duplicate column names {', '.join(map(repr, dup))} (as text): give every column its own name.")
    return frame


def encode_groups(
    sensitive_features, n: int | None = None, *, name: str = "sensitive_features", control_features=None
) -> GroupIndex:
    """Encode sensitive (and control) columns into group codes (the intersections of their values).

    With ``control_features`` the control columns come first, as in Fairlearn's ``MetricFrame``:
    group ``g`` is control group ``g // n_sensitive_groups``.
    """
    frame = check_feature_columns(sensitive_features, n, name)
    n_control_cols = 0
    if control_features is not None:
        control = check_feature_columns(control_features, len(frame), "control_features", prefix="control_feature")
        clash = [c for c in control.columns if c in frame.columns]
        if clash:
            raise ValueError(
                f"control_features and {name} share the column name(s) {', '.join(map(repr, clash))}: "
                "a feature cannot be both; rename one of them."
            )
        n_control_cols = control.shape[1]
        frame = pd.concat([control, frame], axis=1)
    level_codes, level_values = [], []
    for col in frame.columns:
        column = frame[col]
        # pandas' str dtype factorizes about 2x slower than the same values as a numpy array
        values = column if isinstance(column.dtype, pd.CategoricalDtype) else column.to_numpy()
        codes, uniques = pd.factorize(values, sort=True)
        where = "control_features" if len(level_codes) < n_control_cols else name
        raise_if_missing_groups(int((codes < 0).sum()), col, where)
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
    if n_control_cols:
        controls = level_values[:n_control_cols]
        control_index = controls[0] if n_control_cols == 1 else pd.MultiIndex.from_product(controls, names=[c.name for c in controls])
    else:
        control_index = None
    return GroupIndex(codes=codes, index=index, sizes=sizes, control_index=control_index)


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


def undefined_parts(values: np.ndarray, names, index: pd.Index, sizes: np.ndarray, *, kinds=None) -> list[str]:
    """One phrase per metric that is NaN in a group with rows: which groups, and what they lack.

    ``kinds`` gives the built-in metric behind each name (for a metric renamed by a mapping).
    """
    undefined = np.isnan(values) & (sizes[:, None] > 0)
    parts = []
    if not undefined.any():
        return parts
    kinds = list(names) if kinds is None else list(kinds)
    for j, name in enumerate(names):
        groups = [index[i] for i in np.flatnonzero(undefined[:, j])]
        if groups:
            shown = ", ".join(map(repr, groups[:5])) + (" ..." if len(groups) > 5 else "")
            parts.append(f"{name} for group(s) {shown} (no {RATES[kinds[j]][1] if kinds[j] in RATES else 'valid rows'})")
    return parts


def warn_undefined(values: np.ndarray, names, index: pd.Index, sizes: np.ndarray, *, fill: float = np.nan,
                   stacklevel: int = 3) -> None:
    """Warn once about every (group, metric) that is undefined (NaN) although the group has rows."""
    parts = undefined_parts(values, names, index, sizes)
    if parts:
        warnings.warn(undefined_message(parts, fill), UndefinedMetricWarning, stacklevel=stacklevel)


def undefined_message(parts: list[str], fill: float) -> str:
    """The warning about undefined metrics set to ``fill``."""
    if np.isnan(fill):
        return ("Undefined metric set to NaN: " + "; ".join(parts) + ". NaN groups are left out of differences, "
                "ratios, minima and maxima; zero_division=0 counts them as 0, as Fairlearn does.")
    return f"Undefined metric set to {fill:g} (zero_division='warn'): " + "; ".join(parts) + "."


def fill_undefined(values: np.ndarray, sizes: np.ndarray, fill: float) -> np.ndarray:
    """``values`` with every NaN of a group that has rows set to ``fill`` (``zero_division``)."""
    if np.isnan(fill):
        return values
    return np.where(np.isnan(values) & (sizes > 0), fill, values)


def prepare(y_true, y_pred, sensitive_features, sample_weight, *, pos_label=None, control_features=None,
            min_groups: int = 1):
    """Validate the common inputs of a group metric, turn the labels into 0/1 and encode the groups."""
    y_true, y_pred = binarize_labels({"y_true": y_true, "y_pred": y_pred}, pos_label)
    n = check_consistent_length(y_true=y_true, y_pred=y_pred)
    weights = check_sample_weight(sample_weight, n)
    groups = encode_groups(sensitive_features, n, control_features=control_features)
    if min_groups > 1:
        present = int((groups.sizes > 0).sum())
        if present < min_groups:
            raise ValueError(
                f"sensitive_features has only {present} group(s) "
                f"({', '.join(map(repr, groups.index[groups.sizes > 0]))}); "
                f"expected at least {min_groups} groups to compare."
            )
    return y_true, y_pred, weights, groups
