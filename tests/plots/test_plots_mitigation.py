"""The accuracy-fairness plane draws the given numbers."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from biaslab.mitigations._comparison import load_mitigation_results, pareto_front
from biaslab.plots._mitigation import plot_accuracy_fairness


@pytest.fixture
def table():
    return pd.DataFrame({
        "method": ["no mitigation", "reweighing", "group thresholds (equal opportunity)",
                   "group thresholds (equal opportunity)", "group thresholds (equal opportunity)"],
        "accuracy": [0.85, 0.84, 0.85, 0.849, 0.848],
        "discrimination": [0.18, 0.08, 0.18, 0.15, 0.14],
        "tpr_gap": [0.09, -0.15, 0.09, 0.04, -0.01],
    })


def test_points_lines_and_front(table):
    fig, ax = plt.subplots()
    front = pareto_front(table, "tpr_gap")
    out = plot_accuracy_fairness(table, fairness="tpr_gap", front=front, ax=ax, title="t")
    assert out is ax and ax.get_title() == "t"
    offsets = np.vstack([c.get_offsets() for c in ax.collections])
    # every method's last setting is a marker at (|gap|, accuracy)
    assert any(np.allclose(p, [0.15, 0.84]) for p in offsets)
    assert any(np.allclose(p, [0.09, 0.85]) for p in offsets)
    assert any(np.allclose(p, [0.01, 0.848]) for p in offsets)
    lines = {line.get_label(): line for line in ax.get_lines()}
    sweep = [line for line in ax.get_lines() if len(line.get_xdata()) == 3]
    assert np.allclose(sweep[0].get_xdata(), [0.09, 0.04, 0.01])
    assert np.allclose(lines["Pareto front"].get_xdata(), np.sort(np.abs(front["tpr_gap"])))
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "reweighing" in labels and "Pareto front" in labels
    assert "TPR" in ax.get_xlabel() and ax.get_ylabel().startswith("test accuracy")
    plt.close(fig)


def test_on_the_shipped_results():
    adult = load_mitigation_results("adult")
    ax = plot_accuracy_fairness(adult, front=pareto_front(adult), legend=False)
    assert ax.get_legend() is None
    plt.close(ax.figure)


def test_bad_arguments(table):
    with pytest.raises(TypeError, match="results"):
        plot_accuracy_fairness(table.to_numpy())
    with pytest.raises(ValueError, match="fairness"):
        plot_accuracy_fairness(table, fairness="accuracy")
    with pytest.raises(ValueError, match="method"):
        plot_accuracy_fairness(table.drop(columns="method"))
    with pytest.raises(ValueError, match="empty"):
        plot_accuracy_fairness(table.iloc[:0])
    with pytest.raises(ValueError, match="several datasets"):
        plot_accuracy_fairness(load_mitigation_results())
    with pytest.raises(TypeError, match="front"):
        plot_accuracy_fairness(table, front=[1, 2])
    with pytest.raises(TypeError, match="ax"):
        plot_accuracy_fairness(table, ax="left")
