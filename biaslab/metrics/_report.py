"""``group_metrics``: every metric by group, its disparities and bootstrap confidence intervals."""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from .._validation import (
    check_array_1d,
    check_choice,
    check_fraction,
    check_positive_int,
    check_random_state,
    check_scores,
)
from ._engine import (
    RATES,
    UndefinedMetricWarning,
    confusion_counts,
    fill_undefined,
    prepare,
    undefined_message,
    undefined_parts,
)
from ._labels import check_zero_division
from ._scores import _SortedScores

__all__ = ["group_metrics", "GroupMetricReport", "METRIC_NAMES", "score_metric"]

#: Names accepted by ``group_metrics(metrics=[...])``.
METRIC_NAMES = tuple(RATES) + ("count", "roc_auc")

_DEFAULT_METRICS = ("selection_rate", "true_positive_rate", "false_positive_rate", "false_negative_rate", "accuracy")
_METHODS = ("between_groups", "to_overall")
# Rows are resampled in chunks of this many bootstrap replicates to bound memory.
_BOOT_CHUNK_ROWS = 4_000_000
# A function whose second parameter has one of these names is handed y_score instead of y_pred.
_SCORE_PARAMS = ("y_score", "y_prob", "y_proba", "probas_pred")


class _ScoreMetric:
    """A metric function marked as taking scores: ``group_metrics`` hands it ``(y_true, y_score)``."""

    def __init__(self, func):
        functools.update_wrapper(self, func)
        self.func = func

    def __call__(self, *args, **kwargs):
        return self.func(*args, **kwargs)

    def __repr__(self) -> str:
        return f"score_metric({getattr(self.func, '__name__', self.func)!r})"


def score_metric(func: Callable) -> Callable:
    """Mark ``func(y_true, scores[, sample_weight=])`` so that :func:`group_metrics` hands it ``y_score``.

    Functions whose second parameter is called ``y_score``, ``y_prob``, ``y_proba`` or
    ``probas_pred`` (``roc_auc_score``, ``brier_score_loss``, ``average_precision_score``) get the
    scores without this; ``sklearn.metrics.log_loss`` calls its probabilities ``y_pred`` and needs it.

    >>> from sklearn.metrics import log_loss
    >>> report = group_metrics([1, 0, 1, 0], [1, 0, 0, 0], y_score=[0.9, 0.2, 0.4, 0.1],
    ...                        sensitive_features=["a", "a", "b", "b"],
    ...                        metrics={"log_loss": score_metric(log_loss)})
    >>> report.by_group["log_loss"].round(3).tolist()
    [0.164, 0.511]
    """
    if not callable(func):
        raise TypeError(f"score_metric needs a function f(y_true, y_score), got {type(func).__name__}.")
    return func if isinstance(func, _ScoreMetric) else _ScoreMetric(func)


