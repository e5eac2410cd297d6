"""Module 02's pictures show the numbers they are given, and reject bad arguments clearly."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from biaslab.metrics import calibration_by_group, group_metrics
from biaslab.plots import plot_calibration_by_group, plot_group_intervals, plot_group_rates

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def report():
    rng = np.random.default_rng(3)
    n = 600
    groups = pd.Series(rng.choice(["a", "b"], n), name="race")
    y = (rng.random(n) < 0.5).astype(int)
    y_pred = (rng.random(n) < np.where(groups == "a", 0.6, 0.3)).astype(int)
    return group_metrics(y, y_pred, sensitive_features=groups,
                         metrics=["selection_rate", "false_positive_rate", "precision"], n_boot=200, random_state=0)


def test_group_rates_bars_and_error_bars_show_the_given_numbers(report):
    ax = plot_group_rates(report.by_group, report.by_group_ci, metrics=["selection_rate", "false_positive_rate"])
    heights = [p.get_height() for p in ax.patches]
    expected = report.by_group[["selection_rate", "false_positive_rate"]].to_numpy().ravel()  # group by group
    np.testing.assert_allclose(heights, expected)
    # each error bar runs from the interval's lower to its upper bound
    segments = [seg for coll in ax.collections for seg in coll.get_segments()]
    lows = sorted(round(float(min(s[:, 1])), 9) for s in segments)
    ci = report.by_group_ci
    wanted = sorted(round(float(ci.loc[g, (m, "lower")]), 9) for g in ci.index
                    for m in ["selection_rate", "false_positive_rate"])
    np.testing.assert_allclose(lows, wanted)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["selection rate", "false positive rate"]
    assert ax.get_legend().get_title().get_text() == "race"
    assert {t.get_text() for t in ax.texts} >= {f"{v:.0%}" for v in expected}


def test_group_rates_draws_undefined_rates_as_na():
    table = pd.DataFrame({"precision": [0.5, np.nan]}, index=["a", "b"])
    ax = plot_group_rates(table)
    assert "n/a" in [t.get_text() for t in ax.texts]


def test_group_rates_uses_the_given_axes(report):
    _, ax = plt.subplots()
    assert plot_group_rates(report.by_group, ax=ax, title="T") is ax
    assert ax.get_title() == "T"


@pytest.mark.parametrize("kwargs, error, fragment", [
    ({"by_group": [[0.1]]}, TypeError, "by_group must be a pandas DataFrame"),
    ({"metrics": ["accuracy"]}, ValueError, "not found: accuracy"),
    ({"ci": "wide"}, TypeError, "ci must be a pandas DataFrame"),
    ({"ci": pd.DataFrame({"x": [1]})}, ValueError, "no (metric, 'lower')"),
    ({"ax": "left"}, TypeError, "ax must be a matplotlib Axes"),
])
def test_group_rates_rejects_bad_arguments(report, kwargs, error, fragment):
    args = {"by_group": report.by_group, **kwargs}
    with pytest.raises(error, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        plot_group_rates(args.pop("by_group"), **args)


def test_group_intervals_show_values_intervals_and_sizes():
    index = pd.MultiIndex.from_tuples([("F", "x"), ("F", "y"), ("M", "x")], names=["sex", "race"])
    values = pd.Series([0.3, np.nan, 0.1], index=index)
    lower, upper = values - 0.05, values + 0.2
    counts = pd.Series([100, 0, 20], index=index)
    ax = plot_group_intervals(values, lower, upper, counts=counts, reference=0.25, title="FPR")
    line = ax.lines[0]
    np.testing.assert_allclose(line.get_xdata(), [0.1, 0.3])  # sorted, NaN group left out
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["M · x  (n = 20)", "F · x  (n = 100)"]
    whiskers = ax.collections[0].get_segments()
    np.testing.assert_allclose([[s[0][0], s[1][0]] for s in whiskers], [[0.05, 0.3], [0.25, 0.5]])
    assert any(np.allclose(line.get_xdata(), 0.25) for line in ax.lines[1:])  # the reference line


def test_group_intervals_reject_mismatched_series():
    v = pd.Series([0.1, 0.2], index=["a", "b"])
    with pytest.raises(TypeError, match="lower must be a pandas Series"):
        plot_group_intervals(v, [0.0, 0.1], v)
    with pytest.raises(ValueError, match="upper must have the same index"):
        plot_group_intervals(v, v, pd.Series([0.1, 0.2], index=["b", "c"]))
    with pytest.raises(TypeError, match="reference must be a number"):
        plot_group_intervals(v, v, v, reference="0.5")


def test_calibration_curves_show_the_table():
    rng = np.random.default_rng(0)
    prob = rng.random(400)
    y = (rng.random(400) < prob).astype(int)
    groups = pd.Series(rng.choice(["a", "b"], 400), name="g")
    table = calibration_by_group(y, prob, sensitive_features=groups, n_bins=5)
    table["lower"], table["upper"] = table["observed_rate"] - 0.1, table["observed_rate"] + 0.1
    ax = plot_calibration_by_group(table, group_column="g")
    curves = ax.get_lines()[1:]  # the first line is the diagonal
    assert len(curves) == 2
    for curve, name in zip(curves, ["a", "b"]):
        rows = table[table["g"] == name].sort_values("mean_predicted")
        np.testing.assert_allclose(curve.get_ydata(), rows["observed_rate"])
        np.testing.assert_allclose(curve.get_xdata(), rows["mean_predicted"])
        assert curve.get_label().startswith(f"{name} (n = ")
    assert len(ax.collections) == 2  # one interval band per group


def test_calibration_without_diagonal_and_bad_arguments():
    table = pd.DataFrame({"g": ["a"], "score": [3], "observed_rate": [0.4], "count": [10]})
    ax = plot_calibration_by_group(table, group_column="g", x="score", diagonal=False)
    assert len(ax.get_lines()) == 1
    with pytest.raises(ValueError, match="lacks the column"):
        plot_calibration_by_group(table, group_column="race")
    with pytest.raises(TypeError, match="group_column must be a column name"):
        plot_calibration_by_group(table, group_column=0)
    with pytest.raises(TypeError, match="table must be a pandas DataFrame"):
        plot_calibration_by_group(table.to_numpy(), group_column="g")
