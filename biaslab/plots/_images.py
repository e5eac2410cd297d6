"""Plots for modules 06-07: images, saliency maps, concepts.

Every function takes images, heatmaps or tables computed elsewhere (``biaslab.explain``, a
model's predictions) and draws them; none computes a metric. The names stay stable: module 07
uses them too.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

__all__ = [
    "plot_image_grid",
    "plot_saliency_overlay",
    "plot_saliency_grid",
    "plot_accuracy_by_class",
    "plot_cav_alignment",
]

#: Okabe-Ito colours: distinct for colour-blind readers and in a projector's light.
_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
#: a second cue beside colour: bars get a hatch, lines a marker
_HATCHES = ("", "//", "..", "xx", "\\\\", "++")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X")


def _check_ax(ax, figsize=(8, 3.8)):
    if ax is None:
        import matplotlib.pyplot as plt

        from ._style import subplots

        _, ax = subplots(width=figsize[0], panel_height=figsize[1] - 0.4)
        return ax
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}.")
    return ax


def _as_images(images, name: str) -> np.ndarray:
    """(n, H, W) or (n, 1, H, W) numbers -> (n, H, W)."""
    if isinstance(images, (str, bytes)) or images is None or np.isscalar(images):
        raise TypeError(f"{name} must be an array of images (n, H, W), got {type(images).__name__}.")
    arr = np.asarray(images)
    if arr.ndim == 4 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3:
        raise ValueError(f"{name} must have shape (n, H, W) or (n, 1, H, W), got {arr.shape}.")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty: expected at least one image.")
    if arr.dtype == bool or arr.dtype.kind not in "uif":
        raise TypeError(f"{name} must hold numbers, got dtype {arr.dtype}.")
    return arr


def _as_titles(titles, n: int, name: str = "titles") -> list[str]:
    if titles is None:
        return [""] * n
    if isinstance(titles, str):
        raise TypeError(f"{name} must be a list of {n} strings (one per image), not one string.")
    titles = [str(t) for t in titles]
    if len(titles) != n:
        raise ValueError(f"{name} has {len(titles)} entries but there are {n} images.")
    return titles


def _grid(n: int, ncols, axes, panel=1.9):
    """A figure with at least ``n`` panels (or the given axes), unused ones hidden."""
    import matplotlib.pyplot as plt

    if axes is not None:
        flat = np.asarray(axes, dtype=object).reshape(-1)
        if len(flat) < n:
            raise ValueError(f"axes has {len(flat)} panels but {n} are needed.")
        return flat
    if ncols is None:
        ncols = min(n, 8)
    if isinstance(ncols, bool) or not isinstance(ncols, numbers.Integral) or ncols < 1:
        raise ValueError(f"ncols must be a positive int or None, got {ncols!r}.")
    ncols = min(int(ncols), n)
    nrows = -(-n // ncols)
    from ._style import COLUMN_WIDTH, apply_style

    apply_style()
    panel = min(panel, COLUMN_WIDTH / ncols)  # a row of images fits the notebook column
    # room for two-line titles above every panel
    fig, grid = plt.subplots(nrows, ncols, figsize=(panel * ncols, (panel + 0.5) * nrows + 0.4), squeeze=False)
    flat = grid.reshape(-1)
    for ax in flat[n:]:
        ax.set_visible(False)
    return flat


def plot_image_grid(images, *, titles=None, ncols=None, axes=None, suptitle=None, cmap="gray", vmax=None):
    """Images side by side, each with its title (e.g. "true: Shirt / predicted: Coat").

    Parameters
    ----------
    images : array (n, H, W) or (n, 1, H, W)
        Greyscale images (uint8 0-255 or floats).
    titles : list of str, optional
        One title per image; a newline splits it over two lines.
    ncols : int, optional
        Panels per row (default: all in one row, at most 8).
    axes : array of Axes, optional
        Draw into these (at least ``n``); default: a new figure.
    suptitle : str, optional
        A title over the whole grid.
    cmap : str
        Colour map (``"gray"``: dark background, white clothes, as Fashion-MNIST is stored).
    vmax : float, optional
        Brightest value (default 255 for uint8 images, else the largest pixel).

    Returns
    -------
    numpy array of Axes, one per image.
    """
    arr = _as_images(images, "images")
    titles = _as_titles(titles, len(arr))
    flat = _grid(len(arr), ncols, axes)
    if vmax is None:
        vmax = 255 if arr.dtype == np.uint8 else float(arr.max()) or 1.0
    for ax, image, title in zip(flat, arr, titles):
        ax.imshow(image, cmap=cmap, vmin=0, vmax=vmax, interpolation="nearest")
        ax.set_title(title, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    if suptitle:
        flat[0].figure.suptitle(suptitle, fontsize=12)
    if axes is None:
        figure = flat[0].figure
        figure.tight_layout()
        # a title wider than its column runs into its neighbour's: wrap it, then shrink it to fit
        ncols = sum(1 for ax in flat if abs(ax.get_position().y0 - flat[0].get_position().y0) < 1e-9)
        width = 0.92 * figure.bbox.width / max(ncols, 1)
        if _fit_titles(flat, titles, width):
            figure.tight_layout()
    return flat[: len(arr)]


def _text_width(renderer, text: str, size: float) -> float:
    from matplotlib.font_manager import FontProperties

    props = FontProperties(size=size)
    return max(renderer.get_text_width_height_descent(line, props, ismath=False)[0] for line in text.split("\n"))


def _wrap(renderer, text: str, size: float, width: float) -> str:
    """Break each line of ``text`` at spaces so that its pieces are at most ``width`` pixels wide (where they can be)."""
    lines = []
    for line in text.split("\n"):
        current = ""
        for word in line.split(" "):
            trial = f"{current} {word}" if current else word
            if current and _text_width(renderer, trial, size) > width:
                lines.append(current)
                current = word
            else:
                current = trial
        lines.append(current)
    return "\n".join(lines)


def _fit_titles(axes, titles, width: float, size: float = 10.0, readable: float = 8.0) -> bool:
    """Make every title at most ``width`` pixels wide, all in one font size: the largest size down to
    ``readable`` points at which they all fit as they are; failing that, each wrapped at spaces (and
    shrunk if a word is still too wide). Returns whether any title changed."""
    pairs = [(ax, title) for ax, title in zip(axes, titles) if title]
    if not pairs:
        return False
    renderer = pairs[0][0].figure.canvas.get_renderer()
    widest = max(_text_width(renderer, title, size) for _, title in pairs)
    if widest <= width:
        return False
    if widest * readable / size <= width:  # text width scales with the font size
        fitted = size * width / widest
        for ax, title in pairs:
            ax.set_title(title, fontsize=fitted)
        return True
    for ax, title in pairs:
        _fit_title(ax, title, width, size)
    return True


def _fit_title(ax, title: str, width: float, size: float = 10.0, smallest: float = 6.0) -> bool:
    """Set ``ax``'s title so that it is at most ``width`` pixels wide: as it is if it fits, else wrapped at spaces,
    else in a smaller font (down to ``smallest`` points). Returns whether the title changed."""
    renderer = ax.figure.canvas.get_renderer()
    if _text_width(renderer, title, size) <= width:
        return False
    while True:
        text = _wrap(renderer, title, size, width)
        if _text_width(renderer, text, size) <= width or size <= smallest:
            ax.set_title(text, fontsize=size)
            return True
        size -= 0.5


def _mask_outline(ax, mask, colour="#00e5ff"):
    """Outline the True region of a boolean mask with a rectangle (its bounding box)."""
    from matplotlib.patches import Rectangle

    rows, cols = np.nonzero(mask)
    if rows.size == 0:
        return None
    patch = Rectangle((cols.min() - 1.0, rows.min() - 1.0), cols.max() - cols.min() + 2, rows.max() - rows.min() + 2,
                      fill=False, edgecolor=colour, linewidth=1.2, linestyle="--")
    ax.add_patch(patch)
    return patch


def plot_saliency_overlay(image, heatmap, *, ax=None, title=None, mask=None, alpha=0.9, cmap="autumn",
                          colorbar=False):
    """One image in grey with its saliency heatmap on top (bright = relevant).

    Parameters
    ----------
    image : array (H, W)
    heatmap : array (H, W) of non-negative relevance (e.g. a row of ``saliency_map``)
        Scaled to its own 99th percentile: the colours show where the relevance is, not how much;
        low relevance is transparent.
    ax : Axes, optional
    title : str, optional
    mask : bool array (H, W), optional
        The artifact's pixels, outlined with a dashed box.
    alpha : float in (0, 1]
        Opacity of the most relevant pixels.
    cmap : str
        Colour map of the relevance (default "autumn": red to yellow, visible on grey and black).
    colorbar : bool
        Add a colour bar "relevance (share of the maximum)".

    Returns
    -------
    matplotlib Axes
    """
    img = _as_images(image, "image")
    heat = _as_images(heatmap, "heatmap")
    if len(img) != 1 or len(heat) != 1:
        raise ValueError("image and heatmap must each be one 2-D array (H, W); use plot_saliency_grid for several.")
    img, heat = img[0], heat[0].astype(np.float64)
    if heat.shape != img.shape:
        raise ValueError(f"heatmap must have the image's shape {img.shape}, got {heat.shape}.")
    if (heat < 0).any():
        raise ValueError("heatmap must be non-negative relevance (take the absolute value first).")
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not 0 < alpha <= 1:
        raise ValueError(f"alpha must be a number in (0, 1], got {alpha!r}.")
    ax = _check_ax(ax, figsize=(3, 3))
    import matplotlib

    # scale to the 99th percentile so one extreme pixel does not wash out the rest; low relevance
    # stays transparent, so the garment shows through where the model's score does not react
    top = float(np.quantile(heat, 0.99)) or float(heat.max())
    level = np.clip(heat / top, 0, 1) if top > 0 else heat
    rgba = matplotlib.colormaps[cmap](level)
    rgba[..., 3] = alpha * level
    ax.imshow(img, cmap="gray", vmin=0, vmax=255 if img.dtype == np.uint8 else (float(img.max()) or 1.0),
              interpolation="nearest", alpha=0.75)
    ax.set_facecolor("black")
    ax.imshow(rgba, interpolation="nearest")
    shown = matplotlib.cm.ScalarMappable(norm=matplotlib.colors.Normalize(0, 1), cmap=cmap)
    if mask is not None:
        mask = np.asarray(mask)
        if mask.shape != img.shape or mask.dtype != bool:
            raise ValueError(f"mask must be a boolean array of the image's shape {img.shape}.")
        _mask_outline(ax, mask)
    if colorbar:
        ax.figure.colorbar(shown, ax=ax, fraction=0.046, pad=0.04, label="relevance (share of the 99th percentile)")
    ax.set_title(title or "", fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def plot_saliency_grid(images, heatmaps, *, titles=None, masks=None, ncols=None, axes=None, suptitle=None,
                       alpha=0.9):
    """Saliency overlays side by side (see :func:`plot_saliency_overlay`).

    Parameters
    ----------
    images : array (n, H, W)
    heatmaps : array (n, H, W), non-negative
    titles : list of str, optional
    masks : bool array (n, H, W), optional
        Artifact pixels, outlined (images without artifact: an all-False mask).
    ncols, axes, suptitle : as in :func:`plot_image_grid`

    Returns
    -------
    numpy array of Axes, one per image.
    """
    arr = _as_images(images, "images")
    heat = _as_images(heatmaps, "heatmaps")
    if heat.shape != arr.shape:
        raise ValueError(f"heatmaps must have the images' shape {arr.shape}, got {heat.shape}.")
    titles = _as_titles(titles, len(arr))
    if masks is not None:
        masks = np.asarray(masks)
        if masks.shape != arr.shape:
            raise ValueError(f"masks must have the images' shape {arr.shape}, got {masks.shape}.")
    flat = _grid(len(arr), ncols, axes)
    for i, ax in enumerate(flat[: len(arr)]):
        plot_saliency_overlay(arr[i], heat[i], ax=ax, title=titles[i], alpha=alpha,
                              mask=None if masks is None else masks[i])
    if suptitle:
        flat[0].figure.suptitle(suptitle, fontsize=12)
    if axes is None:
        flat[0].figure.tight_layout()
    return flat[: len(arr)]


def plot_accuracy_by_class(table, *, ax=None, title=None, ylabel="share of test images", highlight=None,
                           annotate=False):
    """Grouped bars: one cluster per class, one bar per condition (e.g. clean vs with artifact).

    Parameters
    ----------
    table : pandas.DataFrame
        One row per class (the index gives the labels), one column per condition; values in [0, 1].
    ax : Axes, optional
    title, ylabel : str, optional
    highlight : label, optional
        A class to mark (e.g. the attacked class): its label is drawn in bold.
    annotate : bool
        Write each bar's value (as a percentage) above it.

    Returns
    -------
    matplotlib Axes
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a pandas DataFrame (classes x conditions), got {type(table).__name__}.")
    if table.empty:
        raise ValueError("table is empty.")
    values = table.to_numpy(dtype=float)
    ax = _check_ax(ax, figsize=(8, 3.8))
    n_rows, n_cols = values.shape
    width = 0.8 / n_cols
    x = np.arange(n_rows)
    for j, column in enumerate(table.columns):
        bars = ax.bar(x + (j - (n_cols - 1) / 2) * width, values[:, j], width, label=str(column),
                      color=_COLOURS[j % len(_COLOURS)], hatch=_HATCHES[j % len(_HATCHES)], edgecolor="white",
                      linewidth=0.5)
        if annotate:
            ax.bar_label(bars, labels=[f"{v:.0%}" for v in values[:, j]], fontsize=8.5, padding=1)
    labels = [str(i) for i in table.index]
    ax.set_xticks(x, labels, rotation=30, ha="right")
    if highlight is not None:
        for tick, label in zip(ax.get_xticklabels(), table.index):
            if label == highlight:
                tick.set_fontweight("bold")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel(ylabel)
    ax.set_title(title or "")
    ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=min(n_cols, 3), frameon=False)
    ax.grid(axis="y", alpha=0.3)
    from ._style import describe

    describe(ax, f"Grouped bar chart{': ' + title if title else ''}; {ylabel} per class, for "
                 + ", ".join(str(c) for c in table.columns) + ". " + "; ".join(
                     f"{row}: " + ", ".join(f"{v:.0%}" for v in values[k]) for k, row in enumerate(table.index)) + ".")
    return ax


