"""The bias knob on Adult: plant each source of bias at a range of strengths and measure a model.

Module 03 ("where bias comes from") turns one knob per source of bias and watches the metrics
respond. Each setting trains a logistic regression, so a full sweep takes a minute or two; the
notebook and the widget load the shipped result (``load_bias_source_sweep()``), made by
``scripts/make_bias_sources_sweep.py``, and ``recompute=True`` runs it live.

The setting (the recruitment agency of module 01, which learned its lesson only half-way):

- data: the real Adult census data; the model trains on the official training split, with the
  bias planted, and is judged on the test split against the *true* (clean) labels;
- the target group is women; the model never sees ``sex`` (as in module 01). For proxy bias it
  does not see ``relationship`` and ``marital_status`` either, the two strong proxies module 01
  found: the agency removed every known proxy, and the planted ``district`` is a new one;
- representation bias removes women from the training split; historical label bias flips
  women's positive training labels; measurement bias adds noise to women's ``age``,
  ``education_num`` and ``hours_per_week`` in both splits (the instrument is biased wherever it
  is used); proxy bias adds a 0/1 column ``district`` to both splits (a postcode exists at
  decision time too).
"""

from __future__ import annotations

import functools
import numbers
from pathlib import Path

import numpy as np
import pandas as pd

from .._validation import check_choice, check_random_state
from ._accidental import historical_label_bias, measurement_bias, proxy_bias, representation_bias

__all__ = [
    "BIAS_KINDS",
    "SWEEP_STRENGTHS",
    "MEASURED_COLUMNS",
    "bias_source_sweep",
    "load_bias_source_sweep",
]

#: The four sources of bias, in the order the course teaches them.
BIAS_KINDS = ("representation", "historical_label", "measurement", "proxy")

#: Strengths of the shipped sweep.
SWEEP_STRENGTHS = tuple(round(s, 1) for s in np.linspace(0.0, 1.0, 11))

#: The numeric columns that measurement bias makes noisy.
MEASURED_COLUMNS = ("age", "education_num", "hours_per_week")

#: Columns the model never sees, by kind: proxy bias is about a *new* proxy, so the known ones go too.
_DROPPED = {"proxy": ("sex", "relationship", "marital_status")}
_DROPPED_DEFAULT = ("sex",)
_TARGET = "Female"
_FAVOURED = "Male"
_GROUPS = ("Female", "Male")
_RESULTS_DIR = Path(__file__).resolve().parents[1] / "experiments" / "results"
_SHIPPED_FILE = "bias_sources_sweep.csv"
_SHIPPED_SEED = 0

_PLANT = {
    "representation": representation_bias,
    "historical_label": historical_label_bias,
    "measurement": measurement_bias,
    "proxy": proxy_bias,
}


@functools.cache
def _adult():
    from ..datasets import load_adult

    return load_adult()


def _check_strengths(strengths) -> list[float]:
    if isinstance(strengths, (str, bytes)) or not hasattr(strengths, "__iter__"):
        raise TypeError(f"strengths must be a list of numbers between 0 and 1, got {type(strengths).__name__}.")
    values = list(strengths)
    if not values:
        raise ValueError("strengths is empty; give at least one strength between 0 and 1.")
    for value in values:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"strengths must hold numbers, got a {type(value).__name__} ({value!r}).")
        if not 0.0 <= float(value) <= 1.0:
            raise ValueError(f"strengths must be between 0 and 1, got {value!r}.")
    return sorted({round(float(v), 6) for v in values})


def _plant(kind, X_train, y_train, sex_train, X_test, sex_test, strength, seed):
    """Biased training data, and the test features as the biased process records them."""
    common = dict(target=_TARGET, strength=strength, random_state=seed)
    if kind in ("representation", "historical_label"):
        out = _PLANT[kind](X_train, y_train, sensitive_features=sex_train, **common)
        return out.X, out.y, out.sensitive_features, X_test
    if kind == "measurement":
        train = measurement_bias(X_train, y_train, sensitive_features=sex_train, columns=list(MEASURED_COLUMNS),
                                 **common)
        # the test rows get their own noise: another seed, same instrument
        test = measurement_bias(X_test, np.zeros(len(X_test)), sensitive_features=sex_test,
                                columns=list(MEASURED_COLUMNS), target=_TARGET, strength=strength,
                                random_state=seed + 1)
        return train.X, y_train, sex_train, test.X
    # proxy: one district per person, whichever split they are in
    X_all = pd.concat([X_train, X_test])
    sex_all = pd.concat([sex_train, sex_test])
    out = proxy_bias(X_all, np.zeros(len(X_all)), sensitive_features=sex_all, name="district", **common)
    return out.X.iloc[: len(X_train)], y_train, sex_train, out.X.iloc[len(X_train):]


