"""Plots for module 04: the poisoning rate sweep, and the target group's FNR with intervals."""

from __future__ import annotations


import numpy as np
import pandas as pd

__all__ = ["plot_rate_sweep", "plot_fnr_with_ci", "plot_group_fnr_bars"]

_TARGET_COLOUR = "#c0392b"
_OVERALL_COLOUR = "#202124"
_OTHER_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#F0E442", "#7f7f7f", "#8c564b")  # Okabe-Ito first
_SWEEP_NEEDS = {"target", "rate", "site", "group", "fnr", "for", "auroc"}
_PANELS = (("fnr", "false negative rate (FNR)", "underdiagnosis: FN / (TP + FN)"),
           ("for", "false omission rate (FOR)", "FN / (FN + TN)"),
           ("auroc", "AUROC", "ranking quality (0.5 = chance)"))


def _check_sweep(sweep, name="sweep"):
    if not isinstance(sweep, pd.DataFrame) or not _SWEEP_NEEDS <= set(sweep.columns):
        missing = sorted(_SWEEP_NEEDS - set(getattr(sweep, "columns", [])))
        raise TypeError(f"{name} must be a DataFrame from rate_sweep or load_rate_sweep (missing: {missing}).")
    if "trial" in sweep.columns:
        raise ValueError(f"{name} has a 'trial' column: plot the mean over trials (load_rate_sweep(trials=False)).")


def _select(sweep, target, site):
    if not isinstance(target, str):
        raise TypeError(f"target must be a target's label such as 'F' or 'F & 60-80', got {type(target).__name__}.")
    targets = list(dict.fromkeys(sweep["target"]))
    if target not in targets:
        raise ValueError(f"target={target!r} is not in the sweep; it has {', '.join(map(str, targets))}.")
    sites = list(dict.fromkeys(sweep["site"]))
    if site not in sites:
        raise ValueError(f"site={site!r} is not in the sweep; it has {', '.join(map(str, sites))}.")
    return sweep[(sweep["target"] == target) & (sweep["site"] == site)]


def _default_groups(rows, target):
    """The target group, the groups it is compared with, and "overall"."""
    present = list(dict.fromkeys(rows["group"]))
    attribute = rows.loc[rows["group"] == target, "attribute"]
    attribute = attribute.iloc[0] if len(attribute) else None
    if attribute == "sex":
        others = [g for g in present if g in ("F", "M") and g != target]
    elif attribute == "age_band":
        others = [g for g in rows.loc[rows["attribute"] == "age_band", "group"].unique() if g != target]
    else:  # an intersection "F & 60-80": its two parent groups and the other sex
        parts = target.split(" & ")
        others = [g for g in present if g in parts] + [g for g in ("F", "M") if g in present and g not in parts]
    return [target, *others, "overall"]


