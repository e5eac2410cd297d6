"""Widgets for module 08: one threshold per group, and what it does to each group's error rates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import check_binary, check_consistent_length, check_scores

__all__ = ["group_threshold_explorer"]

_RATES = ("true_positive_rate", "false_positive_rate", "selection_rate")


def group_threshold_explorer(y_true, scores, *, sensitive_features, step=0.01, start=0.5, title=None):
    """One slider per group on the score threshold; bars of each group's TPR, FPR and selection rate.

    A row is predicted positive when its score is at least its group's threshold. The caption
    gives the accuracy over all rows and the gaps between groups (largest minus smallest). Every
    group's rates at every threshold of the grid are computed when the widget is built, so moving
    a slider only redraws.

    Parameters
    ----------
    y_true : array-like of 0/1
    scores : array-like of numbers in [0, 1]
        The model's scores (e.g. ``predict_proba(X)[:, 1]``).
    sensitive_features : array-like or Series
        One group name per row (at most 6 groups: one slider each).
    step : float, default 0.01
        The sliders' step; the grid runs from 0 to 1.
    start : float, default 0.5
        Every slider's first position.
    title : str, optional

    Returns
    -------
    ipywidgets.VBox
        With ``sliders`` (a dict group -> slider; set ``.value`` to move one), ``shown`` (the
        rates now drawn: a DataFrame, one row per group), ``accuracy``, ``gaps`` (a dict of the
        gaps now shown), ``figure`` and ``update(thresholds)`` (a dict group -> threshold).

    Examples
    --------
    >>> w = group_threshold_explorer([1, 0, 1, 0], [0.9, 0.4, 0.3, 0.2], sensitive_features=["a", "a", "b", "b"])
    >>> w.update({"b": 0.3})
    >>> w.shown["true_positive_rate"].tolist(), w.accuracy
    ([1.0, 1.0], 1.0)
    """
    from ._slider import AccessibleSlider

    from ..plots import plot_group_rates
    from ..plots._style import figure as course_figure
    from ._picture import TeachingBox

    y_true = check_binary(y_true, "y_true")
    scores = check_scores(scores, "scores")
    groups = np.asarray(sensitive_features).astype(str) if sensitive_features is not None else None
    if groups is None or groups.ndim != 1:
        raise TypeError("sensitive_features must be a 1-D array-like of group names, one per row.")
    check_consistent_length(y_true=y_true, scores=scores, sensitive_features=groups)
    if isinstance(step, bool) or not isinstance(step, (int, float)) or not 0.001 <= step <= 0.25:
        raise ValueError(f"step must be a number between 0.001 and 0.25, got {step!r}.")
    if isinstance(start, bool) or not isinstance(start, (int, float)) or not 0 <= start <= 1:
        raise ValueError(f"start must be a threshold between 0 and 1, got {start!r}.")
    names = sorted(np.unique(groups))
    if not 2 <= len(names) <= 6:
        raise ValueError(f"sensitive_features must hold 2 to 6 groups (one slider each), got {len(names)}.")
    grid = np.round(np.arange(0, 1 + step / 2, step), 6)

    # per group and grid threshold: the three rates and the number of correct predictions
    tables, correct = {}, {}
    for name in names:
        rows = groups == name
        s, y = scores[rows], y_true[rows]
        predicted = s[None, :] >= grid[:, None]
        positives, negatives = max(int(y.sum()), 1), max(int((1 - y).sum()), 1)
        tables[name] = pd.DataFrame({
            "true_positive_rate": (predicted & (y == 1)).sum(axis=1) / positives,
            "false_positive_rate": (predicted & (y == 0)).sum(axis=1) / negatives,
            "selection_rate": predicted.mean(axis=1),
        }, index=grid)
        correct[name] = (predicted == (y == 1)).sum(axis=1)
    n_rows = len(y_true)

    figure, ax = course_figure()
    sliders = {name: AccessibleSlider(options=[(f"{v:.2f}", float(v)) for v in grid],
                                      value=float(grid[np.argmin(np.abs(grid - start))]), description=f"{name} ≥",
                                      width="320px")
               for name in names}
    box = TeachingBox(list(sliders.values()), label="Group thresholds: each group's rates at its own threshold")

    def position(value) -> int:
        return int(np.argmin(np.abs(grid - value)))

    def redraw(*_):
        at = {name: position(slider.value) for name, slider in sliders.items()}
        box.shown = pd.DataFrame({name: tables[name].iloc[at[name]] for name in names}).T
        box.shown.index.name = "group"
        box.accuracy = float(sum(correct[name][at[name]] for name in names) / n_rows)
        box.gaps = {rate: float(box.shown[rate].max() - box.shown[rate].min()) for rate in _RATES}
        ax.clear()
        plot_group_rates(box.shown, metrics=list(_RATES), ax=ax, ylabel="rate",
                         title=title or "Each group's rates at its own threshold")
        ax.set_ylim(0, 1.1)
        caption = (f"Accuracy (all rows): <b>{box.accuracy:.3f}</b> &nbsp;·&nbsp; gaps between groups: "
                   f"TPR <b>{box.gaps['true_positive_rate']:.3f}</b>, "
                   f"FPR {box.gaps['false_positive_rate']:.3f}, "
                   f"selection rate {box.gaps['selection_rate']:.3f}")
        rates = "; ".join(f"{name} at threshold {sliders[name].value:.2f}: TPR {box.shown.loc[name, 'true_positive_rate']:.0%}, "
                          f"FPR {box.shown.loc[name, 'false_positive_rate']:.0%}, selected "
                          f"{box.shown.loc[name, 'selection_rate']:.0%}" for name in names)
        box.show(figure, readout=caption,
                 alt=f"Bar chart of each group's true positive rate, false positive rate and selection rate at its "
                     f"own threshold: {rates}. Accuracy {box.accuracy:.3f}.")

    def update(thresholds):
        """Move the named groups' sliders (a dict group -> threshold in [0, 1]) and redraw."""
        if not isinstance(thresholds, dict):
            raise TypeError(f"thresholds must be a dict group -> threshold, got {type(thresholds).__name__}.")
        unknown = [g for g in thresholds if str(g) not in sliders]
        if unknown:
            raise ValueError(f"thresholds: unknown group(s) {', '.join(map(repr, unknown))}; the groups are "
                             f"{', '.join(map(repr, names))}.")
        for g, value in thresholds.items():
            if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or not 0 <= value <= 1:
                raise ValueError(f"thresholds[{g!r}] must be a number between 0 and 1, got {value!r}.")
        for slider in sliders.values():
            slider.unobserve(redraw, names="value")
        try:
            for g, value in thresholds.items():
                sliders[str(g)].value = float(grid[position(value)])
        finally:
            for slider in sliders.values():
                slider.observe(redraw, names="value")
        redraw()

    for slider in sliders.values():
        slider.observe(redraw, names="value")
    box.sliders = sliders
    box.figure = figure
    box.update = update
    redraw()
    return box
