"""Module 07's additions to ClArC: scoring precomputed activations, fine-tuning on them."""

import numpy as np
import pytest
import torch
from torch import nn

from biaslab.mitigations import p_clarc, rr_clarc, vanilla_fine_tune


class TwoPart(nn.Module):
    def __init__(self, seed=0):
        super().__init__()
        torch.manual_seed(seed)
        self.features = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU())
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 2))

    def forward(self, x):
        return self.head(self.features(x))


def data(n=120, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    X = rng.random((n, 8, 8)).astype(np.float32) * 0.5
    X[y == 1, :2, :2] = 1.0
    return X, y


def test_logits_from_activations_equal_the_full_forward_pass():
    model = TwoPart()
    X, y = data()
    cav = np.array([1.0, 0.5, 0.0, 0.0])
    for corrected in (p_clarc(model, cav, clean_images=X[y == 0]), vanilla_fine_tune(model, X, y, epochs=1)):
        with torch.no_grad():
            acts = corrected.module_.features(torch.as_tensor(X[:, None]))
        np.testing.assert_allclose(corrected.logits_from_activations(acts).numpy(), corrected._logits(X).numpy(),
                                   rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(corrected.logits_from_activations(acts.numpy(), batch_size=7).numpy(),
                                   corrected._logits(X).numpy(), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="activations"):
        corrected.logits_from_activations(np.zeros((3, 4, 2)))


def test_fine_tuning_on_precomputed_activations_gives_the_same_head():
    model = TwoPart()
    X, y = data()
    with torch.no_grad():
        acts = model.features(torch.as_tensor(X[:, None]))
    cav = np.array([1.0, 0.0, 0.0, 0.0])
    a = rr_clarc(model, X, y, cav, lam=10.0, epochs=2, random_state=3)
    b = rr_clarc(model, X, y, cav, lam=10.0, epochs=2, random_state=3, activations=acts)
    for p, q in zip(a.module_.head.parameters(), b.module_.head.parameters()):
        torch.testing.assert_close(p, q)
    with pytest.raises(ValueError, match="activations"):
        vanilla_fine_tune(model, X, y, activations=acts[:5])
