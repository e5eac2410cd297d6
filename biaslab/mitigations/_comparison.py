"""Module 08's comparison of tabular mitigations: one table, one accuracy-fairness plane.

Every method trains the same logistic regression (:func:`biaslab.models.make_tabular_model`)
on the same rows and is scored on the same test rows, so the methods differ only in what they
change: the training rows' weights (reweighing), labels (massaging), or rows (uniform and
preferential sampling), the decision thresholds (group thresholds), or the training objective
(exponentiated gradient, with ``eps=0.01``).

The full comparison takes minutes on 2 CPU cores (exponentiated gradient alone refits the model
dozens of times), so the course ships it: ``scripts/make_mitigation_results.py`` writes
``biaslab/experiments/results/tabular_mitigation_comparison.csv`` and
:func:`load_mitigation_results` reads it; ``recompute=True`` reruns chosen methods live.

The data (:func:`mitigation_data`):

- ``"adult"``: sensitive attribute sex, favoured ``"Male"``, label income > 50K. The official
  training split (32,561 rows) is cut into a fitting part (75%) and a validation part (25%, for
  choosing thresholds), both stratified by sex and label; the official test split (16,281 rows)
  scores every method.
- ``"compas"``: African-American and Caucasian defendants only (5,278 rows), favoured
  ``"Caucasian"``. The *favourable* label is 1 = **not** arrested again within two years (the
  loader's target turned round), so that "selected" means "judged low risk": the discrimination
  is then P(low risk | white) - P(low risk | black), and the equal opportunity gap compares,
  among people who were not re-arrested, how often each group was judged low risk (ProPublica's
  false positive rates, seen from the other side). Split 60/20/20, stratified by race and label.
"""

from __future__ import annotations

import functools
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .._validation import check_bool, check_choice

__all__ = [
    "MITIGATION_DATASETS",
    "MITIGATION_METHODS",
    "MITIGATION_RESULTS_FILE",
    "FAIRNESS_COLUMNS",
    "mitigation_data",
    "fit_baseline",
    "evaluate_predictions",
    "run_mitigation",
    "load_mitigation_results",
    "pareto_front",
]

#: The datasets of the comparison, with their sensitive column and favoured group.
MITIGATION_DATASETS = {
    "adult": {"sensitive": "sex", "favoured": "Male", "deprived": "Female"},
    "compas": {"sensitive": "race", "favoured": "Caucasian", "deprived": "African-American"},
}

#: The methods of the comparison, in the order of the table, with their family.
MITIGATION_METHODS = {
    "no mitigation": "baseline",
    "reweighing": "pre-processing",
    "massaging": "pre-processing",
    "uniform sampling": "pre-processing",
    "preferential sampling": "pre-processing",
    "group thresholds (equal opportunity)": "post-processing",
    "group thresholds (demographic parity)": "post-processing",
    "exponentiated gradient (equal opportunity)": "in-processing",
    "exponentiated gradient (demographic parity)": "in-processing",
}

#: The fairness columns of the table, and what they measure (on the test split, favoured minus deprived).
FAIRNESS_COLUMNS = {
    "discrimination": "discrimination P(ŷ=1 | favoured) − P(ŷ=1 | deprived)",
    "tpr_gap": "equal opportunity gap TPR(favoured) − TPR(deprived)",
}

#: File name of the shipped comparison in ``biaslab/experiments/results/``.
MITIGATION_RESULTS_FILE = "tabular_mitigation_comparison.csv"

_RESULTS_DIR = Path(__file__).resolve().parents[1] / "experiments" / "results"

# the knob of the line on the plane: how far the thresholds move from the baseline's 0.5 to the
# group thresholds (0 = baseline, 1 = fully equalised). Exponentiated gradient is one point: on
# these data its constraint binds for every eps from 0.1 to 0.01 (a sweep gave four equal points)
_THRESHOLD_STRENGTHS = (0.0, 0.25, 0.5, 0.75, 1.0)
_EG_EPS = (0.01,)
_COLUMNS = ["dataset", "method", "family", "setting", "param", "accuracy", "discrimination", "tpr_gap",
            "selection_rate", "train_label_discrimination", "seconds"]