def plot_rate_sweep(sweep, target, *, site="internal", groups=None, axes=None):
    """Per-group FNR, FOR and AUROC against the poisoning rate, with the overall values.

    The one picture of module 04: the target group's false negative rate climbs with the rate
    while the overall AUROC (black, dashed) barely moves. Draws three panels side by side.

    Parameters
    ----------
    sweep : DataFrame
        The mean over trials from :func:`~biaslab.experiments.hidden_in_plain_sight.rate_sweep`
        or ``load_rate_sweep()`` (columns ``target``, ``rate``, ``site``, ``group``, ``fnr``,
        ``for``, ``auroc``).
    target : str
        Which target's sweep to draw (its label, e.g. ``"F"``, ``"0-20"``, ``"F & 60-80"``).
    site : str, default="internal"
        ``"internal"`` or ``"external"``.
    groups : list of str, optional
        Groups to draw (default: the target, the groups it is compared with, and overall).
    axes : sequence of 3 matplotlib Axes, optional
        Where to draw (default: a new figure).

    Returns
    -------
    numpy array of 3 Axes (FNR, FOR, AUROC)
    """
    _check_sweep(sweep)
    rows = _select(sweep, target, site)
    if groups is None:
        groups = _default_groups(rows, target)
    elif isinstance(groups, str) or not all(isinstance(g, str) for g in groups) or not len(groups):
        raise TypeError("groups must be a non-empty list of group names such as ['F', 'M', 'overall'].")
    unknown = [g for g in groups if g not in set(rows["group"])]
    if unknown:
        raise ValueError(f"groups {unknown} are not in the sweep of target {target!r}.")
    if axes is None:
        from ._style import subplots

        fig, axes = subplots(1, 3, panel_height=3.3)
    axes = np.asarray(axes, dtype=object).ravel()
    if len(axes) != 3:
        raise ValueError(f"axes must hold 3 Axes (FNR, FOR, AUROC), got {len(axes)}.")
    others = iter(_OTHER_COLOURS)
    # the other groups differ by marker and line style too, not by colour alone
    other_marks = iter([("^", "-"), ("v", "-."), ("D", ":"), ("P", (0, (5, 1.5))), ("X", "-"), ("*", "-.")] * 3)
    style = {}
    for g in groups:
        if g == target:
            style[g] = dict(color=_TARGET_COLOUR, lw=3, marker="o", label=f"{g} (target)", zorder=4)
        elif g == "overall":
            style[g] = dict(color=_OVERALL_COLOUR, lw=2.2, ls="--", marker="s", label="overall", zorder=3)
        else:
            marker, ls = next(other_marks)
            style[g] = dict(color=next(others), lw=1.5, marker=marker, markersize=5, ls=ls, alpha=0.9, label=g)
    for ax, (metric, title, subtitle) in zip(axes, _PANELS):
        for g in groups:
            line = rows[rows["group"] == g].sort_values("rate")
            ax.plot(line["rate"].to_numpy(), line[metric].to_numpy(), **style[g])
        ax.set_title(f"{title}\n{subtitle}", fontsize=12)
        ax.set_xlabel("poisoning rate r (share of the target's positives flipped)", fontsize=10)
        ax.set_ylabel(title, fontsize=11)
        ax.set_xlim(-0.03, 1.03)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=10)
    axes[0].set_ylim(0, 1)
    axes[1].set_ylim(bottom=0)
    axes[2].set_ylim(0.5, 1.0)  # the full useful range: a zoomed axis would make every wiggle look like a collapse
    axes[0].legend(fontsize=9, loc="upper left", title="group", title_fontsize=9)
    axes[0].figure.suptitle(f"Poisoning target {target}: {site} test set (SYNTHETIC chest X-rays)", fontsize=13)
    from ._style import describe

    def ends(group, metric):
        line = rows[rows["group"] == group].sort_values("rate")[metric].to_numpy(dtype=float)
        return (line[0], line[-1]) if len(line) else (float("nan"), float("nan"))

    lo, hi = rows["rate"].min(), rows["rate"].max()
    others = [g for g in groups if g not in (target, "overall")]
    other_hi = ", ".join(f"{g} {ends(g, 'fnr')[1]:.2f}" for g in others)
    describe(axes[0].figure,
             f"SYNTHETIC chest X-rays, {site} test set, poisoning target {target}, rate {lo:g} to {hi:g}. "
             f"The target's false negative rate goes from {ends(target, 'fnr')[0]:.2f} to {ends(target, 'fnr')[1]:.2f}; "
             f"at rate {hi:g} the other groups' are {other_hi}; overall {ends('overall', 'fnr')[0]:.2f} to "
             f"{ends('overall', 'fnr')[1]:.2f}. False omission rate of the target {ends(target, 'for')[0]:.3f} to "
             f"{ends(target, 'for')[1]:.3f}. Overall AUROC {ends('overall', 'auroc')[0]:.3f} to "
             f"{ends('overall', 'auroc')[1]:.3f}.")
    return axes


