"""The ClArC family's defining properties, on a tiny two-part network."""

import numpy as np
import pytest
import torch
from torch import nn

from biaslab.explain import layer_gradients, tcav_sensitivity
from biaslab.mitigations._clarc import (
    a_clarc,
    fine_tune_head,
    p_clarc,
    project_along,
    shift_along,
    rr_clarc,
    rr_penalty,
    vanilla_fine_tune,
)


class TwoPart(nn.Module):
    def __init__(self, seed=0):
        super().__init__()
        torch.manual_seed(seed)
        self.features = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU())
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 2))

    def forward(self, x):
        return self.head(self.features(x))


def shortcut_data(n=300, seed=0):
    """Class 1 images are a bit brighter in the middle; 90% of them also carry a corner artifact."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    X = rng.random((n, 8, 8)).astype(np.float32) * 0.5
    X[y == 1, 3:5, 3:5] += 0.3
    artifact = (y == 1) & (rng.random(n) < 0.9)
    X[artifact, :2, :2] = 1.0
    return X, y, artifact


def test_rr_penalty_zero_when_orthogonal_and_hand_computed():
    h = np.array([0.0, 1.0])
    assert rr_penalty(np.array([[3.0, 0.0], [-1.0, 0.0]]), h) == 0.0
    assert rr_penalty(np.array([[1.0, 2.0], [0.0, -1.0]]), h) == pytest.approx((4 + 1) / 2)
    g = torch.tensor([[1.0, 2.0], [0.0, -1.0]])
    assert float(rr_penalty(g, h)) == pytest.approx(2.5)
    spatial = torch.ones(2, 2, 3, 3) * torch.tensor([1.0, 2.0]).reshape(1, 2, 1, 1)
    assert float(rr_penalty(spatial, h)) == pytest.approx(4.0)  # averaged over space first


def test_projection_removes_the_cav_component():
    rng = np.random.default_rng(0)
    a = torch.tensor(rng.normal(size=(5, 3, 4, 4)), dtype=torch.float32)
    h = torch.tensor([0.6, 0.8, 0.0])
    out = project_along(a, h, 0.25)
    along = (out * h.reshape(1, 3, 1, 1)).sum(1)
    torch.testing.assert_close(along, torch.full_like(along, 0.25))
    # the part orthogonal to h is untouched
    ortho = torch.tensor([0.8, -0.6, 0.0]).reshape(1, 3, 1, 1)
    torch.testing.assert_close((out * ortho).sum(1), (a * ortho).sum(1))
    torch.testing.assert_close(out[:, 2], a[:, 2])


def test_p_clarc_sets_the_component_to_the_clean_mean():
    model = TwoPart()
    X, y, artifact = shortcut_data()
    cav = np.array([1.0, 0.0, 0.0, 0.0])
    corrected = p_clarc(model, cav, clean_images=X[~artifact], shift="every_position")
    z = corrected.info["z_clean"]
    with torch.no_grad():
        feats = corrected.module_.features(torch.tensor(X[:, None]))
        direct = corrected.module_.head(project_along(feats, torch.tensor(cav, dtype=torch.float32), z))
    np.testing.assert_allclose(corrected.predict_proba(X), torch.softmax(direct, 1).numpy(), rtol=1e-5)
    expected_z = float(feats[~torch.tensor(artifact)][:, 0].mean())
    assert z == pytest.approx(expected_z, rel=1e-5)
    # the original model is not changed
    assert not any(p is q for p, q in zip(model.parameters(), corrected.module_.parameters()))


def test_paper_shift_moves_the_max_pooled_length_to_the_reference_mean():
    rng = np.random.default_rng(1)
    a = torch.tensor(rng.normal(size=(4, 3, 5, 5)), dtype=torch.float32)
    h = torch.tensor([0.6, 0.8, 0.0])
    out = shift_along(a, h, 0.5)
    moved = out - a  # the same vector at every position, along h
    torch.testing.assert_close(moved, moved[:, :, :1, :1].expand_as(moved))
    length = (a.amax(dim=(2, 3)) * h).sum(1)
    torch.testing.assert_close((moved[:, :, 0, 0] * h).sum(1), 0.5 - length)
    torch.testing.assert_close(shift_along(a, h, 0.5, "every_position"), project_along(a, h, 0.5))
    model = TwoPart()
    X, y, artifact = shortcut_data()
    cav = np.array([1.0, 0.0, 0.0, 0.0])
    corrected = p_clarc(model, cav, clean_images=X[~artifact])
    with torch.no_grad():
        feats = corrected.module_.features(torch.tensor(X[:, None]))
    expected_z = float(feats[~torch.tensor(artifact)].amax(dim=(2, 3))[:, 0].mean()) if feats.ndim == 4 else \
        float(feats[~torch.tensor(artifact)][:, 0].mean())
    assert corrected.info["z_clean"] == pytest.approx(expected_z, rel=1e-5)
    with pytest.raises(ValueError, match="shift"):
        p_clarc(model, cav, clean_images=X, shift="corner")


def test_rr_clarc_reduces_reliance_on_the_cav_direction():
    torch.set_num_threads(1)
    X, y, artifact = shortcut_data(400)
    base = TwoPart()
    base = vanilla_fine_tune(base, X, y, epochs=30, lr=0.05, random_state=0).module_
    from biaslab.explain import layer_activations, signal_cav

    acts = layer_activations(base, X, layer="features")
    cav = signal_cav(acts, artifact)
    vanilla = vanilla_fine_tune(base, X, y, epochs=20, lr=0.05, random_state=1)
    rr = rr_clarc(base, X, y, cav, lam=1e3, epochs=20, lr=0.05, random_state=1)
    sens_vanilla = tcav_sensitivity(vanilla, X[artifact], cav, layer="features", target_class=1)
    sens_rr = tcav_sensitivity(rr, X[artifact], cav, layer="features", target_class=1)
    assert sens_rr < 0.1 * sens_vanilla
    g = layer_gradients(rr, X[:50], layer="features", target_class=1)
    assert rr_penalty(g, cav) < rr_penalty(layer_gradients(vanilla, X[:50], layer="features", target_class=1), cav)


def test_fine_tuning_is_deterministic_and_touches_only_the_head():
    X, y, artifact = shortcut_data(120)
    model = TwoPart()
    a = fine_tune_head(model, X, y, epochs=2, random_state=3)
    b = fine_tune_head(model, X, y, epochs=2, random_state=3)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    for p, q in zip(model.features.parameters(), a.module_.features.parameters()):
        torch.testing.assert_close(p, q)
    assert any(not torch.equal(p, q) for p, q in zip(model.head.parameters(), a.module_.head.parameters()))
    shifted = a_clarc(model, X, y, [1.0, 0, 0, 0], artifact_images=X[artifact], epochs=1)
    assert shifted.method == "a_clarc" and shifted.predict(X).shape == (120,)


@pytest.mark.parametrize("call, error, match", [
    (lambda m, X, y: rr_clarc(m, X, y, [1.0, 0.0], lam=1.0), ValueError, "cav has 2 values"),
    (lambda m, X, y: rr_clarc(m, X, y, [1.0, 0, 0, 0], lam=-1.0), ValueError, "lam must be a non-negative"),
    (lambda m, X, y: fine_tune_head(m, X, y, lam=1.0), ValueError, "cav is required"),
    (lambda m, X, y: fine_tune_head(m, X, y[:5]), ValueError, "y has 5 labels"),
    (lambda m, X, y: fine_tune_head(nn.Linear(2, 2), X, y), TypeError, "features` and `head`"),
    (lambda m, X, y: p_clarc(m, [0, 0, 0, 0], clean_images=X), ValueError, "non-zero"),
])
def test_bad_input(call, error, match):
    X, y, _ = shortcut_data(20)
    with pytest.raises(error, match=match):
        call(TwoPart(), X, y)


# --- scoring precomputed activations, fine-tuning on them (module 07) ---------------------------

def test_logits_from_activations_equal_the_full_forward_pass():
    model = TwoPart()
    X, y, _ = shortcut_data(n=120)
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
    X, y, _ = shortcut_data(n=120)
    with torch.no_grad():
        acts = model.features(torch.as_tensor(X[:, None]))
    cav = np.array([1.0, 0.0, 0.0, 0.0])
    a = rr_clarc(model, X, y, cav, lam=10.0, epochs=2, random_state=3)
    b = rr_clarc(model, X, y, cav, lam=10.0, epochs=2, random_state=3, activations=acts)
    for p, q in zip(a.module_.head.parameters(), b.module_.head.parameters()):
        torch.testing.assert_close(p, q)
    with pytest.raises(ValueError, match="activations"):
        vanilla_fine_tune(model, X, y, activations=acts[:5])
