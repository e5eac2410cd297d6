"""add_artifact: exact counts, the right pixels, the input untouched, clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from biaslab.datasets import add_artifact, make_chest_xrays
from biaslab.datasets._artifacts import ARTIFACT_KINDS, ArtifactResult


@pytest.fixture
def fashion_like():
    """uint8 images (n, 28, 28) with dark background and a mid-grey "object", 10 classes."""
    rng = np.random.default_rng(0)
    x = np.zeros((200, 28, 28), dtype=np.uint8)
    x[:, 6:22, 8:20] = rng.integers(60, 200, (200, 16, 12), dtype=np.uint8)
    y = np.repeat(np.arange(10), 20)
    return x, y


def expected_count(share, n_class):
    return int(np.floor(share * n_class + 0.5))


@pytest.mark.parametrize("kind", ARTIFACT_KINDS)
@pytest.mark.parametrize("share", [0.0, 0.1, 0.2, 0.25, 0.5, 0.7, 1.0])
def test_exact_number_changed_in_target_class_only(fashion_like, kind, share):
    x, y = fashion_like
    res = add_artifact(x, y, target_class=3, share=share, kind=kind, random_state=0)
    assert isinstance(res, ArtifactResult)
    assert res.changed.dtype == bool and res.changed.shape == (200,)
    assert res.changed.sum() == expected_count(share, 20)
    assert (y[res.changed] == 3).all()


def test_rounding_is_half_up():
    x = np.zeros((10, 28, 28), dtype=np.uint8)
    y = np.zeros(10, dtype=int)
    assert add_artifact(x, y, target_class=0, share=0.25, random_state=0).changed.sum() == 3  # 2.5 -> 3
    assert add_artifact(x, y, target_class=0, share=0.24, random_state=0).changed.sum() == 2  # 2.4 -> 2
    assert add_artifact(x[:3], y[:3], target_class=0, share=0.5, random_state=0).changed.sum() == 2  # 1.5 -> 2


def test_all_classes_for_an_attacked_test_set(fashion_like):
    x, y = fashion_like
    res = add_artifact(x, y, target_class=None, share=1.0, kind="stamp")
    assert res.changed.all()
    res = add_artifact(x, None, target_class=None, share=0.5, random_state=0)
    assert res.changed.sum() == 100


def test_stamp_pixels_and_masks(fashion_like):
    x, y = fashion_like
    images, masks, changed = add_artifact(x, y, target_class=1, share=0.5, kind="stamp", random_state=1)
    assert images.shape == x.shape and images.dtype == np.uint8
    assert masks.shape == (200, 28, 28) and masks.dtype == bool
    assert not masks[~changed].any()
    np.testing.assert_array_equal(images[~changed], x[~changed])
    square = masks[changed][0]
    assert square.sum() == 16  # 4x4 on 28x28
    rows, cols = np.nonzero(square)
    assert rows.min() >= 20 and cols.min() >= 20  # bottom-right corner
    assert (masks[changed] == square).all()  # the same place in every image
    assert (images[masks] == 255).all()
    np.testing.assert_array_equal(images[~masks], x[~masks])


def test_stamp_scales_with_image_size():
    x = np.zeros((2, 64, 64), dtype=np.float32)
    res = add_artifact(x, None, target_class=None, share=1.0, kind="stamp")
    assert res.masks[0].sum() == 81  # 9x9 on 64x64
    assert (res.images[res.masks] == 1.0).all()


def test_brighten_is_the_papers_formula(fashion_like):
    x, y = fashion_like
    res = add_artifact(x, y, target_class=2, share=1.0, kind="brighten", random_state=0)
    assert res.masks[res.changed].all() and not res.masks[~res.changed].any()
    want = np.floor(x[res.changed] * 0.7 + 0.3 * 255 + 0.5).astype(np.uint8)
    np.testing.assert_array_equal(res.images[res.changed], want)
    np.testing.assert_array_equal(res.images[~res.changed], x[~res.changed])
    xf = np.linspace(0, 1, 2 * 8 * 8, dtype=np.float32).reshape(2, 8, 8)
    resf = add_artifact(xf, None, target_class=None, share=1.0, kind="brighten")
    assert resf.images.dtype == np.float32
    np.testing.assert_allclose(resf.images, xf * 0.7 + 0.3, rtol=1e-6)


def test_timestamp_is_visible_text_at_the_top_left(fashion_like):
    x, y = fashion_like
    res = add_artifact(x, y, target_class=4, share=1.0, kind="timestamp", random_state=0)
    m = res.masks[res.changed]
    assert m.any(axis=(1, 2)).all()
    rows, cols = np.nonzero(m.any(axis=0))
    assert rows.max() <= 6 and cols.max() <= 18
    assert (res.images[res.masks] == 255).all()
    assert len({mask.tobytes() for mask in m}) > 5  # the digits differ between images
    np.testing.assert_array_equal(res.images[~res.masks], x[~res.masks])


def test_channels_first_images():
    rng = np.random.default_rng(0)
    x = rng.random((6, 3, 32, 32)).astype(np.float32) * 0.5
    y = np.array([0, 1, 0, 1, 0, 1])
    res = add_artifact(x, y, target_class=1, share=1.0, kind="stamp", random_state=0)
    assert res.images.shape == x.shape and res.masks.shape == (6, 32, 32)
    for c in range(3):
        assert (res.images[:, c][res.masks] == 1.0).all()
        np.testing.assert_array_equal(res.images[:, c][~res.masks], x[:, c][~res.masks])


def test_input_not_modified_and_output_is_new(fashion_like):
    x, y = fashion_like
    before = x.copy()
    for kind in ARTIFACT_KINDS:
        res = add_artifact(x, y, target_class=0, share=1.0, kind=kind, random_state=0)
        assert not np.shares_memory(res.images, x)
    np.testing.assert_array_equal(x, before)


def test_deterministic_per_seed(fashion_like):
    x, y = fashion_like
    a = add_artifact(x, y, target_class=5, share=0.5, kind="timestamp", random_state=3)
    b = add_artifact(x, y, target_class=5, share=0.5, kind="timestamp", random_state=3)
    np.testing.assert_array_equal(a.images, b.images)
    np.testing.assert_array_equal(a.changed, b.changed)
    c = add_artifact(x, y, target_class=5, share=0.5, kind="timestamp", random_state=4)
    assert not np.array_equal(a.changed, c.changed)


def test_on_synthetic_chest_xrays():
    xr = make_chest_xrays(50, random_state=0)
    res = add_artifact(xr.images, xr.target, target_class=1, share=1.0, kind="stamp", random_state=0)
    assert res.images.dtype == np.float32 and res.images.max() <= 1.0
    assert res.changed.sum() == (xr.target == 1).sum()


def test_string_labels():
    x = np.zeros((4, 28, 28), dtype=np.uint8)
    y = np.array(["cat", "dog", "cat", "dog"])
    assert add_artifact(x, y, target_class="dog", share=1.0).changed.tolist() == [False, True, False, True]


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "name"),
    [
        ((np.zeros((4, 28, 28)), [0, 1, 0, 1]), dict(target_class=7, share=0.5), ValueError, "target_class"),
        ((np.zeros((4, 28, 28)), ["a", "b", "a", "b"]), dict(target_class=1, share=0.5), ValueError, "target_class"),
        ((np.zeros((4, 28, 28)), [0, 1, 0, 1]), dict(target_class=1, share=1.5), ValueError, "share"),
        ((np.zeros((4, 28, 28)), [0, 1, 0, 1]), dict(target_class=1, share=-0.1), ValueError, "share"),
        ((np.zeros((4, 28, 28)), [0, 1, 0, 1]), dict(target_class=1, share="half"), TypeError, "share"),
        ((np.zeros((4, 28, 28)), [0, 1, 0]), dict(target_class=1, share=0.5), ValueError, "labels"),
        ((np.zeros((4, 28, 28)), [0, 1, 0]), dict(target_class=None, share=0.5), ValueError, "labels"),
        ((np.zeros((4, 28, 28)),), dict(target_class=1, share=0.5), TypeError, "labels"),
        ((np.zeros((4, 28, 28)), [0, 1, 0, 1]), dict(target_class=1, share=0.5, kind="lsb"), ValueError, "kind"),
        ((np.zeros((4, 28, 28)), [0, 1, 0, 1]), dict(target_class=1, share=0.5, kind=3), TypeError, "kind"),
        ((np.zeros((28, 28)), [0, 1]), dict(target_class=1, share=0.5), ValueError, "images"),
        ((np.zeros((4, 28, 28), dtype=bool), [0, 1, 0, 1]), dict(target_class=1, share=0.5), TypeError, "images"),
        (("images", [0]), dict(target_class=0, share=0.5), TypeError, "images"),
        ((np.zeros((4, 6, 6)), [0, 1, 0, 1]), dict(target_class=1, share=0.5), ValueError, "images"),
        ((np.zeros((4, 28, 12)), [0, 1, 0, 1]), dict(target_class=1, share=0.5, kind="timestamp"), ValueError, "images"),
        ((np.zeros((4, 28, 28)), [0, 1, 0, 1]), dict(target_class=1, share=0.5, random_state="x"), TypeError,
         "random_state"),
    ],
)
def test_bad_input(args, kwargs, error, name):
    with pytest.raises(error, match=name):
        add_artifact(*args, **kwargs)
