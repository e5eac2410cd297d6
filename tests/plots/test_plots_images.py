"""Image grids, saliency overlays, per-class bars and CAV alignment curves show the numbers they are given."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from biaslab.plots import (plot_accuracy_by_class, plot_cav_alignment, plot_image_grid,  # noqa: E402
                           plot_saliency_grid, plot_saliency_overlay)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def images():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8)


def test_image_grid_shows_each_image_with_its_title(images):
    axes = plot_image_grid(images, titles=[f"image {i}" for i in range(5)], ncols=3, suptitle="five")
    assert len(axes) == 5
    for i, ax in enumerate(axes):
        np.testing.assert_array_equal(ax.images[0].get_array(), images[i])
        assert ax.get_title() == f"image {i}"
    figure = axes[0].figure
    assert figure._suptitle.get_text() == "five"
    assert sum(ax.get_visible() for ax in figure.axes) == 5  # the sixth panel of the 2x3 grid is hidden
    assert axes[0].images[0].get_clim() == (0, 255)


@pytest.mark.parametrize("titles", [
    ["Shirt, stamped"] * 4 + ["Shirt, clean"] * 4,
    [f"true: {c}\npredicted: Shirt" for c in ("Trouser", "Sandal", "Coat", "Pullover", "T-shirt/top", "Ankle boot",
                                              "Sneaker", "Dress")],
    ["a title far too long to fit above one small panel of a grid"] * 8,
])
def test_image_grid_titles_do_not_overlap_at_the_course_width(titles):
    from biaslab.plots._style import COLUMN_WIDTH

    axes = plot_image_grid(np.zeros((8, 28, 28), dtype=np.uint8), titles=titles, ncols=8, suptitle="eight")
    figure = axes[0].figure
    assert figure.get_size_inches()[0] <= COLUMN_WIDTH + 1e-9
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    boxes = [ax.title.get_window_extent(renderer) for ax in axes]
    for left, right in zip(boxes, boxes[1:]):
        assert left.x1 < right.x0, (left, right)
    assert boxes[0].x0 >= 0 and boxes[-1].x1 <= figure.bbox.width
    assert all(ax.title.get_fontsize() >= 6 for ax in axes)
    # every word of every title is still there
    assert [ax.get_title().split() for ax in axes] == [t.split() for t in titles]


def test_image_grid_accepts_channels_and_given_axes(images):
    fig, grid = plt.subplots(1, 5)
    axes = plot_image_grid(images[:, None], axes=grid)
    assert list(axes) == list(grid)


def test_saliency_overlay_draws_the_heatmap_and_outlines_the_mask(images):
    heat = np.zeros((28, 28))
    heat[3:6, 3:6] = 1.0
    heat[20, 20] = 0.5
    mask = np.zeros((28, 28), dtype=bool)
    mask[22:26, 22:26] = True
    ax = plot_saliency_overlay(images[0], heat, mask=mask, title="a coat", colorbar=True)
    base, overlay = ax.images
    np.testing.assert_array_equal(base.get_array(), images[0])
    rgba = overlay.get_array()
    assert rgba.shape == (28, 28, 4)
    # transparent where nothing is relevant, opaque where the most relevant pixels are
    assert rgba[0, 0, 3] == 0 and rgba[4, 4, 3] == pytest.approx(0.9)
    assert 0 < rgba[20, 20, 3] < rgba[4, 4, 3]
    (patch,) = ax.patches
    assert patch.get_xy() == (21.0, 21.0) and patch.get_width() == 5  # half a pixel outside the 4x4 mask
    assert ax.get_title() == "a coat"
    assert len(ax.figure.axes) == 2  # the colour bar


def test_saliency_grid_one_overlay_per_image(images):
    heat = np.ones((5, 28, 28))
    masks = np.zeros((5, 28, 28), dtype=bool)
    masks[1, :4, :4] = True
    axes = plot_saliency_grid(images, heat, masks=masks, titles=list("abcde"))
    assert [ax.get_title() for ax in axes] == list("abcde")
    assert [len(ax.patches) for ax in axes] == [0, 1, 0, 0, 0]


def test_accuracy_by_class_bar_heights():
    table = pd.DataFrame({"clean": [0.9, 0.5], "stamped": [0.1, 0.95]}, index=["Coat", "Shirt"])
    ax = plot_accuracy_by_class(table, highlight="Shirt", title="shortcut", annotate=True)
    heights = [[bar.get_height() for bar in container] for container in ax.containers]
    assert heights == [[0.9, 0.5], [0.1, 0.95]]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Coat", "Shirt"]
    assert ax.get_xticklabels()[1].get_fontweight() == "bold"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["clean", "stamped"]
    assert ax.get_title() == "shortcut"


def test_cav_alignment_lines_are_the_means_over_seeds():
    results = pd.DataFrame({
        "method": ["signal"] * 4 + ["svm"] * 4,
        "n_per_class": [5, 5, 50, 50] * 2,
        "seed": [0, 1] * 4,
        "alignment": [0.9, 1.0, 0.95, 0.97, 0.5, 0.7, 0.3, 0.3],
    })
    ax = plot_cav_alignment(results)
    signal, svm = ax.lines[:2]
    np.testing.assert_allclose(signal.get_xdata(), [5, 50])
    np.testing.assert_allclose(signal.get_ydata(), [0.95, 0.96])
    np.testing.assert_allclose(svm.get_ydata(), [0.6, 0.3])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["signal", "band: ±1 sd over repeats", "svm"]
    assert signal.get_marker() != svm.get_marker()  # colour is not the only cue
    assert ax.get_xscale() == "log"


@pytest.mark.parametrize("call, error, match", [
    (lambda im: plot_image_grid("images"), TypeError, "images must be an array"),
    (lambda im: plot_image_grid(np.zeros((2, 3, 4, 5))), ValueError, r"shape \(n, H, W\)"),
    (lambda im: plot_image_grid(im, titles="one"), TypeError, "not one string"),
    (lambda im: plot_image_grid(im, titles=["a"]), ValueError, "titles has 1 entries"),
    (lambda im: plot_image_grid(im, ncols=0), ValueError, "ncols must be a positive int"),
    (lambda im: plot_saliency_overlay(im[0], np.ones((5, 5))), ValueError, "heatmap must have the image's shape"),
    (lambda im: plot_saliency_overlay(im[0], -np.ones((28, 28))), ValueError, "non-negative"),
    (lambda im: plot_saliency_overlay(im[0], np.ones((28, 28)), alpha=2), ValueError, "alpha must be"),
    (lambda im: plot_saliency_overlay(im[0], np.ones((28, 28)), mask=np.ones((28, 28))), ValueError, "boolean"),
    (lambda im: plot_saliency_overlay(im, np.ones((5, 28, 28))), ValueError, "one 2-D array"),
    (lambda im: plot_saliency_overlay(im[0], np.ones((28, 28)), ax="ax"), TypeError, "matplotlib Axes"),
    (lambda im: plot_saliency_grid(im, np.ones((4, 28, 28))), ValueError, "heatmaps must have the images' shape"),
    (lambda im: plot_accuracy_by_class([[0.1]]), TypeError, "pandas DataFrame"),
    (lambda im: plot_accuracy_by_class(pd.DataFrame()), ValueError, "empty"),
    (lambda im: plot_cav_alignment(pd.DataFrame({"method": ["a"]})), ValueError, "lacks the column"),
    (lambda im: plot_cav_alignment({"method": 1}), TypeError, "pandas DataFrame"),
])
def test_bad_arguments(images, call, error, match):
    with pytest.raises(error, match=match):
        call(images)
