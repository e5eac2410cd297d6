"""Plots of module 09's audit report: the attack screen, the proxies, a mitigation's cost.

Each takes a table that :func:`biaslab.audit.audit_model` computed and draws it; none computes a
metric. The group rates with their intervals are drawn by :func:`plot_group_rates` (module 02).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._fairness import _check_ax

__all__ = ["plot_fnr_screen", "plot_proxy_strength", "plot_mitigation_cost"]

_FLAG = "#D55E00"
_PLAIN = "#9E9E9E"
_BLUE = "#0072B2"


def plot_fnr_screen(screen, *, threshold=None, ax=None, title="Attack screen: each group's FNR minus everyone else's"):
    """Horizontal bars of each group's FNR gap; flagged groups in orange.

    Parameters
    ----------
    screen : pandas.DataFrame
        ``AuditResult.attack_screen`` (index ``(column, group)``, columns ``fnr_gap`` and
        ``flagged``).
    threshold : float, optional
        Draw the screen's threshold as a dashed line.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> screen = pd.DataFrame({"fnr_gap": [0.4, -0.1], "flagged": [True, False]},
    ...                       index=pd.MultiIndex.from_tuples([("sex", "F"), ("sex", "M")]))
    >>> ax = plot_fnr_screen(screen)
    >>> [round(float(p.get_width()), 2) for p in ax.patches]
    [-0.1, 0.4]
    """
    if not isinstance(screen, pd.DataFrame) or not {"fnr_gap", "flagged"} <= set(screen.columns):
        raise TypeError("screen must be a DataFrame with columns 'fnr_gap' and 'flagged' (AuditResult.attack_screen).")
    if screen.empty:
        raise ValueError("screen is empty: nothing to draw.")
    ax = _check_ax(ax)
    table = screen.iloc[::-1]  # largest gap on top
    labels = [f"{key[0]} = {key[1]}" if isinstance(key, tuple) else str(key) for key in table.index]
    gaps = table["fnr_gap"].to_numpy(dtype=float)
    flagged = table["flagged"].to_numpy(dtype=bool)
    # past the line but not flagged: the screen skipped the group (too few positives for its FNR to mean much)
    skipped = (~flagged & (gaps >= threshold)) if threshold is not None else np.zeros(len(gaps), dtype=bool)
    positives = table["positives"].to_numpy() if "positives" in table.columns else None
    colours = [_FLAG if f else _PLAIN for f in flagged]
    y = np.arange(len(table))
    bars = ax.barh(y, np.nan_to_num(gaps), color=colours)
    for bar, f, skip in zip(bars, flagged, skipped):  # a hatch beside the colour: flagged, or skipped
        if f or skip:
            bar.set_hatch("//" if f else "..")
            bar.set_edgecolor("white")
    for k, (yi, gap) in enumerate(zip(y, gaps)):
        if np.isfinite(gap):
            note = f" (only {int(positives[k])} positives)" if skipped[k] and positives is not None else ""
            ax.text(gap + (0.01 if gap >= 0 else -0.01), yi, f"{gap:+.2f}{note}", va="center",
                    ha="left" if gap >= 0 else "right", fontsize=10)
    ax.set_yticks(y, labels)
    ax.axvline(0, color="black", lw=1)
    if threshold is not None:
        from matplotlib.patches import Patch

        line = ax.axvline(threshold, color=_FLAG, lw=1, ls="--", label=f"flag line at {threshold:+.2f}")
        handles = [line] + ([Patch(facecolor=_FLAG, hatch="//", edgecolor="white", label="flagged")]
                            if flagged.any() else [])
        if skipped.any():
            handles.append(Patch(facecolor=_PLAIN, hatch="..", edgecolor="white",
                                 label="past the line, too few positives to flag"))
        ax.legend(handles=handles, frameon=False, loc="lower right", fontsize=9)
    span = np.nanmax(np.abs(gaps)) if np.isfinite(gaps).any() else 0.1
    ax.set_xlim(-span * 1.35 - 0.02, span * 1.35 + 0.02)
    ax.set_xlabel("FNR of the group minus FNR of everyone else\n(positive = the group's positives are missed more)")
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    from ._style import describe

    order = screen.sort_values("fnr_gap", ascending=False)
    named = [f"{k[0]} = {k[1]}" if isinstance(k, tuple) else str(k) for k in order.index]
    flagged_names = [n for n, f in zip(named, order["flagged"]) if f]
    top = f"largest gap {named[0]} {float(order['fnr_gap'].iloc[0]):+.2f}"
    describe(ax, f"Attack screen, each group's false negative rate minus everyone else's: {top}; "
                 + (f"flagged: {', '.join(flagged_names)}" if flagged_names else "no group flagged")
                 + (f"; past the line but too few positives to flag: "
                    f"{', '.join(n for n, k in zip(labels, skipped) if k)}" if skipped.any() else "") + ".")
    return ax


def plot_proxy_strength(proxies, *, attribute="the sensitive attribute", highlight=0.7, ax=None, title=None):
    """Horizontal bars: how well each feature alone predicts the sensitive attribute (AUROC).

    Parameters
    ----------
    proxies : pandas.Series
        AUROC per feature (``AuditResult.proxies``).
    attribute : str
        What is predicted, for the title.
    highlight : float
        Features at or above this AUROC are drawn in orange.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ax = plot_proxy_strength(pd.Series({"relationship": 0.86, "age": 0.55}), attribute="sex")
    >>> [round(float(p.get_width()), 2) for p in ax.patches]
    [0.55, 0.86]
    """
    if not isinstance(proxies, pd.Series):
        raise TypeError(f"proxies must be a pandas Series of AUROC per feature, got {type(proxies).__name__}.")
    if proxies.empty:
        raise ValueError("proxies is empty: nothing to draw.")
    ax = _check_ax(ax)
    table = proxies.sort_values()
    values = table.to_numpy(dtype=float)
    bars = ax.barh([str(i) for i in table.index], values, color=[_FLAG if v >= highlight else _PLAIN for v in values])
    for bar, v in zip(bars, values):  # strong proxies hatched too, and named in the legend: not colour alone
        if v >= highlight:
            bar.set_hatch("//")
            bar.set_edgecolor("white")
    for i, v in enumerate(values):
        ax.text(v + 0.005, i, f"{v:.2f}", va="center", fontsize=10)
    ax.axvline(0.5, color="black", lw=1, ls="--")
    ax.set_xlim(0.45, 1.08)  # room for the value label of an AUROC of 1
    ax.set_xlabel("AUROC of predicting it from this feature alone (0.5 = no information)")
    ax.set_title(title or f"Which features give {attribute} away")
    ax.grid(axis="x", alpha=0.3)
    if (values >= highlight).any():
        from matplotlib.patches import Patch

        ax.legend(handles=[Patch(facecolor=_FLAG, hatch="//", edgecolor="white",
                                 label=f"a strong proxy (AUROC ≥ {highlight:g})")], loc="lower right", fontsize=9)
    from ._style import describe

    ranked = proxies.sort_values(ascending=False)
    describe(ax, f"How well each feature alone predicts {attribute} (AUROC, 0.5 = no information): "
                 + "; ".join(f"{k} {v:.2f}" for k, v in ranked.items()) + ".")
    return ax


def plot_mitigation_cost(table, *, ax=None, title="A mitigation and its cost"):
    """Paired bars: accuracy and FNR gap of the audited and the mitigated model.

    Parameters
    ----------
    table : pandas.DataFrame
        ``AuditResult.mitigation``: rows ``"audited model"`` and ``"mitigated"``, columns
        ``accuracy`` and ``fnr_gap``.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> table = pd.DataFrame({"accuracy": [0.84, 0.83], "fnr_gap": [0.5, 0.1]}, index=["audited model", "mitigated"])
    >>> ax = plot_mitigation_cost(table)
    >>> [round(float(p.get_height()), 2) for p in ax.patches]
    [0.84, 0.5, 0.83, 0.1]
    """
    if not isinstance(table, pd.DataFrame) or not {"accuracy", "fnr_gap"} <= set(table.columns):
        raise TypeError("table must be a DataFrame with columns 'accuracy' and 'fnr_gap' (AuditResult.mitigation).")
    if table.empty:
        raise ValueError("table is empty: nothing to draw.")
    ax = _check_ax(ax)
    metrics = ["accuracy", "fnr_gap"]
    x = np.arange(len(metrics))
    width = 0.8 / len(table)
    colours = [_BLUE, "#009E73", "#E69F00", "#CC79A7"]
    for i, (name, row) in enumerate(table[metrics].iterrows()):
        heights = row.to_numpy(dtype=float)
        bars = ax.bar(x + (i - (len(table) - 1) / 2) * width, heights, width, label=str(name),
                      color=colours[i % len(colours)], hatch=("", "//", "..")[i % 3], edgecolor="white")
        for bar, v in zip(bars, heights):
            # a negative bar's label goes below it, so it never sits on the bar
            ax.text(bar.get_x() + bar.get_width() / 2, v + 0.015 if v >= 0 else v - 0.015, f"{v:.3f}",
                    ha="center", va="bottom" if v >= 0 else "top", fontsize=10)
    ax.set_xticks(x, ["accuracy (higher is better)", "FNR gap of the flagged group\n(closer to 0 is better)"])
    low = min(0.0, float(np.nanmin(table["fnr_gap"])) - 0.1)
    ax.set_ylim(low, 1.15)
    ax.axhline(0, color="black", lw=1)
    ax.legend(frameon=False, loc="upper right", ncol=len(table))
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    from ._style import describe

    describe(ax, "A mitigation and its cost: " + "; ".join(
        f"{name}: " + ", ".join(f"{m.replace('_', ' ')} {row[m]:.3f}" for m in ("accuracy", "fnr_gap") if m in row)
        for name, row in table.iterrows()) + ".")
    return ax
