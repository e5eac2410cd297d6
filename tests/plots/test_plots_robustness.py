"""Module 05's pictures show the numbers they are given, and refuse bad input clearly."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from biaslab.plots import (plot_counterfactual_shift, plot_flip_rate_curves, plot_patient_flips,
                           plot_robustness_tradeoff)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def scatter_points(ax):
    return [c.get_offsets() for c in ax.collections if isinstance(c, matplotlib.collections.PathCollection)]


def test_counterfactual_shift_colours_exactly_the_flips():
    proba = np.array([0.1, 0.4, 0.6, 0.9, 0.55])
    swapped = np.array([0.2, 0.7, 0.3, 0.95, 0.52])
    ax = plot_counterfactual_shift(proba, swapped)
    same, flipped = scatter_points(ax)
    assert flipped.tolist() == [[0.4, 0.7], [0.6, 0.3]]
    assert len(same) == 3
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["same decision (3)", "decision flips (2)"]
    assert "sex swapped" in ax.get_ylabel()


def test_counterfactual_shift_threshold_moves_the_flips():
    ax = plot_counterfactual_shift([0.3, 0.5], [0.35, 0.4], threshold=0.32)
    _, flipped = scatter_points(ax)
    assert flipped.tolist() == [[0.3, 0.35]]


@pytest.mark.parametrize("args, kwargs, error, fragment", [
    (([0.1, 0.2], [0.1]), {}, ValueError, "expected 2"),
    (([0.1, 1.2], [0.1, 0.2]), {}, ValueError, "between 0 and 1"),
    ((0.5, [0.1]), {}, TypeError, "array of probabilities"),
    (([0.1], [0.2]), {"threshold": 1.0}, ValueError, "threshold"),
    (([0.1], [0.2]), {"changed": 3}, TypeError, "changed"),
])
def test_counterfactual_shift_validates(args, kwargs, error, fragment):
    with pytest.raises(error, match=fragment):
        plot_counterfactual_shift(*args, **kwargs)


def test_flip_rate_curves_draw_the_given_rates():
    curves = pd.DataFrame({"standard": [0.0, 0.04, 0.1], "robust": [0.0, 0.01, 0.04]}, index=[1, 2, 5])
    ax = plot_flip_rate_curves(curves, column_label="age (years)")
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["standard", "robust"]
    assert lines[0].get_xdata().tolist() == [1, 2, 5]
    assert lines[1].get_ydata().tolist() == [0.0, 0.01, 0.04]
    assert "age (years)" in ax.get_xlabel() and ax.get_title() == "Flips when age moves"
    assert ax.get_ylim()[1] >= 0.1


def test_flip_rate_curves_take_a_series_and_validate():
    ax = plot_flip_rate_curves(pd.Series([0.1, 0.2], index=[5, 10], name="clinic"), column_label="cholesterol")
    assert ax.get_lines()[0].get_ydata().tolist() == [0.1, 0.2]
    assert ax.get_legend() is None  # one model: no legend needed
    with pytest.raises(TypeError, match="DataFrame"):
        plot_flip_rate_curves([0.1, 0.2], column_label="age")
    with pytest.raises(ValueError, match="between 0 and 1"):
        plot_flip_rate_curves(pd.Series([1.5], index=[1]), column_label="age")
    with pytest.raises(TypeError, match="column_label"):
        plot_flip_rate_curves(pd.Series([0.5], index=[1]), column_label=None)


def test_patient_flips_shows_who_flips():
    ax = plot_patient_flips([40, 50, 60], [0.2, 0.49, 0.8], np.array([False, True, False]), column_label="age (years)")
    same, flipped = scatter_points(ax)
    assert flipped.tolist() == [[50, 0.49]]
    assert ax.get_title() == "1 of 3 patients (33%) flip"
    assert ax.get_xlabel() == "age (years)"
    with pytest.raises(ValueError, match="one True/False per patient"):
        plot_patient_flips([40, 50], [0.2, 0.4], [1, 0], column_label="age")
    with pytest.raises(ValueError, match="one per patient"):
        plot_patient_flips([40], [0.2, 0.4], np.array([True, False]), column_label="age")


def test_robustness_tradeoff_places_each_variant():
    means = pd.DataFrame({"AUROC": [0.88, 0.87], "flip": [0.05, 0.01]}, index=["standard", "jittered"])
    spread = pd.DataFrame({"AUROC": [0.03, 0.02], "flip": [0.02, 0.01]}, index=means.index)
    ax = plot_robustness_tradeoff(means, x="flip", xerr=spread, yerr=spread)
    points = [line for line in ax.get_lines() if line.get_marker() == "o"]
    assert [(p.get_xdata()[0], p.get_ydata()[0]) for p in points] == [(0.05, 0.88), (0.01, 0.87)]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["standard", "jittered"]
    assert ax.get_xlim()[0] <= 0
    with pytest.raises(ValueError, match="column of means"):
        plot_robustness_tradeoff(means, x="nope")
    with pytest.raises(ValueError, match="same index"):
        plot_robustness_tradeoff(means, x="flip", xerr=spread.iloc[:1])
    with pytest.raises(TypeError, match="DataFrame"):
        plot_robustness_tradeoff(means.to_numpy(), x="flip")
