"""Labels and undefined rates, the way Fairlearn and scikit-learn read them.

``pos_label`` follows Fairlearn: ``None`` accepts labels from {0, 1} or from {-1, 1} (1 is
positive); any other value names the positive label among at most two distinct labels of
``y_true`` and ``y_pred`` together. ``zero_division`` follows scikit-learn: the value a rate takes
when its denominator is zero.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from .._validation import check_array_1d

__all__ = ["binarize_labels", "check_zero_division", "zero_division_text"]

_NUMBER_KINDS = "biuf"


def check_zero_division(zero_division) -> tuple[float, bool]:
    """Return (the value an undefined rate takes, whether to warn) for scikit-learn's options.

    ``"warn"`` is 0 with a warning, ``0`` / ``1`` are that value silently, ``np.nan`` is NaN
    (biaslab warns about NaN too, because a NaN group is left out of every disparity).
    """
    if isinstance(zero_division, str):
        if zero_division == "warn":
            return 0.0, True
        raise ValueError(f"zero_division must be 'warn', 0, 1 or np.nan; got {zero_division!r}.")
    if isinstance(zero_division, (bool, np.bool_)) or not isinstance(zero_division, numbers.Real):
        raise TypeError(f"zero_division must be 'warn', 0, 1 or np.nan; got {type(zero_division).__name__}.")
    value = float(zero_division)
    if np.isnan(value):
        return np.nan, True
    if value not in (0.0, 1.0):
        raise ValueError(f"zero_division must be 'warn', 0, 1 or np.nan; got {zero_division!r}.")
    return value, False


def zero_division_text(fill: float) -> str:
    return "NaN" if np.isnan(fill) else f"{fill:g}"


def _is_number(value) -> bool:
    return isinstance(value, (numbers.Number, np.number, np.bool_)) and not isinstance(value, (str, bytes))


def _kind(value) -> str:
    return "a number" if _is_number(value) else f"a {type(value).__name__}"


def _as_labels(values, name: str) -> np.ndarray:
    arr = check_array_1d(values, name)
    if arr.dtype.kind == "f" and np.isnan(arr).any():
        raise ValueError(f"{name} contains {int(np.isnan(arr).sum())} missing value(s) (NaN); give every row a label.")
    if arr.dtype.kind == "O":
        missing = int(pd.isna(arr).sum())
        if missing:
            raise ValueError(f"{name} contains {missing} missing value(s); give every row a label.")
    return arr


def _shown(labels) -> str:
    return ", ".join(map(repr, sorted(labels, key=str)[:5])) + (" ..." if len(labels) > 5 else "")


def _numeric_binary(arrays: list[np.ndarray]) -> list[np.ndarray] | None:
    """0/1 (positive 1) if every array is numeric and all lie in {0, 1} or all in {-1, 1}."""
    if not all(a.dtype.kind in _NUMBER_KINDS for a in arrays):
        return None
    if all(a.dtype == bool for a in arrays):
        return [a.astype(np.int8) for a in arrays]
    for low in (0, -1):
        if all(bool(((a == low) | (a == 1)).all()) for a in arrays):
            return [(a == 1).astype(np.int8) for a in arrays]
    return None


def _without_pos_label_message(arrays: dict, labels) -> str:
    for name, arr in arrays.items():
        own = pd.unique(np.asarray(arr, dtype=object))
        if not (set(own) <= {0, 1} or set(own) <= {-1, 1}):
            if len(own) > 2 or len(labels) > 2:
                return (f"{name} must be binary (0/1, -1/1 or booleans; or two labels and pos_label), "
                        f"found the labels {_shown(own)}.")
            return (f"{name} holds the labels {_shown(own)}: pass pos_label (e.g. pos_label={own[-1]!r}) to say which "
                    "one is positive; without it the labels must be 0/1 or -1/1 (as in Fairlearn).")
    names = " and ".join(arrays)
    return f"{names} mix 0/1 and -1/1 labels ({_shown(labels)}): use one coding, or pass pos_label."


def binarize_labels(named_arrays: dict, pos_label, *, binary: bool = True) -> list[np.ndarray]:
    """Turn label arrays into 0/1 (1 = ``pos_label``) with Fairlearn's rules, checked together.

    ``named_arrays`` maps argument names to arrays (``{"y_true": ..., "y_pred": ...}``); the
    distinct labels of all of them together are what ``pos_label`` is checked against.
    ``binary=False`` allows more than two labels (a selection rate: the share equal to ``pos_label``).
    """
    arrays = [_as_labels(values, name) for name, values in named_arrays.items()]
    names = " and ".join(named_arrays)
    if pos_label is None or (_is_number(pos_label) and not isinstance(pos_label, (bool, np.bool_)) and pos_label == 1):
        fast = _numeric_binary(arrays)
        if fast is not None:
            return fast
    labels = pd.unique(np.concatenate([np.asarray(a, dtype=object) for a in arrays]))
    if pos_label is None:
        if set(labels) <= {0, 1} or set(labels) <= {-1, 1}:
            return [np.asarray(a == 1, dtype=np.int8) for a in arrays]
        raise ValueError(_without_pos_label_message(dict(zip(named_arrays, arrays)), labels))
    if binary and len(labels) > 2:
        raise ValueError(
            f"{names} must hold at most two distinct values (binary labels), found {len(labels)}: {_shown(labels)}."
        )
    if any(_is_number(v) != _is_number(pos_label) for v in labels):
        raise TypeError(
            f"pos_label={pos_label!r} is {_kind(pos_label)} but the labels of {names} are not: {_shown(labels)}."
        )
    if not any(v == pos_label for v in labels) and len(labels) >= 2:
        raise ValueError(f"pos_label={pos_label!r} is not one of the labels of {names} ({_shown(labels)}).")
    # one distinct label that is not pos_label: every row is negative (Fairlearn reads it so too)
    return [np.asarray(a == pos_label, dtype=np.int8) for a in arrays]
