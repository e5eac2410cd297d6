"""Widgets for module 05: the perturbation size."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

__all__ = ["flip_explorer"]


def flip_explorer(model, X, *, deltas, labels=None, threshold=0.5, column=None, delta=None):
    """Choose a column and a change ±delta; see which patients' decisions flip.

    Every flip is computed on construction (:func:`~biaslab.robustness.perturbation_sensitivity`
    for each column and delta), so moving the slider only recolours the picture: well under a
    second.

    Parameters
    ----------
    model : fitted model with ``predict_proba``
        The decisions are ``predict``; the risk drawn is ``predict_proba(X)[:, 1]``.
    X : DataFrame
        The patients.
    deltas : dict
        ``{column: list of deltas}``: the numeric columns to change and the sizes to offer.
    labels : dict, optional
        ``{column: label with unit}`` for the axis, e.g. ``{"age": "age (years)"}``.
    threshold : float, default 0.5
        The decision threshold drawn (the model's ``predict`` decides).
    column, delta : optional
        Shown first (default: the first column, its second delta).

    Returns
    -------
    ipywidgets.VBox
        With ``.update(column=None, delta=None)`` to set the knobs from code, ``.shown`` (a dict:
        ``column``, ``delta``, ``rate`` and ``flipped``, one bool per row of ``X``), ``.figure``,
        and the controls ``.column_widget`` and ``.delta_widget``.

    Examples
    --------
    >>> import pandas as pd
    >>> class Over50:
    ...     def predict(self, X):
    ...         return (X["age"] > 50).astype(int).to_numpy()
    ...     def predict_proba(self, X):
    ...         p = (X["age"].to_numpy() - 20) / 60
    ...         return pd.DataFrame({"0": 1 - p, "1": p}).to_numpy()
    >>> X = pd.DataFrame({"age": [30, 49, 50, 51, 52, 60]})
    >>> explorer = flip_explorer(Over50(), X, deltas={"age": [1, 2]})
    >>> explorer.shown["rate"]
    0.6666666666666666
    >>> explorer.update(delta=1)
    >>> explorer.shown["flipped"].tolist()
    [False, False, True, True, False, False]
    """
    import ipywidgets as widgets

    from ._slider import AccessibleSlider

    from ..plots._robustness import plot_patient_flips
    from ..plots._style import figure as course_figure
    from ._picture import TeachingBox
    from ..robustness import perturbation_sensitivity

    if not isinstance(X, pd.DataFrame):
        raise TypeError(f"X must be a pandas DataFrame of patients, got {type(X).__name__}.")
    if not callable(getattr(model, "predict_proba", None)):
        raise TypeError(f"model must be a fitted model with predict_proba, got {type(model).__name__}.")
    if not isinstance(deltas, dict) or not deltas:
        raise TypeError("deltas must be a non-empty dict {column: list of deltas}, e.g. {'age': [1, 2, 5]}.")
    options = {}
    for col, values in deltas.items():
        if col not in X.columns:
            raise ValueError(f"deltas names {col!r}, which is not a column of X.")
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise TypeError(f"deltas[{col!r}] must be a list of sizes of the change, got {type(values).__name__}.")
        values = list(values)
        if not values or not all(isinstance(v, numbers.Real) and not isinstance(v, bool) and v >= 0 for v in values):
            raise ValueError(f"deltas[{col!r}] must be a non-empty list of non-negative numbers.")
        options[col] = sorted(set(float(v) for v in values))
    labels = dict(labels or {})
    if not all(isinstance(v, str) for v in labels.values()):
        raise TypeError("labels must map column names to strings.")
    column = next(iter(options)) if column is None else column
    if column not in options:
        raise ValueError(f"column={column!r} is not one of the columns in deltas: {list(options)}.")

    proba = np.asarray(model.predict_proba(X), dtype=float)[:, 1]
    flips = {
        (col, d): perturbation_sensitivity(model, X, column=col, delta=d)
        for col, values in options.items() for d in values
    }

    def nearest(col, value) -> float:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"delta must be a number, got {type(value).__name__}.")
        grid = np.asarray(options[col])
        return float(grid[int(np.argmin(np.abs(grid - float(value))))])

    first = options[column]
    delta = first[min(1, len(first) - 1)] if delta is None else nearest(column, delta)
    column_widget = widgets.Dropdown(options=[(labels.get(c, c), c) for c in options], value=column,
                                     description="change:")
    delta_widget = AccessibleSlider(options=[(f"±{d:g}", d) for d in first], value=delta, description="by:",
                                    width="220px")
    figure, ax = course_figure(panel_height=3.6)
    box = TeachingBox([widgets.HBox([column_widget, delta_widget])],
                      label="Flip explorer: which patients' decisions flip under a small change")
    box.figure, box.column_widget, box.delta_widget = figure, column_widget, delta_widget

    def redraw():
        col, d = column_widget.value, delta_widget.value
        result = flips[(col, d)]
        flipped = (result.flipped_up | result.flipped_down).to_numpy()
        ax.clear()
        label = labels.get(col, col)
        plot_patient_flips(X[col].to_numpy(dtype=float), proba, flipped, column_label=label, threshold=threshold,
                           ax=ax)
        ax.set_title(f"{label} ±{d:g}: {flipped.sum()} of {len(X)} patients flip")
        box.shown = {"column": col, "delta": d, "rate": result.rate, "flipped": flipped}
        summary = (f"Moving <b>{label}</b> by ±{d:g} changes the decision for <b>{flipped.sum()} of {len(X)}</b> "
                   f"patients ({result.rate:.1%}): {result.rate_up:.1%} when it goes up, "
                   f"{result.rate_down:.1%} when it goes down.")
        box.show(figure, readout=summary,
                 alt=f"Scatter plot of every patient's predicted risk against their {label}; the {flipped.sum()} "
                     f"patients whose decision flips when {label} moves by ±{d:g} are marked in red ({result.rate:.1%} "
                     "of them); they sit near the referral threshold.")

    busy = False

    def set_column(col, d=None):
        values = options[col]
        d = values[min(1, len(values) - 1)] if d is None else nearest(col, d)
        delta_widget.options = [(f"±{v:g}", v) for v in values]
        delta_widget.value = d

    def on_column(change):
        nonlocal busy
        if busy:  # update() sets both knobs and draws once
            return
        busy = True
        try:
            set_column(change["new"])
        finally:
            busy = False
        redraw()

    def on_delta(_):
        if not busy:
            redraw()

    def update(column=None, delta=None):
        nonlocal busy
        if column is not None and column not in options:
            raise ValueError(f"column={column!r} is not one of the columns in deltas: {list(options)}.")
        col = column_widget.value if column is None else column
        d = None if delta is None else nearest(col, delta)
        busy = True  # set both knobs, then draw once
        try:
            if column is not None:
                column_widget.value = column
                set_column(column, d)
            elif d is not None:
                delta_widget.value = d
        finally:
            busy = False
        redraw()

    column_widget.observe(on_column, names="value")
    delta_widget.observe(on_delta, names="value")
    box.update = update
    redraw()
    return box
