"""Plots for modules 07-08: trade-offs between a correction's strength and what it costs.

Each function draws a summary computed elsewhere (e.g.
:func:`biaslab.experiments.from_hope_to_safety.summarise_clarc`: one row per method and setting,
``<metric>_mean`` and ``<metric>_std`` columns) and computes nothing itself.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

__all__ = ["plot_lambda_tradeoff", "plot_method_comparison", "CLARC_METRIC_LABELS", "CLARC_METHOD_STYLES"]

#: Readable names of the metrics of the ClArC comparison.
CLARC_METRIC_LABELS = {"clean_acc": "clean test accuracy", "attacked_acc": "attacked test accuracy",
                 "tcav_sensitivity": "TCAV sensitivity", "tcav_score": "TCAV score"}

#: Okabe-Ito colours (distinct for colour-blind readers and in a projector's light).
_METRIC_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")
#: Marker of each metric's curve: colour is never the only cue.
_METRIC_MARKERS = ("o", "s", "^", "D")
#: Line style of each reference method drawn as a horizontal line.
CLARC_METHOD_STYLES = {"original": ":", "vanilla": "--", "p_clarc": (0, (1, 1.5)), "a_clarc": "-."}
_METHOD_NAMES = {"original": "original model", "vanilla": "Vanilla", "p_clarc": "P-ClArC", "a_clarc": "A-ClArC",
                 "rr_clarc": "RR-ClArC"}


def _check_ax(ax, figsize=(7, 4)):
    if ax is None:
        from ._style import subplots

        _, ax = subplots(width=figsize[0], panel_height=figsize[1] - 0.4)
        return ax
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}.")
    return ax


def mark_label(ax, lam, grid, annotation=None, *, y=1.0):
    """Write "lambda = <lam>" beside a marked lambda, at height ``y`` (a fraction of the axes; 1 is the
    top), on a white ground so no curve runs through it, and to the left of the line in the right half
    of the grid so it never leaves the panel. Moves ``annotation`` (from an earlier call) instead of
    making a new one; returns it."""
    grid = np.asarray(grid, dtype=float)
    right_half = np.log10(lam) > np.log10(grid.min()) + 0.5 * (np.log10(grid.max()) - np.log10(grid.min()))
    offset, ha = ((-4, -14), "right") if right_half else ((4, -14), "left")
    if annotation is None:
        annotation = ax.annotate("", (lam, y), xycoords=("data", "axes fraction"), xytext=offset,
                                 textcoords="offset points", fontsize=10,
                                 bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.9))
    annotation.xy = (lam, y)
    annotation.xyann = offset
    annotation.set_ha(ha)
    annotation.set_text(f"lambda = {lam:g}")
    return annotation


def _check_summary(summary, metrics, *, need=("method", "lam")) -> pd.DataFrame:
    if not isinstance(summary, pd.DataFrame):
        raise TypeError(f"summary must be a DataFrame (e.g. from summarise_clarc), got {type(summary).__name__}.")
    if summary.empty:
        raise ValueError("summary is empty.")
    missing = [c for c in need if c not in summary.columns]
    missing += [f"{m}_mean" for m in metrics if f"{m}_mean" not in summary.columns]
    if missing:
        raise ValueError(f"summary lacks the column(s) {', '.join(missing)}; pass summarise_clarc(results).")
    return summary


def _as_metrics(metric) -> list[str]:
    metrics = [metric] if isinstance(metric, str) else list(metric) if isinstance(metric, (list, tuple)) else None
    if not metrics or not all(isinstance(m, str) for m in metrics):
        raise TypeError(f"metric must be a metric name such as 'attacked_acc' or a list of them, got {metric!r}.")
    if len(metrics) > len(_METRIC_COLOURS):
        raise ValueError(f"at most {len(_METRIC_COLOURS)} metrics fit in one plot, got {len(metrics)}.")
    return metrics


def plot_lambda_tradeoff(summary, metric="attacked_acc", *, method="rr_clarc", references=("vanilla",), mark=None,
                         ax=None, title=None, ylabel=None, ylim=None):
    """A metric (mean over seeds, band = one standard deviation) against lambda, on a log axis.

    Parameters
    ----------
    summary : DataFrame
        Columns ``method``, ``lam`` and ``<metric>_mean`` (``<metric>_std`` optional), one row per
        method and lambda.
    metric : str or list of str
        Column stem(s), e.g. ``"clean_acc"``; each gets its own colour.
    method : str, default="rr_clarc"
        The method whose rows form the curve (one per lambda).
    references : sequence of str
        Methods drawn as horizontal lines at their value (in the metric's colour, one line style
        per method, see :data:`CLARC_METHOD_STYLES`), e.g. ``("vanilla", "p_clarc", "a_clarc")``.
    mark : float, optional
        A lambda to mark with a vertical line (the one chosen).
    ax : matplotlib Axes, optional
    title, ylabel : str, optional
    ylim : (float, float), optional

    Returns
    -------
    matplotlib Axes
    """
    metrics = _as_metrics(metric)
    summary = _check_summary(summary, metrics)
    if isinstance(references, str) or not isinstance(references, (list, tuple)):
        raise TypeError(f"references must be a list or tuple of method names, got {references!r}.")
    curve = summary[summary["method"] == method].sort_values("lam")
    if curve.empty:
        raise ValueError(f"summary has no rows of method {method!r}; it has {sorted(set(summary['method']))}.")
    if (curve["lam"] <= 0).any():
        raise ValueError("lambda must be positive on the curve (it is drawn on a log axis).")
    for ref in references:
        if not (summary["method"] == ref).any():
            raise ValueError(f"references: summary has no rows of method {ref!r}.")
    if mark is not None and (isinstance(mark, bool) or not isinstance(mark, numbers.Real) or mark <= 0):
        raise ValueError(f"mark must be a positive lambda, got {mark!r}.")
    ax = _check_ax(ax)
    lam = curve["lam"].to_numpy(dtype=float)
    name = _METHOD_NAMES.get(method, method)
    banded = False
    for colour, marker, m in zip(_METRIC_COLOURS, _METRIC_MARKERS, metrics):
        mean = curve[f"{m}_mean"].to_numpy(dtype=float)
        pretty = CLARC_METRIC_LABELS.get(m, m)
        ax.plot(lam, mean, color=colour, marker=marker, lw=2.2, label=f"{name}: {pretty}" if len(metrics) > 1 else name)
        if f"{m}_std" in curve.columns:
            std = curve[f"{m}_std"].to_numpy(dtype=float)
            ax.fill_between(lam, mean - std, mean + std, color=colour, alpha=0.18, lw=0,
                            label=None if banded else "band: ±1 sd over seeds")
            banded = True
        for ref in references:
            value = float(summary.loc[summary["method"] == ref, f"{m}_mean"].iloc[0])
            ref_name = _METHOD_NAMES.get(ref, ref)
            # several metrics: the reference line carries the metric's marker too (at its two ends)
            ax.plot([lam.min(), lam.max()], [value, value], color=colour if len(metrics) > 1 else "#555555", lw=1.6,
                    ls=CLARC_METHOD_STYLES.get(ref, "--"), marker=marker if len(metrics) > 1 else None,
                    markersize=5, markerfacecolor="white",
                    label=f"{ref_name}: {pretty}" if len(metrics) > 1 else ref_name)
    if mark is not None:
        ax.axvline(float(mark), color="black", lw=1.2, alpha=0.7)
        mark_label(ax, float(mark), lam)
    ax.set_xscale("log")
    ax.set_xlabel(r"penalty weight $\lambda$ (log scale)", fontsize=11)
    ax.set_ylabel(ylabel or (CLARC_METRIC_LABELS.get(metrics[0], metrics[0]) if len(metrics) == 1 else "accuracy"),
                  fontsize=11)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_title(title or f"{name}: " + " and ".join(CLARC_METRIC_LABELS.get(m, m) for m in metrics) + r" vs $\lambda$",
                 fontsize=12)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9, loc="best", framealpha=0.9)
    from ._style import describe

    parts = []
    for m in metrics:
        mean = curve[f"{m}_mean"].to_numpy(dtype=float)
        refs = ", ".join(f"{_METHOD_NAMES.get(r, r)} {float(summary.loc[summary['method'] == r, f'{m}_mean'].iloc[0]):.3g}"
                         for r in references)
        parts.append(f"{CLARC_METRIC_LABELS.get(m, m)} of {name} from {mean[0]:.3g} at lambda {lam[0]:g} to "
                     f"{mean[-1]:.3g} at lambda {lam[-1]:g}" + (f" (horizontal lines: {refs})" if refs else ""))
    describe(ax, f"{ax.get_title()}: " + "; ".join(parts) + ".")
    return ax


def plot_method_comparison(summary, metrics=("clean_acc", "attacked_acc"), *, ax=None, title=None, ylabel=None,
                           ylim=None, annotate=True, fmt="{:.3f}"):
    """Grouped bars: one group per row of ``summary`` (its ``label``), one bar per metric, with
    one-standard-deviation error bars where ``<metric>_std`` is given.

    Parameters
    ----------
    summary : DataFrame
        Columns ``label`` and ``<metric>_mean`` (``<metric>_std`` optional); the rows to compare,
        in the order to draw them.
    metrics : str or list of str
    ax : matplotlib Axes, optional
    title, ylabel : str, optional
    ylim : (float, float), optional
    annotate : bool
        Write each bar's value above it.
    fmt : str
        Format of the annotations.

    Returns
    -------
    matplotlib Axes
    """
    metrics = _as_metrics(metrics)
    summary = _check_summary(summary, metrics, need=("label",))
    if not isinstance(annotate, bool):
        raise TypeError(f"annotate must be True or False, got {type(annotate).__name__}.")
    ax = _check_ax(ax, figsize=(max(6.0, 1.6 * len(summary) + 2), 4))
    x = np.arange(len(summary))
    width = 0.8 / len(metrics)
    for i, (colour, m) in enumerate(zip(_METRIC_COLOURS, metrics)):
        mean = summary[f"{m}_mean"].to_numpy(dtype=float)
        std = summary[f"{m}_std"].to_numpy(dtype=float) if f"{m}_std" in summary.columns else None
        bars = ax.bar(x + (i - (len(metrics) - 1) / 2) * width, mean, width * 0.95, color=colour,
                      label=CLARC_METRIC_LABELS.get(m, m), yerr=std, capsize=3, error_kw={"lw": 1.2})
        if annotate:
            ax.bar_label(bars, labels=[fmt.format(v) for v in mean], fontsize=9, padding=2)
    ax.set_xticks(x, [str(v).replace(" (", "\n(") for v in summary["label"]], fontsize=10)
    ax.set_ylabel(ylabel or (CLARC_METRIC_LABELS.get(metrics[0], metrics[0]) if len(metrics) == 1 else "accuracy"),
                  fontsize=11)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_title(title or " and ".join(CLARC_METRIC_LABELS.get(m, m) for m in metrics) + " by method", fontsize=12)
    ax.grid(axis="y", alpha=0.3)
    if len(metrics) > 1:
        ax.legend(fontsize=9, loc="lower right", framealpha=0.9)
    return ax
