"""Robust training by data augmentation, and one table of what robustness costs and buys.

A model learns to ignore what varies in its training data while the label stays the same. Two
augmentations use that:

- :func:`perturbation_augment` adds copies of every row with numbers moved a little at random
  (a patient's age by a year or two, a blood pressure by a few mm Hg), so a small change no
  longer moves the decision boundary through a patient;
- :func:`counterfactual_augment` adds copies with the sensitive attribute changed (every other
  value), so the model cannot tell the copies apart and learns not to use the attribute.

:func:`robustness_summary` measures a fitted model's accuracy and AUROC beside its flip rates, so
that models trained with and without augmentation can be compared in one table.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd

from .._validation import check_binary, check_positive_int, check_random_state
from ._flips import (
    _check_delta,
    _check_frame,
    _check_model,
    _check_numeric_column,
    _check_values,
    _constant_like,
    counterfactual_flip_rate,
    perturbation_sensitivity,
    worst_case_flip,
)

__all__ = ["AugmentedData", "perturbation_augment", "counterfactual_augment", "robustness_summary"]


class AugmentedData(NamedTuple):
    """Training data with added copies: the original rows first, then the copies.

    Unpacks as ``X_aug, y_aug = ...``. Both have a fresh index ``0 .. n - 1``; the first
    ``len(X)`` rows are the originals, in their order.

    Attributes
    ----------
    X : DataFrame
        The rows, with the same columns and dtypes as the input (a whole-number change of an
        integer column keeps it integer; otherwise the changed column becomes float).
    y : Series
        The labels: each copy keeps its original's label.
    """

    X: pd.DataFrame
    y: pd.Series


def _check_frame_only(X) -> pd.DataFrame:
    if not isinstance(X, pd.DataFrame):
        raise TypeError(f"X must be a pandas DataFrame, got {type(X).__name__}.")
    if len(X) == 0:
        raise ValueError("X is empty: expected at least one row.")
    return X


def _check_labels(y, n_rows: int) -> pd.Series:
    if isinstance(y, pd.DataFrame):
        raise TypeError("y must be one column of labels (a Series, list or array), got a DataFrame.")
    if isinstance(y, (str, bytes)) or np.isscalar(y) or not hasattr(y, "__len__"):
        raise TypeError(f"y must be one label per row of X (a Series, list or array), got {type(y).__name__}.")
    if len(y) != n_rows:
        raise ValueError(f"y has {len(y)} labels but X has {n_rows} rows; give one label per row.")
    name = y.name if isinstance(y, pd.Series) else None
    return pd.Series(np.asarray(y), name=name)


def _check_deltas(X: pd.DataFrame, deltas) -> dict:
    if not isinstance(deltas, Mapping):
        raise TypeError(
            "deltas must be a dict from column name to the largest change, e.g. {'age': 2, 'cholesterol': 20}; "
            f"got {type(deltas).__name__}."
        )
    if not deltas:
        raise ValueError("deltas is empty: name at least one numeric column to perturb.")
    checked = {}
    for column, delta in deltas.items():
        _check_frame(X, column)
        _check_numeric_column(X, column)
        checked[column] = _check_delta(delta)
    return checked


def _random_offsets(original: pd.Series, delta: float, rng: np.random.Generator) -> pd.Series:
    if pd.api.types.is_integer_dtype(original.dtype) and float(delta).is_integer():
        # whole years stay whole years: offsets -delta, ..., delta, equally likely
        offsets = rng.integers(-int(delta), int(delta) + 1, size=len(original))
        return original + offsets
    return original.astype(np.float64) + rng.uniform(-delta, delta, size=len(original))


def perturbation_augment(X, y, *, deltas, n_copies=5, random_state=None) -> AugmentedData:
    """Add ``n_copies`` randomly perturbed copies of every row, with the same labels.

    In each copy, every column named in ``deltas`` moves by its own random amount, drawn
    uniformly from ``[-delta, delta]`` independently per row and column (for an integer column
    and a whole ``delta``: the whole numbers ``-delta, ..., delta``, so ages stay whole years).
    Other columns are copied unchanged. Training on the result teaches the model that such
    small changes do not change the label, which makes its predictions less likely to flip
    when a measurement is a little off (check with :func:`perturbation_sensitivity`). Missing
    values stay missing.

    Parameters
    ----------
    X : DataFrame
        The training rows.
    y : array-like
        One label per row.
    deltas : dict
        ``{column: largest change}`` in each column's units, e.g. ``{"age": 2, "cholesterol": 20}``;
        the columns must be numeric (not boolean, not categorical).
    n_copies : int, at least 1, default 5
        Copies per row: the result has ``(n_copies + 1) * len(X)`` rows.
    random_state : None, int or numpy Generator
        Seed of the random changes; the same seed gives the same copies.

    Returns
    -------
    AugmentedData
        ``(X, y)``: the originals first, then the copies (copy 1 of every row, then copy 2, ...).

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"age": [40, 60], "smoker": ["no", "yes"]})
    >>> X_aug, y_aug = perturbation_augment(X, [0, 1], deltas={"age": 2}, n_copies=2, random_state=0)
    >>> len(X_aug), y_aug.tolist()
    (6, [0, 1, 0, 1, 0, 1])
    >>> X_aug["smoker"].tolist()
    ['no', 'yes', 'no', 'yes', 'no', 'yes']
    >>> bool(((X_aug["age"] - pd.concat([X["age"]] * 3, ignore_index=True)).abs() <= 2).all())
    True
    """
    X = _check_frame_only(X)
    y = _check_labels(y, len(X))
    deltas = _check_deltas(X, deltas)
    n_copies = check_positive_int(n_copies, "n_copies")
    rng = check_random_state(random_state)
    copies = [X]
    for _ in range(n_copies):
        copy = X.copy()
        for column, delta in deltas.items():  # in the dict's order, so the same seed gives the same copies
            copy[column] = _random_offsets(X[column], delta, rng).to_numpy()
        copies.append(copy)
    return AugmentedData(
        X=pd.concat(copies, ignore_index=True),
        y=pd.concat([y] * (n_copies + 1), ignore_index=True),
    )


def counterfactual_augment(X, y, *, column, values=None) -> AugmentedData:
    """Add, for every row, a copy with ``column`` set to each other value; labels unchanged.

    For a binary attribute such as sex, every patient gets a twin of the other sex with the same
    diagnosis. The model then sees the attribute carry no information about the label and
    learns not to use it, so its counterfactual flip rate (:func:`counterfactual_flip_rate`)
    falls to about 0. Whether that is right depends on the use: where the attribute is a real
    cause of the outcome (sex is a risk factor for heart disease), it also throws away true
    information. Rows where the column is missing get one copy per value.

    Parameters
    ----------
    X : DataFrame
        The training rows; must hold ``column``.
    y : array-like
        One label per row.
    column : column name
        The attribute to change, e.g. ``"sex"``.
    values : list, optional
        The values to give it; by default the values it takes in ``X``.

    Returns
    -------
    AugmentedData
        ``(X, y)``: the originals first, then, for each value in turn, the rows that do not hold
        it, set to it.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"sex": ["F", "M", "M"], "age": [50, 60, 70]})
    >>> X_aug, y_aug = counterfactual_augment(X, [1, 0, 1], column="sex")
    >>> X_aug.to_dict("list")
    {'sex': ['F', 'M', 'M', 'F', 'F', 'M'], 'age': [50, 60, 70, 60, 70, 50]}
    >>> y_aug.tolist()
    [1, 0, 1, 0, 1, 1]
    """
    X = _check_frame(X, column)
    y = _check_labels(y, len(X))
    values = _check_values(X, column, values)
    original = X[column]
    parts_X, parts_y = [X], [y]
    for value in values:
        others = ~(original == value).to_numpy(dtype=bool, na_value=False)
        if not others.any():
            continue
        copy = X[others].copy()
        copy[column] = _constant_like(copy[column], value)
        parts_X.append(copy)
        parts_y.append(y[others])
    return AugmentedData(X=pd.concat(parts_X, ignore_index=True), y=pd.concat(parts_y, ignore_index=True))


def robustness_summary(model, X, y, *, counterfactual=None, deltas=None, worst_case_deltas=None,
                       n_steps=21) -> pd.Series:
    """What a fitted model gets right beside how easily its predictions flip, as one row of a table.

    Parameters
    ----------
    model : fitted model with ``predict`` (and ``predict_proba`` for AUROC)
    X : DataFrame
        Held-out rows (never the training rows: they sit far from the boundary and flip less).
    y : array-like of 0/1
        Their labels.
    counterfactual : column name, optional
        A sensitive attribute: adds ``"flip rate: <column> changed"``
        (:func:`counterfactual_flip_rate`).
    deltas : dict, optional
        ``{column: delta}``: adds ``"flip rate: <column> ±<delta>"`` for each
        (:func:`perturbation_sensitivity`).
    worst_case_deltas : dict, optional
        ``{column: delta}``: adds ``"worst case: <column> within ±<delta>"`` for each
        (:func:`worst_case_flip` with ``n_steps`` grid points).
    n_steps : int, default 21
        Grid points of the worst-case search.

    Returns
    -------
    Series
        ``accuracy``, ``AUROC`` (NaN without ``predict_proba`` or with one class in ``y``), then
        the flip rates asked for, each a share of the rows of ``X``.

    Examples
    --------
    >>> import pandas as pd
    >>> class Over50:
    ...     def predict(self, X):
    ...         return (X["age"] > 50).astype(int).to_numpy()
    >>> X = pd.DataFrame({"age": [30, 49, 50, 51, 52, 60]})
    >>> robustness_summary(Over50(), X, [0, 1, 0, 1, 1, 1], deltas={"age": 1}).round(3).to_dict()
    {'accuracy': 0.833, 'AUROC': nan, 'flip rate: age ±1': 0.333}
    """
    from sklearn.metrics import roc_auc_score

    model = _check_model(model)
    X = _check_frame_only(X)
    y_true = check_binary(_check_labels(y, len(X)).to_numpy(), "y")
    for mapping in (deltas, worst_case_deltas):
        if mapping is not None:
            _check_deltas(X, mapping)
    n_steps = check_positive_int(n_steps, "n_steps", minimum=2)
    y_pred = np.asarray(model.predict(X)).reshape(-1)
    row = {"accuracy": float(np.mean(y_pred == y_true)), "AUROC": np.nan}
    predict_proba = getattr(model, "predict_proba", None)
    if callable(predict_proba) and len(np.unique(y_true)) == 2:
        row["AUROC"] = float(roc_auc_score(y_true, np.asarray(predict_proba(X))[:, 1]))
    if counterfactual is not None:
        row[f"flip rate: {counterfactual} changed"] = counterfactual_flip_rate(model, X, column=counterfactual).rate
    for column, delta in (deltas or {}).items():
        row[f"flip rate: {column} ±{delta:g}"] = perturbation_sensitivity(model, X, column=column, delta=delta).rate
    for column, delta in (worst_case_deltas or {}).items():
        row[f"worst case: {column} within ±{delta:g}"] = worst_case_flip(
            model, X, column=column, delta=delta, n_steps=n_steps).rate
    return pd.Series(row, name="robustness")
