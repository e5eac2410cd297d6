"""The flip explorer: moving the knob changes which patients are shown as flipping, at once."""

import time

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from biaslab.robustness import perturbation_sensitivity
from biaslab.widgets import flip_explorer


class Rule:
    """Refers patients over 50, or with cholesterol over 250; risk grows with both."""

    def predict(self, X):
        return ((X["age"] > 50) | (X["cholesterol"] > 250)).astype(int).to_numpy()

    def predict_proba(self, X):
        p = np.clip(0.3 + 0.02 * (X["age"].to_numpy() - 50) + 0.002 * (X["cholesterol"].to_numpy() - 250), 0, 1)
        return np.column_stack([1 - p, p])


@pytest.fixture
def patients():
    rng = np.random.default_rng(0)
    return pd.DataFrame({"age": rng.integers(30, 75, 80), "cholesterol": rng.integers(150, 350, 80)})


@pytest.fixture(autouse=True)
def close():
    yield
    plt.close("all")


def red_points(explorer):
    ax = explorer.figure.axes[0]
    collections = [c for c in ax.collections if isinstance(c, matplotlib.collections.PathCollection)]
    return collections[1].get_offsets()


def test_moving_the_knob_changes_what_is_shown(patients):
    explorer = flip_explorer(Rule(), patients, deltas={"age": [1, 2, 5], "cholesterol": [10, 20]},
                             labels={"age": "age (years)"})
    assert explorer.shown["column"] == "age" and explorer.shown["delta"] == 2  # the second delta first
    start = time.perf_counter()
    explorer.update(delta=5)
    assert time.perf_counter() - start < 1.0
    expected = perturbation_sensitivity(Rule(), patients, column="age", delta=5)
    assert explorer.shown["rate"] == expected.rate
    flipped = (expected.flipped_up | expected.flipped_down).to_numpy()
    assert explorer.shown["flipped"].tolist() == flipped.tolist()
    assert len(red_points(explorer)) == flipped.sum()
    assert f"{flipped.sum()} of 80" in explorer.figure.axes[0].get_title()

    explorer.update(column="cholesterol", delta=10)
    assert explorer.delta_widget.options == (("±10", 10.0), ("±20", 20.0))
    assert explorer.shown["rate"] == perturbation_sensitivity(Rule(), patients, column="cholesterol", delta=10).rate
    assert explorer.figure.axes[0].get_xlabel() == "cholesterol"


def test_the_controls_drive_the_picture(patients):
    explorer = flip_explorer(Rule(), patients, deltas={"age": [1, 5], "cholesterol": [10, 20]}, column="age", delta=1)
    small = explorer.shown["rate"]
    explorer.delta_widget.value = 5.0
    assert explorer.shown["delta"] == 5.0 and explorer.shown["rate"] >= small
    explorer.column_widget.value = "cholesterol"
    assert explorer.shown["column"] == "cholesterol" and explorer.shown["delta"] == 20.0


def test_bad_arguments_raise_clearly(patients):
    with pytest.raises(TypeError, match="DataFrame"):
        flip_explorer(Rule(), patients.to_numpy(), deltas={"age": [1]})
    with pytest.raises(TypeError, match="predict_proba"):
        flip_explorer(object(), patients, deltas={"age": [1]})
    with pytest.raises(TypeError, match="non-empty dict"):
        flip_explorer(Rule(), patients, deltas=[1, 2])
    with pytest.raises(ValueError, match="not a column"):
        flip_explorer(Rule(), patients, deltas={"weight": [1]})
    with pytest.raises(ValueError, match="non-negative"):
        flip_explorer(Rule(), patients, deltas={"age": [-1]})
    with pytest.raises(ValueError, match="column="):
        flip_explorer(Rule(), patients, deltas={"age": [1]}, column="cholesterol")
    explorer = flip_explorer(Rule(), patients, deltas={"age": [1]})
    with pytest.raises(ValueError, match="column="):
        explorer.update(column="weight")
    with pytest.raises(TypeError, match="delta must be a number"):
        explorer.update(delta="big")
