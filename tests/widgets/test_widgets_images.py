"""The saliency explorer: moving a knob changes the prediction and the map it shows."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from biaslab.explain import saliency_map  # noqa: E402
from biaslab.widgets import saliency_explorer  # noqa: E402


class CornerDetector(nn.Module):
    """Class 1's logit is the brightness of the bottom-right corner; class 0's the mean of the rest."""

    def __init__(self):
        super().__init__()
        self.features = nn.Identity()

    def forward(self, x):
        x = self.features(x)
        corner = x[:, 0, -4:, -4:].mean(dim=(1, 2))
        rest = x[:, 0, :-4, :].mean(dim=(1, 2))
        return torch.stack([rest * 4, corner], dim=1)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def setting():
    rng = np.random.default_rng(0)
    clean = (rng.random((3, 12, 12)) * 100).astype(np.uint8)
    clean[:, -4:, -4:] = 0
    stamped = clean.copy()
    stamped[:, -4:, -4:] = 255
    masks = np.zeros((3, 12, 12), dtype=bool)
    masks[:, -4:, -4:] = True
    return clean, stamped, masks


def test_knobs_change_what_is_shown(setting):
    clean, stamped, masks = setting
    model = CornerDetector()
    box = saliency_explorer(model, clean, stamped, labels=[0, 0, 0], class_names=["garment", "stamp"], masks=masks)
    assert box.shown["predicted"] == 0 and box.shown["artifact"] == "off"
    np.testing.assert_array_equal(box.shown["image"], clean[0])
    assert np.isnan(box.shown["artifact_share"])

    shown = box.update(artifact=True)
    assert shown["predicted"] == 1  # the stamp flips the prediction
    np.testing.assert_array_equal(shown["image"], stamped[0])
    # explaining class 1 (the corner): all the gradient is on the stamp
    assert shown["artifact_share"] == pytest.approx(1.0)
    np.testing.assert_allclose(shown["heatmap"], saliency_map(model, stamped[:1])[0])

    shown = box.update(image=2, method="gradient_x_input")
    assert shown["index"] == 2 and shown["method"] == "gradient_x_input"
    np.testing.assert_allclose(shown["heatmap"], saliency_map(model, stamped[2:3], method="gradient_x_input")[0])

    box.artifact.value = "off"  # as a learner clicks it
    assert box.shown["artifact"] == "off" and box.shown["predicted"] == 0
    titles = [ax.get_title() for ax in box.figure.axes]
    assert "true: garment" in titles[0] and "predicted: garment" in titles[0]


def test_a_plain_torch_module_and_no_labels(setting):
    clean, stamped, _ = setting
    box = saliency_explorer(CornerDetector(), clean, stamped, methods="gradient")
    assert list(box.method.options) == ["gradient"]
    assert 0.5 <= box.shown["probability"] <= 1.0


@pytest.mark.parametrize("kwargs, error, match", [
    ({"model": "model"}, TypeError, "model must be a torch.nn.Module"),
    ({"artifact_images": np.zeros((2, 12, 12))}, ValueError, "artifact_images must have the shape"),
    ({"labels": [0, 1]}, ValueError, "labels has 2 values"),
    ({"masks": np.zeros((3, 12, 12))}, ValueError, "masks must be a boolean array"),
    ({"methods": ["lrp"]}, ValueError, "methods must be a non-empty list"),
])
def test_bad_arguments(setting, kwargs, error, match):
    clean, stamped, _ = setting
    args = {"model": CornerDetector(), "images": clean, "artifact_images": stamped, **kwargs}
    with pytest.raises(error, match=match):
        saliency_explorer(args.pop("model"), args.pop("images"), args.pop("artifact_images"), **args)


def test_update_rejects_bad_values(setting):
    clean, stamped, _ = setting
    box = saliency_explorer(CornerDetector(), clean, stamped)
    with pytest.raises(ValueError, match="image must be an index from 0 to 2"):
        box.update(image=7)
    with pytest.raises(TypeError, match="artifact must be True or False"):
        box.update(artifact="on")
    with pytest.raises(ValueError, match="method must be one of"):
        box.update(method="lrp")