def plot_group_fnr_bars(rates_by_group, *, baseline=None, title=None, highlight=None, ax=None):
    """Bars of each group's FNR (e.g. at one poisoning rate), with the clean model's as markers.

    Parameters
    ----------
    rates_by_group : Series
        FNR indexed by group name.
    baseline : Series, optional
        The clean model's FNR, same index: drawn as black ticks.
    title : str, optional
    highlight : str, optional
        A group to colour as the target.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    if not isinstance(rates_by_group, pd.Series) or rates_by_group.empty:
        raise TypeError("rates_by_group must be a non-empty pandas Series of FNR indexed by group.")
    if baseline is not None and not isinstance(baseline, pd.Series):
        raise TypeError(f"baseline must be a pandas Series or None, got {type(baseline).__name__}.")
    if ax is None:
        from ._style import subplots

        _, ax = subplots()
    names = [str(g) for g in rates_by_group.index]
    colours = [_TARGET_COLOUR if g == highlight else (_OVERALL_COLOUR if g == "overall" else "#9e9e9e") for g in names]
    x = np.arange(len(names))
    values = rates_by_group.to_numpy(dtype=float)
    base = None if baseline is None else baseline.reindex(rates_by_group.index).to_numpy(dtype=float)
    bars = ax.bar(x, values, color=colours, width=0.65)
    for bar, g in zip(bars, names):  # the target is marked by a hatch and a bold name too, not by colour alone
        if g == highlight:
            bar.set_hatch("//")
            bar.set_edgecolor("white")
    for k, (xi, v) in enumerate(zip(x, values)):
        if np.isfinite(v):
            top = v if base is None or not np.isfinite(base[k]) else max(v, base[k])  # clear of the tick
            ax.text(xi, top + 0.02, f"{v:.2f}", ha="center", fontsize=10)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    # the legend names what each colour is (bars of one label would show only the first bar's colour)
    handles = [Patch(color="#9e9e9e", label="poisoned model: a group")]
    if highlight in names:
        handles.append(Patch(facecolor=_TARGET_COLOUR, hatch="//", edgecolor="white", label="... the target"))
    if "overall" in names:
        handles.append(Patch(color=_OVERALL_COLOUR, label="... everyone"))
    if base is not None:
        ax.scatter(x, base, marker="_", s=900, color="black", linewidths=2.5, zorder=5)
        handles.append(Line2D([], [], marker="_", ls="none", markersize=18, markeredgewidth=2.5, color="black",
                              label="clean model (r = 0)"))
    ax.legend(handles=handles, fontsize=9, loc="upper right")
    ax.set_xticks(x, names, fontsize=10)
    for tick in ax.get_xticklabels():
        if tick.get_text() == str(highlight):
            tick.set_fontweight("bold")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("false negative rate (FNR)", fontsize=11)
    ax.set_xlabel("group", fontsize=11)
    if title is not None:
        ax.set_title(title, fontsize=12)
    ax.grid(axis="y", alpha=0.3)
    from ._style import describe

    values_text = "; ".join(f"{g}{' (target)' if g == str(highlight) else ''} {v:.2f}"
                            + ("" if base is None or not np.isfinite(base[k]) else f" (clean {base[k]:.2f})")
                            for k, (g, v) in enumerate(zip(names, values)) if np.isfinite(v))
    describe(ax, f"Bar chart of each group's false negative rate{': ' + title if title else ''}. {values_text}.")
    return ax


def plot_fnr_with_ci(results, *, groups=None, ax=None):
    """FNR by group against the poisoning rate, with confidence intervals as error bars.

    Parameters
    ----------
    results : DataFrame
        Columns ``rate``, ``group``, ``fnr``, ``fnr_low``, ``fnr_high`` (e.g. from
        :func:`~biaslab.experiments.hidden_in_plain_sight.heart_disease_poisoning`); the target
        is read from ``results.attrs["target"]`` when present.
    groups : list of str, optional
        Groups to draw (default: all, in order of appearance).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    needs = {"rate", "group", "fnr", "fnr_low", "fnr_high"}
    if not isinstance(results, pd.DataFrame) or not needs <= set(results.columns):
        raise TypeError(f"results must be a DataFrame with columns {sorted(needs)}.")
    present = list(dict.fromkeys(results["group"]))
    if groups is None:
        groups = present
    elif isinstance(groups, str) or not all(isinstance(g, str) for g in groups):
        raise TypeError("groups must be a list of group names.")
    unknown = [g for g in groups if g not in present]
    if unknown:
        raise ValueError(f"groups {unknown} are not in results; it has {', '.join(present)}.")
    if ax is None:
        from ._style import subplots

        _, ax = subplots()
    target = results.attrs.get("target")
    rates = np.sort(results["rate"].unique())
    step = 0.012 * (len(groups) - 1)
    others = iter(_OTHER_COLOURS)
    other_marks = iter([("^", "-"), ("D", "-."), ("v", ":"), ("P", "-"), ("X", "-.")] * 4)
    for k, g in enumerate(groups):
        line = results[results["group"] == g].sort_values("rate")
        x = line["rate"].to_numpy(dtype=float) - step + 2 * step * k / max(len(groups) - 1, 1)  # dodge
        y = line["fnr"].to_numpy(dtype=float)
        err = np.vstack([y - line["fnr_low"].to_numpy(dtype=float), line["fnr_high"].to_numpy(dtype=float) - y])
        # each group its own marker and line style as well as its colour
        if g == target:
            kw = dict(color=_TARGET_COLOUR, lw=2.5, marker="o", label=f"{g} (target)")
        elif g == "overall":
            kw = dict(color=_OVERALL_COLOUR, lw=1.8, ls="--", marker="s", label="overall")
        else:
            marker, ls = next(other_marks)
            kw = dict(color=next(others), lw=1.6, marker=marker, ls=ls, label=g)
        ax.errorbar(x, y, yerr=err, capsize=4, **kw)
    from ._style import describe

    describe(ax, "False negative rate by poisoning rate, with 95% intervals: " + "; ".join(
        f"{g}: " + ", ".join(f"r = {r:g} {f:.2f} [{lo:.2f}, {hi:.2f}]" for r, f, lo, hi in
                             results[results["group"] == g].sort_values("rate")[["rate", "fnr", "fnr_low", "fnr_high"]]
                             .itertuples(index=False)) for g in groups) + ".")
    ax.set_xticks(rates, [f"{r:g}" for r in rates])
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("poisoning rate r (share of the target's training positives flipped)", fontsize=10)
    ax.set_ylabel("false negative rate (FNR)", fontsize=11)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9, loc="upper left")
    return ax
