"""Mystery datasets: a sample of Adult with one source of bias planted, for learners to diagnose.

Module 03's exercise: an auditor receives a dataset and a complaint ("the model is unfair to
women", "... to Black people") and must find *where* the bias came from. Each mystery is a
random sample of the real Adult data in which one of the four sources of bias of
:mod:`biaslab.attacks` was planted against the group of the complaint. By default the seed
decides everything (the rows, the kind, the group, the strength), so anyone who knows the seed
knows the answer (:func:`planted_bias`): mysteries for practice. A class's hidden tests give the
kind, group and strength explicitly (``mystery_dataset(seed, kind=..., group=..., strength=...,
name=...)``, chosen from the grader's secret); the seed then only decides the rows and the noise,
and neither the seed nor the kind is in the dataset.

Every mystery has a 0/1 column ``district``. For proxy bias it encodes the group (with the
planted strength); for the other kinds it is random noise with the same share of ones, so its
mere presence gives nothing away. Measured values are rounded back to whole numbers and kept in
the column's real range, so the noise cannot be spotted by its decimals alone.

The fingerprints (compare the mystery with the clean Adult data, ``load_adult()``):

- representation: the group's share of the rows is far below its share in the population;
- historical label: the group's positive-label rate is far below its rate in the population,
  while its share and its features look as usual;
- measurement: the group's numeric features (``age``, ``education_num``, ``hours_per_week``)
  are spread wider than usual, compared with everyone else's;
- proxy: ``district`` is strongly correlated with membership of the group.
"""

from __future__ import annotations

import functools
import numbers
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from .._validation import group_mask
from ._accidental import historical_label_bias, measurement_bias, proxy_bias, representation_bias
from ._sweep import BIAS_KINDS, MEASURED_COLUMNS

__all__ = ["MYSTERY_GROUPS", "MYSTERY_STRENGTHS", "PlantedBias", "mystery_dataset", "planted_bias"]

#: The groups a complaint can name.
MYSTERY_GROUPS = ({"sex": "Female"}, {"race": "Black"})

#: The range each kind's strength is drawn from: strong enough to be diagnosed from a sample.
MYSTERY_STRENGTHS = {
    "representation": (0.8, 0.95),
    "historical_label": (0.6, 0.9),
    "measurement": (0.75, 1.0),
    "proxy": (0.6, 0.9),
}


class PlantedBias(NamedTuple):
    """What was planted in a mystery dataset: the answer a check compares with."""

    kind: str
    group: dict
    strength: float
    seed: int


def _check_seed(random_state) -> int:
    if isinstance(random_state, (bool, np.bool_)) or not isinstance(random_state, numbers.Integral):
        raise TypeError(
            f"random_state must be a non-negative int (the mystery's number), got {type(random_state).__name__}."
        )
    if random_state < 0:
        raise ValueError(f"random_state must be a non-negative int (the mystery's number), got {random_state}.")
    return int(random_state)


def planted_bias(random_state) -> PlantedBias:
    """The kind, group and strength of bias planted in ``mystery_dataset(random_state)``.

    Parameters
    ----------
    random_state : int
        The mystery's number (a non-negative int).

    Returns
    -------
    PlantedBias
        ``kind`` (one of ``"representation"``, ``"historical_label"``, ``"measurement"``,
        ``"proxy"``), ``group`` (e.g. ``{"sex": "Female"}``), ``strength`` and ``seed``.

    Examples
    --------
    >>> planted = planted_bias(0)
    >>> planted.kind in MYSTERY_STRENGTHS, planted.group in MYSTERY_GROUPS
    (True, True)
    """
    seed = _check_seed(random_state)
    # Each stack of eight (0-7, 8-15, ...) plants every kind against every group once, in its own order:
    # a diagnosis that only works for the group a kind happened to hit in the stack a learner sees
    # (a threshold on the group's raw share, say, instead of its share relative to the usual one) fails there.
    pairs = [(kind, g) for kind in BIAS_KINDS for g in range(len(MYSTERY_GROUPS))]
    block, place = divmod(seed, len(pairs))
    kind, g = pairs[int(np.random.default_rng([block, 7]).permutation(len(pairs))[place])]
    group = dict(MYSTERY_GROUPS[g])
    rng = np.random.default_rng([seed, 3])  # its own stream: the rows sampled later do not depend on it
    low, high = MYSTERY_STRENGTHS[kind]
    strength = round(float(rng.uniform(low, high)), 2)
    return PlantedBias(kind, group, strength, seed)


@functools.cache
def _adult():
    from ..datasets import load_adult

    return load_adult()


def _check_kind(kind) -> str:
    if not isinstance(kind, str) or kind not in BIAS_KINDS:
        raise ValueError(f"kind must be one of {', '.join(map(repr, BIAS_KINDS))}, got {kind!r}.")
    return str(kind)


def _check_group(group) -> dict:
    group = dict(group) if isinstance(group, dict) else group
    if group not in [dict(g) for g in MYSTERY_GROUPS]:
        raise ValueError(f"group must be one of {', '.join(map(repr, MYSTERY_GROUPS))}, got {group!r}.")
    return group


