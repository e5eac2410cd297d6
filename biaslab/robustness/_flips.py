"""Flip rates: the share of predictions that change when one input changes.

Everything is vectorised over rows: the model is called once on the original data and once per
changed value (per counterfactual value, direction or grid step), never once per row.
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np
import pandas as pd

from .._validation import check_positive_int

__all__ = [
    "CounterfactualFlips",
    "PerturbationFlips",
    "WorstCaseFlips",
    "counterfactual_flip_rate",
    "perturbation_sensitivity",
    "worst_case_flip",
]


# ----------------------------------------------------------------------------- results


def _short(series: pd.Series) -> str:
    return "{" + ", ".join(f"{k!r}: {v:.3g}" for k, v in series.items()) + "}"


class CounterfactualFlips(NamedTuple):
    """What changing a sensitive attribute alone does to a model's predictions.

    Attributes
    ----------
    rate : float
        Share of rows whose prediction changes for at least one other value of the column.
    by_value : Series
        That share among the rows holding each original value (index: the value).
    flipped : Series of bool
        Per row (index of ``X``): does some other value change the prediction?
    flips : DataFrame of bool
        Per row and tried value (columns): does setting the column to that value change the
        prediction? False where the row already holds the value.
    proba_change : Series or None
        Per row, the largest absolute change of a predicted class probability over the tried
        values; ``None`` if the model has no ``predict_proba``. Shows scores that move even
        when the predicted label does not.
    """

    rate: float
    by_value: pd.Series
    flipped: pd.Series
    flips: pd.DataFrame
    proba_change: pd.Series | None

    def __repr__(self):
        by_value = _short(self.by_value)
        return f"CounterfactualFlips(rate={self.rate:.4g}, by_value={by_value}, n_rows={len(self.flipped)})"


class PerturbationFlips(NamedTuple):
    """What moving a numeric column by ``+delta`` and ``-delta`` does to a model's predictions.

    Attributes
    ----------
    rate : float
        Share of rows whose prediction changes in at least one direction.
    rate_up, rate_down : float
        Share of rows whose prediction changes at ``x + delta`` and at ``x - delta``.
    flipped_up, flipped_down : Series of bool
        Per row (index of ``X``).
    proba_change : Series or None
        Per row, the largest absolute change of a predicted class probability over the two
        directions; ``None`` if the model has no ``predict_proba``.
    """

    rate: float
    rate_up: float
    rate_down: float
    flipped_up: pd.Series
    flipped_down: pd.Series
    proba_change: pd.Series | None

    def __repr__(self):
        return (
            f"PerturbationFlips(rate={self.rate:.4g}, rate_up={self.rate_up:.4g}, rate_down={self.rate_down:.4g}, "
            f"n_rows={len(self.flipped_up)})"
        )


class WorstCaseFlips(NamedTuple):
    """Whether any change within ``[-delta, delta]`` (on a grid) flips a model's prediction.

    Attributes
    ----------
    rate : float
        Share of rows for which some change on the grid flips the prediction.
    flipped : Series of bool
        Per row (index of ``X``).
    min_change : Series of float
        Per row, the smallest ``|change|`` on the grid that flips the prediction; NaN if none.
    change : Series of float
        The signed change of ``min_change`` (the negative one when both signs flip); NaN if none.
    offsets : numpy array
        The grid of changes tried, ``numpy.linspace(-delta, delta, n_steps)``.
    """

    rate: float
    flipped: pd.Series
    min_change: pd.Series
    change: pd.Series
    offsets: np.ndarray

    def __repr__(self):
        return (
            f"WorstCaseFlips(rate={self.rate:.4g}, median_min_change={self.min_change.median():.4g}, "
            f"n_steps={len(self.offsets)}, n_rows={len(self.flipped)})"
        )


# ----------------------------------------------------------------------------- checks and helpers


def _check_model(model):
    if not callable(getattr(model, "predict", None)):
        raise TypeError(f"model must be a fitted model with a predict method, got {type(model).__name__}.")
    return model


def _check_frame(X, column) -> pd.DataFrame:
    if not isinstance(X, pd.DataFrame):
        raise TypeError(f"X must be a pandas DataFrame holding the column to change, got {type(X).__name__}.")
    if len(X) == 0:
        raise ValueError("X is empty: expected at least one row.")
    if isinstance(column, (list, tuple, set, dict, np.ndarray, pd.Index, pd.Series)):
        raise TypeError(f"column must be a single column name, got a {type(column).__name__}.")
    if column not in X.columns:
        shown = ", ".join(map(repr, list(X.columns)[:15])) + (", ..." if X.shape[1] > 15 else "")
        raise ValueError(
            f"column={column!r} is not a column of X (columns: {shown}). The column must be an input of the "
            "model and be in X; if the model was trained without it, changing it cannot change a prediction."
        )
    return X


def _is_number_column(series: pd.Series) -> bool:
    dtype = series.dtype
    return (
        pd.api.types.is_numeric_dtype(dtype)
        and not pd.api.types.is_bool_dtype(dtype)
        and not isinstance(dtype, pd.CategoricalDtype)
    )


def _check_numeric_column(X: pd.DataFrame, column) -> None:
    if not _is_number_column(X[column]):
        raise TypeError(
            f"column={column!r} must be numeric to move it by delta, but its dtype is {X[column].dtype}; "
            "use counterfactual_flip_rate for categories."
        )


def _check_delta(delta) -> float:
    if isinstance(delta, bool) or not isinstance(delta, numbers.Real):
        raise TypeError(f"delta must be a non-negative number (the size of the change), got {type(delta).__name__}.")
    delta = float(delta)
    if not np.isfinite(delta) or delta < 0:
        raise ValueError(f"delta must be a finite non-negative number, got {delta:g}.")
    return delta


def _predict(model, X: pd.DataFrame) -> np.ndarray:
    pred = np.asarray(model.predict(X))
    if pred.ndim == 2 and pred.shape[1] == 1:
        pred = pred[:, 0]
    if pred.shape != (len(X),):
        raise ValueError(f"model.predict returned shape {pred.shape}; expected one prediction per row ({len(X)},).")
    return pred


def _proba(model, X: pd.DataFrame) -> np.ndarray | None:
    method = getattr(model, "predict_proba", None)  # hasattr is False where sklearn hides it
    if not callable(method):
        return None
    proba = np.asarray(method(X), dtype=np.float64)
    return proba.reshape(len(X), -1)


def _with_column(X: pd.DataFrame, column, values: pd.Series) -> pd.DataFrame:
    out = X.copy(deep=False)  # copy-on-write: X itself never changes
    out[column] = values
    return out


def _constant_like(original: pd.Series, value) -> pd.Series:
    """A column holding ``value`` in every row, with the original's dtype where it fits."""
    dtype = original.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        codes = np.full(len(original), dtype.categories.get_loc(value))
        return pd.Series(pd.Categorical.from_codes(codes, dtype=dtype), index=original.index, name=original.name)
    constant = pd.Series(value, index=original.index, name=original.name)
    try:
        cast = constant.astype(dtype)
    except (TypeError, ValueError):
        return constant
    return cast if bool((cast == constant).all()) else constant  # never truncate 1.5 to 1


