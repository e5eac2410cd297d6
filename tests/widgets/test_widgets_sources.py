"""The bias knob: moving it changes what is shown, at once, from the precomputed sweep."""

import time

import matplotlib.pyplot as plt
import numpy as np
import pytest

from biaslab.attacks import load_bias_source_sweep
from biaslab.widgets import bias_knob


@pytest.fixture(scope="module")
def sweep():
    return load_bias_source_sweep()


@pytest.fixture(autouse=True)
def close():
    yield
    plt.close("all")


def row(sweep, kind, strength):
    return sweep[(sweep["kind"] == kind) & np.isclose(sweep["strength"], strength)].iloc[0]


def test_moving_the_knob_changes_what_is_shown(sweep):
    knob = bias_knob(sweep, kind="historical_label", strength=0.0)
    before = knob.shown["discrimination"]
    assert before == pytest.approx(row(sweep, "historical_label", 0.0)["discrimination"])
    start = time.perf_counter()
    knob.update(strength=1.0)
    assert time.perf_counter() - start < 2.0  # well under a second on a quiet machine
    assert knob.shown["strength"] == 1.0
    assert knob.shown["discrimination"] == pytest.approx(row(sweep, "historical_label", 1.0)["discrimination"])
    assert knob.shown["discrimination"] > before
    # the figure follows: the bars are women's and men's rates at the new setting
    bars = [p.get_height() for p in knob.figure.axes[0].patches]
    assert bars[0] == pytest.approx(row(sweep, "historical_label", 1.0)["selection_rate_Female"])
    assert "strength 1.0" in knob.children[1].value


def test_the_controls_drive_the_display(sweep):
    knob = bias_knob(sweep)
    knob.kind_widget.value = "proxy"
    knob.strength_widget.value = 0.8
    assert knob.shown["kind"] == "proxy" and knob.shown["strength"] == 0.8
    assert knob.shown["train_proxy_correlation"] == pytest.approx(row(sweep, "proxy", 0.8)["train_proxy_correlation"])
    assert "proxy" in knob.figure.axes[1].get_title()
    knob.update(strength=0.73)  # snaps to the nearest computed strength
    assert knob.shown["strength"] == pytest.approx(0.7)


def test_bad_arguments(sweep):
    with pytest.raises(TypeError, match="sweep must be a DataFrame"):
        bias_knob([1, 2])
    with pytest.raises(ValueError, match="kind='noise' is not in the sweep"):
        bias_knob(sweep, kind="noise")
    with pytest.raises(ValueError, match="no column"):
        bias_knob(sweep.drop(columns=["discrimination"]))
    knob = bias_knob(sweep)
    with pytest.raises(ValueError, match="kind='noise'"):
        knob.update(kind="noise")
    with pytest.raises(TypeError, match="strength must be a number"):
        knob.update(strength="high")