def _takes_scores(func) -> bool:
    if isinstance(func, _ScoreMetric):
        return True
    try:
        params = list(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        return False
    return len(params) >= 2 and params[1] in _SCORE_PARAMS


def _resolve_metrics(metrics) -> dict[str, str | Callable]:
    if isinstance(metrics, str):
        metrics = [metrics]
    if isinstance(metrics, Mapping):
        items = list(metrics.items())
    elif isinstance(metrics, Sequence):
        items = [(m, m) for m in metrics]
    elif callable(metrics):
        items = [(getattr(metrics, "__name__", "metric"), metrics)]
    else:
        raise TypeError(
            "metrics must be a list of metric names, a mapping of name to metric name or function, "
            f"or a function; got {type(metrics).__name__}."
        )
    if not items:
        raise ValueError("metrics is empty: give at least one metric.")
    resolved = {}
    for label, metric in items:
        if not isinstance(label, str):
            raise TypeError(f"metrics: names must be strings, got {label!r}.")
        if isinstance(metric, str):
            if metric not in METRIC_NAMES:
                raise ValueError(
                    f"metrics: unknown metric {metric!r}; expected one of {', '.join(METRIC_NAMES)} "
                    "or a function f(y_true, y_pred)."
                )
        elif not callable(metric):
            raise TypeError(f"metrics[{label!r}] must be a metric name or a function, got {type(metric).__name__}.")
        resolved[label] = metric
    return resolved


def _accepts_sample_weight(func) -> bool:
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False
    return "sample_weight" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


class GroupMetricReport:
    """Metrics overall and by group, with disparities and optional bootstrap intervals.

    Built by :func:`group_metrics`; not meant to be created directly.

    Attributes
    ----------
    overall : pandas.Series, or pandas.DataFrame with control features
        Each metric on all rows; with ``control_features``, on all rows of each control group
        (one row per control group), as in Fairlearn's ``MetricFrame``.
    by_group : pandas.DataFrame
        One row per group (a MultiIndex for several sensitive columns, control columns first),
        one column per metric. Combinations of values with no rows appear with NaN, as in Fairlearn.
    counts : pandas.DataFrame
        The (weighted) confusion counts ``tn``, ``fp``, ``fn``, ``tp`` and the number of rows
        ``n`` per group: everything the count-based metrics are computed from.
    n_boot, ci : int or None, float
        Bootstrap settings (``None`` when no bootstrap was run).

    With control features, ``difference()``, ``ratio()``, ``group_min()``, ``group_max()`` and
    their intervals compare the groups within each control group and return one row per control group.
    """

    def __init__(self, overall, by_group, counts, boot_overall=None, boot_by_group=None, ci=None, control_index=None):
        self.by_group = by_group
        self.counts = counts
        self._control_index = control_index
        self._overall = np.asarray(overall, dtype=np.float64).reshape(self.n_control, -1)  # (C, M)
        self.overall = self._frame(self._overall, "overall")
        self._boot_overall = boot_overall  # (B, C, M)
        self._boot_by_group = boot_by_group  # (B, G, M)
        self.ci = ci
        self.n_boot = None if boot_overall is None else boot_overall.shape[0]

    @property
    def n_control(self) -> int:
        return 1 if self._control_index is None else len(self._control_index)

    def __repr__(self) -> str:
        text = f"GroupMetricReport({len(self.by_group)} groups x {self.by_group.shape[1]} metrics)\n"
        text += "overall:\n" + self.overall.to_string() + "\nby_group:\n" + self.by_group.to_string()
        return text

    def _frame(self, values: np.ndarray, name: str):
        """(C, M) values as a Series by metric (no control features) or a frame by control group."""
        if self._control_index is None:
            return pd.Series(values[0], index=self.by_group.columns, name=name)
        return pd.DataFrame(values, index=self._control_index, columns=self.by_group.columns)

    def _per_control(self, by_group: np.ndarray) -> np.ndarray:
        """(..., G, M) -> (..., C, S, M): the groups of each control group together."""
        return by_group.reshape(by_group.shape[:-2] + (self.n_control, -1, by_group.shape[-1]))

    # --- aggregates --------------------------------------------------------------------------
    def _reduce(self, func, name):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices give NaN
            return self._frame(func(self._per_control(self.by_group.to_numpy()), axis=-2), name)

    def group_min(self):
        """Smallest value of each metric over the groups (NaN groups ignored)."""
        if self._control_index is None:
            return self.by_group.min()
        return self._reduce(np.nanmin, "group_min")

    def group_max(self):
        """Largest value of each metric over the groups (NaN groups ignored)."""
        if self._control_index is None:
            return self.by_group.max()
        return self._reduce(np.nanmax, "group_max")

    @staticmethod
    def _difference(by_group: np.ndarray, overall: np.ndarray, method: str) -> np.ndarray:
        """by_group (..., C, S, M) and overall (..., C, M) -> (..., C, M)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices give NaN
            if method == "between_groups":
                return np.nanmax(by_group, axis=-2) - np.nanmin(by_group, axis=-2)
            return np.nanmax(np.abs(by_group - overall[..., None, :]), axis=-2)

    @staticmethod
    def _ratio(by_group: np.ndarray, overall: np.ndarray, method: str) -> np.ndarray:
        """by_group (..., C, S, M) and overall (..., C, M) -> (..., C, M)."""
        with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            if method == "between_groups":
                return np.nanmin(by_group, axis=-2) / np.nanmax(by_group, axis=-2)
            ratios = by_group / overall[..., None, :]
            ratios = np.where(ratios > 1, 1 / ratios, ratios)  # Fairlearn's ratio_sub_one
            return np.nanmin(ratios, axis=-2)

    def difference(self, method: str = "between_groups"):
        """Largest difference of each metric: between two groups, or of a group to the overall value.

        ``method="between_groups"`` gives max - min over groups (Fairlearn's default);
        ``"to_overall"`` gives the largest absolute difference between a group and the overall value.
        """
        check_choice(method, "method", _METHODS)
        values = self._difference(self._per_control(self.by_group.to_numpy()), self._overall, method)
        return self._frame(values, "difference")

    def ratio(self, method: str = "between_groups"):
        """Smallest ratio of each metric: min / max over groups, or a group to the overall value.

        With ``"to_overall"`` each group's ratio is taken the way round that is at most 1.
        """
        check_choice(method, "method", _METHODS)
        values = self._ratio(self._per_control(self.by_group.to_numpy()), self._overall, method)
        return self._frame(values, "ratio")

    # --- bootstrap ---------------------------------------------------------------------------
    def _require_boot(self):
        if self._boot_overall is None:
            raise ValueError("No bootstrap was run: call group_metrics(..., n_boot=1000) to get intervals.")

    def _bounds(self, samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        alpha = (1.0 - self.ci) / 2.0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            low, high = np.nanquantile(samples, [alpha, 1.0 - alpha], axis=0)
        return low, high

    def _interval(self, samples: np.ndarray) -> pd.DataFrame:
        """Bounds of (B, C, M) samples: columns lower/upper by metric, or (metric, bound) by control group."""
        low, high = self._bounds(samples)
        if self._control_index is None:
            return pd.DataFrame({"lower": low[0], "upper": high[0]}, index=self.by_group.columns)
        return self._bounds_frame(low, high, self._control_index)

    def _bounds_frame(self, low: np.ndarray, high: np.ndarray, index: pd.Index) -> pd.DataFrame:
        cols = pd.MultiIndex.from_product([self.by_group.columns, ["lower", "upper"]], names=["metric", "bound"])
        data = np.stack([low, high], axis=-1).reshape(low.shape[0], -1)
        return pd.DataFrame(data, index=index, columns=cols)

    @property
    def overall_ci(self) -> pd.DataFrame:
        """Percentile bootstrap interval of each overall metric: columns ``lower`` and ``upper``."""
        self._require_boot()
        return self._interval(self._boot_overall)

    @property
    def by_group_ci(self) -> pd.DataFrame:
        """Percentile bootstrap interval per group: columns (metric, ``lower``/``upper``)."""
        self._require_boot()
        low, high = self._bounds(self._boot_by_group)
        return self._bounds_frame(low, high, self.by_group.index)

    def difference_ci(self, method: str = "between_groups") -> pd.DataFrame:
        """Bootstrap interval of :meth:`difference` for each metric."""
        check_choice(method, "method", _METHODS)
        self._require_boot()
        return self._interval(self._difference(self._per_control(self._boot_by_group), self._boot_overall, method))

    def ratio_ci(self, method: str = "between_groups") -> pd.DataFrame:
        """Bootstrap interval of :meth:`ratio` for each metric."""
        check_choice(method, "method", _METHODS)
        self._require_boot()
        return self._interval(self._ratio(self._per_control(self._boot_by_group), self._boot_overall, method))

def group_metrics(
    y_true,
    y_pred,
    *,
    sensitive_features,
    metrics=_DEFAULT_METRICS,
    sample_weight=None,
    y_score=None,
    control_features=None,
    pos_label=None,
    zero_division=np.nan,
    n_boot: int | None = None,
    ci: float = 0.95,
    random_state=None,
) -> GroupMetricReport:
    """Compute metrics overall and for every group in one pass over the data.

    Parameters
    ----------
    y_true, y_pred : array-like
        True and predicted labels: 0/1, -1/1, booleans, or any two labels with ``pos_label``.
    sensitive_features : array-like, Series, DataFrame or dict of columns
        One group label per row. Several columns give intersectional groups (their Cartesian
        product, as in Fairlearn's ``MetricFrame``). Column names must be unique.
    metrics : list of str, mapping of name to str or function, or a function
        Names from :data:`METRIC_NAMES` (``selection_rate``, ``true_positive_rate``,
        ``false_negative_rate``, ``false_omission_rate``, ``precision``, ``accuracy``, ``count``,
        ``roc_auc``, ...) or functions evaluated per group. A function gets ``(y_true, y_pred)`` as
        given (the original labels, as in Fairlearn), or ``(y_true, y_score)`` if it takes scores:
        its second parameter is named ``y_score``, ``y_prob``, ``y_proba`` or ``probas_pred``
        (``roc_auc_score``, ``brier_score_loss``), or it is wrapped in :func:`score_metric`
        (``score_metric(log_loss)``). It gets ``sample_weight=`` when weights are given.
    sample_weight : array-like, optional
        Non-negative row weights (``count`` stays the number of rows).
    y_score : array-like of float, optional
        Scores or probabilities: needed by ``roc_auc`` and by functions that take scores.
    control_features : array-like, Series, DataFrame or dict of columns, optional
        As in Fairlearn's ``MetricFrame``: the groups are compared *within* each control group.
        ``by_group`` is indexed by control then sensitive columns; ``overall`` has one row per
        control group, and ``difference()``, ``ratio()``, ``group_min()``, ``group_max()`` one row
        per control group.
    pos_label : optional
        The positive label, as in Fairlearn: ``None`` (default) accepts labels from {0, 1} or
        {-1, 1} (and booleans) with 1 positive; otherwise ``y_true`` and ``y_pred`` together may hold
        at most two labels and, if they hold two, ``pos_label`` must be one of them.
    zero_division : {np.nan, "warn", 0, 1}, default np.nan
        scikit-learn's option: the value of a rate whose denominator is zero in a group with rows
        (the true positive rate of a group without positives). ``np.nan`` (default) keeps the
        group out of every difference, ratio, minimum and maximum and warns with an
        :class:`UndefinedMetricWarning` naming it; ``"warn"`` sets 0 and warns; ``0`` or ``1``
        set that value silently. ``zero_division=0`` gives Fairlearn's numbers exactly (Fairlearn
        counts such a rate as 0). Applies to the named rates; functions keep their own conventions,
        ``roc_auc`` of a group with one class is NaN (with the warning).
    n_boot : int, optional
        Number of bootstrap resamples of the rows for confidence intervals (``None``: none).
    ci : float
        Coverage of the percentile intervals, e.g. 0.95.
    random_state : None, int or numpy Generator
        Seed of the bootstrap.

    Returns
    -------
    GroupMetricReport
        With ``overall``, ``by_group``, ``difference()``, ``ratio()``, ``group_min()``,
        ``group_max()`` and, with ``n_boot``, ``overall_ci``, ``by_group_ci``,
        ``difference_ci()`` and ``ratio_ci()``.

    Notes
    -----
    Why NaN by default, where Fairlearn says 0: a group without positives has no true positive
    rate, and 0 would make it look like the worst-treated group (Fairlearn's
    ``equal_opportunity_difference([1, 0, 0, 0], [1, 0, 0, 0], sensitive_features=["a", "a", "b", "b"])``
    is 1.0 for two groups that were never treated differently). NaN leaves it out of the
    comparison instead, and the warning names it so it never disappears unseen. Combinations of
    sensitive values with no rows are NaN without a warning, whatever ``zero_division``.

    Examples
    --------
    >>> report = group_metrics([1, 0, 1, 1], [1, 0, 0, 1], sensitive_features=["F", "F", "M", "M"],
    ...                        metrics=["selection_rate", "true_positive_rate"])
    >>> report.by_group["true_positive_rate"]
    sensitive_feature_0
    F    1.0
    M    0.5
    Name: true_positive_rate, dtype: float64
    >>> report.difference()["true_positive_rate"]
    np.float64(0.5)

    A group without positives, by default and as Fairlearn counts it:

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     report = group_metrics([1, 0, 0, 0], [1, 0, 0, 0], sensitive_features=["a", "a", "b", "b"],
    ...                            metrics=["true_positive_rate"])
    >>> report.by_group["true_positive_rate"].tolist(), str(caught[0].message)[:68]
    ([1.0, nan], "Undefined metric set to NaN: true_positive_rate for group(s) 'b' (no")
    >>> group_metrics([1, 0, 0, 0], [1, 0, 0, 0], sensitive_features=["a", "a", "b", "b"],
    ...               metrics=["true_positive_rate"], zero_division=0).difference()["true_positive_rate"]
    np.float64(1.0)

    Labels -1/1 or named labels, and groups compared within each control group:

    >>> group_metrics(["no", "yes", "yes", "no"], ["yes", "yes", "no", "no"], pos_label="yes",
    ...               sensitive_features=["a", "a", "b", "b"], metrics=["selection_rate"]).by_group["selection_rate"].tolist()
    [1.0, 0.0]
    >>> report = group_metrics([1, -1, 1, -1, 1, 1], [1, 1, -1, -1, 1, -1], metrics=["selection_rate"],
    ...                        sensitive_features=["F", "M", "F", "M", "F", "M"],
    ...                        control_features=pd.Series(["x", "x", "x", "y", "y", "y"], name="site"))
    >>> report.difference()["selection_rate"]
    site
    x    0.5
    y    1.0
    Name: selection_rate, dtype: float64
    """
    report, parts, fill = _group_metrics(
        y_true, y_pred, sensitive_features=sensitive_features, metrics=metrics, sample_weight=sample_weight,
        y_score=y_score, control_features=control_features, pos_label=pos_label, zero_division=zero_division,
        n_boot=n_boot, ci=ci, random_state=random_state,
    )
    if parts:
        warnings.warn(undefined_message(parts, fill), UndefinedMetricWarning, stacklevel=2)
    return report


def _group_metrics(
    y_true, y_pred, *, sensitive_features, metrics, sample_weight, y_score, control_features, pos_label,
    zero_division, n_boot, ci, random_state,
):
    """``group_metrics`` without its warning: (report, the undefined (metric, groups) phrases to warn about, fill)."""
    resolved = _resolve_metrics(metrics)
    fill, warn = check_zero_division(zero_division)
    raw_true, raw_pred = y_true, y_pred
    y_true, y_pred, weights, groups = prepare(
        y_true, y_pred, sensitive_features, sample_weight, pos_label=pos_label, control_features=control_features
    )
    n = len(y_true)
    functions = {k: m for k, m in resolved.items() if callable(m)}
    score_users = [k for k, m in resolved.items() if m == "roc_auc" or (callable(m) and _takes_scores(m))]
    scores = None
    if score_users:
        if y_score is None:
            raise ValueError(
                f"metrics includes {', '.join(map(repr, score_users))}, which needs y_score (the model's scores); "
                "none was given."
            )
        scores = check_scores(y_score, "y_score")
        if len(scores) != n:
            raise ValueError(f"y_score has {len(scores)} values but y_true has {n}.")
    if functions:  # functions see the labels as given, as in Fairlearn
        raw_true, raw_pred = check_array_1d(raw_true, "y_true"), check_array_1d(raw_pred, "y_pred")
    boot = None
    if n_boot is not None:
        n_boot = check_positive_int(n_boot, "n_boot", minimum=2)
        ci = check_fraction(ci, "ci")
        if not 0 < ci < 1:
            raise ValueError(f"ci must be strictly between 0 and 1, got {ci:g}.")
        boot = check_random_state(random_state)

    labels = list(resolved)
    G, C = groups.n_groups, groups.n_control
    S = G // C
    control_codes = groups.codes // S
    counts = confusion_counts(y_true, y_pred, groups.codes, G, weights)
    rate_cols = [j for j, label in enumerate(labels) if isinstance(resolved[label], str) and resolved[label] in RATES]

    def evaluate(counts_g, sizes_g, fill_value, auc_fn=None, row_weights=None):
        """Metric values for groups (..., G, M) and control groups (..., C, M) from counts."""
        shape = counts_g.shape[:-2]
        counts_c = counts_g.reshape(shape + (C, S, 4)).sum(-2)
        sizes_c = sizes_g.reshape(shape + (C, S)).sum(-1)
        by_group = np.full(shape + (G, len(labels)), np.nan)
        overall = np.full(shape + (C, len(labels)), np.nan)
        for j, label in enumerate(labels):
            metric = resolved[label]
            if j in rate_cols:
                by_group[..., j] = fill_undefined(RATES[metric][0](counts_g), sizes_g, fill_value)
                overall[..., j] = fill_undefined(RATES[metric][0](counts_c), sizes_c, fill_value)
            elif metric == "count":
                by_group[..., j] = sizes_g
                overall[..., j] = sizes_c
            elif metric == "roc_auc":
                by_group[..., j], overall[..., j] = auc_fn(row_weights)
            else:
                by_group[..., j], overall[..., j] = _callable_values(metric, row_weights)
        return by_group, overall

    sorted_by_group = sorted_all = None
    if scores is not None:
        sorted_by_group = _SortedScores(y_true, scores, groups.codes, G)
        sorted_all = _SortedScores(y_true, scores, control_codes, C)

    def auc_fn(row_weights):
        return sorted_by_group.auc(row_weights), sorted_all.auc(row_weights)

    group_rows = control_rows = None
    if functions:
        group_rows = [np.flatnonzero(groups.codes == g) for g in range(G)]
        control_rows = [np.arange(n)] if C == 1 else [np.flatnonzero(control_codes == c) for c in range(C)]

    def _callable_values(func, row_weights):
        rw = np.atleast_2d(row_weights)
        resampled = row_weights is not base_weights
        accepts = _accepts_sample_weight(func)
        second = scores if _takes_scores(func) else raw_pred
        if weights is not None and not accepts:
            raise TypeError(
                f"metric {getattr(func, '__name__', func)!r} does not accept sample_weight, "
                "but sample_weight was given."
            )

        def call(rows, w_rows):
            keep = w_rows > 0
            rows, w_rows = rows[keep], w_rows[keep]
            if not len(rows):
                return np.nan
            if weights is None and not resampled:
                return float(func(raw_true[rows], second[rows]))
            if accepts:
                return float(func(raw_true[rows], second[rows], sample_weight=w_rows))
            rows = np.repeat(rows, w_rows.astype(np.int64))  # bootstrap multiplicities
            return float(func(raw_true[rows], second[rows]))

        per_group = np.full((rw.shape[0], G), np.nan)
        per_control = np.full((rw.shape[0], C), np.nan)
        for b in range(rw.shape[0]):
            for c, rows in enumerate(control_rows):
                per_control[b, c] = call(rows, rw[b, rows])
            for g, rows in enumerate(group_rows):
                per_group[b, g] = call(rows, rw[b, rows])
        if not resampled:
            return per_group[0], per_control[0]
        return per_group, per_control

    base_weights = np.ones(n) if weights is None else weights
    sizes = groups.sizes.astype(float)
    by_group, overall = evaluate(counts, sizes, np.nan, auc_fn, base_weights)
    kinds = [m if isinstance(m, str) else "" for m in resolved.values()]
    parts = undefined_parts(by_group, labels, groups.index, groups.sizes, kinds=kinds) if warn else []
    if rate_cols and not np.isnan(fill):
        sizes_c = sizes.reshape(C, S).sum(-1)
        by_group[:, rate_cols] = fill_undefined(by_group[:, rate_cols], sizes[:, None], fill)
        overall[:, rate_cols] = fill_undefined(overall[:, rate_cols], sizes_c[:, None], fill)

    boot_overall = boot_by_group = None
    if boot is not None:
        boot_by_group, boot_overall = _bootstrap(
            boot, n_boot, y_true, y_pred, weights, groups,
            lambda counts_g, sizes_g, auc=None, row_w=None: evaluate(counts_g, sizes_g, fill, auc, row_w), auc_fn,
            needs_rows=scores is not None or group_rows is not None,
        )

    counts_frame = pd.DataFrame(counts, index=groups.index, columns=["tn", "fp", "fn", "tp"])
    counts_frame["n"] = groups.sizes
    report = GroupMetricReport(
        overall=overall,
        by_group=pd.DataFrame(by_group, index=groups.index, columns=labels),
        counts=counts_frame,
        boot_overall=boot_overall,
        boot_by_group=boot_by_group,
        ci=ci if boot is not None else None,
        control_index=groups.control_index,
    )
    return report, parts, fill


def _bootstrap(rng, n_boot, y_true, y_pred, weights, groups, evaluate, auc_fn, *, needs_rows):
    """Resample rows with replacement ``n_boot`` times; vectorised over the replicates.

    Without weights and with only count-based metrics, the counts of a resample are exactly
    multinomial over the (group, outcome) cells, so no row is touched. Otherwise replicates are
    drawn in chunks as row multiplicities (B, n), and counts come from one bincount per chunk.
    """
    n = len(y_true)
    G = groups.n_groups
    key = groups.codes * 4 + (2 * y_true.astype(np.int64) + y_pred)
    if weights is None and not needs_rows:
        cell_counts = np.bincount(key, minlength=4 * G)
        draws = rng.multinomial(n, cell_counts / n, size=n_boot).astype(np.float64)
        counts_g = draws.reshape(n_boot, G, 4)
        sizes = counts_g.sum(-1)
        return evaluate(counts_g, sizes)
    out_g, out_o = [], []
    chunk = max(1, _BOOT_CHUNK_ROWS // n)
    base = np.ones(n) if weights is None else weights
    for start in range(0, n_boot, chunk):
        b = min(chunk, n_boot - start)
        idx = rng.integers(0, n, size=(b, n))
        offsets = (np.arange(b) * n)[:, None]
        mult = np.bincount((idx + offsets).ravel(), minlength=b * n).reshape(b, n).astype(np.float64)
        row_w = mult * base
        flat_key = ((np.arange(b) * 4 * G)[:, None] + key[None, :]).ravel()
        counts_g = np.bincount(flat_key, weights=row_w.ravel(), minlength=b * 4 * G).reshape(b, G, 4)
        sizes = np.bincount(
            ((np.arange(b) * G)[:, None] + groups.codes[None, :]).ravel(), weights=mult.ravel(), minlength=b * G
        ).reshape(b, G)
        g_vals, o_vals = evaluate(counts_g, sizes, auc_fn, row_w)
        out_g.append(g_vals)
        out_o.append(o_vals)
    return np.concatenate(out_g), np.concatenate(out_o)
