"""Plots of module 04 draw the numbers they are given."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from biaslab.experiments.hidden_in_plain_sight import load_rate_sweep
from biaslab.plots import plot_fnr_with_ci, plot_group_fnr_bars, plot_rate_sweep


@pytest.fixture(scope="module")
def sweep():
    return load_rate_sweep()


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def line_by_label(ax, label):
    (line,) = [ln for ln in ax.get_lines() if ln.get_label() == label]
    return line


def test_rate_sweep_shows_each_groups_metric(sweep):
    axes = plot_rate_sweep(sweep, "F")
    assert len(axes) == 3
    rows = sweep[(sweep.target == "F") & (sweep.site == "internal")]
    for ax, metric in zip(axes, ("fnr", "for", "auroc")):
        for label, group in (("F (target)", "F"), ("M", "M"), ("overall", "overall")):
            expected = rows[rows.group == group].sort_values("rate")
            line = line_by_label(ax, label)
            np.testing.assert_allclose(line.get_xdata(), expected["rate"])
            np.testing.assert_allclose(line.get_ydata(), expected[metric])
    assert "SYNTHETIC" in axes[0].figure.texts[0].get_text() if axes[0].figure.texts else True
    assert axes[2].get_ylim() == (0.5, 1.0)


def test_rate_sweep_default_groups_follow_the_target(sweep):
    axes = plot_rate_sweep(sweep, "0-20", site="external")
    labels = [ln.get_label() for ln in axes[0].get_lines()]
    assert labels == ["0-20 (target)", "20-40", "40-60", "60-80", "80+", "overall"]
    axes = plot_rate_sweep(sweep, "F & 60-80")
    labels = [ln.get_label() for ln in axes[0].get_lines()]
    assert labels == ["F & 60-80 (target)", "F", "60-80", "M", "overall"]


def test_rate_sweep_draws_into_given_axes(sweep):
    fig, axes = plt.subplots(1, 3)
    out = plot_rate_sweep(sweep, "M", groups=["M", "overall"], axes=axes)
    assert list(out) == list(axes)
    assert len(axes[0].get_lines()) == 2


@pytest.mark.parametrize("args, kwargs, error, fragment", [
    ((pd.DataFrame({"a": [1]}), "F"), {}, TypeError, "missing"),
    ((None, "F"), {}, TypeError, "DataFrame"),
    (("SWEEP", "X"), {}, ValueError, "not in the sweep"),
    (("SWEEP", 3), {}, TypeError, "target"),
    (("SWEEP", "F"), {"site": "moon"}, ValueError, "site"),
    (("SWEEP", "F"), {"groups": ["nobody"]}, ValueError, "nobody"),
    (("SWEEP", "F"), {"groups": "F"}, TypeError, "groups"),
    (("SWEEP", "F"), {"axes": [None, None]}, ValueError, "3 Axes"),
])
def test_rate_sweep_validates(sweep, args, kwargs, error, fragment):
    args = tuple(sweep if isinstance(a, str) and a == "SWEEP" else a for a in args)
    with pytest.raises(error, match=fragment):
        plot_rate_sweep(*args, **kwargs)


def test_rate_sweep_refuses_trials():
    with pytest.raises(ValueError, match="trial"):
        plot_rate_sweep(load_rate_sweep("F", trials=True), "F")


def test_group_fnr_bars_heights_and_baseline():
    fnr = pd.Series({"overall": 0.3, "F": 0.6, "M": 0.1})
    base = pd.Series({"overall": 0.25, "F": 0.26, "M": 0.24})
    ax = plot_group_fnr_bars(fnr, baseline=base, highlight="F", title="t")
    np.testing.assert_allclose([p.get_height() for p in ax.patches], fnr.to_numpy())
    np.testing.assert_allclose(ax.collections[0].get_offsets()[:, 1], base.to_numpy())
    assert [t.get_text() for t in ax.get_xticklabels()] == ["overall", "F", "M"]
    with pytest.raises(TypeError, match="Series"):
        plot_group_fnr_bars([0.1, 0.2])
    with pytest.raises(TypeError, match="baseline"):
        plot_group_fnr_bars(fnr, baseline=[0.1])


def test_fnr_with_ci_error_bars_span_the_interval():
    res = pd.DataFrame({"rate": [0.0, 1.0, 0.0, 1.0], "group": ["Female", "Female", "Male", "Male"],
                        "fnr": [0.3, 0.8, 0.2, 0.15], "fnr_low": [0.1, 0.7, 0.15, 0.1],
                        "fnr_high": [0.5, 0.95, 0.25, 0.2]})
    res.attrs["target"] = "Female"
    ax = plot_fnr_with_ci(res)
    (women,) = [c for c in ax.containers if c.get_label() == "Female (target)"]
    data_line, _, (bars,) = women.lines
    np.testing.assert_allclose(data_line.get_ydata(), [0.3, 0.8])
    segments = bars.get_segments()
    np.testing.assert_allclose([s[:, 1].min() for s in segments], [0.1, 0.7])
    np.testing.assert_allclose([s[:, 1].max() for s in segments], [0.5, 0.95])
    with pytest.raises(TypeError, match="columns"):
        plot_fnr_with_ci(res.drop(columns="fnr_low"))
    with pytest.raises(ValueError, match="nobody"):
        plot_fnr_with_ci(res, groups=["nobody"])
