"""Accidental bias with a strength knob: how bias gets into data without anyone planting it.

Four sources of bias (module 03, "where bias comes from"), each injected into one target group
with a ``strength`` between 0 (nothing changes) and 1 (the strongest form):

- :func:`representation_bias`: the group is under-sampled;
- :func:`historical_label_bias`: the group's positive outcomes were recorded as negative;
- :func:`measurement_bias`: the group's numbers were measured with more noise;
- :func:`proxy_bias`: a new feature encodes group membership.

All four are exact and deterministic given ``random_state``, never modify their inputs, and
return a :class:`BiasedData` that says which rows they touched. For a fixed seed the changes
are nested: a stronger setting changes a superset of the rows a weaker one changed (and
scales the same noise), so a strength slider moves smoothly instead of reshuffling.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd

from .._validation import (
    check_array_1d,
    check_binary,
    check_fraction,
    check_random_state,
    check_sensitive_features,
    group_mask,
)

__all__ = ["BiasedData", "representation_bias", "historical_label_bias", "measurement_bias", "proxy_bias"]


class BiasedData(NamedTuple):
    """Data after an injected bias, and which rows the bias touched.

    Attributes
    ----------
    X : DataFrame
        The features (with the original index; rows removed by :func:`representation_bias`,
        a column added by :func:`proxy_bias`).
    y : numpy array or Series
        The labels, of the type given (a list gives a numpy array).
    sensitive_features : Series, DataFrame or numpy array
        The sensitive features of the rows kept, of the type given (a mapping gives a DataFrame).
    affected : numpy bool array, one value per row of the *original* data
        The rows the bias touched: removed (representation), relabelled (historical), given
        noisy measurements (measurement), or given a proxy copied from the group (proxy).
    kept : numpy int array
        Positions, in the original data, of the rows of the new data, in order:
        ``X.iloc[kept]`` lines up with the new ``X``. All rows except for representation bias.
    """

    X: pd.DataFrame
    y: object
    sensitive_features: object
    affected: np.ndarray
    kept: np.ndarray


class _Data(NamedTuple):
    labels: np.ndarray
    in_target: np.ndarray
    strength: float
    rng: np.random.Generator


def _check_data(X, y, sensitive_features, target, strength, random_state, *, binary: bool) -> _Data:
    if not isinstance(X, pd.DataFrame):
        raise TypeError(f"X must be a pandas DataFrame (one row per person), got {type(X).__name__}.")
    labels = check_binary(y, "y") if binary else check_array_1d(y, "y")
    if len(X) != len(labels):
        raise ValueError(f"X has {len(X)} rows but y has {len(labels)}; give one label per row.")
    frame = check_sensitive_features(sensitive_features, len(labels))
    in_target = group_mask(frame, target, "target")
    strength = check_fraction(strength, "strength")
    rng = check_random_state(random_state)
    return _Data(labels, in_target, strength, rng)


def _rows(values, kept: np.ndarray):
    """``values`` restricted to the rows ``kept``, of the type given (copied)."""
    if isinstance(values, (pd.Series, pd.DataFrame)):
        return values.iloc[kept].copy()
    if isinstance(values, Mapping):
        return pd.DataFrame({k: np.asarray(v) for k, v in values.items()}).iloc[kept].reset_index(drop=True)
    return np.array(values, copy=True)[kept]


def _result(X, y, sensitive_features, affected, kept, *, new_X=None, new_y=None) -> BiasedData:
    return BiasedData(
        X=X.iloc[kept].copy() if new_X is None else new_X,
        y=_rows(y, kept) if new_y is None else new_y,
        sensitive_features=_rows(sensitive_features, kept),
        affected=affected,
        kept=kept,
    )


def representation_bias(X, y, *, sensitive_features, target, strength, random_state=None) -> BiasedData:
    """Under-sample one group: the data no longer represents it as it is.

    Of the ``n`` rows of the target group, ``floor(strength * n)`` chosen at random are removed,
    so ``n - floor(strength * n)`` are kept; rows of other groups are all kept, in their order.
    ``strength=1`` removes the whole group, the extreme of "datasets fall short of representing"
    it (metrics that need the group then fail on the biased data, while a clean test set still
    has it); use e.g. ``strength=0.95`` to keep a few rows. The removed rows are a uniform random
    sample, so the group's label rate is kept on average: the harm comes from having little data.

    Parameters
    ----------
    X : DataFrame
        Features, one row per person.
    y : array-like
        Labels, one per row.
    sensitive_features : Series, DataFrame, array-like or mapping column -> values
        Group of each row.
    target : a group value, or a mapping column -> value
        The under-sampled group, e.g. ``"Female"``, or ``{"sex": "Female", "race": "Black"}``.
    strength : float in [0, 1]
        Share of the target group's rows removed.
    random_state : None, int or numpy Generator
        Which rows are removed; for a fixed seed a larger strength removes a superset.

    Returns
    -------
    BiasedData
        ``affected`` marks the removed rows (of the original data); ``kept`` lists the
        positions of the rows kept.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"hours": [40, 38, 45, 20, 50, 36]})
    >>> sex = ["F", "F", "F", "F", "M", "M"]
    >>> out = representation_bias(X, [1, 0, 1, 0, 1, 0], sensitive_features=sex, target="F",
    ...                           strength=0.5, random_state=0)
    >>> len(out.X), int(out.affected.sum()), out.sensitive_features.tolist()
    (4, 2, ['F', 'F', 'M', 'M'])
    """
    data = _check_data(X, y, sensitive_features, target, strength, random_state, binary=False)
    group = np.flatnonzero(data.in_target)
    n_remove = math.floor(data.strength * len(group) + 1e-9)  # floor, robust to 0.1 * 30 = 2.9999...
    # one permutation per seed, removed from the front: nested across strengths
    removed = data.rng.permutation(group)[:n_remove]
    affected = np.zeros(len(data.labels), dtype=bool)
    affected[removed] = True
    kept = np.flatnonzero(~affected)
    return _result(X, y, sensitive_features, affected, kept)


def historical_label_bias(X, y, *, sensitive_features, target, strength, random_state=None) -> BiasedData:
    """Turn the target group's positive labels negative, each with probability ``strength``.

    Models a biased history: people of the group who deserved the positive outcome (hired,
    granted credit, diagnosed) were recorded as negatives. Each positive row of the target
    group is flipped independently with probability ``strength`` (a Bernoulli draw per row), so
    the number flipped is random, about ``strength * n``, unlike
    :func:`~biaslab.attacks.poison_labels`, which flips exactly ``floor(rate * n)`` on purpose.
    Negative rows and other groups are never changed; ``strength=1`` flips every positive.

    Parameters
    ----------
    X : DataFrame
        Features (returned as a copy, unchanged).
    y : array-like of 0/1
        Labels; 1 is the favourable outcome.
    sensitive_features : Series, DataFrame, array-like or mapping column -> values
    target : a group value, or a mapping column -> value
        The group whose positives were recorded as negatives.
    strength : float in [0, 1]
        Probability that each of the group's positives is flipped.
    random_state : None, int or numpy Generator
        The draws; one uniform number per row, flipped where it is below ``strength``, so for a
        fixed seed a larger strength flips a superset.

    Returns
    -------
    BiasedData
        ``affected`` marks the flipped labels.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"score": [7, 8, 9, 6, 8, 9]})
    >>> out = historical_label_bias(X, [1, 1, 1, 0, 1, 1], sensitive_features=["F"] * 4 + ["M"] * 2,
    ...                             target="F", strength=1.0, random_state=0)
    >>> out.y.tolist(), out.affected.tolist()
    ([0, 0, 0, 0, 1, 1], [True, True, True, False, False, False])
    """
    data = _check_data(X, y, sensitive_features, target, strength, random_state, binary=True)
    draws = data.rng.random(len(data.labels))  # in [0, 1): strength 0 flips none, 1 flips all
    affected = data.in_target & (data.labels == 1) & (draws < data.strength)
    kept = np.arange(len(data.labels))
    # the input's type and dtype survive (0 becomes False in a boolean y)
    new_y = y.to_numpy(copy=True) if isinstance(y, pd.Series) else np.array(y, copy=True)
    new_y[affected] = 0
    if isinstance(y, pd.Series):
        new_y = pd.Series(new_y, index=y.index, name=y.name).astype(y.dtype)
    return _result(X, y, sensitive_features, affected, kept, new_y=new_y)


def _numeric_columns(X: pd.DataFrame, columns) -> list:
    def numeric(col):
        dtype = X[col].dtype
        return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype) and not isinstance(
            dtype, pd.CategoricalDtype
        )

    if columns is None:
        found = [col for col in X.columns if numeric(col)]
        if not found:
            raise ValueError("X has no numeric columns to add noise to; give columns= explicitly.")
        return found
    if isinstance(columns, (str, bytes)) or not hasattr(columns, "__iter__"):
        columns = [columns]
    columns = list(columns)
    if not columns:
        raise ValueError("columns is empty; give at least one numeric column (or None for all of them).")
    for col in columns:
        if col not in X.columns:
            raise ValueError(f"columns names {col!r}, which is not a column of X.")
        if not numeric(col):
            raise TypeError(f"columns names {col!r}, which is not numeric (dtype {X[col].dtype}); noise needs numbers.")
    return list(dict.fromkeys(columns))


def measurement_bias(X, y, *, sensitive_features, target, strength, columns=None, random_state=None) -> BiasedData:
    """Measure the target group's numbers less precisely: add noise to its rows only.

    For each chosen column, Gaussian noise with standard deviation ``strength * sd`` is added to
    the target group's values, where ``sd`` is the column's standard deviation over all rows
    (pandas ``std``, ``ddof=1``, ignoring NaN). ``strength=1`` gives noise as large as the spread
    of the column itself. Other rows, other columns and missing values stay exactly as they were.
    Noised integer columns become float columns (unrounded measurements); values are not
    clipped (a noisy age can be below 18).

    Parameters
    ----------
    X : DataFrame
        Features.
    y : array-like
        Labels (returned as given).
    sensitive_features : Series, DataFrame, array-like or mapping column -> values
    target : a group value, or a mapping column -> value
        The group measured with noise.
    strength : float in [0, 1]
        Noise standard deviation as a share of each column's standard deviation.
    columns : column name or list of names, optional
        Numeric columns to noise; by default every numeric (not boolean, not categorical) column.
    random_state : None, int or numpy Generator
        The noise; for a fixed seed the noise is proportional to ``strength``.

    Returns
    -------
    BiasedData
        ``affected`` marks the target rows that got noise (those with at least one non-missing
        value in ``columns``); none when ``strength=0``.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"age": [25, 35, 45, 55], "job": ["a", "b", "a", "b"]})
    >>> out = measurement_bias(X, [0, 1, 0, 1], sensitive_features=["F", "F", "M", "M"],
    ...                        target="F", strength=0.5, random_state=0)
    >>> out.affected.tolist(), out.X["age"].iloc[2:].tolist(), bool((out.X["age"].iloc[:2] != [25, 35]).all())
    ([True, True, False, False], [45.0, 55.0], True)
    """
    data = _check_data(X, y, sensitive_features, target, strength, random_state, binary=False)
    columns = _numeric_columns(X, columns)
    n = len(data.labels)
    kept = np.arange(n)
    # drawn for every row and column, whatever the strength: the same seed gives the same noise
    noise = data.rng.standard_normal((n, len(columns)))
    if data.strength == 0:
        return _result(X, y, sensitive_features, np.zeros(n, dtype=bool), kept)
    new_X = X.copy()
    rows = np.flatnonzero(data.in_target)
    affected = np.zeros(n, dtype=bool)
    for j, col in enumerate(columns):
        values = X[col].to_numpy(dtype=np.float64, na_value=np.nan)
        sd = float(np.nanstd(values, ddof=1)) if np.isfinite(values).sum() > 1 else 0.0
        noisy = values.copy()
        noisy[rows] += data.strength * sd * noise[rows, j]
        new_X[col] = pd.Series(noisy, index=X.index, name=col)
        affected[rows] |= ~np.isnan(values[rows]) & (sd > 0)
    return _result(X, y, sensitive_features, affected, kept, new_X=new_X)


def proxy_bias(X, y, *, sensitive_features, target, strength, name="proxy", random_state=None) -> BiasedData:
    """Add a feature that encodes group membership: a proxy, as a postcode can encode race.

    The new column ``name`` is 0/1. In each row, with probability ``strength`` it copies the
    group indicator (1 for the target group, 0 otherwise); otherwise it is a random draw that is
    1 with probability ``p``, the share of the target group in the data. So the proxy is 1 in
    about a share ``p`` of rows at every strength, and its expected correlation (Pearson, i.e.
    phi) with the group indicator equals ``strength``: 0 is pure noise, 1 the attribute itself.
    (Proof: cov = strength * p(1-p) and both variances are p(1-p).) Dropping the sensitive
    attribute then no longer hides it from a model.

    Parameters
    ----------
    X : DataFrame
        Features; the proxy is added as its last column.
    y : array-like
        Labels (returned as given).
    sensitive_features : Series, DataFrame, array-like or mapping column -> values
    target : a group value, or a mapping column -> value
        The group the proxy points to.
    strength : float in [0, 1]
        Probability that a row's proxy copies the group indicator; the expected correlation.
    name : str, default "proxy"
        Name of the new column; must not be a column of ``X`` already.
    random_state : None, int or numpy Generator
        The draws; for a fixed seed a larger strength copies the indicator in a superset of rows.

    Returns
    -------
    BiasedData
        ``affected`` marks the rows whose proxy copies the indicator (the rest are random, and
        agree with it only by chance).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> sex = np.repeat(["F", "M"], 500)
    >>> out = proxy_bias(pd.DataFrame({"hours": np.arange(1000)}), np.zeros(1000), sensitive_features=sex,
    ...                  target="F", strength=0.8, random_state=0)
    >>> list(out.X.columns), round(float(np.corrcoef(out.X["proxy"], sex == "F")[0, 1]), 1)
    (['hours', 'proxy'], 0.8)
    """
    data = _check_data(X, y, sensitive_features, target, strength, random_state, binary=False)
    if not isinstance(name, str):
        raise TypeError(f"name must be a str (the new column's name), got {type(name).__name__}.")
    if name in X.columns:
        raise ValueError(f"name={name!r} is already a column of X; choose another name for the proxy.")
    n = len(data.labels)
    indicator = data.in_target.astype(np.int64)
    copied = data.rng.random(n) < data.strength
    random_values = (data.rng.random(n) < data.in_target.mean()).astype(np.int64)
    new_X = X.copy()
    new_X[name] = np.where(copied, indicator, random_values)
    return _result(X, y, sensitive_features, copied, np.arange(n), new_X=new_X)
