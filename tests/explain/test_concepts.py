"""Activations, CAVs, alignment, TCAV and saliency on tiny networks with known answers."""

import numpy as np
import pytest
import torch
from torch import nn

from biaslab.explain import (
    artifact_relevance,
    cav_alignment,
    compute_cav,
    layer_activations,
    layer_gradients,
    saliency_map,
    signal_cav,
    tcav_score,
    tcav_sensitivity,
)


class Tiny(nn.Module):
    """conv 1x1 (channels x and -x) -> global average pool -> linear head."""

    def __init__(self):
        super().__init__()
        self.features = nn.Conv2d(1, 2, kernel_size=1, bias=False)
        with torch.no_grad():
            self.features.weight[:] = torch.tensor([1.0, -1.0]).reshape(2, 1, 1, 1)
        self.head = nn.Linear(2, 3, bias=False)
        with torch.no_grad():
            self.head.weight[:] = torch.tensor([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])

    def forward(self, x):
        return self.head(self.features(x).mean(dim=(2, 3)))


@pytest.fixture
def images():
    rng = np.random.default_rng(0)
    return rng.random((6, 4, 4)).astype(np.float32)


def test_activations_are_max_pooled(images):
    acts = layer_activations(Tiny(), images, layer="features")
    np.testing.assert_allclose(acts[:, 0], images.reshape(6, -1).max(1), rtol=1e-6)
    np.testing.assert_allclose(acts[:, 1], -images.reshape(6, -1).min(1), rtol=1e-6)
    full = layer_activations(Tiny(), images, layer="features", pool="none")
    assert full.shape == (6, 2, 4, 4)
    # uint8 images are scaled to [0, 1]
    as_uint8 = (images * 255).round().astype(np.uint8)
    np.testing.assert_allclose(layer_activations(Tiny(), as_uint8, layer="features"), acts, atol=1 / 255)


def test_signal_cav_is_the_normalised_difference_of_means():
    rng = np.random.default_rng(1)
    acts = rng.normal(size=(200, 5))
    labels = np.arange(200) < 80
    acts[labels] += np.array([2.0, 0, 1.0, 0, 0])
    expected = acts[labels].mean(0) - acts[~labels].mean(0)
    np.testing.assert_allclose(signal_cav(acts, labels), expected / np.linalg.norm(expected))


@pytest.mark.parametrize("method", ["svm", "ridge", "lasso", "logistic"])
def test_regression_cavs_point_towards_the_concept(method):
    rng = np.random.default_rng(2)
    acts = rng.normal(size=(300, 4))
    labels = rng.random(300) < 0.3
    acts[labels, 1] += 3.0
    h = compute_cav(acts, labels, method=method, random_state=0)
    assert np.linalg.norm(h) == pytest.approx(1.0)
    assert h[1] > 0.9


def test_alignment_of_the_true_direction_and_an_orthogonal_one(images):
    model = Tiny()
    images[:, 3, 3] = 0.0  # the darkest pixel, so the min (channel 1) stays put
    attacked = images.copy()
    attacked[:, 0, 0] = 5.0  # a bright pixel raises the max of channel 0 only
    assert cav_alignment(model, images, attacked, [1.0, 0.0], layer="features") == pytest.approx(1.0)
    assert cav_alignment(model, images, attacked, [0.0, 1.0], layer="features") == pytest.approx(0.0)


def test_tcav_gradient_is_the_head_weight_over_the_area(images):
    grads = layer_gradients(Tiny(), images, layer="features", target_class=1)
    np.testing.assert_allclose(grads, np.tile([0.0, 2.0 / 16], (6, 1)), atol=1e-7)
    assert tcav_sensitivity(Tiny(), images, [0.0, 1.0], layer="features", target_class=1) == pytest.approx(2 / 16)
    assert tcav_score(Tiny(), images, [0.0, 1.0], layer="features", target_class=1) == 1.0
    assert tcav_score(Tiny(), images, [0.0, -1.0], layer="features", target_class=1) == 0.0
    assert tcav_sensitivity(Tiny(), images, [1.0, 0.0], layer="features", target_class=1) == 0.0


def test_saliency_of_a_linear_model(images):
    # logit_0 = mean(x): gradient 1/16 everywhere
    grad = saliency_map(Tiny(), images, target_class=0)
    np.testing.assert_allclose(grad, np.full((6, 4, 4), 1 / 16), rtol=1e-6)
    gxi = saliency_map(Tiny(), images, target_class=0, method="gradient_x_input")
    np.testing.assert_allclose(gxi, images / 16, rtol=1e-5)


def test_artifact_relevance():
    heat = np.ones((2, 4, 4))
    masks = np.zeros((2, 4, 4), dtype=bool)
    masks[0, :2] = True
    masks[1, 0, 0] = True
    np.testing.assert_allclose(artifact_relevance(heat, masks), [0.5, 1 / 16])
    assert np.isnan(artifact_relevance(np.zeros((1, 2, 2)), np.ones((1, 2, 2), dtype=bool))[0])


