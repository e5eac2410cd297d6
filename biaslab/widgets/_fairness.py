"""Widgets for module 02: move a score threshold and watch the error rates of each group move."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import check_binary, check_consistent_length, check_scores

__all__ = ["threshold_explorer"]

_DEFAULT_METRICS = ("false_positive_rate", "false_negative_rate", "precision")


def threshold_explorer(y_true, scores, *, sensitive_features, thresholds=None, metrics=_DEFAULT_METRICS,
                       score_name="score", title=None, start=None):
    """A slider on the decision threshold of a score, showing chosen rates by group.

    Rows with ``score >= threshold`` are predicted positive. Every threshold's rates are
    computed once, when the widget is built, so moving the slider only redraws.

    Parameters
    ----------
    y_true : array-like of 0/1
        What happened.
    scores : array-like of numbers
        The score thresholded (e.g. the COMPAS decile score, 1-10).
    sensitive_features : array-like or Series
        One group label per row.
    thresholds : sequence of numbers, optional
        The slider's positions (default: the distinct score values, at most 50 of them).
    metrics : sequence of str
        Names from :data:`biaslab.metrics.METRIC_NAMES` to show.
    score_name : str
        How to call the score in the labels.
    title : str, optional
        Title of the picture.
    start : number, optional
        The threshold shown first (the nearest slider value; default the middle one).

    Returns
    -------
    ipywidgets.VBox
        With ``slider`` (set ``slider.value`` to move it), ``rates`` (every threshold's rates:
        a DataFrame indexed by threshold and group), ``shown`` (the rates now drawn),
        ``figure`` and ``update(threshold)``.

    Examples
    --------
    >>> w = threshold_explorer([0, 1, 0, 1], [1, 5, 6, 9], sensitive_features=["a", "a", "b", "b"],
    ...                        thresholds=[5, 7], metrics=["false_positive_rate"])
    >>> w.update(7)
    >>> w.shown["false_positive_rate"].tolist()
    [0.0, 0.0]
    """
    from ._slider import AccessibleSlider

    from ..metrics import METRIC_NAMES, group_metrics
    from ..plots import plot_group_rates
    from ..plots._fairness import _label, _pretty
    from ..plots._style import figure as course_figure
    from ._picture import TeachingBox

    y_true = check_binary(y_true, "y_true")
    scores = check_scores(scores, "scores")
    check_consistent_length(y_true=y_true, scores=scores)
    if isinstance(metrics, str):
        metrics = [metrics]
    metrics = list(metrics)
    if not metrics:
        raise ValueError("metrics is empty: give at least one metric name.")
    unknown = [m for m in metrics if m not in METRIC_NAMES or m in ("count", "roc_auc")]
    if unknown:
        raise ValueError(f"metrics: unknown or unsupported {', '.join(map(repr, unknown))}; expected names from "
                         "biaslab.metrics.METRIC_NAMES such as 'false_positive_rate'.")
    if not isinstance(score_name, str):
        raise TypeError(f"score_name must be a str, got {type(score_name).__name__}.")
    if thresholds is None:
        thresholds = np.unique(scores)
        if len(thresholds) > 50:
            thresholds = np.unique(np.quantile(scores, np.linspace(0, 1, 50)))
    else:
        thresholds = check_scores(thresholds, "thresholds")
        if len(thresholds) == 0:
            raise ValueError("thresholds is empty: give at least one threshold.")
        thresholds = np.unique(thresholds)
    thresholds = [t.item() for t in thresholds]

    import warnings

    from ..metrics import UndefinedMetricWarning

    tables = {}
    with warnings.catch_warnings():
        # an extreme threshold leaves a group with no predicted positives: precision is NaN, shown "n/a"
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        for t in thresholds:
            report = group_metrics(y_true, (scores >= t).astype(np.int8), sensitive_features=sensitive_features,
                                   metrics=metrics)
            tables[t] = report.by_group
    rates = pd.concat(tables, names=["threshold"])

    if start is None:
        first = thresholds[len(thresholds) // 2]
    else:
        start = check_scores([start], "start")[0]
        first = min(thresholds, key=lambda t: abs(t - start))
    figure, ax = course_figure()
    slider = AccessibleSlider(options=thresholds, value=first, description=f"{score_name} ≥", width="320px")
    box = TeachingBox([slider], label=f"Rates by group as the {score_name} threshold moves")
    caption = box.readout

    def redraw(threshold):
        box.shown = tables[threshold]
        ax.clear()
        plot_group_rates(box.shown, ax=ax, title=title or f"Rates by group when {score_name} ≥ {threshold:g} "
                         "counts as positive", ylabel="rate")
        numbers = "; ".join(
            f"{_pretty(m)}: " + ", ".join("n/a" if pd.isna(v) else f"{_label(g)} {v:.0%}" for g, v in box.shown[m].items())
            for m in metrics)
        box.show(figure, readout=f"Predicted positive: {score_name} ≥ <b>{threshold:g}</b>. {numbers}.",
                 alt=f"Bar chart of the rates by group when {score_name} ≥ {threshold:g} counts as positive: "
                     f"{numbers}.")

    def on_change(change):
        redraw(change["new"])

    def update(threshold):
        """Move the slider to ``threshold`` (one of its values) and redraw."""
        if threshold not in tables:
            raise ValueError(f"threshold must be one of the slider's values {thresholds}, got {threshold!r}.")
        if threshold == slider.value:
            redraw(threshold)
        else:
            slider.value = threshold

    slider.observe(on_change, names="value")
    box.slider = slider
    box.rates = rates
    box.figure = figure
    box.update = update
    redraw(slider.value)
    return box
