"""``group_metrics``: every metric by group, its disparities and bootstrap confidence intervals."""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from .._validation import check_fraction, check_positive_int, check_random_state, check_scores, check_choice
from ._engine import RATES, confusion_counts, prepare, rates_from_counts, warn_undefined
from ._scores import _SortedScores

__all__ = ["group_metrics", "GroupMetricReport", "METRIC_NAMES"]

#: Names accepted by ``group_metrics(metrics=[...])``.
METRIC_NAMES = tuple(RATES) + ("count", "roc_auc")

_DEFAULT_METRICS = ("selection_rate", "true_positive_rate", "false_positive_rate", "false_negative_rate", "accuracy")
_METHODS = ("between_groups", "to_overall")
# Rows are resampled in chunks of this many bootstrap replicates to bound memory.
_BOOT_CHUNK_ROWS = 4_000_000


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
    overall : pandas.Series
        Each metric on all rows.
    by_group : pandas.DataFrame
        One row per group (a MultiIndex for several sensitive columns), one column per metric.
        Combinations of values with no rows appear with NaN, as in Fairlearn.
    counts : pandas.DataFrame
        The (weighted) confusion counts ``tn``, ``fp``, ``fn``, ``tp`` and the number of rows
        ``n`` per group: everything the count-based metrics are computed from.
    n_boot, ci : int or None, float
        Bootstrap settings (``None`` when no bootstrap was run).
    """

    def __init__(self, overall, by_group, counts, boot_overall=None, boot_by_group=None, ci=None):
        self.overall = overall
        self.by_group = by_group
        self.counts = counts
        self._boot_overall = boot_overall  # (B, M)
        self._boot_by_group = boot_by_group  # (B, G, M)
        self.ci = ci
        self.n_boot = None if boot_overall is None else boot_overall.shape[0]

    def __repr__(self) -> str:
        text = f"GroupMetricReport({len(self.by_group)} groups x {self.by_group.shape[1]} metrics)\n"
        text += "overall:\n" + self.overall.to_string() + "\nby_group:\n" + self.by_group.to_string()
        return text

    # --- aggregates --------------------------------------------------------------------------
    def group_min(self) -> pd.Series:
        """Smallest value of each metric over the groups (NaN groups ignored)."""
        return self.by_group.min()

    def group_max(self) -> pd.Series:
        """Largest value of each metric over the groups (NaN groups ignored)."""
        return self.by_group.max()

    @staticmethod
    def _difference(by_group: np.ndarray, overall: np.ndarray, method: str) -> np.ndarray:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices give NaN
            if method == "between_groups":
                return np.nanmax(by_group, axis=-2) - np.nanmin(by_group, axis=-2)
            return np.nanmax(np.abs(by_group - overall[..., None, :]), axis=-2)

    @staticmethod
    def _ratio(by_group: np.ndarray, overall: np.ndarray, method: str) -> np.ndarray:
        with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            if method == "between_groups":
                return np.nanmin(by_group, axis=-2) / np.nanmax(by_group, axis=-2)
            o = overall[..., None, :]
            ratios = np.fmin(by_group / o, o / by_group)
            return np.nanmin(ratios, axis=-2)

    def difference(self, method: str = "between_groups") -> pd.Series:
        """Largest difference of each metric: between two groups, or of a group to the overall value.

        ``method="between_groups"`` gives max - min over groups (Fairlearn's default);
        ``"to_overall"`` gives the largest absolute difference between a group and the overall value.
        """
        check_choice(method, "method", _METHODS)
        values = self._difference(self.by_group.to_numpy(), self.overall.to_numpy(), method)
        return pd.Series(values, index=self.by_group.columns, name="difference")

    def ratio(self, method: str = "between_groups") -> pd.Series:
        """Smallest ratio of each metric: min / max over groups, or a group to the overall value.

        With ``"to_overall"`` each group's ratio is taken the way round that is at most 1.
        """
        check_choice(method, "method", _METHODS)
        values = self._ratio(self.by_group.to_numpy(), self.overall.to_numpy(), method)
        return pd.Series(values, index=self.by_group.columns, name="ratio")

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

    @property
    def overall_ci(self) -> pd.DataFrame:
        """Percentile bootstrap interval of each overall metric: columns ``lower`` and ``upper``."""
        self._require_boot()
        low, high = self._bounds(self._boot_overall)
        return pd.DataFrame({"lower": low, "upper": high}, index=self.by_group.columns)

    @property
    def by_group_ci(self) -> pd.DataFrame:
        """Percentile bootstrap interval per group: columns (metric, ``lower``/``upper``)."""
        self._require_boot()
        low, high = self._bounds(self._boot_by_group)
        cols = pd.MultiIndex.from_product([self.by_group.columns, ["lower", "upper"]], names=["metric", "bound"])
        data = np.stack([low, high], axis=-1).reshape(low.shape[0], -1)
        return pd.DataFrame(data, index=self.by_group.index, columns=cols)

    def difference_ci(self, method: str = "between_groups") -> pd.DataFrame:
        """Bootstrap interval of :meth:`difference` for each metric."""
        check_choice(method, "method", _METHODS)
        self._require_boot()
        low, high = self._bounds(self._difference(self._boot_by_group, self._boot_overall, method))
        return pd.DataFrame({"lower": low, "upper": high}, index=self.by_group.columns)

    def ratio_ci(self, method: str = "between_groups") -> pd.DataFrame:
        """Bootstrap interval of :meth:`ratio` for each metric."""
        check_choice(method, "method", _METHODS)
        self._require_boot()
        low, high = self._bounds(self._ratio(self._boot_by_group, self._boot_overall, method))
        return pd.DataFrame({"lower": low, "upper": high}, index=self.by_group.columns)


def group_metrics(
    y_true,
    y_pred,
    *,
    sensitive_features,
    metrics=_DEFAULT_METRICS,
    sample_weight=None,
    y_score=None,
    n_boot: int | None = None,
    ci: float = 0.95,
    random_state=None,
) -> GroupMetricReport:
    """Compute metrics overall and for every group in one pass over the data.

    Parameters
    ----------
    y_true, y_pred : array-like of 0/1
        True labels and predicted labels.
    sensitive_features : array-like, Series, DataFrame or dict of columns
        One group label per row. Several columns give intersectional groups (their Cartesian
        product, as in Fairlearn's ``MetricFrame``).
    metrics : list of str, mapping of name to str or function, or a function
        Names from :data:`METRIC_NAMES` (``selection_rate``, ``true_positive_rate``,
        ``false_negative_rate``, ``false_omission_rate``, ``precision``, ``accuracy``, ``count``,
        ``roc_auc``, ...) or functions ``f(y_true, y_pred[, sample_weight=])`` evaluated per group.
    sample_weight : array-like, optional
        Non-negative row weights (``count`` stays the number of rows).
    y_score : array-like of float, optional
        Scores, required for ``roc_auc``.
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
    A rate whose denominator is zero in a group (say the true positive rate of a group with no
    positives) is NaN and an :class:`UndefinedMetricWarning` names the group; Fairlearn reports 0
    there instead. Combinations of sensitive values with no rows are NaN without a warning.

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
    """
    resolved = _resolve_metrics(metrics)
    y_true, y_pred, weights, groups = prepare(y_true, y_pred, sensitive_features, sample_weight)
    n = len(y_true)
    scores = None
    if any(m == "roc_auc" for m in resolved.values()):
        if y_score is None:
            raise ValueError("metrics includes 'roc_auc', which needs y_score (the model's scores); none was given.")
        scores = check_scores(y_score, "y_score")
        if len(scores) != n:
            raise ValueError(f"y_score has {len(scores)} values but y_true has {n}.")
    boot = None
    if n_boot is not None:
        n_boot = check_positive_int(n_boot, "n_boot", minimum=2)
        ci = check_fraction(ci, "ci")
        if not 0 < ci < 1:
            raise ValueError(f"ci must be strictly between 0 and 1, got {ci:g}.")
        boot = check_random_state(random_state)

    labels = list(resolved)
    rate_cols = [k for k, m in resolved.items() if isinstance(m, str) and m in RATES]
    counts = confusion_counts(y_true, y_pred, groups.codes, groups.n_groups, weights)
    total = counts.sum(0)
    G = groups.n_groups

    def evaluate(counts_g, counts_all, sizes_g, auc_fn=None, row_weights=None):
        """Metric values for groups (..., G, M) and overall (..., M) from counts."""
        shape = counts_g.shape[:-2]
        by_group = np.full(shape + (G, len(labels)), np.nan)
        overall = np.full(shape + (len(labels),), np.nan)
        for j, label in enumerate(labels):
            metric = resolved[label]
            if isinstance(metric, str) and metric in RATES:
                by_group[..., j] = RATES[metric][0](counts_g)
                overall[..., j] = RATES[metric][0](counts_all)
            elif metric == "count":
                by_group[..., j] = sizes_g
                overall[..., j] = sizes_g.sum(-1)
            elif metric == "roc_auc":
                by_group[..., j], overall[..., j] = auc_fn(row_weights)
            else:
                by_group[..., j], overall[..., j] = _callable_values(metric, row_weights)
        return by_group, overall

    sorted_by_group = sorted_all = None
    if scores is not None:
        sorted_by_group = _SortedScores(y_true, scores, groups.codes, G)
        sorted_all = _SortedScores(y_true, scores, np.zeros(n, dtype=np.int64), 1)

    def auc_fn(row_weights):
        return sorted_by_group.auc(row_weights), sorted_all.auc(row_weights)[..., 0]

    group_rows = [np.flatnonzero(groups.codes == g) for g in range(G)] if any(callable(m) for m in resolved.values()) else None

    def _callable_values(func, row_weights):
        rw = np.atleast_2d(row_weights)
        resampled = row_weights is not base_weights
        accepts = _accepts_sample_weight(func)
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
                return float(func(y_true[rows], y_pred[rows]))
            if accepts:
                return float(func(y_true[rows], y_pred[rows], sample_weight=w_rows))
            rows = np.repeat(rows, w_rows.astype(np.int64))  # bootstrap multiplicities
            return float(func(y_true[rows], y_pred[rows]))

        per_group = np.full((rw.shape[0], G), np.nan)
        overall_v = np.empty(rw.shape[0])
        all_rows = np.arange(n)
        for b in range(rw.shape[0]):
            overall_v[b] = call(all_rows, rw[b])
            for g, rows in enumerate(group_rows):
                per_group[b, g] = call(rows, rw[b, rows])
        if not resampled:
            return per_group[0], overall_v[0]
        return per_group, overall_v

    base_weights = np.ones(n) if weights is None else weights
    by_group, overall = evaluate(counts, total, groups.sizes.astype(float), auc_fn, base_weights)
    warn_undefined(by_group, labels, groups.index, groups.sizes)

    boot_overall = boot_by_group = None
    if boot is not None:
        boot_by_group, boot_overall = _bootstrap(
            boot, n_boot, y_true, y_pred, weights, groups, evaluate, auc_fn,
            needs_rows=scores is not None or group_rows is not None,
        )

    counts_frame = pd.DataFrame(counts, index=groups.index, columns=["tn", "fp", "fn", "tp"])
    counts_frame["n"] = groups.sizes
    return GroupMetricReport(
        overall=pd.Series(overall, index=labels, name="overall"),
        by_group=pd.DataFrame(by_group, index=groups.index, columns=labels),
        counts=counts_frame,
        boot_overall=boot_overall,
        boot_by_group=boot_by_group,
        ci=ci if boot is not None else None,
    )


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
        return evaluate(counts_g, counts_g.sum(-2), sizes)
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
        g_vals, o_vals = evaluate(counts_g, counts_g.sum(-2), sizes, auc_fn, row_w)
        out_g.append(g_vals)
        out_o.append(o_vals)
    return np.concatenate(out_g), np.concatenate(out_o)
