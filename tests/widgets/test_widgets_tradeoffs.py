"""The lambda slider shows the precomputed numbers of the chosen lambda, at once."""

import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from biaslab.experiments.from_hope_to_safety import CLARC_LAMBDAS, load_clarc_results, summarise_clarc  # noqa: E402
from biaslab.widgets import lambda_tradeoff_explorer  # noqa: E402


@pytest.fixture(scope="module")
def summary():
    return summarise_clarc(load_clarc_results())


def teardown_function():
    plt.close("all")


def row(summary, method, lam=0.0):
    return summary[(summary.method == method) & (summary.lam == lam)].iloc[0]


def test_moving_the_slider_changes_what_is_shown(summary):
    box = lambda_tradeoff_explorer(summary, lam=10.0)
    assert box.shown["lam"] == 10.0
    first = dict(box.shown)
    start = time.perf_counter()
    box.update(CLARC_LAMBDAS[-1])
    assert time.perf_counter() - start < 1.0
    expected = row(summary, "rr_clarc", CLARC_LAMBDAS[-1])
    assert box.shown["lam"] == CLARC_LAMBDAS[-1] == box.slider.value
    assert box.shown["attacked_acc"] == pytest.approx(expected.attacked_acc_mean)
    assert box.shown["clean_acc"] == pytest.approx(expected.clean_acc_mean)
    assert box.shown["tcav_sensitivity"] == pytest.approx(expected.tcav_sensitivity_mean)
    assert box.shown != first
    # the figure: the TCAV bars show the reference and the chosen lambda; the mark moved
    ax_acc, ax_tcav = box.figure.axes
    heights = [p.get_height() for p in ax_tcav.patches]
    assert heights == pytest.approx([row(summary, "vanilla").tcav_sensitivity_mean,
                                     expected.tcav_sensitivity_mean])
    assert float(ax_acc.lines[-1].get_xdata()[0]) == CLARC_LAMBDAS[-1]
    assert f"lambda = {CLARC_LAMBDAS[-1]:g}" in box.readout.value and "points vs Vanilla" in box.readout.value


def test_nearest_lambda_and_bad_arguments(summary):
    box = lambda_tradeoff_explorer(summary, lam=900.0)
    assert box.slider.value == 1e3
    with pytest.raises(ValueError, match="grid"):
        box.update(7.0)
    with pytest.raises(TypeError, match="summary"):
        lambda_tradeoff_explorer(summary[["method", "lam"]])
    with pytest.raises(ValueError, match="reference"):
        lambda_tradeoff_explorer(summary, reference="nothing")
    with pytest.raises(ValueError, match="lam"):
        lambda_tradeoff_explorer(summary, lam=-1)
