"""Plots for module 08: tabular mitigations on the accuracy-fairness plane.

Each function draws results computed elsewhere (:func:`biaslab.mitigations._comparison.load_mitigation_results`
and its ``pareto_front``); none computes a metric.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._fairness import _check_ax

__all__ = ["plot_accuracy_fairness", "MITIGATION_STYLES"]

#: Colour and marker of each method (Okabe-Ito colours; the families share a marker).
MITIGATION_STYLES = {
    "no mitigation": ("#000000", "*"),
    "reweighing": ("#0072B2", "o"),
    "massaging": ("#56B4E9", "o"),
    "uniform sampling": ("#009E73", "o"),
    "preferential sampling": ("#8FBC3F", "o"),
    "group thresholds (equal opportunity)": ("#E69F00", "s"),
    "group thresholds (demographic parity)": ("#F0A8C8", "s"),
    "exponentiated gradient (equal opportunity)": ("#D55E00", "D"),
    "exponentiated gradient (demographic parity)": ("#CC79A7", "D"),
}

_AXIS_LABELS = {
    "discrimination": "|discrimination|: |P(ŷ=1 | favoured) − P(ŷ=1 | deprived)|",
    "tpr_gap": "|equal opportunity gap|: |TPR favoured − TPR deprived|",
}


def plot_accuracy_fairness(results, *, fairness="discrimination", front=None, ax=None, title=None,
                           baseline="no mitigation", legend=True):
    """Each mitigation as a point (a sweep as a line) on the plane of test accuracy and unfairness.

    The x axis is the *absolute* gap (0 = both groups treated alike; further right = less fair),
    the y axis the accuracy: up and to the left is better. A method with several rows (a
    threshold or eps sweep) is drawn as a line through its settings, its strictest setting
    (the last row) as a larger marker.

    Parameters
    ----------
    results : pandas.DataFrame
        One dataset's rows of ``load_mitigation_results``: columns ``method``, ``accuracy`` and
        the ``fairness`` column.
    fairness : {"discrimination", "tpr_gap"}
        The gap on the x axis.
    front : pandas.DataFrame, optional
        The Pareto front (``pareto_front(results, fairness)``), drawn as a dashed line.
    ax : matplotlib Axes, optional
    title : str, optional
    baseline : str, default "no mitigation"
        The method marked as the starting point (a large star with a label).
    legend : bool, default True

    Returns
    -------
    matplotlib Axes
    """
    if not isinstance(results, pd.DataFrame):
        raise TypeError(f"results must be a pandas DataFrame (load_mitigation_results()), got {type(results).__name__}.")
    if fairness not in _AXIS_LABELS:
        raise ValueError(f"fairness must be one of {', '.join(map(repr, _AXIS_LABELS))}, got {fairness!r}.")
    missing = [c for c in ("method", "accuracy", fairness) if c not in results.columns]
    if missing:
        raise ValueError(f"results has no column(s) {', '.join(missing)}.")
    if results.empty:
        raise ValueError("results is empty: there is nothing to draw.")
    if "dataset" in results.columns and results["dataset"].nunique() > 1:
        raise ValueError("results holds several datasets; pass one dataset's rows (results[results.dataset == ...]).")
    if front is not None and (not isinstance(front, pd.DataFrame) or not {"accuracy", fairness} <= set(front.columns)):
        raise TypeError(f"front must be None or a DataFrame with columns 'accuracy' and {fairness!r} "
                        "(pareto_front(results, fairness)).")
    ax = _check_ax(ax)

    extra_colours = iter(("#999999", "#666666", "#333333"))
    for method, rows in results.groupby("method", sort=False):
        colour, marker = MITIGATION_STYLES.get(method, (next(extra_colours, "#999999"), "o"))
        x = np.abs(rows[fairness].to_numpy(dtype=float))
        y = rows["accuracy"].to_numpy(dtype=float)
        if method == baseline:
            ax.scatter(x, y, s=260, marker="*", color=colour, zorder=5, label=method)
            ax.annotate("no mitigation", (x[0], y[0]), xytext=(-12, 6), textcoords="offset points", fontsize=11,
                        fontweight="bold", ha="right")
            continue
        if len(rows) > 1:
            ax.plot(x, y, color=colour, lw=1.8, marker=marker, ms=4, zorder=3, alpha=0.9)
        ax.scatter(x[-1:], y[-1:], s=80, marker=marker, color=colour, edgecolor="black", linewidth=0.6, zorder=4,
                   label=method + (" (sweep)" if len(rows) > 1 else ""))
    if front is not None and len(front):
        fx = np.abs(front[fairness].to_numpy(dtype=float))
        fy = front["accuracy"].to_numpy(dtype=float)
        order = np.argsort(fx, kind="stable")
        ax.plot(fx[order], fy[order], ls="--", color="#444444", lw=1.2, zorder=2, label="Pareto front")

    ax.set_xlabel(_AXIS_LABELS[fairness] + "\n← fairer (0 = equal)", fontsize=11)
    ax.set_ylabel("test accuracy (higher is better)", fontsize=11)
    ax.set_xlim(left=min(0.0, ax.get_xlim()[0]))
    ax.tick_params(labelsize=10)
    ax.grid(alpha=0.3)
    if title is not None:
        ax.set_title(title, fontsize=12)
    if legend:
        ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
    from ._style import describe

    def _point(method, rows):
        fair, acc = np.abs(rows[fairness].to_numpy(dtype=float)), rows["accuracy"].to_numpy(dtype=float)
        if len(rows) == 1:
            return f"{method}: accuracy {acc[0]:.3f}, |{fairness.replace('_', ' ')}| {fair[0]:.3f}"
        return (f"{method} (a sweep of {len(rows)} settings): accuracy {acc.min():.3f} to {acc.max():.3f}, "
                f"|{fairness.replace('_', ' ')}| {fair.min():.3f} to {fair.max():.3f}")
    describe(ax, f"Accuracy against |{fairness.replace('_', ' ')}| per mitigation{': ' + title if title else ''}. "
                 + "; ".join(_point(m, rows) for m, rows in results.groupby("method", sort=False)) + ".")
    return ax