def _split(frame_keys: pd.DataFrame, fractions, random_state: int) -> list[np.ndarray]:
    """Row positions of consecutive parts, each stratified by the columns of ``frame_keys``."""
    rng = np.random.default_rng(random_state)
    parts = [[] for _ in fractions]
    strata = pd.MultiIndex.from_frame(frame_keys.astype(str))
    codes = pd.factorize(strata, sort=True)[0]
    bounds = np.cumsum(fractions)[:-1]
    for code in np.unique(codes):
        rows = rng.permutation(np.flatnonzero(codes == code))
        for part, chunk in zip(parts, np.split(rows, np.round(bounds * len(rows)).astype(int))):
            part.append(chunk)
    return [np.sort(np.concatenate(part)) for part in parts]


@functools.cache
def _data(dataset: str):
    from sklearn.utils import Bunch

    from ..datasets import DatasetHarmWarning, load_adult, load_compas

    info = MITIGATION_DATASETS[dataset]
    column = info["sensitive"]
    if dataset == "adult":
        adult = load_adult()
        train_rows = np.flatnonzero(adult.frame["split"].to_numpy() == "train")
        test_rows = np.flatnonzero(adult.frame["split"].to_numpy() == "test")
        X, y = adult.data, adult.target.to_numpy().astype(np.int64)
        s = adult.sensitive_features[column].astype(str).to_numpy()
        keys = pd.DataFrame({"s": s[train_rows], "y": y[train_rows]})
        fit_part, val_part = _split(keys, (0.75, 0.25), random_state=0)
        parts = {"train": train_rows[fit_part], "validation": train_rows[val_part], "test": test_rows}
        label = "income > 50K"
    else:
        with warnings.catch_warnings():
            # the notebook shows COMPAS's harm warning where it loads the data; here it is the same data again
            warnings.simplefilter("ignore", DatasetHarmWarning)
            compas = load_compas()
        race = compas.sensitive_features[column].astype(str).to_numpy()
        keep = np.flatnonzero(np.isin(race, [info["favoured"], info["deprived"]]))
        X = compas.data.iloc[keep].reset_index(drop=True)
        y = 1 - compas.target.to_numpy()[keep].astype(np.int64)  # 1 = not re-arrested: the favourable outcome
        s = race[keep]
        parts = dict(zip(("train", "validation", "test"),
                         _split(pd.DataFrame({"s": s, "y": y}), (0.6, 0.2, 0.2), random_state=0)))
        label = "not re-arrested within two years"
    bunch = Bunch(dataset=dataset, sensitive=column, favoured=info["favoured"], deprived=info["deprived"],
                  label=label)
    for name, rows in parts.items():
        bunch[f"X_{name}"] = X.iloc[rows].reset_index(drop=True)
        bunch[f"y_{name}"] = y[rows]
        bunch[f"s_{name}"] = pd.Series(s[rows], name=column)
    return bunch


def mitigation_data(dataset="adult"):
    """The training, validation and test rows of the comparison (see the module docstring).

    Parameters
    ----------
    dataset : {"adult", "compas"}

    Returns
    -------
    sklearn.utils.Bunch
        ``X_train, y_train, s_train`` (fitting), ``X_validation, ...`` (choosing thresholds),
        ``X_test, ...`` (scoring); ``s_*`` is a Series of group names; ``favoured``,
        ``deprived``, ``sensitive`` (the column name) and ``label`` (what 1 means). The same
        object on every call: copy it before changing it.

    Examples
    --------
    >>> data = mitigation_data("adult")
    >>> len(data.y_train), len(data.y_validation), len(data.y_test)
    (24420, 8141, 16281)
    >>> data.favoured, data.label
    ('Male', 'income > 50K')
    """
    return _data(check_choice(dataset, "dataset", tuple(MITIGATION_DATASETS)))


def _logistic():
    from ..models import make_tabular_model

    return make_tabular_model("logistic", random_state=0)


@functools.cache
def _baseline(dataset: str):
    data = _data(dataset)
    return _logistic().fit(data.X_train, data.y_train)


def fit_baseline(dataset="adult"):
    """The unmitigated model: the course's logistic regression fitted on the training rows.

    Trained once per session and shared (the exercises of module 08 use the same one): call
    ``sklearn.base.clone`` on it before fitting it to something else.

    Parameters
    ----------
    dataset : {"adult", "compas"}

    Returns
    -------
    biaslab.models.TabularModel
        Fitted; ``predict_proba(X)[:, 1]`` is the score.
    """
    return _baseline(check_choice(dataset, "dataset", tuple(MITIGATION_DATASETS)))


