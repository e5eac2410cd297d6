"""Argument checks shared by every public function.

Each check raises a ``ValueError`` or ``TypeError`` that names the argument and says what was
expected, so a learner never sees a traceback from deep inside numpy.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = [
    "check_random_state",
    "check_array_1d",
    "check_binary",
    "check_scores",
    "check_sample_weight",
    "check_consistent_length",
    "check_sensitive_features",
    "raise_if_missing_groups",
    "group_mask",
    "check_fraction",
    "check_positive_int",
    "check_bool",
    "check_choice",
]


def check_random_state(random_state, name: str = "random_state") -> np.random.Generator:
    """Return a numpy ``Generator`` from ``None``, an int seed or a ``Generator``."""
    if random_state is None or isinstance(random_state, np.random.Generator):
        return np.random.default_rng(random_state)
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"{name} must be a non-negative int, got {random_state}.")
        return np.random.default_rng(int(random_state))
    raise TypeError(
        f"{name} must be None, a non-negative int or a numpy Generator, "
        f"got {type(random_state).__name__}."
    )


def _type_name(value) -> str:
    return type(value).__name__


def check_array_1d(values, name: str, *, allow_empty: bool = False) -> np.ndarray:
    """Turn a list, Series, 1-column frame or array into a 1-D numpy array."""
    if values is None:
        raise TypeError(f"{name} must be array-like (list, numpy array or pandas Series), got None.")
    if isinstance(values, (str, bytes)) or np.isscalar(values):
        raise TypeError(
            f"{name} must be array-like (list, numpy array or pandas Series), "
            f"got a single {_type_name(values)}."
        )
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise ValueError(f"{name} must be one-dimensional, got a DataFrame with {values.shape[1]} columns.")
        values = values.iloc[:, 0]
    if isinstance(values, pd.Series):
        arr = values.to_numpy()
    else:
        try:
            arr = np.asarray(values)
        except Exception as exc:  # ragged lists and the like
            raise TypeError(f"{name} must be array-like of numbers, could not convert it: {exc}") from None
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.reshape(-1)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got an array of shape {arr.shape}.")
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"{name} is empty: expected at least one value.")
    return arr


def _as_float(arr: np.ndarray, name: str) -> np.ndarray:
    if arr.dtype.kind in "biuf":
        return arr.astype(np.float64, copy=False)
    if arr.dtype.kind == "O" or arr.dtype.kind in "US" or arr.dtype.kind == "T":
        try:
            return np.asarray(pd.to_numeric(pd.Series(arr, copy=False)), dtype=np.float64)
        except (ValueError, TypeError):
            raise TypeError(
                f"{name} must hold numbers, got values such as {arr[0]!r} ({_type_name(arr[0])})."
            ) from None
    raise TypeError(f"{name} must hold numbers, got dtype {arr.dtype}.")


def check_binary(values, name: str, *, allow_empty: bool = False) -> np.ndarray:
    """Return ``values`` as an int8 array of 0 and 1.

    Booleans and the numbers 0/1 are accepted; NaN, other numbers and strings are rejected.
    """
    arr = check_array_1d(values, name, allow_empty=allow_empty)
    if arr.dtype == bool:
        return arr.astype(np.int8)
    num = _as_float(arr, name)
    if np.isnan(num).any():
        raise ValueError(
            f"{name} contains {int(np.isnan(num).sum())} missing value(s) (NaN); expected only 0 and 1."
        )
    bad = (num != 0) & (num != 1)
    if bad.any():
        found = np.unique(num[bad])[:5]
        raise ValueError(
            f"{name} must be binary (0/1 or False/True), found other values such as "
            f"{', '.join(f'{v:g}' for v in found)}."
        )
    return num.astype(np.int8)


def check_scores(values, name: str) -> np.ndarray:
    """Return finite real-valued scores (probabilities, logits) as float64."""
    arr = _as_float(check_array_1d(values, name), name)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite numbers; found NaN or infinity.")
    return arr


def check_sample_weight(sample_weight, n: int, name: str = "sample_weight") -> np.ndarray | None:
    """Return non-negative float weights of length ``n``, or ``None``."""
    if sample_weight is None:
        return None
    arr = _as_float(check_array_1d(sample_weight, name), name)
    if arr.shape[0] != n:
        raise ValueError(f"{name} has {arr.shape[0]} values but the data has {n} rows.")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite numbers; found NaN or infinity.")
    if (arr < 0).any():
        raise ValueError(f"{name} must be non-negative; found negative weights.")
    if arr.sum() <= 0:
        raise ValueError(f"{name} must have a positive sum; all weights are zero.")
    return arr


def check_consistent_length(**arrays) -> int:
    """Check that every given array has the same length and return it."""
    lengths = {k: len(v) for k, v in arrays.items() if v is not None}
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{k} has {n}" for k, n in lengths.items())
        raise ValueError(f"Inputs must have the same number of rows: {described}.")
    return next(iter(lengths.values())) if lengths else 0


def check_sensitive_features(
    sensitive_features,
    n: int | None = None,
    name: str = "sensitive_features",
    *,
    min_groups: int = 1,
    check_missing: bool = True,
) -> pd.DataFrame:
    """Return the sensitive features as a DataFrame with one column per feature.

    Accepts a Series, a DataFrame, a 1-D or 2-D array, a list, or a dict of column -> values.
    Missing values are rejected (a missing group is not a group); ``check_missing=False`` leaves
    that to a caller that finds them more cheaply (the metrics engine, from factorized codes). With ``min_groups=2`` a
    feature that takes only one value is rejected, since nothing can be compared.
    """
    sf = sensitive_features
    if sf is None:
        raise TypeError(f"{name} is required: pass a Series, DataFrame or array with one group label per row.")
    if isinstance(sf, pd.DataFrame):
        if sf.columns.duplicated().any():
            dup = list(dict.fromkeys(sf.columns[sf.columns.duplicated()]))
            raise ValueError(f"{name} has duplicate column names {', '.join(map(repr, dup))}: give every column its "
                             "own name.")
        frame = sf.reset_index(drop=True)
    elif isinstance(sf, pd.Series):
        frame = sf.reset_index(drop=True).to_frame(name=sf.name if sf.name is not None else "sensitive_feature_0")
    elif isinstance(sf, Mapping):
        try:
            frame = pd.DataFrame({k: np.asarray(v) for k, v in sf.items()})
        except ValueError as exc:
            raise ValueError(f"{name}: the columns of the mapping must have equal lengths ({exc}).") from None
    elif isinstance(sf, (str, bytes)) or np.isscalar(sf):
        raise TypeError(f"{name} must hold one group label per row, got a single {_type_name(sf)}.")
    else:
        try:
            arr = np.asarray(sf, dtype=object)
        except Exception as exc:
            raise TypeError(f"{name} must be array-like, could not convert it: {exc}") from None
        if arr.ndim == 1:
            frame = pd.DataFrame({"sensitive_feature_0": arr})
        elif arr.ndim == 2:
            frame = pd.DataFrame(arr, columns=[f"sensitive_feature_{i}" for i in range(arr.shape[1])])
        else:
            raise ValueError(f"{name} must be 1-D or 2-D, got an array of shape {arr.shape}.")
    if frame.shape[1] == 0:
        raise ValueError(f"{name} has no columns: expected at least one sensitive feature.")
    if frame.shape[0] == 0:
        raise ValueError(f"{name} is empty: expected one group label per row.")
    if n is not None and frame.shape[0] != n:
        raise ValueError(f"{name} has {frame.shape[0]} rows but the labels have {n}.")
    for col in frame.columns:
        if check_missing:
            raise_if_missing_groups(int(frame[col].isna().sum()), col, name)
        if min_groups > 1 and frame[col].nunique() < min_groups:
            raise ValueError(
                f"{name} column {col!r} has only one group ({frame[col].iloc[0]!r}); "
                f"expected at least {min_groups} groups to compare."
            )
    frame.columns = [str(c) for c in frame.columns]
    return frame


def group_mask(frame: pd.DataFrame, group, name: str) -> np.ndarray:
    """Rows that belong to ``group``: a value of the single column, or a mapping column -> value.

    ``frame`` comes from :func:`check_sensitive_features`; ``name`` is the argument that named
    the group (``favoured``, ``target``), so errors say which argument is wrong.
    """
    if isinstance(group, Mapping):
        if not group:
            raise ValueError(f"{name} is an empty mapping; give column -> value pairs.")
        mask = np.ones(len(frame), dtype=bool)
        for col, value in group.items():
            if col not in frame.columns:
                raise ValueError(
                    f"{name} names the column {col!r}, but sensitive_features has columns {list(frame.columns)}."
                )
            mask &= group_mask(frame[[col]], value, name)
        return mask
    if frame.shape[1] != 1:
        raise ValueError(
            f"sensitive_features has {frame.shape[1]} columns; give {name} as a mapping column -> value, "
            f"e.g. {{{frame.columns[0]!r}: ...}}."
        )
    column = frame.iloc[:, 0]
    mask = (column == group).to_numpy(dtype=bool)
    if not mask.any():
        known = ", ".join(map(repr, pd.unique(column)[:10]))
        raise ValueError(f"{name}={group!r} is not a group in sensitive_features; its groups are {known}.")
    return mask


def raise_if_missing_groups(n_missing: int, column, name: str = "sensitive_features") -> None:
    if n_missing:
        raise ValueError(
            f"{name} column {column!r} has {n_missing} missing value(s); "
            "give every row a group (for example 'unknown')."
        )


def check_fraction(value, name: str, *, low: float = 0.0, high: float = 1.0) -> float:
    """Return ``value`` as a float in ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number between {low:g} and {high:g}, got {_type_name(value)}.")
    value = float(value)
    if not (low <= value <= high) or np.isnan(value):
        raise ValueError(f"{name} must be between {low:g} and {high:g}, got {value:g}.")
    return value


def check_positive_int(value, name: str, *, minimum: int = 1) -> int:
    """Return ``value`` as an int of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int of at least {minimum}, got {_type_name(value)}.")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}.")
    return int(value)


def check_bool(value, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {_type_name(value)}.")
    return bool(value)


def check_choice(value, name: str, choices) -> str:
    """Return ``value`` if it is one of ``choices`` (strings)."""
    choices = tuple(choices)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {', '.join(map(repr, choices))}; got {_type_name(value)}.")
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}.")
    return value
