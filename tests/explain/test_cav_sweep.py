"""shift_alignment and cav_alignment_sweep: the true artifact direction from activations at hand."""

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from biaslab.explain import cav_alignment, cav_alignment_sweep, layer_activations, shift_alignment


def test_shift_alignment_is_the_mean_cosine():
    clean = np.zeros((3, 2))
    stamped = np.array([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]])  # the third image does not move: skipped
    assert shift_alignment(clean, stamped, [3.0, 0.0]) == pytest.approx(0.5)
    assert shift_alignment(clean, stamped, [-1.0, 0.0]) == pytest.approx(-0.5)


def test_shift_alignment_equals_cav_alignment():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.LazyLinear(2))
    rng = np.random.default_rng(0)
    clean = rng.random((6, 8, 8)).astype(np.float32)
    stamped = clean.copy()
    stamped[:, -3:, -3:] = 1.0
    net(torch.zeros(1, 1, 8, 8))  # materialise the lazy layer
    cav = rng.normal(size=4)
    expected = shift_alignment(layer_activations(net, clean, layer="1"), layer_activations(net, stamped, layer="1"), cav)
    assert cav_alignment(net, clean, stamped, cav, layer="1") == pytest.approx(expected)


@pytest.fixture
def concept():
    rng = np.random.default_rng(1)
    acts = np.abs(rng.normal(1, 1, size=(200, 6)))
    labels = np.arange(200) < 100
    acts[labels, 2] += 1.5
    clean = np.abs(rng.normal(1, 1, size=(30, 6)))
    stamped = clean.copy()
    stamped[:, 2] += 1.5
    return acts, labels, clean, stamped


def test_sweep_rows_and_the_signal_cav_finds_the_direction(concept):
    acts, labels, clean, stamped = concept
    table = cav_alignment_sweep(acts, labels, clean, stamped, sizes=[5, 50], seeds=[0, 1],
                                methods=["signal", "svm"])
    assert isinstance(table, pd.DataFrame)
    assert list(table.columns) == ["method", "n_per_class", "seed", "alignment", "converged"]
    assert len(table) == 2 * 2 * 2
    signal = table[(table["method"] == "signal") & (table["n_per_class"] == 50)]
    assert (signal["alignment"] > 0.95).all()
    # same seed, same numbers
    again = cav_alignment_sweep(acts, labels, clean, stamped, sizes=[5, 50], seeds=[0, 1], methods=["signal", "svm"])
    pd.testing.assert_frame_equal(table, again)


@pytest.mark.parametrize("call, error, match", [
    (lambda c: shift_alignment(np.zeros(3), np.zeros(3), [1.0]), ValueError, "2-D array"),
    (lambda c: shift_alignment(np.zeros((2, 2)), np.zeros((3, 2)), [1.0, 0]), ValueError, "must have the shape"),
    (lambda c: shift_alignment(np.zeros((2, 2)), np.zeros((2, 2)), [1.0, 0]), ValueError, "does not change"),
    (lambda c: shift_alignment(np.zeros((2, 2)), np.ones((2, 2)), [0.0, 0]), ValueError, "non-zero"),
    (lambda c: cav_alignment_sweep(*c, sizes=[500]), ValueError, "sizes must be"),
    (lambda c: cav_alignment_sweep(*c, sizes=[5], methods=["pca"]), ValueError, "method must be one of"),
    (lambda c: cav_alignment_sweep(*c, sizes=[5], seeds=["a"]), TypeError, "seeds must be"),
])
def test_bad_input(concept, call, error, match):
    with pytest.raises(error, match=match):
        call(concept)