def _shifted(original: pd.Series, offset: float) -> pd.Series:
    if pd.api.types.is_integer_dtype(original.dtype) and float(offset).is_integer():
        return original + int(offset)  # ages stay whole years
    return original.astype(np.float64) + offset


def _check_values(X: pd.DataFrame, column, values) -> list:
    series = X[column]
    dtype = series.dtype
    if values is None:
        observed = pd.unique(series.dropna())
        if isinstance(dtype, pd.CategoricalDtype):
            values = [c for c in dtype.categories if c in set(observed)]
        else:
            try:
                values = sorted(observed)
            except TypeError:  # mixed types: keep the order of appearance
                values = list(observed)
        if len(values) < 2:
            raise ValueError(
                f"column={column!r} takes {len(values)} value(s) in X; give values= to say which values to try."
            )
        return values
    if isinstance(values, (str, bytes)) or np.isscalar(values) or not hasattr(values, "__iter__"):
        raise TypeError(f"values must be a list of values to try for {column!r}, got a single {type(values).__name__}.")
    values = list(values)
    if not values:
        raise ValueError("values is empty; give at least one value to try (or None for the observed ones).")
    if len(set(values)) != len(values):
        raise ValueError(f"values lists a value more than once: {values}.")
    if isinstance(dtype, pd.CategoricalDtype):
        unknown = [v for v in values if v not in dtype.categories]
        if unknown:
            raise ValueError(
                f"values holds {unknown[0]!r}, which is not a category of {column!r} "
                f"(categories: {list(dtype.categories)})."
            )
    return values


# ----------------------------------------------------------------------------- public functions


