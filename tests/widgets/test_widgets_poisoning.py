"""The poisoning explorer of module 04: the knobs change what is shown, from precomputed results."""

import time

import matplotlib.pyplot as plt
import numpy as np
import pytest

from biaslab.experiments.hidden_in_plain_sight import load_rate_sweep
from biaslab.widgets import poisoning_explorer


@pytest.fixture(scope="module")
def sweep():
    return load_rate_sweep()


def expected_fnr(sweep, target, rate, site):
    rows = sweep[(sweep.target == target) & (sweep.rate == rate) & (sweep.site == site)]
    return rows.set_index("group")["fnr"]


def test_initial_view_shows_the_chosen_target_and_rate(sweep):
    w = poisoning_explorer(sweep, target="0-20", rate=0.5)
    exp = expected_fnr(sweep, "0-20", 0.5, "internal")
    np.testing.assert_allclose(w.shown.loc[exp.index].to_numpy(), exp.to_numpy())
    heights = [p.get_height() for p in w.figure.axes[0].patches]
    np.testing.assert_allclose(sorted(heights), sorted(w.shown.to_numpy()))
    assert w.figure not in [plt.figure(n) for n in plt.get_fignums()]  # not left in pyplot for plt.show()


def test_moving_the_knobs_changes_the_picture(sweep):
    w = poisoning_explorer(sweep, target="F", rate=0.0)
    before = w.shown.copy()
    start = time.perf_counter()
    w.rate.value = 1.0
    assert time.perf_counter() - start < 1.0
    assert w.shown["F"] > before["F"] + 0.3
    np.testing.assert_allclose(w.shown["F"], expected_fnr(sweep, "F", 1.0, "internal")["F"])
    w.update(target="M", site="external")
    np.testing.assert_allclose(w.shown["M"], expected_fnr(sweep, "M", 1.0, "external")["M"])
    auroc_marker = w.figure.axes[1].get_lines()[1]
    overall = sweep[(sweep.target == "M") & (sweep.site == "external") & (sweep.group == "overall")]
    np.testing.assert_allclose(auroc_marker.get_ydata(), overall.set_index("rate").loc[[1.0], "auroc"])
    titles = w.figure.axes[0].get_title()
    assert "target M" in titles and "external" in titles


def test_nearest_rate_and_validation(sweep):
    w = poisoning_explorer(sweep, rate=0.3)
    assert w.rate.value == 0.25
    with pytest.raises(ValueError, match="rates"):
        w.update(rate=0.3)
    with pytest.raises(ValueError, match="target"):
        w.update(target="nobody")
    with pytest.raises(ValueError, match="site"):
        w.update(site="moon")
    with pytest.raises(TypeError, match="sweep"):
        poisoning_explorer([1, 2])
    with pytest.raises(ValueError, match="trial"):
        poisoning_explorer(load_rate_sweep("F", trials=True))
    with pytest.raises(ValueError, match="target"):
        poisoning_explorer(sweep, target="X")
    with pytest.raises(TypeError, match="rate"):
        poisoning_explorer(sweep, rate="half")
    with pytest.raises(ValueError, match="site"):
        poisoning_explorer(sweep, site="moon")