def evaluate_predictions(y_true, y_pred, *, sensitive_features, favoured, deprived) -> dict:
    """Accuracy, discrimination, TPR gap and selection rate of 0/1 predictions.

    Parameters
    ----------
    y_true, y_pred : array-like of 0/1
    sensitive_features : array-like of group names
    favoured, deprived : the two groups compared (favoured minus deprived)

    Returns
    -------
    dict
        ``accuracy``, ``discrimination`` (P(ŷ=1 | favoured) − P(ŷ=1 | deprived)), ``tpr_gap``
        (TPR favoured − TPR deprived), ``selection_rate``.

    Examples
    --------
    >>> evaluate_predictions([1, 0, 1, 0], [1, 1, 0, 0], sensitive_features=["M", "M", "F", "F"],
    ...                      favoured="M", deprived="F")
    {'accuracy': 0.5, 'discrimination': 1.0, 'tpr_gap': 1.0, 'selection_rate': 0.5}
    """
    from .._validation import check_binary, check_consistent_length

    y_true = check_binary(y_true, "y_true")
    y_pred = check_binary(y_pred, "y_pred")
    groups = np.asarray(sensitive_features).astype(str)
    check_consistent_length(y_true=y_true, y_pred=y_pred, sensitive_features=groups)
    rates = {}
    for name in (favoured, deprived):
        in_group = groups == str(name)
        if not (in_group & (y_true == 1)).any():
            raise ValueError(f"sensitive_features: group {name!r} has no rows with y_true = 1.")
        rates[name] = (y_pred[in_group].mean(), y_pred[in_group & (y_true == 1)].mean())
    return {
        "accuracy": float(np.mean(y_pred == y_true)),
        "discrimination": float(rates[favoured][0] - rates[deprived][0]),
        "tpr_gap": float(rates[favoured][1] - rates[deprived][1]),
        "selection_rate": float(np.mean(y_pred)),
    }


def _row(data, method, pred, seconds, *, setting="", param=np.nan, train_disc=np.nan) -> dict:
    figures = evaluate_predictions(data.y_test, pred, sensitive_features=data.s_test, favoured=data.favoured,
                                   deprived=data.deprived)
    return {"dataset": data.dataset, "method": method, "family": MITIGATION_METHODS[method], "setting": setting,
            "param": float(param), **figures, "train_label_discrimination": float(train_disc),
            "seconds": float(seconds)}


def _label_disc(data, y, s, weights=None) -> float:
    from ..metrics import discrimination_score

    return float(discrimination_score(y, sensitive_features=np.asarray(s), favoured=data.favoured,
                                      sample_weight=weights))


def _dense(Z):
    return Z.toarray() if hasattr(Z, "toarray") else np.asarray(Z)


