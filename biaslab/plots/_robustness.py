"""Plots for module 05: flips and sensitivity.

Each takes numbers computed by :mod:`biaslab.robustness` (or by hand) and draws them; none
computes a flip rate itself.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "plot_counterfactual_shift",
    "plot_flip_rate_curves",
    "plot_patient_flips",
    "plot_robustness_tradeoff",
]

_FLIP = "#c0504d"
_KEEP = "#9e9e9e"


def _axes(ax, figsize):
    if ax is None:
        from ._style import subplots

        _, ax = subplots(width=figsize[0], panel_height=figsize[1] - 0.4)
    return ax


def _check_threshold(threshold) -> float:
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.number)):
        raise TypeError(f"threshold must be a number between 0 and 1, got {type(threshold).__name__}.")
    threshold = float(threshold)
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must be between 0 and 1 (exclusive), got {threshold:g}.")
    return threshold


def _probabilities(values, name: str, n: int | None = None) -> np.ndarray:
    if isinstance(values, (str, bytes)) or np.isscalar(values) or values is None:
        raise TypeError(f"{name} must be an array of probabilities, one per patient, got {type(values).__name__}.")
    arr = np.asarray(values, dtype=float).reshape(-1)
    if n is not None and len(arr) != n:
        raise ValueError(f"{name} has {len(arr)} values; expected {n}, one per patient.")
    if np.isnan(arr).any() or (arr < 0).any() or (arr > 1).any():
        raise ValueError(f"{name} must hold probabilities between 0 and 1.")
    return arr


def plot_counterfactual_shift(proba, proba_counterfactual, *, threshold=0.5, changed="sex swapped", ax=None):
    """Each patient's predicted probability as recorded (x) against with one attribute changed (y).

    Points on the diagonal did not move. A decision flips when a point crosses the threshold:
    those land in the two shaded corners and are drawn in red. Every point off the diagonal
    moved, but only the red ones changed the decision.

    Parameters
    ----------
    proba, proba_counterfactual : array-like of float in [0, 1]
        Predicted probabilities of the positive class, as recorded and with the attribute changed.
    threshold : float, default 0.5
        The decision threshold.
    changed : str
        What was changed, for the axis label.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    threshold = _check_threshold(threshold)
    if not isinstance(changed, str):
        raise TypeError(f"changed must be a str naming the change, got {type(changed).__name__}.")
    x = _probabilities(proba, "proba")
    y = _probabilities(proba_counterfactual, "proba_counterfactual", len(x))
    flipped = (x >= threshold) != (y >= threshold)
    ax = _axes(ax, (5.2, 5))
    ax.fill_between([0, threshold], threshold, 1, color=_FLIP, alpha=0.08, lw=0)
    ax.fill_between([threshold, 1], 0, threshold, color=_FLIP, alpha=0.08, lw=0)
    ax.plot([0, 1], [0, 1], color="black", lw=1, ls=":")
    ax.axvline(threshold, color="black", lw=0.8)
    ax.axhline(threshold, color="black", lw=0.8)
    ax.scatter(x[~flipped], y[~flipped], s=22, color=_KEEP, alpha=0.8, label=f"same decision ({(~flipped).sum()})")
    ax.scatter(x[flipped], y[flipped], s=34, color=_FLIP, edgecolor="black", lw=0.5,
               label=f"decision flips ({flipped.sum()})")
    ax.text(threshold / 2, 0.97, "now referred", ha="center", va="top", fontsize=10, color=_FLIP)
    ax.text((1 + threshold) / 2, 0.03, "no longer referred", ha="center", va="bottom", fontsize=10, color=_FLIP)
    ax.set(xlim=(0, 1), ylim=(0, 1), aspect="equal", xlabel="predicted risk, as recorded",
           ylabel=f"predicted risk, {changed}", title=f"Each patient's risk, as recorded vs {changed}")
    ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), frameon=False)
    from ._style import describe

    flipped = (x >= threshold) != (y >= threshold)
    describe(ax, f"Each case's predicted probability as recorded against with {changed}: {int(flipped.sum()):,} of "
                 f"{len(x):,} decisions ({flipped.mean():.1%}) cross the threshold {threshold:g} and flip; the "
                 f"largest change of probability is {float(np.max(np.abs(y - x))):.2f}.")
    return ax