def counterfactual_flip_rate(model, X, *, column, values=None) -> CounterfactualFlips:
    """Share of predictions that change when only the sensitive attribute changes.

    For each row and each value of ``column`` other than the row's own, the column is set to
    that value, everything else kept, and the prediction compared with the original one. A row
    *flips* if some other value changes its prediction; for a binary attribute that is a swap.
    A model that does not use the column (trained without it, or a pipeline that drops it) has
    a rate of exactly 0, but a rate of 0 does not make a model fair: proxies can carry the
    attribute (module 01). Rows where the column is missing get every value tried and are
    listed under NaN in ``by_value``.

    Parameters
    ----------
    model : fitted model with ``predict``
        Takes ``X`` as it is (e.g. a pipeline of :func:`biaslab.models.make_tabular_model`);
        ``predict_proba`` is used too, if the model has it.
    X : DataFrame
        The rows to test; must hold ``column``.
    column : column name
        The attribute to change, e.g. ``"sex"``.
    values : list, optional
        The values to try; by default the values the column takes in ``X`` (for a categorical
        column, in the order of its categories).

    Returns
    -------
    CounterfactualFlips
        ``rate``, ``by_value`` (rate per original value), per-row ``flipped``, ``flips`` per
        tried value and ``proba_change``.

    Examples
    --------
    >>> import pandas as pd
    >>> class BiasedRule:  # approves men over 40 only
    ...     def predict(self, X):
    ...         return ((X["sex"] == "M") & (X["age"] > 40)).astype(int).to_numpy()
    >>> X = pd.DataFrame({"sex": ["F", "F", "M", "M"], "age": [30, 50, 30, 50]})
    >>> result = counterfactual_flip_rate(BiasedRule(), X, column="sex")
    >>> result.rate, result.by_value.to_dict()
    (0.5, {'F': 0.5, 'M': 0.5})
    >>> result.flipped.tolist()
    [False, True, False, True]
    """
    model = _check_model(model)
    X = _check_frame(X, column)
    values = _check_values(X, column, values)
    original = X[column]
    base = _predict(model, X)
    base_proba = _proba(model, X)
    flips = np.zeros((len(X), len(values)), dtype=bool)
    proba_change = np.zeros(len(X)) if base_proba is not None else None
    for j, value in enumerate(values):
        counterfactual = ~(original == value).to_numpy(dtype=bool, na_value=False)
        changed = _with_column(X, column, _constant_like(original, value))
        flips[:, j] = (_predict(model, changed) != base) & counterfactual
        if base_proba is not None:
            delta = np.abs(_proba(model, changed) - base_proba).max(axis=1)
            proba_change = np.maximum(proba_change, np.where(counterfactual, delta, 0.0))
    flipped = pd.Series(flips.any(axis=1), index=X.index, name="flipped")
    # grouped by position (X's index may repeat); a categorical keeps its categories' order
    by_value = flipped.reset_index(drop=True).groupby(
        original.reset_index(drop=True), observed=True, dropna=False, sort=True
    ).mean()
    by_value = by_value.rename("flip_rate").rename_axis(column)
    return CounterfactualFlips(
        rate=float(flipped.mean()),
        by_value=by_value,
        flipped=flipped,
        flips=pd.DataFrame(flips, index=X.index, columns=pd.Index(values, name=column)),
        proba_change=None if proba_change is None else pd.Series(proba_change, index=X.index, name="proba_change"),
    )