def plot_cav_alignment(results, *, ax=None, title=None, x="n_per_class", y="alignment", hue="method",
                       xlabel="images per group used to fit the CAV (artifact / clean)",
                       ylabel="alignment with the true artifact direction"):
    """Mean CAV alignment against sample size, one line per CAV method, with +-1 sd bands.

    Parameters
    ----------
    results : pandas.DataFrame
        Long format: one row per fitted CAV with columns ``x`` (sample size), ``y`` (its
        alignment, e.g. from ``shift_alignment``) and ``hue`` (method); several rows per
        (method, size), e.g. one per seed, give the band.
    ax : Axes, optional
    title, xlabel, ylabel : str, optional

    Returns
    -------
    matplotlib Axes
    """
    if not isinstance(results, pd.DataFrame):
        raise TypeError(f"results must be a pandas DataFrame, got {type(results).__name__}.")
    missing = [c for c in (x, y, hue) if c not in results.columns]
    if missing:
        raise ValueError(f"results lacks the column(s) {missing}; it has {list(results.columns)}.")
    if results.empty:
        raise ValueError("results is empty.")
    ax = _check_ax(ax, figsize=(7, 4))
    stats = results.groupby([hue, x], sort=True)[y].agg(["mean", "std"]).fillna(0.0)
    for j, method in enumerate(pd.unique(results[hue])):
        part = stats.loc[method]
        colour = _COLOURS[j % len(_COLOURS)]
        ax.plot(part.index, part["mean"], marker=_MARKERS[j % len(_MARKERS)], color=colour, label=str(method), lw=2)
        ax.fill_between(part.index, part["mean"] - part["std"], part["mean"] + part["std"], color=colour, alpha=0.15,
                        label="band: ±1 sd over repeats" if j == 0 else None)
    ax.set_xscale("log")
    sizes = np.sort(pd.unique(results[x]))
    ax.set_xticks(sizes, [str(s) for s in sizes])
    ax.minorticks_off()
    ax.set_ylim(min(0.0, float(stats["mean"].min()) - 0.05), 1.02)
    ax.axhline(1.0, color="black", lw=0.8, ls=":")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title or "")
    # under the panel: inside it covered the points at the largest sizes
    ax.legend(title="CAV", fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, frameon=False)
    ax.grid(alpha=0.3)
    from ._style import describe

    first, last = sizes[0], sizes[-1]
    describe(ax, f"Line chart{': ' + title if title else ''}; {ylabel} against {xlabel}, mean over repeats. "
                 + "; ".join(f"{method}: {stats.loc[(method, first), 'mean']:.2f} at {first}, "
                             f"{stats.loc[(method, last), 'mean']:.2f} at {last}" for method in pd.unique(results[hue]))
                 + ".")
    return ax