def _evaluate(y_true, y_pred, y_score, sex) -> dict:
    from sklearn.metrics import roc_auc_score

    y_true, y_pred, y_score, sex = np.asarray(y_true), np.asarray(y_pred), np.asarray(y_score), np.asarray(sex)
    row = {"accuracy": float((y_true == y_pred).mean())}
    rates = {}
    for group in _GROUPS:
        g = sex == group
        t, p = y_true[g], y_pred[g]
        rates[group] = float(p.mean())
        row[f"accuracy_{group}"] = float((t == p).mean())
        row[f"selection_rate_{group}"] = rates[group]
        row[f"fnr_{group}"] = float(((p == 0) & (t == 1)).sum() / max((t == 1).sum(), 1))
        row[f"fpr_{group}"] = float(((p == 1) & (t == 0)).sum() / max((t == 0).sum(), 1))
        row[f"auroc_{group}"] = float(roc_auc_score(t, y_score[g]))
    row["discrimination"] = rates[_FAVOURED] - rates[_TARGET]
    return row


def _fingerprints(X, y, sex) -> dict:
    """What the biased training data itself shows (no model needed)."""
    sex = np.asarray(sex)
    y = np.asarray(y)
    women = sex == _TARGET
    spread = []
    for col in MEASURED_COLUMNS:
        values = X[col].to_numpy(dtype=float)
        spread.append(np.std(values[women], ddof=1) / np.std(values[~women], ddof=1) if women.sum() > 1 else np.nan)
    row = {
        "train_rows": int(len(y)),
        "train_share_Female": float(women.mean()),
        "train_label_rate_Female": float(y[women].mean()) if women.any() else np.nan,
        "train_label_rate_Male": float(y[~women].mean()),
        "train_spread_ratio": float(np.mean(spread)),
        "train_proxy_correlation": (
            float(np.corrcoef(X["district"].to_numpy(dtype=float), women.astype(float))[0, 1])
            if "district" in X.columns else 0.0
        ),
    }
    return row