def plot_flip_rate_curves(curves, *, column_label, ax=None):
    """Flip rate against the size of the change, one line per model.

    Parameters
    ----------
    curves : DataFrame or Series
        Index: the sizes of the change (``delta``, in the column's units); one column per model
        (a Series is one model), values: flip rates between 0 and 1.
    column_label : str
        The changed column with its unit, e.g. ``"cholesterol (mg/dl)"``.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    if isinstance(curves, pd.Series):
        curves = curves.to_frame(curves.name if curves.name is not None else "model")
    if not isinstance(curves, pd.DataFrame):
        raise TypeError(f"curves must be a DataFrame (index: delta, one column per model), got {type(curves).__name__}.")
    if curves.empty:
        raise ValueError("curves is empty: expected flip rates for at least one delta.")
    if not isinstance(column_label, str):
        raise TypeError(f"column_label must be a str such as 'age (years)', got {type(column_label).__name__}.")
    values = curves.to_numpy(dtype=float)
    if np.isnan(values).any() or (values < 0).any() or (values > 1).any():
        raise ValueError("curves must hold flip rates between 0 and 1.")
    ax = _axes(ax, (5, 3.4))
    colors = ["#4f81bd", "#c0504d", "#9bbb59", "#8064a2"]
    for i, name in enumerate(curves.columns):
        ax.plot(curves.index.to_numpy(dtype=float), curves[name].to_numpy(dtype=float), marker="o", ms=4,
                color=colors[i % len(colors)], label=str(name))
    top = max(0.05, float(np.nanmax(values)) * 1.15)
    ax.set(xlabel=f"change of {column_label}, ±", ylabel="share of decisions that flip", ylim=(0, top),
           title=f"Flips when {column_label.split(' (')[0]} moves")
    ax.yaxis.set_major_formatter(_percent())
    if len(curves.columns) > 1:
        ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    from ._style import describe

    deltas = curves.index.to_numpy(dtype=float)
    describe(ax, f"Share of decisions that flip as {column_label} moves by ±delta: " + "; ".join(
        f"{name}: {float(curves[name].iloc[0]):.1%} at ±{deltas[0]:g}, {float(curves[name].iloc[-1]):.1%} at "
        f"±{deltas[-1]:g}" for name in curves.columns) + ".")
    return ax


def _percent(decimals=0):
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(1.0, decimals=decimals)


def plot_patient_flips(values, proba, flipped, *, column_label, threshold=0.5, ax=None):
    """Each patient's predicted risk against one column; the patients whose decision flips in red.

    Parameters
    ----------
    values : array-like of numbers
        The column for each patient (x axis).
    proba : array-like of float in [0, 1]
        Each patient's predicted risk (y axis).
    flipped : array-like of bool
        Does the patient's decision flip?
    column_label : str
        The column with its unit, e.g. ``"age (years)"``.
    threshold : float, default 0.5
        The decision threshold, drawn as a line.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    threshold = _check_threshold(threshold)
    if not isinstance(column_label, str):
        raise TypeError(f"column_label must be a str such as 'age (years)', got {type(column_label).__name__}.")
    y = _probabilities(proba, "proba")
    if isinstance(values, (str, bytes)) or np.isscalar(values):
        raise TypeError(f"values must be an array, one number per patient, got {type(values).__name__}.")
    x = np.asarray(values, dtype=float).reshape(-1)
    if len(x) != len(y):
        raise ValueError(f"values has {len(x)} entries but proba has {len(y)}; give one per patient.")
    flips = np.asarray(flipped)
    if flips.dtype != bool or flips.shape != (len(y),):
        raise ValueError(f"flipped must be one True/False per patient ({len(y)} of them).")
    ax = _axes(ax, (6, 3.6))
    ax.axhline(threshold, color="black", lw=0.8, ls="--")
    ax.text(float(np.nanmin(x)), threshold + 0.01, "referral threshold", fontsize=9, va="bottom")
    ax.scatter(x[~flips], y[~flips], s=20, color=_KEEP, alpha=0.7, label="same decision")
    ax.scatter(x[flips], y[flips], s=45, color=_FLIP, marker="D", edgecolor="black", lw=0.5, label="decision flips")
    ax.set(xlabel=column_label, ylabel="predicted risk", ylim=(0, 1),
           title=f"{flips.sum()} of {len(y)} patients ({flips.mean():.0%}) flip")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    return ax


def plot_robustness_tradeoff(means, *, x, y="AUROC", xerr=None, yerr=None, ax=None):
    """What robust training buys (x, a flip rate: lower is better) against what it costs (y).

    Parameters
    ----------
    means : DataFrame
        One row per model or training variant (index: its name), with columns ``x`` and ``y``.
    x : str
        The flip-rate column (shown in percent).
    y : str, default "AUROC"
        The quality column.
    xerr, yerr : DataFrame, optional
        Same shape as ``means``: error bars (e.g. standard deviations over splits).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    if not isinstance(means, pd.DataFrame):
        raise TypeError(f"means must be a DataFrame (one row per model), got {type(means).__name__}.")
    for name, column in (("x", x), ("y", y)):
        if not isinstance(column, str) or column not in means.columns:
            raise ValueError(f"{name}={column!r} must be a column of means (columns: {list(means.columns)}).")
    for name, err in (("xerr", xerr), ("yerr", yerr)):
        if err is not None and (not isinstance(err, pd.DataFrame) or not err.index.equals(means.index)):
            raise ValueError(f"{name} must be a DataFrame with the same index as means.")
    ax = _axes(ax, (5.5, 4))
    colors = ["#4f81bd", "#8064a2", "#9bbb59", "#c0504d", "#f79646"]
    for i, (name, row) in enumerate(means.iterrows()):
        ax.errorbar(row[x], row[y], xerr=None if xerr is None else xerr.loc[name, x],
                    yerr=None if yerr is None else yerr.loc[name, y], fmt="o", ms=8, capsize=3,
                    color=colors[i % len(colors)], label=str(name))
    ax.xaxis.set_major_formatter(_percent(decimals=None))  # ticks may fall on halves of a percent
    ax.set(xlabel=f"{x} (lower is more robust)", ylabel=f"{y} (higher is better)",
           title=f"{y} against {x}")
    ax.set_xlim(left=min(0.0, ax.get_xlim()[0]))
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    ax.grid(alpha=0.3)
    from ._style import describe

    describe(ax, f"{y} against {x}, one point per model: " + "; ".join(
        f"{name}: {y} {float(row[y]):.3f}, {x} {float(row[x]):.3f}" for name, row in means.iterrows()) + ".")
    return ax
