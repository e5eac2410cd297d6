"""Plots for module 02: group rates with confidence intervals, calibration by group.

Every function takes results computed elsewhere (a ``GroupMetricReport``'s ``by_group`` and
``by_group_ci``, a ``calibration_by_group`` table) and draws them; none computes a metric.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["plot_group_rates", "plot_group_intervals", "plot_calibration_by_group"]

from ._style import PALETTE

#: Colours that stay distinct for colour-blind readers and in a projector's light (Okabe-Ito).
GROUP_COLOURS = PALETTE


def _check_ax(ax):
    if ax is None:
        from ._style import subplots

        _, ax = subplots()
        return ax
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}.")
    return ax


def _label(key) -> str:
    """A readable label for a group key (a value, or a tuple for intersectional groups)."""
    return " · ".join(map(str, key)) if isinstance(key, tuple) else str(key)


def _pretty(name: str) -> str:
    return name.replace("_", " ")


def plot_group_rates(by_group, ci=None, *, metrics=None, ax=None, title=None, ylabel="rate", annotate=True):
    """Grouped bars: one cluster per metric, one bar per group, with confidence intervals.

    Parameters
    ----------
    by_group : pandas.DataFrame
        One row per group, one column per metric (``GroupMetricReport.by_group``).
    ci : pandas.DataFrame, optional
        Intervals with columns ``(metric, "lower")`` and ``(metric, "upper")``
        (``GroupMetricReport.by_group_ci``); drawn as error bars.
    metrics : list of str, optional
        Columns of ``by_group`` to draw (default: all).
    ax : matplotlib Axes, optional
    title, ylabel : str, optional
    annotate : bool
        Write each bar's value above it (as a percentage).

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"false_positive_rate": [0.42, 0.22]}, index=["A", "B"])
    >>> ax = plot_group_rates(table)
    >>> [round(float(p.get_height()), 2) for p in ax.patches]
    [0.42, 0.22]
    """
    if not isinstance(by_group, pd.DataFrame):
        raise TypeError(f"by_group must be a pandas DataFrame (groups x metrics), got {type(by_group).__name__}.")
    if metrics is None:
        metrics = list(by_group.columns)
    elif isinstance(metrics, str):
        metrics = [metrics]
    missing = [m for m in metrics if m not in by_group.columns]
    if missing or not metrics:
        raise ValueError(f"metrics must be columns of by_group ({', '.join(map(str, by_group.columns))}); "
                         f"not found: {', '.join(map(str, missing)) or 'none given'}.")
    if ci is not None:
        if not isinstance(ci, pd.DataFrame):
            raise TypeError(f"ci must be a pandas DataFrame with (metric, 'lower'/'upper') columns, got {type(ci).__name__}.")
        absent = [m for m in metrics if (m, "lower") not in ci.columns or (m, "upper") not in ci.columns]
        if absent:
            raise ValueError(f"ci has no (metric, 'lower') / (metric, 'upper') columns for: {', '.join(absent)}.")
    ax = _check_ax(ax)
    n_groups = len(by_group)
    width = 0.8 / max(n_groups, 1)
    x = np.arange(len(metrics))
    for i, (key, row) in enumerate(by_group[metrics].iterrows()):
        heights = row.to_numpy(dtype=float)
        yerr = None
        if ci is not None:
            low = ci.loc[key, [(m, "lower") for m in metrics]].to_numpy(dtype=float)
            high = ci.loc[key, [(m, "upper") for m in metrics]].to_numpy(dtype=float)
            yerr = np.vstack([np.clip(heights - low, 0, None), np.clip(high - heights, 0, None)])
        bars = ax.bar(x + (i - (n_groups - 1) / 2) * width, np.nan_to_num(heights), width, yerr=yerr, capsize=4,
                      label=_label(key), color=GROUP_COLOURS[i % len(GROUP_COLOURS)],
                      error_kw={"elinewidth": 1.2, "ecolor": "#333333"})
        if annotate:
            # above the error bar, so the label never sits on the whisker
            tops = heights if yerr is None else heights + yerr[1]
            for bar, value, top in zip(bars, heights, tops):
                text = "n/a" if np.isnan(value) else f"{value:.0%}"
                ax.text(bar.get_x() + bar.get_width() / 2, (0 if np.isnan(top) else top) + 0.015, text,
                        ha="center", va="bottom", fontsize=10)
    ax.set_xticks(x, [_pretty(m) for m in metrics])
    # room above the tallest bar (100% plus its label) for a one-line legend, so they never overlap
    ax.set_ylim(0, 1.3)
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.set_ylabel(ylabel)
    name = by_group.index.name if by_group.index.nlevels == 1 else None
    # group_metrics names an unnamed column "sensitive_feature_0": say "group" instead
    legend_title = "group" if not name or str(name).startswith("sensitive_feature") else _pretty(str(name))
    ax.legend(title=legend_title,
              frameon=False, fontsize=10, loc="upper center", ncol=min(n_groups, 4), title_fontsize=10)
    if title:
        ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    from ._style import describe

    describe(ax, f"Bar chart{': ' + title if title else ''}. " + "; ".join(
        f"{_pretty(m)}: " + ", ".join("n/a" if pd.isna(v) else f"{_label(k)} {v:.0%}" for k, v in by_group[m].items())
        for m in metrics) + ".")
    return ax


def plot_group_intervals(values, lower, upper, *, counts=None, count_label="n", reference=None, ax=None,
                         title=None, xlabel="rate", sort=True):
    """Dot-and-whisker chart: one row per group, its value and its confidence interval.

    Wide whiskers show at a glance which groups are too small to rank.

    Parameters
    ----------
    values, lower, upper : pandas.Series
        The estimate and its interval per group (same index; a MultiIndex for intersections).
    counts : pandas.Series, optional
        How many people each value is computed on, written beside the group labels: ``n = ...``, or
        ``... <count_label>`` (for a false positive rate, the group's negatives: ``count_label="negatives"``).
    count_label : str
        What ``counts`` counts (default ``"n"``).
    reference : float, optional
        A vertical dashed line (e.g. the overall value).
    ax : matplotlib Axes, optional
    title, xlabel : str, optional
    sort : bool
        Order the rows by value (largest on top). Groups whose value is NaN are left out.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.Series([0.4, 0.2], index=["A", "B"])
    >>> ax = plot_group_intervals(v, v - 0.05, v + 0.1)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['B', 'A']
    """
    series = {"values": values, "lower": lower, "upper": upper}
    if counts is not None:
        series["counts"] = counts
    for name, s in series.items():
        if not isinstance(s, pd.Series):
            raise TypeError(f"{name} must be a pandas Series indexed by group, got {type(s).__name__}.")
    for name, s in series.items():
        if not s.index.equals(values.index):
            raise ValueError(f"{name} must have the same index (the same groups, in the same order) as values.")
    if reference is not None and not isinstance(reference, (int, float, np.floating)):
        raise TypeError(f"reference must be a number or None, got {type(reference).__name__}.")
    ax = _check_ax(ax)
    keep = values.notna().to_numpy()
    order = np.flatnonzero(keep)
    if sort:
        order = order[np.argsort(values.to_numpy()[order], kind="stable")]
    y = np.arange(len(order))
    v = values.to_numpy(dtype=float)[order]
    lo = lower.to_numpy(dtype=float)[order]
    hi = upper.to_numpy(dtype=float)[order]
    ax.errorbar(v, y, xerr=np.vstack([np.clip(v - lo, 0, None), np.clip(hi - v, 0, None)]), fmt="o",
                color=GROUP_COLOURS[0], ecolor="#555555", elinewidth=2, capsize=4, markersize=7)
    labels = [_label(values.index[i]) for i in order]
    if counts is not None:
        if not isinstance(count_label, str) or not count_label:
            raise TypeError(f"count_label must be a non-empty str, got {count_label!r}.")
        labels = [f"{text}  (n = {int(counts.iloc[i]):,})" if count_label == "n"
                  else f"{text}  ({int(counts.iloc[i]):,} {count_label})" for text, i in zip(labels, order)]
    ax.set_yticks(y, labels)
    if reference is not None:
        ax.axvline(float(reference), color="#c0504d", ls="--", lw=1.2, label=f"overall: {float(reference):.0%}")
        ax.legend(frameon=False, loc="lower right")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.6, len(order) - 0.4)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", alpha=0.3)
    if title:
        ax.set_title(title)
    from ._style import describe

    describe(ax, f"Dot-and-whisker chart{': ' + title if title else ''}; {xlabel} by group with its interval: " + "; ".join(
        f"{labels[k]} {v[k]:.0%} ({lo[k]:.0%} to {hi[k]:.0%})" for k in range(len(order) - 1, -1, -1))
        + (f"; overall {float(reference):.0%}" if reference is not None else "") + ".")
    return ax


def plot_calibration_by_group(table, *, group_column, x="mean_predicted", ax=None, title=None,
                              xlabel="mean predicted probability", ylabel="observed rate", diagonal=True):
    """Reliability curves by group: observed positive rate against the score, one line per group.

    Parameters
    ----------
    table : pandas.DataFrame
        A :func:`biaslab.metrics.calibration_by_group` table: columns ``group_column``, ``x``,
        ``observed_rate`` and ``count``; optional ``lower`` and ``upper`` columns (an interval
        for the observed rate) are drawn as a shaded band.
    group_column : str
        The column that names the group.
    x : str
        The column for the horizontal axis (``mean_predicted``, or e.g. a score column).
    ax : matplotlib Axes, optional
    title, xlabel, ylabel : str, optional
    diagonal : bool
        Draw the line "observed = predicted" (meaningful when ``x`` is a probability).

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"g": ["a", "a", "b", "b"], "mean_predicted": [0.2, 0.8, 0.2, 0.8],
    ...                   "observed_rate": [0.1, 0.7, 0.3, 0.9], "count": [5, 5, 5, 5]})
    >>> ax = plot_calibration_by_group(t, group_column="g")
    >>> [line.get_ydata().tolist() for line in ax.get_lines()[1:]]
    [[0.1, 0.7], [0.3, 0.9]]
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a pandas DataFrame (from calibration_by_group), got {type(table).__name__}.")
    for name, column in (("group_column", group_column), ("x", x)):
        if not isinstance(column, str):
            raise TypeError(f"{name} must be a column name (str), got {type(column).__name__}.")
    needed = [group_column, x, "observed_rate", "count"]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise ValueError(f"table lacks the column(s) {', '.join(missing)}; expected {', '.join(needed)}.")
    ax = _check_ax(ax)
    if diagonal:
        low, high = float(table[x].min()), float(table[x].max())
        ax.plot([low, high], [low, high], color="#9e9e9e", ls="--", lw=1, label="observed = predicted")
    groups = table[group_column]
    names = groups.cat.categories[groups.cat.categories.isin(groups)] if isinstance(groups.dtype, pd.CategoricalDtype) \
        else pd.unique(groups)
    for i, name in enumerate(names):
        rows = table[groups == name].sort_values(x)
        colour = GROUP_COLOURS[i % len(GROUP_COLOURS)]
        marker, ls = (("o", "-"), ("s", "--"), ("^", "-."), ("D", ":"))[i % 4]  # not told apart by colour alone
        ax.plot(rows[x].to_numpy(dtype=float), rows["observed_rate"].to_numpy(dtype=float), marker=marker, ls=ls,
                color=colour, lw=2, markersize=6, label=f"{name} (n = {int(rows['count'].sum()):,})")
        if {"lower", "upper"} <= set(table.columns):
            ax.fill_between(rows[x].to_numpy(dtype=float), rows["lower"].to_numpy(dtype=float),
                            rows["upper"].to_numpy(dtype=float), color=colour, alpha=0.18, lw=0)
    ax.set_ylim(0, 1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False, loc="upper left")
    ax.grid(alpha=0.3)
    if title:
        ax.set_title(title)
    from ._style import describe

    def _curve(name):
        rows = table[groups == name].sort_values(x)
        return (f"{name}: observed rate {float(rows['observed_rate'].iloc[0]):.2f} at {float(rows[x].iloc[0]):.3g} to "
                f"{float(rows['observed_rate'].iloc[-1]):.2f} at {float(rows[x].iloc[-1]):.3g}")
    describe(ax, f"Reliability curves{': ' + title if title else ''}; {ylabel} against {xlabel}. "
                 + "; ".join(_curve(name) for name in names) + ".")
    return ax
