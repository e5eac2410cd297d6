"""Widgets for modules 07-08: turn a correction's strength, see what it buys and what it costs."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

__all__ = ["lambda_tradeoff_explorer"]

_NEEDS = {"method", "lam", "clean_acc_mean", "attacked_acc_mean", "tcav_sensitivity_mean"}


def lambda_tradeoff_explorer(summary, *, lam=None, method="rr_clarc", reference="vanilla"):
    """A lambda slider over a precomputed grid -> clean and attacked accuracy and TCAV sensitivity.

    Left: clean and attacked test accuracy against lambda (the reference method as dashed lines),
    with the chosen lambda marked. Right: TCAV sensitivity of the reference and of the method at
    the chosen lambda. A line of text gives the numbers and their change against the reference.
    Everything is read from ``summary``, so an update only redraws.

    Parameters
    ----------
    summary : DataFrame
        From :func:`biaslab.experiments.from_hope_to_safety.summarise_clarc`: columns ``method``,
        ``lam``, ``clean_acc_mean``, ``attacked_acc_mean``, ``tcav_sensitivity_mean`` (``*_std``
        optional), with the rows of ``method`` (one per lambda) and of ``reference``.
    lam : float, optional
        Initial lambda (the nearest one of the grid; default the grid's middle).
    method, reference : str
        The corrected method (its lambdas form the slider) and the baseline to compare with.

    Returns
    -------
    ipywidgets.VBox
        With ``.slider`` (a SelectionSlider over the lambdas), ``.figure``, ``.readout`` (an HTML
        widget), ``.shown`` (a dict of the numbers on display: ``lam``, ``clean_acc``,
        ``attacked_acc``, ``tcav_sensitivity``) and ``.update(lam)``, which moves the slider.
    """
    from ._slider import AccessibleSlider

    from ..plots._style import figure as course_figure
    from ..plots._tradeoffs import _METHOD_NAMES, mark_label, plot_lambda_tradeoff
    from ._picture import TeachingBox

    if not isinstance(summary, pd.DataFrame) or not _NEEDS <= set(summary.columns):
        raise TypeError("summary must be a DataFrame from summarise_clarc(results), with the columns "
                        f"{', '.join(sorted(_NEEDS))}.")
    for name, value in (("method", method), ("reference", reference)):
        if not isinstance(value, str) or not (summary["method"] == value).any():
            raise ValueError(f"{name}={value!r} has no rows in summary; it has {sorted(set(summary['method']))}.")
    rows = summary[summary["method"] == method].sort_values("lam").set_index("lam")
    lambdas = [float(v) for v in rows.index]
    if lam is None:
        lam = lambdas[len(lambdas) // 2]
    if isinstance(lam, bool) or not isinstance(lam, numbers.Real) or not lam > 0:
        raise ValueError(f"lam must be a positive number, got {lam!r}.")
    start = min(lambdas, key=lambda v: abs(np.log10(v) - np.log10(float(lam))))
    ref = summary[summary["method"] == reference].iloc[0]
    name, ref_name = _METHOD_NAMES.get(method, method), _METHOD_NAMES.get(reference, reference)

    slider = AccessibleSlider(options=[(f"{v:g}", v) for v in lambdas], value=start, description="lambda",
                              width="420px")
    # outside pyplot: a later plt.show() in the notebook never draws it again
    fig, (ax_acc, ax_tcav) = course_figure(1, 2, panel_height=3.6, width_ratios=[1.7, 1])
    box = TeachingBox([slider], label=f"{name}: accuracy and TCAV sensitivity as lambda moves")
    readout = box.readout
    sens_max = 1.15 * max(float(rows["tcav_sensitivity_mean"].max()), float(ref["tcav_sensitivity_mean"]))
    acc_values = np.r_[rows[["clean_acc_mean", "attacked_acc_mean"]].to_numpy().ravel(),
                       ref[["clean_acc_mean", "attacked_acc_mean"]].to_numpy(dtype=float)]
    # fixed limits (rounded to 0.05) so the curves do not jump when the slider moves
    acc_lim = (max(0.0, np.floor(acc_values.min() * 20) / 20 - 0.05),
               min(1.0, np.ceil(acc_values.max() * 20) / 20 + 0.02))

    # the lambda's label sits in the widest empty band between the accuracy curves, never on one
    levels = np.sort(np.r_[acc_lim, acc_values])
    widest = int(np.argmax(np.diff(levels)))
    label_y = float(((levels[widest] + levels[widest + 1]) / 2 - acc_lim[0]) / (acc_lim[1] - acc_lim[0])) + 0.03
    marks = []

    def redraw(*_):
        v = slider.value
        row = rows.loc[v]
        values = [float(ref["tcav_sensitivity_mean"]), float(row["tcav_sensitivity_mean"])]
        full = not marks
        if full:  # the curves and the reference never change: drawn once, then only the marks move
            plot_lambda_tradeoff(summary, ["clean_acc", "attacked_acc"], method=method, references=(reference,),
                                 ax=ax_acc, ylim=acc_lim, title=f"{name}: accuracy vs lambda\n(dashed: {ref_name})")
            # under the panel: never over a curve, and not searched for again on every move ("best")
            ax_acc.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False, fontsize=8.5)
            bars = ax_tcav.bar([ref_name, f"{name}\n(chosen lambda)"], values, color=["#999999", "#009E73"], width=0.6)
            ax_tcav.text(0, values[0] + sens_max * 0.01, f"{values[0]:.4f}", ha="center", va="bottom")
            ax_tcav.set_ylim(0, sens_max)
            ax_tcav.set_ylabel("TCAV sensitivity (mean |g . h|)")
            ax_tcav.set_title("How strongly 'Shirt'\nreacts to the stamp")
            ax_tcav.grid(axis="y", alpha=0.3)
            marks.extend([ax_acc.axvline(v, color="black", lw=1.2, alpha=0.7),
                          mark_label(ax_acc, v, lambdas, y=label_y),
                          bars[1], ax_tcav.text(1, 0, "", ha="center", va="bottom")])
        marks[0].set_xdata([v, v])
        mark_label(ax_acc, v, lambdas, marks[1], y=label_y)
        marks[2].set_height(values[1])
        marks[3].set_y(values[1] + sens_max * 0.01)
        marks[3].set_text(f"{values[1]:.4f}")
        d_clean = 100 * (float(row["clean_acc_mean"]) - float(ref["clean_acc_mean"]))
        d_att = 100 * (float(row["attacked_acc_mean"]) - float(ref["attacked_acc_mean"]))
        d_sens = 100 * (values[1] / values[0] - 1) if values[0] else float("nan")
        text = (
            f"<b>lambda = {v:g}</b>: clean accuracy {row['clean_acc_mean']:.3f} "
            f"({d_clean:+.1f} points vs {ref_name}), attacked accuracy {row['attacked_acc_mean']:.3f} "
            f"({d_att:+.1f} points), TCAV sensitivity {values[1]:.4f} ({d_sens:+.0f}%)"
        )
        box.shown = {"lam": v, "clean_acc": float(row["clean_acc_mean"]),
                     "attacked_acc": float(row["attacked_acc_mean"]), "tcav_sensitivity": values[1]}
        box.show(fig, readout=text, animated=marks, full=full,
                 alt=f"Left: clean and attacked test accuracy of {name} against lambda (log scale), {ref_name} "
                     f"as dashed lines, lambda = {v:g} marked. Right: TCAV sensitivity of {ref_name} "
                     f"{values[0]:.4f} and of {name} at lambda = {v:g} {values[1]:.4f}. " + text.replace("<b>", "").replace("</b>", ""))

    def update(lam):
        if isinstance(lam, bool) or not isinstance(lam, numbers.Real) or not any(np.isclose(float(lam), lambdas)):
            raise ValueError(f"lam must be one of the grid's lambdas {lambdas}, got {lam!r}.")
        slider.value = lambdas[int(np.argmin(np.abs(np.array(lambdas) - float(lam))))]

    slider.observe(redraw, names="value")
    box.slider, box.figure, box.readout, box.update = slider, fig, readout, update
    redraw()
    return box