def perturbation_sensitivity(model, X, *, column, delta) -> PerturbationFlips:
    """Share of predictions that change when a number moves by ``+delta`` or ``-delta``.

    Every row's ``column`` is moved by ``+delta`` (one prediction for all rows) and by
    ``-delta`` (another), everything else kept. A robust model should not change its answer
    for a patient whose age or weight is off by a little. Values are not clipped (an age of 1
    can become -1); missing values stay missing and so never flip. An integer column stays
    integer when ``delta`` is a whole number.

    Parameters
    ----------
    model : fitted model with ``predict``
    X : DataFrame
        The rows to test; must hold ``column``.
    column : column name
        A numeric column (not boolean, not categorical), e.g. ``"age"``.
    delta : non-negative number
        Size of the change, in the column's units (e.g. 2 years).

    Returns
    -------
    PerturbationFlips
        ``rate`` (either direction), ``rate_up``, ``rate_down``, per-row ``flipped_up`` and
        ``flipped_down``, and ``proba_change``.

    Examples
    --------
    >>> import pandas as pd
    >>> class Over50:
    ...     def predict(self, X):
    ...         return (X["age"] > 50).astype(int).to_numpy()
    >>> X = pd.DataFrame({"age": [30, 49, 50, 51, 52, 60]})
    >>> result = perturbation_sensitivity(Over50(), X, column="age", delta=2)
    >>> result.rate_up, result.rate_down, result.rate
    (0.3333333333333333, 0.3333333333333333, 0.6666666666666666)
    """
    model = _check_model(model)
    X = _check_frame(X, column)
    _check_numeric_column(X, column)
    delta = _check_delta(delta)
    original = X[column]
    base = _predict(model, X)
    base_proba = _proba(model, X)
    flipped = {}
    proba_change = None if base_proba is None else np.zeros(len(X))
    for direction, offset in (("up", delta), ("down", -delta)):
        moved = _with_column(X, column, _shifted(original, offset))
        flipped[direction] = pd.Series(_predict(model, moved) != base, index=X.index, name=f"flipped_{direction}")
        if base_proba is not None:
            proba_change = np.maximum(proba_change, np.abs(_proba(model, moved) - base_proba).max(axis=1))
    either = flipped["up"] | flipped["down"]
    return PerturbationFlips(
        rate=float(either.mean()),
        rate_up=float(flipped["up"].mean()),
        rate_down=float(flipped["down"].mean()),
        flipped_up=flipped["up"],
        flipped_down=flipped["down"],
        proba_change=None if proba_change is None else pd.Series(proba_change, index=X.index, name="proba_change"),
    )


def worst_case_flip(model, X, *, column, delta, n_steps=21) -> WorstCaseFlips:
    """For each row, does some change of ``column`` within ``[-delta, delta]`` flip the prediction?

    The changes tried are the grid ``numpy.linspace(-delta, delta, n_steps)``, ends included
    (with the default 21 steps, in tenths of ``delta``); a change of 0 is skipped. The model is
    called once per grid step on all rows, smallest ``|change|`` first, and stops early once
    every row has flipped. A prediction that flips only between grid points is missed, so the
    rate is a lower bound that rises with ``n_steps``. With ``n_steps=2`` it equals the
    combined rate of :func:`perturbation_sensitivity`.

    Parameters
    ----------
    model : fitted model with ``predict``
    X : DataFrame
        The rows to test; must hold ``column``.
    column : column name
        A numeric column (not boolean, not categorical).
    delta : non-negative number
        Largest change tried, in the column's units.
    n_steps : int, at least 2, default 21
        Number of grid points from ``-delta`` to ``delta``.

    Returns
    -------
    WorstCaseFlips
        ``rate``, per-row ``flipped``, ``min_change`` (smallest ``|change|`` that flips, NaN if
        none), its signed ``change`` and the grid ``offsets``.

    Examples
    --------
    >>> import pandas as pd
    >>> class Over50:
    ...     def predict(self, X):
    ...         return (X["age"] > 50).astype(int).to_numpy()
    >>> X = pd.DataFrame({"age": [30, 49, 50, 51, 52, 60]})
    >>> result = worst_case_flip(Over50(), X, column="age", delta=2, n_steps=5)
    >>> result.rate, result.min_change.tolist()
    (0.6666666666666666, [nan, 2.0, 1.0, 1.0, 2.0, nan])
    >>> result.change.tolist()
    [nan, 2.0, 1.0, -1.0, -2.0, nan]
    """
    model = _check_model(model)
    X = _check_frame(X, column)
    _check_numeric_column(X, column)
    delta = _check_delta(delta)
    n_steps = check_positive_int(n_steps, "n_steps", minimum=2)
    offsets = np.linspace(-delta, delta, n_steps)
    original = X[column]
    base = _predict(model, X)
    change = np.full(len(X), np.nan)
    # smallest |change| first (the negative one first at a tie), so the first flip is the smallest
    for offset in offsets[np.argsort(np.abs(offsets), kind="stable")]:
        if offset == 0:
            continue
        pending = np.isnan(change)
        if not pending.any():
            break
        moved = _with_column(X, column, _shifted(original, offset))
        newly = pending & (_predict(model, moved) != base)
        change[newly] = offset
    changed = pd.Series(change, index=X.index, name="change")
    flipped = changed.notna().rename("flipped")
    return WorstCaseFlips(
        rate=float(flipped.mean()),
        flipped=flipped,
        min_change=changed.abs().rename("min_change"),
        change=changed,
        offsets=offsets,
    )
