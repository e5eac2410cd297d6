"""Widgets for module 04: choose a poisoning target and rate, see every group's FNR."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

__all__ = ["poisoning_explorer"]

_NEEDS = {"target", "rate", "site", "attribute", "group", "fnr", "auroc"}


def poisoning_explorer(sweep, *, target=None, rate=0.5, site="internal"):
    """Target x rate -> each group's false negative rate and the overall AUROC, from a sweep.

    Two panels: bars of every group's FNR at the chosen rate (the clean model's as black ticks;
    the target in red), and the overall AUROC against the rate with the chosen rate marked, so
    the learner sees the target's FNR jump while the AUROC curve stays flat. Everything is read
    from ``sweep`` (precomputed), so an update only redraws.

    Parameters
    ----------
    sweep : DataFrame
        The mean over trials from ``load_rate_sweep()`` or ``rate_sweep`` (several targets).
    target : str, optional
        Initial target (default: the sweep's first).
    rate : float, default=0.5
        Initial rate (the nearest rate of the sweep).
    site : {"internal", "external"}, default="internal"

    Returns
    -------
    ipywidgets.VBox
        With the controls ``.target`` (Dropdown), ``.rate`` (SelectionSlider), ``.site``
        (ToggleButtons), the matplotlib ``.figure``, ``.shown`` (the FNR by group on display, a
        Series) and ``.update(target=None, rate=None, site=None)``, which sets the controls.
    """
    import ipywidgets as widgets

    from ._slider import AccessibleSlider

    from ..plots._poisoning import _OVERALL_COLOUR, _TARGET_COLOUR, plot_group_fnr_bars
    from ..plots._style import figure as course_figure
    from ._picture import TeachingBox

    if not isinstance(sweep, pd.DataFrame) or not _NEEDS <= set(sweep.columns):
        raise TypeError("sweep must be a DataFrame from load_rate_sweep() or rate_sweep (mean over trials).")
    if "trial" in sweep.columns:
        raise ValueError("sweep has a 'trial' column: pass the mean over trials (load_rate_sweep(trials=False)).")
    targets = list(dict.fromkeys(sweep["target"]))
    rates = sorted(float(r) for r in sweep["rate"].unique())
    sites = [s for s in ("internal", "external") if s in set(sweep["site"])]
    if target is None:
        target = targets[0]
    if target not in targets:
        raise ValueError(f"target={target!r} is not in the sweep; it has {', '.join(targets)}.")
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real):
        raise TypeError(f"rate must be a number between 0 and 1, got {type(rate).__name__}.")
    if site not in sites:
        raise ValueError(f"site={site!r} is not in the sweep; it has {', '.join(sites)}.")
    nearest = min(rates, key=lambda r: abs(r - float(rate)))

    # precompute: per (target, site) the FNR table (rate x group) and the overall AUROC by rate
    tables = {}
    for (t, s), rows in sweep.groupby(["target", "site"], sort=False):
        order = ["overall", *[g for g in dict.fromkeys(rows["group"]) if g != "overall"]]
        fnr = rows.pivot_table(index="rate", columns="group", values="fnr", sort=False).reindex(columns=order)
        auroc = rows[rows["group"] == "overall"].set_index("rate")["auroc"].sort_index()
        tables[t, s] = (fnr, auroc)

    target_w = widgets.Dropdown(options=targets, value=target, description="target")
    rate_w = AccessibleSlider(options=[(f"{r:g}", r) for r in rates], value=nearest, description="rate r")
    site_w = widgets.ToggleButtons(options=sites, value=site, description="test set")
    # a Figure outside pyplot: a later plt.show() in the notebook must not draw it again
    fig, (ax_bars, ax_auc) = course_figure(2, 1, panel_height=2.5, height_ratios=[1.5, 1])
    box = TeachingBox([widgets.HBox([target_w, site_w]), rate_w], label="Poisoning explorer: every group's FNR")
    drawn = {"key": None, "marks": [], "names": []}

    def redraw(*_):
        t, r, s = target_w.value, rate_w.value, site_w.value
        fnr, auroc = tables[t, s]
        shown = fnr.loc[r].dropna()
        base = fnr.loc[0.0] if 0.0 in fnr.index else None
        title = f"FNR by group at r = {r:g} (target {t}, {s} test set)"
        full = drawn["key"] != (t, s) or list(shown.index) != drawn["names"]
        if not full:  # only the rate moved: new bar heights, values and title over the kept background
            texts = iter(ax_bars.texts)
            for bar, (group, value) in zip(ax_bars.patches, shown.items()):
                bar.set_height(value)
                text = next(texts)
                low = base[group] if base is not None and np.isfinite(base[group]) else value
                text.set_y(max(value, low) + 0.02)
                text.set_text(f"{value:.2f}")
            ax_bars.set_title(title)
        else:  # a new target or test set: everything drawn anew, then kept as the background of the moves
            ax_bars.clear()
            plot_group_fnr_bars(shown, baseline=base, highlight=t, ax=ax_bars, title=title)
            ax_auc.clear()
            ax_auc.plot(auroc.index, auroc.to_numpy(), color=_OVERALL_COLOUR, marker="s", lw=2, ls="--")
            ax_auc.set(ylim=(0.5, 1.0), xlim=(-0.05, 1.05))
            ax_auc.set_title(f"overall AUROC vs rate (target {t})")
            ax_auc.set_xlabel("poisoning rate r")
            ax_auc.set_ylabel("overall AUROC")
            ax_auc.grid(alpha=0.3)
            drawn.update(key=(t, s), marks=[], names=list(shown.index))
        for artist in drawn["marks"]:
            artist.remove()
        drawn["marks"] = [*ax_auc.plot([r], [auroc.loc[r]], marker="o", ms=12, color=_TARGET_COLOUR, zorder=5),
                          ax_auc.annotate(f"{auroc.loc[r]:.3f}", (r, auroc.loc[r]), textcoords="offset points",
                                          xytext=(0, 10), ha="center", color=_TARGET_COLOUR)]
        fig.suptitle("SYNTHETIC chest X-rays: what the aggregate shows, and what it hides")
        box.shown = shown
        fnrs = ", ".join(f"{g} {v:.2f}" for g, v in shown.items())
        readout = (f"Target <b>{t}</b>, rate <b>r = {r:g}</b>, {s} test set: FNR of the target "
                   f"{shown.get(t, float('nan')):.2f}, overall {shown.get('overall', float('nan')):.2f}; "
                   f"overall AUROC {auroc.loc[r]:.3f}.")
        animated = [*ax_bars.patches, *ax_bars.collections, *ax_bars.texts, ax_bars.title, *drawn["marks"]]
        box.show(fig, readout=readout, animated=animated, full=full,
                 alt=f"SYNTHETIC chest X-rays. Top: bar chart of each group's false negative rate when the labels of "
                     f"target {t} are poisoned at rate {r:g} ({s} test set), with the clean model's as ticks: {fnrs}. "
                     f"Bottom: the overall AUROC against the poisoning rate, nearly flat; at r = {r:g} it is "
                     f"{auroc.loc[r]:.3f}.")

    def update(target=None, rate=None, site=None):
        # validate everything first, so a bad argument changes nothing
        if target is not None and target not in targets:
            raise ValueError(f"target={target!r} is not in the sweep; it has {', '.join(targets)}.")
        if rate is not None and (isinstance(rate, bool) or not isinstance(rate, numbers.Real)
                                 or float(rate) not in rates):
            raise ValueError(f"rate must be one of the sweep's rates {rates}, got {rate!r}.")
        if site is not None and site not in sites:
            raise ValueError(f"site={site!r} is not in the sweep; it has {', '.join(sites)}.")
        if target is not None:
            target_w.value = target
        if rate is not None:
            rate_w.value = float(rate)
        if site is not None:
            site_w.value = site

    for w in (target_w, rate_w, site_w):
        w.observe(redraw, names="value")
    box.target, box.rate, box.site, box.figure, box.update = target_w, rate_w, site_w, fig, update
    redraw()
    return box

