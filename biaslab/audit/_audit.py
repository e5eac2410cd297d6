"""``audit_model``: one call that runs the course's checks on a fitted model.

Everything here reuses the library: group metrics and their bootstrap intervals come from
:func:`biaslab.metrics.group_metrics`, the counterfactual flips from
:func:`biaslab.robustness.counterfactual_flip_rate`. What is new is only how they are put
together: the screens an auditor runs on a model they did not build.
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._validation import check_binary, check_random_state

__all__ = ["AuditResult", "audit_model", "proxy_strength", "fnr_screen", "AUDIT_METRICS"]

#: The per-group metrics an audit reports (with bootstrap intervals).
AUDIT_METRICS = ("count", "selection_rate", "true_positive_rate", "false_positive_rate", "false_negative_rate",
                 "accuracy")


@dataclass
class AuditResult:
    """What :func:`audit_model` found. Every table is a pandas object, ready to print or plot.

    Attributes
    ----------
    attribute : str
        The sensitive attribute the fairness metrics, proxies and flips are about (the first
        column of ``sensitive_features``).
    favoured : object
        The group of ``attribute`` taken as favoured.
    overall : pandas.Series
        ``n_rows``, ``accuracy`` and, if the model scores, ``roc_auc``.
    group_report : biaslab.metrics.GroupMetricReport
        :data:`AUDIT_METRICS` by group of ``attribute``, with bootstrap intervals if ``n_boot``.
    fairness : pandas.Series
        ``discrimination_score``, ``disparate_impact_ratio``, ``equal_opportunity_difference``
        and ``equalized_odds_difference`` of the predictions, by ``attribute``.
    attack_screen : pandas.DataFrame
        One row per group of every sensitive column (see :func:`fnr_screen`), largest FNR gap first.
    proxies : pandas.Series or None
        AUROC of predicting ``attribute == favoured`` from each feature alone (see
        :func:`proxy_strength`), strongest first.
    proxy_auc_all : float or None
        The same from all features together (a logistic regression).
    flips : biaslab.robustness.CounterfactualFlips or None
        Flips when only ``flip_column`` changes; ``None`` if the model does not take it.
    mitigation : pandas.DataFrame or None
        The audited and the mitigated predictions side by side, when a mitigation was given.
    notes : list of str
        What the audit could not do, and why.
    """

    attribute: str
    favoured: object
    overall: pd.Series
    group_report: object
    fairness: pd.Series
    attack_screen: pd.DataFrame
    proxies: pd.Series | None = None
    proxy_auc_all: float | None = None
    flips: object = None
    flip_column: str | None = None
    mitigation: pd.DataFrame | None = None
    screen_threshold: float = 0.1
    notes: list = field(default_factory=list)

    @property
    def flagged_group(self):
        """``(column, group)`` of the largest flagged FNR gap, or ``None`` if nothing is flagged."""
        flagged = self.attack_screen[self.attack_screen["flagged"]]
        if flagged.empty:
            return None
        return tuple(flagged.index[0])

    def summary(self) -> str:
        """The findings in a few plain lines."""
        o = self.overall
        lines = [f"Audit of {int(o['n_rows']):,} rows: accuracy {o['accuracy']:.3f}"
                 + (f", AUROC {o['roc_auc']:.3f}" if "roc_auc" in o and pd.notna(o["roc_auc"]) else "") + "."]
        f = self.fairness
        lines.append(f"By {self.attribute} (favoured {self.favoured!r}): discrimination score "
                     f"{f['discrimination_score']:.3f}, disparate impact {f['disparate_impact_ratio']:.2f}, "
                     f"equal opportunity difference {f['equal_opportunity_difference']:.3f}.")
        top = self.attack_screen.iloc[0]
        col, grp = self.attack_screen.index[0]
        verdict = "FLAGGED" if top["flagged"] else "below the screen's threshold"
        lines.append(f"Largest FNR gap: {col}={grp!s}, FNR {top['fnr']:.3f} vs {top['fnr_rest']:.3f} for everyone "
                     f"else (gap {top['fnr_gap']:+.3f}; {verdict}).")
        if self.proxies is not None and len(self.proxies):
            lines.append(f"Strongest proxy for {self.attribute}: {self.proxies.index[0]} (AUROC "
                         f"{self.proxies.iloc[0]:.3f}; all features together {self.proxy_auc_all:.3f}).")
        if self.flips is not None:
            lines.append(f"Changing only {self.flip_column} flips {self.flips.rate:.1%} of the predictions.")
        if self.mitigation is not None:
            m = self.mitigation
            lines.append(f"Mitigation: FNR gap {m.loc['audited model', 'fnr_gap']:+.3f} -> "
                         f"{m.loc['mitigated', 'fnr_gap']:+.3f}, accuracy cost "
                         f"{m.loc['audited model', 'accuracy'] - m.loc['mitigated', 'accuracy']:+.3f}.")
        lines.extend(f"Note: {n}" for n in self.notes)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return "AuditResult\n" + self.summary()


# ----------------------------------------------------------------------------- pieces


def _sensitive_frame(sensitive_features, X: pd.DataFrame) -> pd.DataFrame:
    if isinstance(sensitive_features, str):
        if sensitive_features not in X.columns:
            raise ValueError(f"sensitive_features={sensitive_features!r} is not a column of X; give the column "
                             "name of X or the groups themselves (a Series or DataFrame, one row per row of X).")
        frame = X[[sensitive_features]]
    elif isinstance(sensitive_features, pd.DataFrame):
        frame = sensitive_features
    elif isinstance(sensitive_features, pd.Series):
        frame = sensitive_features.to_frame(sensitive_features.name if sensitive_features.name is not None
                                            else "sensitive_feature")
    elif isinstance(sensitive_features, dict):
        frame = pd.DataFrame(sensitive_features)
    else:
        raise TypeError("sensitive_features must be a column name of X, a Series, a DataFrame or a dict of "
                        f"columns, got {type(sensitive_features).__name__}.")
    if len(frame) != len(X):
        raise ValueError(f"sensitive_features has {len(frame)} rows but X has {len(X)}; give one group per row.")
    if frame.shape[1] == 0:
        raise ValueError("sensitive_features has no columns.")
    return frame.reset_index(drop=True)


def fnr_screen(y_true, y_pred, *, sensitive_features, min_positives=20, threshold=0.1) -> pd.DataFrame:
    """Screen for a planted underdiagnosis attack: each group's FNR against everyone else's.

    A targeted label-poisoning attack (module 04) makes the model miss the target group's
    positives, so the target's false negative rate rises above the rest's. Every value of every
    sensitive column is a candidate.

    Parameters
    ----------
    y_true, y_pred : array-like of 0/1
    sensitive_features : DataFrame or Series
        One or more columns of groups, one row per prediction.
    min_positives : int
        Groups with fewer positives (or fewer positives outside) are listed but never flagged:
        their FNR is too noisy.
    threshold : float
        A gap ``fnr - fnr_rest`` at least this large is flagged.

    Returns
    -------
    pandas.DataFrame
        Index ``(column, group)``; columns ``n``, ``positives``, ``fnr``, ``fnr_rest``,
        ``fnr_gap`` and ``flagged``; sorted by ``fnr_gap``, largest first.

    Examples
    --------
    >>> screen = fnr_screen([1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 1, 1], sensitive_features=pd.Series(
    ...     ["F", "F", "F", "M", "M", "M"], name="sex"), min_positives=1, threshold=0.5)
    >>> screen.loc[("sex", "F"), ["fnr", "fnr_rest", "fnr_gap"]].round(3).tolist()
    [0.667, 0.0, 0.667]
    >>> screen["flagged"].tolist()
    [True, False]
    """
    from ..metrics import false_negative_rate, group_metrics

    y_true = check_binary(y_true, "y_true")
    y_pred = check_binary(y_pred, "y_pred")
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true has {len(y_true)} values but y_pred has {len(y_pred)}.")
    if isinstance(sensitive_features, pd.Series):
        sensitive_features = sensitive_features.to_frame(sensitive_features.name or "sensitive_feature")
    if not isinstance(sensitive_features, pd.DataFrame):
        raise TypeError(f"sensitive_features must be a DataFrame or Series, got {type(sensitive_features).__name__}.")
    if len(sensitive_features) != len(y_true):
        raise ValueError(f"sensitive_features has {len(sensitive_features)} rows but y_true has {len(y_true)}.")
    if isinstance(min_positives, bool) or not isinstance(min_positives, numbers.Integral) or min_positives < 1:
        raise ValueError(f"min_positives must be a positive int, got {min_positives!r}.")
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real) or not 0 <= threshold <= 1:
        raise ValueError(f"threshold must be a number between 0 and 1 (an FNR gap), got {threshold!r}.")
    rows = []
    for column in sensitive_features.columns:
        groups = sensitive_features[column].reset_index(drop=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a group without positives has an undefined FNR: NaN is the answer
            report = group_metrics(y_true, y_pred, sensitive_features=groups, metrics=["false_negative_rate"])
        for group in report.by_group.index:
            inside = (groups == group).to_numpy()
            if not inside.any():
                continue  # an unused category
            positives = int(y_true[inside].sum())
            rest_positives = int(y_true[~inside].sum())
            fnr = report.by_group.loc[group, "false_negative_rate"]
            fnr_rest = false_negative_rate(y_true[~inside], y_pred[~inside]) if rest_positives else np.nan
            gap = fnr - fnr_rest
            enough = positives >= min_positives and rest_positives >= min_positives
            rows.append({"column": column, "group": group, "n": int(inside.sum()), "positives": positives,
                         "fnr": float(fnr), "fnr_rest": float(fnr_rest), "fnr_gap": float(gap),
                         "flagged": bool(enough and np.isfinite(gap) and gap >= threshold - 1e-12)})
    table = pd.DataFrame(rows).set_index(["column", "group"])
    return table.sort_values("fnr_gap", ascending=False, kind="stable", na_position="last")


def proxy_strength(X, sensitive, *, favoured, test_size=0.3, random_state=None) -> pd.Series:
    """How well each feature alone predicts membership of the favoured group (held-out AUROC).

    For a categorical feature the score of a row is the favoured group's share among training
    rows with the same category (what a classifier on that feature alone would learn); for a
    numeric feature it is the value itself. AUROC is measured on held-out rows and taken the way
    round that is at least 0.5, so 0.5 means "no information" and 1 "gives the group away".

    Parameters
    ----------
    X : DataFrame
        The features (without the sensitive attribute itself).
    sensitive : array-like
        The sensitive attribute, one value per row of ``X``.
    favoured : object
        The group whose membership is predicted.
    test_size : float in (0, 1)
        Share of rows held out to measure the AUROC.
    random_state : None, int or numpy Generator
        Which rows are held out.

    Returns
    -------
    pandas.Series
        AUROC per feature, strongest first.

    Examples
    --------
    >>> X = pd.DataFrame({"role": ["husband", "wife"] * 50, "noise": [0, 0, 1, 1] * 25})
    >>> sex = np.array(["M", "F"] * 50)
    >>> proxy_strength(X, sex, favoured="M", random_state=0).round(2).to_dict()
    {'role': 1.0, 'noise': 0.5}
    """
    from sklearn.metrics import roc_auc_score

    if not isinstance(X, pd.DataFrame):
        raise TypeError(f"X must be a pandas DataFrame, got {type(X).__name__}.")
    target = (np.asarray(sensitive, dtype=object) == favoured).astype(int)
    if len(target) != len(X):
        raise ValueError(f"sensitive has {len(target)} values but X has {len(X)} rows.")
    if target.min() == target.max():
        raise ValueError(f"favoured={favoured!r}: every row is {'in' if target[0] else 'outside'} that group, "
                         "so nothing can predict it; check the group's spelling.")
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real) or not 0 < test_size < 1:
        raise ValueError(f"test_size must be a number strictly between 0 and 1, got {test_size!r}.")
    rng = check_random_state(random_state)
    order = rng.permutation(len(X))
    n_test = max(1, int(round(test_size * len(X))))
    test, train = order[:n_test], order[n_test:]
    if target[test].min() == target[test].max() or len(train) == 0:
        raise ValueError("the held-out rows hold only one group; use more rows or a larger test_size.")
    out = {}
    for column in X.columns:
        values = X[column].reset_index(drop=True)
        if pd.api.types.is_numeric_dtype(values) and not isinstance(values.dtype, pd.CategoricalDtype):
            score = values.astype(float).fillna(values.astype(float).median()).to_numpy()
        else:
            text = values.astype(object).where(values.notna(), "(missing)")
            shares = pd.Series(target[train]).groupby(text.iloc[train].to_numpy()).mean()
            score = text.map(shares).astype(float).fillna(target[train].mean()).to_numpy()
        auc = roc_auc_score(target[test], score[test])
        out[column] = max(auc, 1.0 - auc)
    return pd.Series(out, name="proxy_auroc", dtype=float).sort_values(ascending=False, kind="stable")


def _proxy_all(X, target, *, test_size, random_state) -> float:
    from sklearn.metrics import roc_auc_score

    from ..models import make_tabular_model

    rng = check_random_state(random_state)
    order = rng.permutation(len(X))
    n_test = max(1, int(round(test_size * len(X))))
    test, train = order[:n_test], order[n_test:]
    model = make_tabular_model("logistic").fit(X.iloc[train], target[train])
    return float(roc_auc_score(target[test], model.predict_proba(X.iloc[test])[:, 1]))


def _predictions(model_or_pred, X, name):
    if callable(getattr(model_or_pred, "predict", None)):
        return check_binary(np.asarray(model_or_pred.predict(X)).ravel(), f"{name}.predict(X)")
    return check_binary(model_or_pred, name)


# ----------------------------------------------------------------------------- the audit


def audit_model(model, X, y, *, sensitive_features, favoured, flip_column="auto", proxies=True,
                mitigated=None, n_boot=200, ci=0.95, screen_threshold=0.1, min_positives=20,
                random_state=None) -> AuditResult:
    """Audit a fitted classifier on labelled data: group metrics, attack screen, proxies, flips.

    Parameters
    ----------
    model : fitted model with ``predict`` (and ideally ``predict_proba``)
        Takes ``X`` as it is.
    X : DataFrame
        The audit data (rows the model did not train on), as the model takes it.
    y : array-like of 0/1
        The true labels of those rows (1 = the desirable or the "positive" outcome).
    sensitive_features : str, Series, DataFrame or dict of columns
        The groups, one per row of ``X``, or the name of a column of ``X``. The first column is
        *the* sensitive attribute of the fairness metrics, proxies and flips; every column's
        groups go into the attack screen.
    favoured : object
        The favoured group of the first sensitive column (e.g. ``"Male"``).
    flip_column : str, None or "auto"
        The column of ``X`` to change for the counterfactual flip rate. ``"auto"``: the first
        sensitive column's name, if ``X`` has it. ``None``: no flips.
    proxies : bool
        Whether to measure how well the other features predict the sensitive attribute.
    mitigated : fitted model or array-like of 0/1, optional
        A mitigated model (or its predictions on ``X``) to compare with the audited one.
    n_boot : int or None
        Bootstrap resamples for the group metrics' intervals (``None``: none).
    ci : float
        Coverage of the intervals.
    screen_threshold : float
        FNR gap that :func:`fnr_screen` flags.
    min_positives : int
        Fewest positives a group needs to be flagged.
    random_state : None, int or numpy Generator
        Seeds the bootstrap and the proxies' held-out split: the same seed, the same audit. An int
        splits the proxies' rows as ``proxy_strength(..., random_state=<that int>)`` does.

    Returns
    -------
    AuditResult

    Examples
    --------
    >>> class ApprovesMen:
    ...     def predict(self, X):
    ...         return (X["sex"] == "M").astype(int).to_numpy()
    >>> X = pd.DataFrame({"sex": ["M", "F"] * 30, "role": ["husband", "wife"] * 30})
    >>> y = np.tile([1, 1, 0, 0], 15)
    >>> result = audit_model(ApprovesMen(), X, y, sensitive_features="sex", favoured="M", n_boot=None,
    ...                      min_positives=5, random_state=0)
    >>> result.flagged_group, round(result.flips.rate, 2), result.proxies.index[0]
    (('sex', 'F'), 1.0, 'role')
    """
    from ..metrics import (discrimination_score, disparate_impact_ratio, equal_opportunity_difference,
                           equalized_odds_difference, group_metrics)

    if not callable(getattr(model, "predict", None)):
        raise TypeError(f"model must be a fitted model with a predict method, got {type(model).__name__}.")
    if not isinstance(X, pd.DataFrame):
        raise TypeError(f"X must be a pandas DataFrame (the audit rows, as the model takes them), got "
                        f"{type(X).__name__}.")
    if len(X) == 0:
        raise ValueError("X is empty: an audit needs rows.")
    y_true = check_binary(y, "y")
    if len(y_true) != len(X):
        raise ValueError(f"y has {len(y_true)} labels but X has {len(X)} rows.")
    groups = _sensitive_frame(sensitive_features, X)
    attribute = str(groups.columns[0])
    main = groups.iloc[:, 0]
    if favoured not in set(main.dropna()):
        raise ValueError(f"favoured={favoured!r} is not a group of {attribute!r} (groups: "
                         f"{sorted(map(str, main.dropna().unique()))}).")
    if not isinstance(proxies, bool):
        raise TypeError(f"proxies must be True or False, got {type(proxies).__name__}.")
    if flip_column is not None and not isinstance(flip_column, str):
        raise TypeError(f"flip_column must be a column name, None or 'auto', got {type(flip_column).__name__}.")
    rng = check_random_state(random_state)
    seeds = rng.integers(0, 2**31 - 1, size=3)
    notes = []

    y_pred = _predictions(model, X, "model")
    score = None
    if callable(getattr(model, "predict_proba", None)):
        score = np.asarray(model.predict_proba(X))[:, 1]
    overall = {"n_rows": float(len(X)), "accuracy": float(np.mean(y_pred == y_true))}
    if score is not None and 0 < y_true.sum() < len(y_true):
        from sklearn.metrics import roc_auc_score

        overall["roc_auc"] = float(roc_auc_score(y_true, score))
    report = group_metrics(y_true, y_pred, sensitive_features=main.rename(attribute), metrics=list(AUDIT_METRICS),
                           n_boot=n_boot, ci=ci, random_state=int(seeds[0]))
    fairness = pd.Series({
        "discrimination_score": discrimination_score(y_pred, sensitive_features=main, favoured=favoured),
        "disparate_impact_ratio": disparate_impact_ratio(y_pred, sensitive_features=main, favoured=favoured),
        "equal_opportunity_difference": equal_opportunity_difference(y_true, y_pred, sensitive_features=main),
        "equalized_odds_difference": equalized_odds_difference(y_true, y_pred, sensitive_features=main),
    }, name="fairness")
    screen = fnr_screen(y_true, y_pred, sensitive_features=groups, min_positives=min_positives,
                        threshold=screen_threshold)

    proxy_table, proxy_all = None, None
    if proxies:
        features = X.drop(columns=[c for c in groups.columns if c in X.columns])
        if features.shape[1] == 0:
            notes.append("no features besides the sensitive ones, so no proxies to measure.")
        else:
            # an int seed splits the proxies' rows as proxy_strength(..., random_state=that int) does, so the
            # audit's numbers and a learner's own call with the same seed agree (two splits gave 0.771 and 0.786)
            split = int(random_state) if isinstance(random_state, numbers.Integral) else int(seeds[1])
            proxy_table = proxy_strength(features, main.to_numpy(), favoured=favoured, random_state=split)
            target = (main.to_numpy(dtype=object) == favoured).astype(int)
            proxy_all = _proxy_all(features, target, test_size=0.3, random_state=split)

    flips, column = None, None
    if flip_column == "auto":
        flip_column = attribute if attribute in X.columns else None
        if flip_column is None:
            notes.append(f"X has no column {attribute!r}: the model does not take it, so its counterfactual flip "
                         "rate is 0 by construction (proxies can still carry it).")
    if flip_column is not None:
        from ..robustness import counterfactual_flip_rate

        flips, column = counterfactual_flip_rate(model, X, column=flip_column), flip_column

    mitigation = None
    if mitigated is not None:
        other = _predictions(mitigated, X, "mitigated")
        if len(other) != len(X):
            raise ValueError(f"mitigated has {len(other)} predictions but X has {len(X)} rows.")
        col, grp = screen.index[0]
        rows = {}
        for name, pred in (("audited model", y_pred), ("mitigated", other)):
            gap = fnr_screen(y_true, pred, sensitive_features=groups[[col]], min_positives=min_positives,
                             threshold=screen_threshold).loc[(col, grp)]
            rows[name] = {"accuracy": float(np.mean(pred == y_true)), "fnr_target": gap["fnr"],
                          "fnr_rest": gap["fnr_rest"], "fnr_gap": gap["fnr_gap"],
                          "discrimination_score": discrimination_score(pred, sensitive_features=main,
                                                                       favoured=favoured)}
        mitigation = pd.DataFrame(rows).T
        mitigation.attrs["group"] = (col, grp)

    return AuditResult(attribute=attribute, favoured=favoured, overall=pd.Series(overall, name="overall"),
                       group_report=report, fairness=fairness, attack_screen=screen, proxies=proxy_table,
                       proxy_auc_all=proxy_all, flips=flips, flip_column=column, mitigation=mitigation,
                       screen_threshold=float(screen_threshold), notes=notes)