def _chosen_plant(random_state, kind, group, strength) -> PlantedBias:
    """:func:`planted_bias` of the seed, or the kind, group and strength given explicitly."""
    if kind is None and group is None and strength is None:
        return planted_bias(random_state)
    seed = _check_seed(random_state)
    if kind is None or group is None:
        raise TypeError("Give both kind and group (and optionally strength), or none of them.")
    kind, group = _check_kind(kind), _check_group(group)
    low, high = MYSTERY_STRENGTHS[kind]
    if strength is None:
        strength = round(float(np.random.default_rng([seed, 5]).uniform(low, high)), 2)
    if isinstance(strength, (bool, np.bool_)) or not isinstance(strength, numbers.Real) or not 0 <= strength <= 1:
        raise ValueError(f"strength must be a number between 0 and 1, got {strength!r}.")
    return PlantedBias(kind, group, float(strength), seed)


def mystery_dataset(random_state, *, n_rows: int = 6000, kind=None, group=None, strength=None,
                    name=None) -> Bunch:
    """A sample of the real Adult data with one source of bias planted, decided by the seed.

    Parameters
    ----------
    random_state : int
        The mystery's number. The same number gives the same dataset; the kind, group and
        strength planted are those of :func:`planted_bias` for that number, unless given.
    n_rows : int, default 6000
        Rows sampled from Adult before the bias is planted (representation bias then removes
        some of the group's rows). At least 2000, at most 48,842.
    kind, group, strength : optional
        The bias to plant, given explicitly (hidden tests): ``kind`` one of
        :data:`~biaslab.attacks.BIAS_KINDS`, ``group`` one of :data:`MYSTERY_GROUPS`, and
        ``strength`` (default: drawn from the kind's range of :data:`MYSTERY_STRENGTHS`). Give
        ``kind`` and ``group`` together. The seed then decides only the rows and the noise, and
        :func:`planted_bias` of the seed says nothing about this mystery.
    name : str, optional
        The mystery's name (default ``"mystery <random_state>"``), also the start of its
        ``DESCR``. Hidden tests give a name without the seed.

    Returns
    -------
    Bunch
        ``data`` (the Adult features plus ``district``), ``target`` (income > 50K),
        ``sensitive_features`` (``sex``, ``race``, ``age_band``), ``frame`` (all of them),
        ``group`` (the group of the complaint, e.g. ``{"sex": "Female"}``), ``name`` and ``DESCR``.
        The planted kind is *not* in it: that is the puzzle.

    Examples
    --------
    >>> mystery = mystery_dataset(0)
    >>> mystery.name, "district" in mystery.data.columns, len(mystery.data) <= 6000
    ('mystery 0', True, True)
    """
    planted = _chosen_plant(random_state, kind, group, strength)
    if name is None:
        name = f"mystery {planted.seed}"
    elif not isinstance(name, str) or not name.strip():
        raise TypeError(f"name must be a non-empty str, got {name!r}.")
    if isinstance(n_rows, (bool, np.bool_)) or not isinstance(n_rows, numbers.Integral):
        raise TypeError(f"n_rows must be an int (rows sampled from Adult), got {type(n_rows).__name__}.")
    adult = _adult()
    if not 2000 <= n_rows <= len(adult.target):
        raise ValueError(f"n_rows must be between 2000 and {len(adult.target)}, got {n_rows}.")

    rng = np.random.default_rng([planted.seed, 7])
    rows = np.sort(rng.choice(len(adult.target), size=int(n_rows), replace=False))
    X = adult.data.iloc[rows].reset_index(drop=True)
    y = adult.target.iloc[rows].reset_index(drop=True)
    sf = adult.sensitive_features.iloc[rows].reset_index(drop=True)
    common = dict(target=planted.group, strength=planted.strength, random_state=rng)

    if planted.kind == "representation":
        out = representation_bias(X, y, sensitive_features=sf, **common)
        X, y, sf = (part.reset_index(drop=True) for part in (out.X, out.y, out.sensitive_features))
    elif planted.kind == "historical_label":
        y = historical_label_bias(X, y, sensitive_features=sf, **common).y
    elif planted.kind == "measurement":
        noisy = measurement_bias(X, y, sensitive_features=sf, columns=list(MEASURED_COLUMNS), **common).X
        for col in MEASURED_COLUMNS:
            # whole numbers in the real range: the noise must be found by its spread, not its decimals
            low, high = adult.data[col].min(), adult.data[col].max()
            noisy[col] = noisy[col].round().clip(low, high).astype(adult.data[col].dtype)
        X = noisy
    proxy_strength = planted.strength if planted.kind == "proxy" else 0.0
    X = proxy_bias(X, y, sensitive_features=sf, target=planted.group, strength=proxy_strength, name="district",
                   random_state=rng).X

    (column, value), = planted.group.items()
    in_group = group_mask(sf, planted.group, "group")
    descr = (
        f"{name[:1].upper()}{name[1:]}: {len(y):,} people sampled from the real Adult census data (UCI), with ONE "
        f"source of bias planted against the group {column} = {value!r} ({int(in_group.sum()):,} rows). "
        "Columns as in load_adult(), plus district (0/1). Which source? Compare with load_adult()."
    )
    frame = pd.concat([X, sf[[c for c in sf.columns if c not in X.columns]], y.rename("income_over_50k")], axis=1)
    return Bunch(data=X, target=y, sensitive_features=sf, frame=frame, feature_names=list(X.columns),
                 group=dict(planted.group), name=name, DESCR=descr)
