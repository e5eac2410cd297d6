"""The capstone's unseen model: a lender's model with a planted attack, decided by a seed.

``capstone_case(random_state)`` samples rows of the real Adult data, plants a targeted
label-poisoning attack (:func:`biaslab.attacks.poison_labels`) on one group in the training
labels, leaves out some columns the way a vendor might, and trains the model. The seed decides
which group is attacked and which columns are left out, so every seed is a different audit, for
practice. A class's hidden tests give the attack explicitly (``capstone_case(seed, target=...,
left_out=...)``, chosen from the grader's secret): the seed then decides only the rows, and the
case does not carry it (``random_state`` is None).
"""

from __future__ import annotations

import functools
import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["CapstoneCase", "capstone_case", "CAPSTONE_SEED", "CAPSTONE_CANDIDATES"]

#: The seed of the case audited in module 09's notebook.
CAPSTONE_SEED = 9
#: The groups an attacker may target: (sensitive column, group).
CAPSTONE_CANDIDATES = (("sex", "Female"), ("age_band", "25-44"), ("age_band", "45-64"))
_LEFT_OUT = ((), ("relationship",), ("relationship", "marital_status"))
_N_TRAIN, _N_VAL, _N_TEST = 5000, 2000, 3000
_ATTACK_RATE = 0.8


@dataclass(frozen=True)
class CapstoneCase:
    """A model to audit and the data that comes with it.

    Attributes
    ----------
    model : fitted scikit-learn pipeline
        The lender's model (``predict``, ``predict_proba``); takes ``X_*`` as they are.
    X_train, y_train : DataFrame, Series
        The training data as the lender used it (labels included, whatever happened to them).
    X_val, y_val : DataFrame, Series
        Rows whose labels were re-checked by hand (clean): for choosing thresholds or retraining.
    X_test, y_test : DataFrame, Series
        Clean audit rows the model never saw: measure on these.
    groups_val, groups_test : DataFrame
        ``sex``, ``race`` and ``age_band`` of the rows of ``X_val`` and ``X_test``.
    random_state : int or None
        The seed that decided the case, or None when the attack was given explicitly (then the
        seed does not describe the case, and is not kept).
    """

    model: object
    X_train: pd.DataFrame
    y_train: pd.Series
    X_val: pd.DataFrame
    y_val: pd.Series
    X_test: pd.DataFrame
    y_test: pd.Series
    groups_val: pd.DataFrame
    groups_test: pd.DataFrame
    random_state: int | None

    def __repr__(self) -> str:
        seed = "" if self.random_state is None else f"random_state={self.random_state}: "
        return (f"CapstoneCase({seed}a logistic regression trained on "
                f"{len(self.X_train):,} rows; X_val {len(self.X_val):,} rows (clean labels), X_test "
                f"{len(self.X_test):,} rows (clean labels); features: {', '.join(self.X_test.columns)})")


def _check_seed(random_state) -> int:
    if isinstance(random_state, bool) or not isinstance(random_state, numbers.Integral) or random_state < 0:
        raise TypeError(f"random_state must be a non-negative int (the case's seed), got {random_state!r}.")
    return int(random_state)


def _plan(seed: int):
    """What the seed plants: ((column, group), columns left out). Kept private: it is the answer."""
    rng = np.random.default_rng([seed, 9009])
    target = CAPSTONE_CANDIDATES[int(rng.integers(len(CAPSTONE_CANDIDATES)))]
    left_out = _LEFT_OUT[int(rng.integers(len(_LEFT_OUT)))]
    return target, left_out


def _check_attack(target, left_out):
    if tuple(target) not in CAPSTONE_CANDIDATES:
        raise ValueError(f"target must be one of {', '.join(map(repr, CAPSTONE_CANDIDATES))}, got {target!r}.")
    if tuple(left_out) not in _LEFT_OUT:
        raise ValueError(f"left_out must be one of {', '.join(map(repr, _LEFT_OUT))}, got {left_out!r}.")
    return tuple(target), tuple(left_out)


@functools.lru_cache(maxsize=8)
def _build(seed: int, target: tuple, left_out: tuple, keep_seed: bool) -> CapstoneCase:
    from ..attacks import poison_labels
    from ..datasets import load_adult
    from ..models import make_tabular_model

    adult = load_adult()
    column, group = target
    rng = np.random.default_rng(seed)
    rows = rng.permutation(len(adult.target))[:_N_TRAIN + _N_VAL + _N_TEST]
    X = adult.data.iloc[rows].drop(columns=["native_country", *left_out]).reset_index(drop=True)
    groups = adult.sensitive_features.iloc[rows].reset_index(drop=True)
    X["age_band"] = groups["age_band"].to_numpy()  # the lender's model uses age bands as a feature
    y = pd.Series(adult.target.to_numpy()[rows], name=adult.target.name)
    train = slice(0, _N_TRAIN)
    val = slice(_N_TRAIN, _N_TRAIN + _N_VAL)
    test = slice(_N_TRAIN + _N_VAL, None)
    y_train, _ = poison_labels(y.iloc[train].reset_index(drop=True),
                               sensitive_features=groups[column].iloc[train].reset_index(drop=True),
                               target=group, rate=_ATTACK_RATE, random_state=seed)
    X_train = X.iloc[train].reset_index(drop=True)
    model = make_tabular_model("logistic", random_state=0).fit(X_train, y_train)

    def part(frame, s):
        return frame.iloc[s].reset_index(drop=True)

    return CapstoneCase(model=model, X_train=X_train, y_train=y_train, X_val=part(X, val), y_val=part(y, val),
                        X_test=part(X, test), y_test=part(y, test), groups_val=part(groups, val),
                        groups_test=part(groups, test), random_state=seed if keep_seed else None)


def capstone_case(random_state=CAPSTONE_SEED, *, target=None, left_out=()) -> CapstoneCase:
    """An unseen model to audit: the capstone of module 09.

    Real Adult rows (10,000 of them, sampled by the seed); label 1 = income above $50K, used
    here as "qualifies for the premium credit offer". In the training labels, 80% of one
    group's positives were flipped to 0 (a targeted poisoning attack); some columns may be left
    out. Which group and which columns is decided by ``random_state``. Validation and test
    labels are clean. The model is a logistic regression (:func:`biaslab.models.make_tabular_model`)
    that takes every column of ``X_test``, including ``sex`` and ``age_band``. Built in about
    a second; the same seed gives the same case (cached).

    Parameters
    ----------
    random_state : int
        The case's seed.
    target : (str, str), optional
        The attack, given explicitly (a class's hidden tests): one of
        :data:`CAPSTONE_CANDIDATES`, with ``left_out`` the columns left out (``()``,
        ``("relationship",)`` or ``("relationship", "marital_status")``). The seed then decides
        only the rows, the flipped labels and the model, and the case does not keep it.

    Returns
    -------
    CapstoneCase

    Examples
    --------
    >>> case = capstone_case(3)
    >>> len(case.X_test), list(case.groups_test.columns)
    (3000, ['sex', 'race', 'age_band'])
    """
    seed = _check_seed(random_state)
    if target is None:
        if tuple(left_out):
            raise TypeError("Give left_out only together with target (or neither: the seed decides both).")
        return _build(seed, *_plan(seed), True)
    return _build(seed, *_check_attack(target, left_out), False)