def bias_source_sweep(kinds=BIAS_KINDS, strengths=SWEEP_STRENGTHS, *, random_state=0) -> pd.DataFrame:
    """Plant each kind of bias at each strength in Adult's training split; measure a fresh model.

    For every ``(kind, strength)`` a logistic regression (``make_tabular_model("logistic")``)
    is trained on the biased training split without ``sex`` (for proxy bias also without
    ``relationship`` and ``marital_status``), and judged on the test split against its true
    labels. Strength 0 is the clean model (fitted once per feature set). The whole default sweep fits 42 models
    (two to three minutes on a shared machine); the notebook loads the shipped result with
    :func:`load_bias_source_sweep` instead.

    Parameters
    ----------
    kinds : sequence of str
        Among ``"representation"``, ``"historical_label"``, ``"measurement"``, ``"proxy"``.
    strengths : sequence of float in [0, 1]
        The knob's settings.
    random_state : int
        Seed of the planted bias (which rows, which noise) and of the model.

    Returns
    -------
    DataFrame
        One row per ``(kind, strength)``, with ``dropped`` (the columns the model did not see).
        Test-set metrics against the true labels:
        ``accuracy``, ``discrimination`` (P(predicted + | men) - P(predicted + | women)) and,
        for each of ``Female`` and ``Male``, ``accuracy_<group>``, ``selection_rate_<group>``,
        ``fnr_<group>`` (false negative rate), ``fpr_<group>``, ``auroc_<group>`` (how well the
        scores rank the group's people). Fingerprints of the biased
        training data: ``train_rows``, ``train_share_Female``, ``train_label_rate_Female``,
        ``train_label_rate_Male``, ``train_spread_ratio`` (women's standard deviation over
        men's, averaged over the measured columns) and ``train_proxy_correlation`` (of
        ``district`` with being a woman; 0 where there is no district).

    Examples
    --------
    >>> sweep = bias_source_sweep(["historical_label"], [1.0])  # one model: a few seconds
    >>> float(sweep.loc[0, "train_label_rate_Female"]), bool(sweep.loc[0, "fnr_Female"] > 0.9)
    (0.0, True)
    """
    if isinstance(kinds, str):
        kinds = [kinds]
    if not hasattr(kinds, "__iter__"):
        raise TypeError(f"kinds must be a list of bias kinds, got {type(kinds).__name__}.")
    kinds = [check_choice(kind, "kinds", BIAS_KINDS) for kind in kinds]
    if not kinds:
        raise ValueError(f"kinds is empty; give at least one of {', '.join(BIAS_KINDS)}.")
    strengths = _check_strengths(strengths)
    if isinstance(random_state, bool) or not isinstance(random_state, numbers.Integral) or random_state < 0:
        raise TypeError(f"random_state must be a non-negative int (the sweep's seed), got {random_state!r}.")
    seed = int(random_state)
    check_random_state(seed)

    from ..models import make_tabular_model

    adult = _adult()
    train = (adult.frame["split"] == "train").to_numpy()
    sex = adult.sensitive_features["sex"].astype(str)
    y_train, y_test = adult.target[train], adult.target[~train]
    sex_train, sex_test = sex[train], sex[~train]

    clean = {}  # strength 0, by the columns dropped: the same model whatever the kind
    rows = []
    for kind in kinds:
        dropped = _DROPPED.get(kind, _DROPPED_DEFAULT)
        X = adult.data.drop(columns=list(dropped))
        X_train, X_test = X[train], X[~train]
        for strength in strengths:
            if strength == 0 and dropped in clean:
                rows.append({**clean[dropped], "kind": kind})
                continue
            Xb, yb, sb, Xt = _plant(kind, X_train, y_train, sex_train, X_test, sex_test, strength, seed)
            model = make_tabular_model("logistic", random_state=seed).fit(Xb, yb)
            scores = model.predict_proba(Xt)[:, 1]
            row = {"kind": kind, "strength": strength, "dropped": " ".join(dropped),
                   **_evaluate(y_test, (scores >= 0.5).astype(int), scores, sex_test), **_fingerprints(Xb, yb, sb)}
            if strength == 0:
                clean[dropped] = {k: v for k, v in row.items() if k != "kind"}
            rows.append(row)
    frame = pd.DataFrame(rows)
    return frame[["kind", "strength", *[c for c in frame.columns if c not in ("kind", "strength")]]]


def load_bias_source_sweep(*, recompute: bool = False, random_state: int = _SHIPPED_SEED) -> pd.DataFrame:
    """The sweep of :func:`bias_source_sweep` over all kinds and :data:`SWEEP_STRENGTHS`.

    Loads the shipped result (made by ``scripts/make_bias_sources_sweep.py`` with seed 0) in a
    fraction of a second; ``recompute=True`` runs the sweep live instead (two to three minutes on
    two cores: workshop mode), as does any other ``random_state``.

    Parameters
    ----------
    recompute : bool
        Run the sweep instead of loading the shipped file.
    random_state : int
        Seed of the sweep; only 0 is shipped.

    Returns
    -------
    DataFrame
        As :func:`bias_source_sweep` returns it.

    Examples
    --------
    >>> sweep = load_bias_source_sweep()
    >>> sorted(sweep["kind"].unique()) == sorted(BIAS_KINDS), len(sweep)
    (True, 44)
    """
    if not isinstance(recompute, (bool, np.bool_)):
        raise TypeError(f"recompute must be True or False, got {type(recompute).__name__}.")
    if recompute or random_state != _SHIPPED_SEED:
        return bias_source_sweep(BIAS_KINDS, SWEEP_STRENGTHS, random_state=random_state)
    path = _RESULTS_DIR / _SHIPPED_FILE
    if not path.is_file():
        raise FileNotFoundError(f"The shipped sweep {path} is missing; run scripts/make_bias_sources_sweep.py "
                                "or call load_bias_source_sweep(recompute=True).")
    return pd.read_csv(path)
