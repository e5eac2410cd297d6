"""The trade-off plots draw exactly the numbers they are given, and refuse bad input clearly."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from biaslab.plots import plot_lambda_tradeoff, plot_method_comparison  # noqa: E402


@pytest.fixture
def summary():
    lams = [1.0, 10.0, 100.0]
    rows = [{"method": "vanilla", "lam": 0.0, "label": "Vanilla", "clean_acc_mean": 0.86, "clean_acc_std": 0.001,
             "attacked_acc_mean": 0.60, "attacked_acc_std": 0.002}]
    rows += [{"method": "p_clarc", "lam": 0.0, "label": "P-ClArC", "clean_acc_mean": 0.85, "clean_acc_std": 0.0,
              "attacked_acc_mean": 0.81, "attacked_acc_std": 0.0}]
    for i, lam in enumerate(lams):
        rows.append({"method": "rr_clarc", "lam": lam, "label": f"RR-ClArC (lambda={lam:g})",
                     "clean_acc_mean": 0.86 - 0.01 * i, "clean_acc_std": 0.005,
                     "attacked_acc_mean": 0.62 + 0.1 * i, "attacked_acc_std": 0.01})
    return pd.DataFrame(rows)


def teardown_function():
    plt.close("all")


def test_lambda_tradeoff_draws_the_means_and_references(summary):
    ax = plot_lambda_tradeoff(summary, "attacked_acc", references=("vanilla", "p_clarc"), mark=10.0)
    curve = ax.lines[0]
    np.testing.assert_allclose(curve.get_xdata(), [1, 10, 100])
    np.testing.assert_allclose(curve.get_ydata(), [0.62, 0.72, 0.82])
    levels = sorted(float(line.get_ydata()[0]) for line in ax.lines[1:3])
    assert levels == pytest.approx([0.60, 0.81])
    assert ax.get_xscale() == "log"
    assert float(ax.lines[-1].get_xdata()[0]) == 10.0  # the mark
    band = ax.collections[0].get_paths()[0].vertices
    assert band[:, 1].min() == pytest.approx(0.61) and band[:, 1].max() == pytest.approx(0.83)
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel() == "attacked test accuracy"


def test_lambda_tradeoff_two_metrics_one_axes(summary):
    fig, ax = plt.subplots()
    out = plot_lambda_tradeoff(summary, ["clean_acc", "attacked_acc"], ax=ax)
    assert out is ax
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("clean" in t for t in labels) and any("attacked" in t for t in labels)


def test_lambda_tradeoff_rejects_bad_input(summary):
    with pytest.raises(TypeError, match="summary"):
        plot_lambda_tradeoff([1, 2])
    with pytest.raises(ValueError, match="lacks"):
        plot_lambda_tradeoff(summary, "tcav_sensitivity")
    with pytest.raises(ValueError, match="no rows of method"):
        plot_lambda_tradeoff(summary, method="a_clarc")
    with pytest.raises(ValueError, match="references"):
        plot_lambda_tradeoff(summary, references=("a_clarc",))
    with pytest.raises(TypeError, match="references"):
        plot_lambda_tradeoff(summary, references="vanilla")
    with pytest.raises(ValueError, match="mark"):
        plot_lambda_tradeoff(summary, mark=-1)
    with pytest.raises(TypeError, match="metric"):
        plot_lambda_tradeoff(summary, 3)
    with pytest.raises(TypeError, match="ax"):
        plot_lambda_tradeoff(summary, ax="left")


def test_method_comparison_bar_heights_and_errors(summary):
    rows = summary.iloc[[0, 1, 3]]
    ax = plot_method_comparison(rows)
    heights = [p.get_height() for p in ax.patches]
    np.testing.assert_allclose(heights, [0.86, 0.85, 0.85, 0.60, 0.81, 0.72])
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["Vanilla", "P-ClArC", "RR-ClArC\n(lambda=10)"]
    # error bars span mean +- std
    from matplotlib.container import ErrorbarContainer

    errorbars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    segments = errorbars[1].lines[2][0].get_segments()  # the second metric's bars
    assert segments[0][0][1] == pytest.approx(0.60 - 0.002) and segments[0][1][1] == pytest.approx(0.60 + 0.002)
    texts = [t.get_text() for t in ax.texts]
    assert "0.810" in texts


def test_method_comparison_rejects_bad_input(summary):
    with pytest.raises(ValueError, match="label"):
        plot_method_comparison(summary.drop(columns="label"))
    with pytest.raises(ValueError, match="empty"):
        plot_method_comparison(summary.iloc[:0])
    with pytest.raises(TypeError, match="annotate"):
        plot_method_comparison(summary, annotate="yes")