def _run(dataset: str, method: str) -> list[dict]:
    from . import (GroupThresholds, exponentiated_gradient, massage, preferential_sampling, reweighing_weights,
                   uniform_sampling)

    data = _data(dataset)
    start = time.perf_counter()
    label_disc = _label_disc(data, data.y_train, data.s_train)
    if method == "no mitigation":
        model = _logistic().fit(data.X_train, data.y_train)
        return [_row(data, method, model.predict(data.X_test), time.perf_counter() - start, train_disc=label_disc)]
    if method == "reweighing":
        weights = reweighing_weights(data.y_train, sensitive_features=data.s_train)
        model = _logistic().fit(data.X_train, data.y_train, sample_weight=weights)
        return [_row(data, method, model.predict(data.X_test), time.perf_counter() - start,
                     train_disc=_label_disc(data, data.y_train, data.s_train, weights))]
    if method == "massaging":
        result = massage(data.X_train, data.y_train, sensitive_features=data.s_train, favoured=data.favoured)
        model = _logistic().fit(data.X_train, result.y)
        return [_row(data, method, model.predict(data.X_test), time.perf_counter() - start,
                     setting=f"{result.n_pairs} pairs relabelled", param=result.n_pairs,
                     train_disc=_label_disc(data, result.y, data.s_train))]
    if method in ("uniform sampling", "preferential sampling"):
        if method == "uniform sampling":
            sample = uniform_sampling(data.X_train, data.y_train, sensitive_features=data.s_train, random_state=0)
        else:
            sample = preferential_sampling(data.X_train, data.y_train, sensitive_features=data.s_train)
        model = _logistic().fit(sample.X, sample.y)
        return [_row(data, method, model.predict(data.X_test), time.perf_counter() - start,
                     setting=f"{len(sample.indices)} rows", train_disc=_label_disc(data, sample.y,
                                                                                     sample.sensitive_features))]
    if method.startswith("group thresholds"):
        criterion = "equal_opportunity" if "opportunity" in method else "demographic_parity"
        baseline = _baseline(dataset)
        start = time.perf_counter()  # the shared baseline is not this method's cost
        val_scores = baseline.predict_proba(data.X_validation)[:, 1]
        test_scores = baseline.predict_proba(data.X_test)[:, 1]
        chosen = GroupThresholds(criterion=criterion).fit(val_scores, data.y_validation,
                                                          sensitive_features=data.s_validation).thresholds_
        groups = data.s_test.to_numpy()
        rows = []
        for strength in _THRESHOLD_STRENGTHS:
            # move each group's threshold a share `strength` of the way from 0.5 to its equalising value
            per_group = {g: 0.5 + strength * (t - 0.5) for g, t in chosen.items()}
            pred = (test_scores >= pd.Series(groups).map(per_group).to_numpy()).astype(np.int64)
            setting = ", ".join(f"{g} {t:.3f}" for g, t in per_group.items())
            rows.append(_row(data, method, pred, time.perf_counter() - start, setting=setting, param=strength,
                             train_disc=label_disc))
        return rows
    if method.startswith("exponentiated gradient"):
        from sklearn.base import clone
        from sklearn.linear_model import LogisticRegression

        constraint = "equal_opportunity" if "opportunity" in method else "demographic_parity"
        # Fairlearn needs dense input: encode once; liblinear fits these weighted problems fastest
        encoder = clone(_logistic()[:-1]).fit(data.X_train)
        Z_train, Z_test = _dense(encoder.transform(data.X_train)), _dense(encoder.transform(data.X_test))
        rows = []
        for eps in _EG_EPS:
            t = time.perf_counter()
            model = exponentiated_gradient(LogisticRegression(solver="liblinear"), Z_train, data.y_train,
                                           sensitive_features=data.s_train.to_numpy(), constraint=constraint,
                                           random_state=0, eps=eps)
            rows.append(_row(data, method, model.predict(Z_test), time.perf_counter() - t, setting=f"eps {eps:g}",
                             param=eps, train_disc=label_disc))
        return rows
    raise AssertionError(method)  # pragma: no cover - methods are checked by the caller


def run_mitigation(method, dataset="adult") -> pd.DataFrame:
    """Run one method of the comparison live and return its rows of the table.

    Parameters
    ----------
    method : str
        A key of :data:`MITIGATION_METHODS`.
    dataset : {"adult", "compas"}

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`load_mitigation_results`. Group thresholds give one row per
        strength (0 = the baseline's 0.5 for everyone, 1 = the thresholds that equalise the rate
        on the validation rows); the other methods one row.
    """
    method = check_choice(method, "method", tuple(MITIGATION_METHODS))
    dataset = check_choice(dataset, "dataset", tuple(MITIGATION_DATASETS))
    return pd.DataFrame(_run(dataset, method), columns=_COLUMNS)


