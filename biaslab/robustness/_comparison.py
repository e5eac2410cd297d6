"""What robust training costs and buys, on held-out patients of several random splits.

:func:`compare_robust_training` trains one model per training variant (standard, with
sex-swapped copies, with jittered copies, with both) on each split and measures each with
:func:`robustness_summary`. On the heart disease data with gradient boosting that takes about a
minute on 2 CPU cores, so module 05 loads the shipped result (:func:`load_robust_training_results`,
made by ``scripts/make_robustness_results.py``) and recomputes it only when asked.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd

from .._validation import check_bool, check_positive_int
from ._training import counterfactual_augment, perturbation_augment, robustness_summary

__all__ = [
    "TRAINING_VARIANTS",
    "HEART_SETUP",
    "ROBUST_TRAINING_FILE",
    "compare_robust_training",
    "load_robust_training_results",
]

#: The training variants of :func:`compare_robust_training`, in the order of its table.
TRAINING_VARIANTS = ("standard", "sex-swapped copies", "jittered copies", "both")

#: The setup of the shipped heart disease comparison (module 05).
HEART_SETUP = {
    "kind": "gradient_boosting",
    "sensitive": "sex",
    # training jitter: a year or two of age, lab-to-lab variation of blood pressure and cholesterol
    "train_deltas": {"age": 2, "resting_blood_pressure": 10, "cholesterol": 20},
    "n_copies": 10,
    # evaluation: one year of age, a repeat measurement of blood pressure and cholesterol
    "eval_deltas": {"age": 1, "resting_blood_pressure": 5, "cholesterol": 10},
    "worst_case_deltas": {"age": 5},
    "n_splits": 5,
    "test_size": 1 / 3,
    "random_state": 0,
}

#: File name of the shipped result in ``biaslab/experiments/results/``.
ROBUST_TRAINING_FILE = "robustness_heart_training.csv"

_RESULTS_DIR = Path(__file__).resolve().parents[1] / "experiments" / "results"


def _training_sets(X_train, y_train, *, sensitive, train_deltas, n_copies, random_state):
    swapped = counterfactual_augment(X_train, y_train, column=sensitive)
    return {
        "standard": (X_train, y_train),
        "sex-swapped copies": swapped,
        "jittered copies": perturbation_augment(X_train, y_train, deltas=train_deltas, n_copies=n_copies,
                                                random_state=random_state),
        # the swapped set is already twice as large: half the jittered copies give the same size
        "both": perturbation_augment(swapped.X, swapped.y, deltas=train_deltas, n_copies=max(1, n_copies // 2),
                                     random_state=random_state),
    }


def compare_robust_training(X, y, *, kind="gradient_boosting", sensitive="sex", train_deltas, n_copies=10,
                            eval_deltas=None, worst_case_deltas=None, n_splits=5, test_size=1 / 3,
                            random_state=0, progress=False) -> pd.DataFrame:
    """Train each variant of :data:`TRAINING_VARIANTS` on random splits and measure it on the test rows.

    Each split is a stratified ``train_test_split`` (seed ``random_state + split``). On its
    training rows, four models of the same ``kind`` are trained: on the rows as they are, with a
    copy of every row with ``sensitive`` changed (:func:`counterfactual_augment`), with
    ``n_copies`` jittered copies (:func:`perturbation_augment`), and with both. Each is measured
    on the split's test rows with :func:`robustness_summary`. Runs with one thread per
    library, which is the fastest for data this small.

    Parameters
    ----------
    X : DataFrame
    y : array-like of 0/1
    kind : str, default "gradient_boosting"
        A kind of :func:`biaslab.models.make_tabular_model`.
    sensitive : column name, default "sex"
        Changed in the counterfactual copies and in the evaluation.
    train_deltas : dict
        ``{column: delta}`` of the jittered copies.
    n_copies : int, default 10
        Jittered copies per row ("both": half as many, of the twice-as-large swapped set).
    eval_deltas, worst_case_deltas : dict, optional
        Passed to :func:`robustness_summary` as ``deltas`` and ``worst_case_deltas``.
    n_splits : int, default 5
    test_size : float, default 1/3
    random_state : int, default 0
        Seeds the splits, the jitter and the models.
    progress : bool, default False
        Print one line per split.

    Returns
    -------
    DataFrame
        One row per split and variant: ``split``, ``variant``, then the columns of
        :func:`robustness_summary`.
    """
    import time

    from sklearn.model_selection import train_test_split
    from threadpoolctl import threadpool_limits

    from ..models import make_tabular_model

    n_splits = check_positive_int(n_splits, "n_splits")
    n_copies = check_positive_int(n_copies, "n_copies")
    random_state = check_positive_int(random_state, "random_state", minimum=0)
    progress = check_bool(progress, "progress")
    if not isinstance(X, pd.DataFrame):
        raise TypeError(f"X must be a pandas DataFrame, got {type(X).__name__}.")
    y = pd.Series(np.asarray(y), index=X.index)
    rows = []
    # many small fits: one thread each avoids OpenMP's oversubscription on busy cores
    with threadpool_limits(1):
        for split in range(n_splits):
            start = time.perf_counter()
            X_train, X_test, y_train, y_test = train_test_split(
                X, y, test_size=test_size, stratify=y, random_state=random_state + split)
            sets = _training_sets(X_train, y_train, sensitive=sensitive, train_deltas=train_deltas,
                                  n_copies=n_copies, random_state=random_state + split)
            for variant, (X_fit, y_fit) in sets.items():
                model = make_tabular_model(kind, random_state=random_state).fit(X_fit, y_fit)
                summary = robustness_summary(model, X_test, y_test, counterfactual=sensitive, deltas=eval_deltas,
                                             worst_case_deltas=worst_case_deltas)
                rows.append({"split": split, "variant": variant, **summary.to_dict()})
            if progress:
                print(f"split {split + 1}/{n_splits}: {time.perf_counter() - start:.1f} s", flush=True)
    return pd.DataFrame(rows)


@functools.cache
def _read_shipped() -> pd.DataFrame:
    path = _RESULTS_DIR / ROBUST_TRAINING_FILE
    if not path.is_file():
        raise FileNotFoundError(f"The shipped result {path} is missing; run scripts/make_robustness_results.py.")
    return pd.read_csv(path)


def load_robust_training_results(*, recompute=False, progress=False) -> pd.DataFrame:
    """The heart disease comparison of robust training (:data:`HEART_SETUP`), shipped or recomputed.

    Parameters
    ----------
    recompute : bool, default False
        ``False`` reads the shipped file (milliseconds); ``True`` runs
        :func:`compare_robust_training` live on :func:`biaslab.datasets.load_heart_disease`
        (about a minute on 2 CPU cores) and gives the same numbers.
    progress : bool, default False
        With ``recompute=True``: print one line per split.

    Returns
    -------
    DataFrame
        One row per split and variant (see :func:`compare_robust_training`); ``attrs["source"]``
        says where it came from.

    Examples
    --------
    >>> table = load_robust_training_results()
    >>> sorted(table["variant"].unique()) == sorted(TRAINING_VARIANTS)
    True
    """
    recompute = check_bool(recompute, "recompute")
    progress = check_bool(progress, "progress")
    if recompute:
        from ..datasets import load_heart_disease

        heart = load_heart_disease()
        frame = compare_robust_training(heart.data, heart.target, progress=progress, **HEART_SETUP)
        frame.attrs["source"] = "recomputed live (compare_robust_training with HEART_SETUP)"
        return frame
    frame = _read_shipped().copy()
    frame.attrs["source"] = f"shipped: {ROBUST_TRAINING_FILE} (scripts/make_robustness_results.py)"
    return frame