@pytest.mark.parametrize("call, error, match", [
    (lambda im: layer_activations(Tiny(), im, layer="conv9"), ValueError, "layer 'conv9' is not in the model"),
    (lambda im: layer_activations(Tiny(), im, layer=3), TypeError, "layer must be the name"),
    (lambda im: layer_activations("model", im, layer="features"), TypeError, "model must be a torch.nn.Module"),
    (lambda im: layer_activations(Tiny(), im[0], layer="features"), ValueError, r"X must be images of shape"),
    (lambda im: compute_cav(np.ones((4, 2)), [1, 1, 1, 1]), ValueError, "both samples"),
    (lambda im: compute_cav(np.ones((4, 2)), [0, 1, 2, 1]), ValueError, "must be binary"),
    (lambda im: compute_cav(np.ones((4, 2)), [0, 1, 0, 1], method="pca"), ValueError, "method must be one of"),
    (lambda im: compute_cav(np.ones((4, 2)), [0, 1]), ValueError, "concept_labels has 2 values"),
    (lambda im: tcav_sensitivity(Tiny(), im, [1.0, 0, 0], layer="features", target_class=0), ValueError, "cav has 3"),
    (lambda im: tcav_sensitivity(Tiny(), im, [1.0, 0], layer="features", target_class=7), ValueError, "target_class must be between"),
    (lambda im: saliency_map(Tiny(), im, method="lrp"), ValueError, "method must be one of"),
    (lambda im: artifact_relevance(np.ones((1, 2, 2)), np.ones((1, 2, 2))), TypeError, "masks must be boolean"),
])
def test_bad_input(images, call, error, match):
    with pytest.raises(error, match=match):
        call(images)


# --- TCAV against random directions (Kim et al. 2018) -------------------------------------------

def _dense_head_net():
    import torch
    from torch import nn

    torch.manual_seed(0)
    net = nn.Sequential()
    net.features = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU())
    net.head = nn.Sequential(nn.Flatten(), nn.Linear(4 * 6 * 6, 8), nn.ReLU(), nn.Linear(8, 2))
    return net


def test_tcav_significance_runs_the_random_test():
    from biaslab.explain import tcav_significance

    net = _dense_head_net()
    rng = np.random.default_rng(0)
    images = rng.random((80, 8, 8)).astype(np.float32)
    labels = np.arange(80) < 40
    images[labels, :3, :3] = 1.0
    acts = layer_activations(net, images, layer="features")
    test = tcav_significance(net, images[labels], acts, labels, layer="features", target_class=1, n_runs=20,
                             n_random=25, random_state=1)
    assert test.concept_scores.shape == (20,) and test.random_scores.shape == (25,)
    assert ((test.concept_scores >= 0) & (test.concept_scores <= 1)).all()
    from scipy import stats

    t, p = stats.ttest_ind(test.concept_scores, test.random_scores, equal_var=False)
    assert test.p_value == pytest.approx(p) and test.t == pytest.approx(t)
    assert test.concept_mean == pytest.approx(test.concept_scores.mean())
    again = tcav_significance(net, images[labels], acts, labels, layer="features", target_class=1, n_runs=20,
                              n_random=25, random_state=1)
    np.testing.assert_array_equal(again.random_scores, test.random_scores)
    with pytest.raises(ValueError, match="at least 2"):
        tcav_significance(net, images, acts, labels, layer="features", target_class=1, n_runs=1)
    with pytest.raises(ValueError, match="channels"):
        tcav_significance(net, images, acts[:, :3], labels, layer="features", target_class=1)


def test_tcav_significance_without_spread_is_exact():
    """A linear head on pooled activations: one gradient for every image, so every score is 0 or 1."""
    import torch
    from torch import nn

    from biaslab.explain import tcav_significance

    torch.manual_seed(0)
    net = nn.Sequential()
    net.features = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU())
    net.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 2))
    with torch.no_grad():
        net.head[2].weight.copy_(torch.ones(2, 4))
    rng = np.random.default_rng(0)
    images = rng.random((40, 8, 8)).astype(np.float32)
    labels = np.arange(40) < 20
    acts = layer_activations(net, images, layer="features")
    test = tcav_significance(net, images, acts, labels, layer="features", target_class=1)
    assert test.share_random_extreme == 1.0 and set(np.unique(test.concept_scores)) <= {0.0, 1.0}
    assert 0 <= test.p_value <= 1
    with torch.no_grad():
        net.head[2].weight.copy_(torch.ones(2, 4) * 0)
    flat = tcav_significance(net, images, acts, labels, layer="features", target_class=1)
    assert flat.p_value == 1.0 and flat.t == 0.0  # all scores 0 on both sides: no difference


def test_sensitivity_by_position_averages_to_the_tcav_directional_derivative():
    from biaslab.explain import sensitivity_by_position

    net = _dense_head_net()
    rng = np.random.default_rng(2)
    images = rng.random((12, 8, 8)).astype(np.float32)
    h = rng.normal(size=4)
    grid = sensitivity_by_position(net, images, h, layer="features", target_class=1)
    assert grid.shape == (6, 6)
    pooled = layer_gradients(net, images, layer="features", target_class=1) @ (h / np.linalg.norm(h))
    assert grid.mean() == pytest.approx(pooled.mean(), rel=1e-4, abs=1e-8)
    with pytest.raises(ValueError, match="target_class"):
        sensitivity_by_position(net, images, h, layer="features", target_class=5)


def test_tcav_t_test_rejects_what_is_not_scores():
    from biaslab.explain import tcav_t_test

    with pytest.raises(TypeError, match="sequences of numbers"):
        tcav_t_test("a", [1, 2])
    with pytest.raises(ValueError, match="finite numbers"):
        tcav_t_test([1.0, float("nan")], [0.2, 0.4])
    with pytest.raises(ValueError, match="at least 2 scores"):
        tcav_t_test([1.0], [0.2, 0.4])