def load_mitigation_results(dataset=None, *, recompute=False, methods=None) -> pd.DataFrame:
    """The comparison table: every method's test accuracy and fairness, one row per setting.

    Parameters
    ----------
    dataset : {"adult", "compas"} or None
        One dataset's rows, or both (None).
    recompute : bool, default False
        False: read the shipped table (instant). True: rerun ``methods`` live (exponentiated
        gradient takes about a minute on 2 cores; the others a few seconds each) and put their
        rows in place of the shipped ones.
    methods : str or list of str, optional
        With ``recompute=True``, the methods to rerun (default: all, which takes minutes).

    Returns
    -------
    pandas.DataFrame
        Columns ``dataset, method, family, setting, param, accuracy, discrimination, tpr_gap,
        selection_rate, train_label_discrimination, seconds``; the fairness columns are signed,
        favoured minus deprived (see :data:`FAIRNESS_COLUMNS`). ``attrs["source"]`` says
        whether the rows were shipped or recomputed.

    Examples
    --------
    >>> table = load_mitigation_results("adult")
    >>> table.loc[table["method"] == "reweighing", "train_label_discrimination"].round(6).tolist()
    [0.0]
    """
    recompute = check_bool(recompute, "recompute")
    datasets = tuple(MITIGATION_DATASETS) if dataset is None else (
        check_choice(dataset, "dataset", tuple(MITIGATION_DATASETS)),)
    if methods is not None:
        if not recompute:
            raise ValueError("methods is only used with recompute=True (the shipped table has every method).")
        methods = [methods] if isinstance(methods, str) else list(methods)
        if not methods:
            raise ValueError("methods is empty: name at least one method of MITIGATION_METHODS.")
        methods = [check_choice(m, "methods", tuple(MITIGATION_METHODS)) for m in methods]
    path = _RESULTS_DIR / MITIGATION_RESULTS_FILE
    if path.is_file():
        table = pd.read_csv(path, keep_default_na=False, na_values=[""])
        table["setting"] = table["setting"].fillna("")
    elif recompute and methods is None:
        table = pd.DataFrame(columns=_COLUMNS)
    else:
        raise FileNotFoundError(f"The shipped result {path} is missing; run scripts/make_mitigation_results.py.")
    table = table[table["dataset"].isin(datasets)]
    source = f"shipped: {MITIGATION_RESULTS_FILE} (scripts/make_mitigation_results.py)"
    if recompute:
        redo = list(MITIGATION_METHODS) if methods is None else methods
        fresh = [run_mitigation(m, d) for d in datasets for m in redo]
        table = pd.concat([table[~table["method"].isin(redo)], *fresh], ignore_index=True)
        order = {m: i for i, m in enumerate(MITIGATION_METHODS)}
        table = table.sort_values(["dataset", "method", "param"], key=lambda c: c.map(order) if c.name == "method"
                                  else c, kind="stable")
        source = f"recomputed live: {', '.join(redo)}" + ("" if methods is None else "; the rest shipped")
    table = table.reset_index(drop=True)
    table.attrs["source"] = source
    return table


def pareto_front(results, fairness="discrimination") -> pd.DataFrame:
    """The rows no other row beats on both accuracy and fairness.

    A row is on the front when no other row has at least its accuracy and at most its absolute
    unfairness ``|fairness|`` with one of the two strictly better.

    Parameters
    ----------
    results : pandas.DataFrame
        With the columns ``accuracy`` and ``fairness`` (one dataset's rows).
    fairness : {"discrimination", "tpr_gap"}

    Returns
    -------
    pandas.DataFrame
        The rows on the front, from the fairest to the most accurate.

    Examples
    --------
    >>> table = pd.DataFrame({"accuracy": [0.85, 0.84, 0.80, 0.83],
    ...                       "discrimination": [0.18, 0.08, 0.0, 0.09]})
    >>> pareto_front(table)["accuracy"].tolist()
    [0.8, 0.84, 0.85]
    """
    fairness = check_choice(fairness, "fairness", tuple(FAIRNESS_COLUMNS))
    if not isinstance(results, pd.DataFrame):
        raise TypeError(f"results must be a pandas DataFrame (load_mitigation_results()), got {type(results).__name__}.")
    missing = [c for c in ("accuracy", fairness) if c not in results.columns]
    if missing:
        raise ValueError(f"results has no column(s) {', '.join(missing)}.")
    if "dataset" in results.columns and results["dataset"].nunique() > 1:
        raise ValueError("results holds several datasets; pass one dataset's rows (results[results.dataset == ...]).")
    acc = results["accuracy"].to_numpy(dtype=float)
    unfair = np.abs(results[fairness].to_numpy(dtype=float))
    better_or_equal = (acc[None, :] >= acc[:, None]) & (unfair[None, :] <= unfair[:, None])
    strictly = (acc[None, :] > acc[:, None]) | (unfair[None, :] < unfair[:, None])
    dominated = (better_or_equal & strictly).any(axis=1)
    front = results[~dominated]
    order = np.lexsort((-front["accuracy"].to_numpy(dtype=float), np.abs(front[fairness].to_numpy(dtype=float))))
    return front.iloc[order]
