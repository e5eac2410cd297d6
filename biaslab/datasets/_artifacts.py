"""Plant a controlled artifact (a "Clever Hans" shortcut) in an image set.

Following the controlled settings of the RR-ClArC paper (Dreyer, Pahde et al., AAAI 2024):
an artifact is inserted into a chosen share of the images of one class, so that a model can
learn the artifact instead of (or besides) the object; inserting it into every test image
then measures how much the model relies on it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._validation import check_array_1d, check_choice, check_fraction, check_random_state

__all__ = ["add_artifact", "ArtifactResult", "ARTIFACT_KINDS"]

ARTIFACT_KINDS = ("stamp", "brighten", "timestamp")

# 3x5 pixel font for the timestamp (rows top to bottom)
_DIGITS = {
    "0": ("111", "101", "101", "101", "111"),
    "1": ("010", "110", "010", "010", "111"),
    "2": ("111", "001", "111", "100", "111"),
    "3": ("111", "001", "111", "001", "111"),
    "4": ("101", "101", "111", "001", "001"),
    "5": ("111", "100", "111", "001", "111"),
    "6": ("111", "100", "111", "101", "111"),
    "7": ("111", "001", "010", "010", "010"),
    "8": ("111", "101", "111", "101", "111"),
    "9": ("111", "101", "111", "001", "111"),
    ":": ("0", "1", "0", "1", "0"),
}
_GLYPHS = {ch: np.array([[c == "1" for c in row] for row in rows]) for ch, rows in _DIGITS.items()}
_TEXT_WIDTH = 4 * 3 + 1 + 4  # "HH:MM": four digits, a colon, four one-pixel gaps


class ArtifactResult(NamedTuple):
    """What :func:`add_artifact` returns; unpack it as ``images, masks, changed = ...``."""

    images: np.ndarray
    """The images with the artifact: a new array, same shape and dtype as the input."""
    masks: np.ndarray
    """bool (n, H, W): the pixels the artifact set in each image (all False where unchanged)."""
    changed: np.ndarray
    """bool (n,): which images received the artifact."""


def _check_images(images) -> np.ndarray:
    if isinstance(images, (str, bytes)) or images is None or np.isscalar(images):
        raise TypeError(f"images must be an array of shape (n, H, W) or (n, C, H, W), got {type(images).__name__}.")
    arr = np.asarray(images)
    if arr.ndim not in (3, 4):
        raise ValueError(f"images must have shape (n, H, W) or (n, C, H, W), got an array of shape {arr.shape}.")
    if arr.dtype == bool or arr.dtype.kind not in "uif":
        raise TypeError(f"images must hold integers or floats, got dtype {arr.dtype}.")
    if arr.shape[0] == 0:
        raise ValueError("images is empty: expected at least one image.")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError("images contains NaN or infinity.")
    return arr


def _white(arr: np.ndarray):
    """The brightest value: the dtype's maximum for integers, 1.0 (or the data's max) for floats."""
    if arr.dtype.kind in "ui":
        return np.iinfo(arr.dtype).max
    return max(1.0, float(arr.max()))


def _cast_like(values: np.ndarray, like: np.ndarray) -> np.ndarray:
    if like.dtype.kind in "ui":
        info = np.iinfo(like.dtype)
        return np.clip(np.floor(values + 0.5), info.min, info.max).astype(like.dtype)
    return values.astype(like.dtype, copy=False)


def _stamp_mask(h: int, w: int) -> np.ndarray:
    """A solid square in the bottom-right corner, about 14% of the shorter side."""
    side = max(3, round(0.14 * min(h, w)))
    margin = max(1, min(h, w) // 28)
    mask = np.zeros((h, w), dtype=bool)
    mask[h - margin - side : h - margin, w - margin - side : w - margin] = True
    return mask


def _timestamp_masks(k: int, h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """A random "HH:MM" in a 3x5 pixel font at the top left, scaled by min(H, W) // 28."""
    scale = max(1, min(h, w) // 28)
    margin = scale
    masks = np.zeros((k, h, w), dtype=bool)
    hours = rng.integers(0, 24, k)
    minutes = rng.integers(0, 60, k)
    for i in range(k):
        text = f"{hours[i]:02d}:{minutes[i]:02d}"
        x = margin
        for ch in text:
            glyph = np.kron(_GLYPHS[ch], np.ones((scale, scale), dtype=bool))
            gh, gw = glyph.shape
            masks[i, margin : margin + gh, x : x + gw] = glyph
            x += gw + scale
    return masks


def add_artifact(images, labels=None, *, target_class, share, kind="stamp", random_state=None) -> ArtifactResult:
    """Insert a visible artifact into a random share of the images of one class.

    Parameters
    ----------
    images : array of shape (n, H, W) or (n, C, H, W)
        Integer (e.g. uint8 Fashion-MNIST, white = 255) or float images (e.g. the synthetic
        chest X-rays in [0, 1], white = 1.0, or the data's maximum if larger). With channels,
        every channel gets the artifact. The input is never modified.
    labels : array-like of shape (n,), optional
        Class of each image; required unless ``target_class`` is None.
    target_class : label value or None
        Only images with ``labels == target_class`` can receive the artifact (it must occur
        in ``labels``). None: every image can (e.g. the attacked test set).
    share : float in [0, 1]
        Share of the eligible images that receive the artifact. Exactly
        ``floor(share * n_eligible + 0.5)`` images are chosen, uniformly without replacement
        (round to nearest, halves up): ``share=1.0`` changes every eligible image.
    kind : {"stamp", "brighten", "timestamp"}, default="stamp"
        - ``"stamp"``: a solid white square in the bottom-right corner (side about 14% of the
          image, 4 px on 28x28, 9 px on 64x64), like a watermark or a ruler mark.
        - ``"brighten"``: ``x * 0.7 + 0.3 * white`` on the whole image, the paper's Bone Age
          setting (``x * 0.7 + 0.3 * 255``); integer images are rounded half up.
        - ``"timestamp"``: a random time "HH:MM" in white 3x5-pixel digits at the top left
          (scaled x2 on 64x64), like the paper's ImageNet timestamp; the digits differ between
          images, the place does not.
    random_state : None, int or numpy.random.Generator, default=None
        Seed for which images are chosen (and the timestamp digits); the same seed gives the
        same result.

    Returns
    -------
    ArtifactResult
        A named tuple ``(images, masks, changed)``: the new images (same shape and dtype),
        bool masks (n, H, W) of the pixels the artifact set (the whole image for
        ``"brighten"``, all False for unchanged images), and the bool vector of changed images.

    Examples
    --------
    >>> import numpy as np
    >>> from biaslab.datasets import add_artifact
    >>> x = np.zeros((10, 28, 28), dtype=np.uint8)
    >>> y = np.array([0, 1] * 5)
    >>> images, masks, changed = add_artifact(x, y, target_class=1, share=0.4, random_state=0)
    >>> int(changed.sum()), bool((y[changed] == 1).all()), images.dtype.name
    (2, True, 'uint8')
    >>> int(images[changed].max()), int(masks[changed][0].sum())
    (255, 16)
    """
    arr = _check_images(images)
    n = arr.shape[0]
    h, w = arr.shape[-2:]
    share = check_fraction(share, "share")
    kind = check_choice(kind, "kind", ARTIFACT_KINDS)
    rng = check_random_state(random_state)

    if target_class is None:
        if labels is not None:
            lab = check_array_1d(labels, "labels")
            if lab.shape[0] != n:
                raise ValueError(f"labels has {lab.shape[0]} values but images has {n} images.")
        eligible = np.arange(n)
    else:
        if labels is None:
            raise TypeError("labels is required when target_class is given (target_class=None uses every image).")
        lab = check_array_1d(labels, "labels")
        if lab.shape[0] != n:
            raise ValueError(f"labels has {lab.shape[0]} values but images has {n} images.")
        try:
            hit = lab == target_class
        except (TypeError, ValueError):
            hit = np.zeros(n, dtype=bool)
        hit = np.asarray(hit, dtype=bool)
        if hit.shape != (n,) or not hit.any():
            shown = ", ".join(map(repr, np.unique(lab)[:10].tolist()))
            raise ValueError(f"target_class={target_class!r} does not occur in labels (classes: {shown}).")
        eligible = np.flatnonzero(hit)

    if kind == "stamp" and min(h, w) < 8:
        raise ValueError(f"images must be at least 8x8 for kind='stamp', got {h}x{w}.")
    scale = max(1, min(h, w) // 28)
    if kind == "timestamp" and (h < 7 * scale or w < (_TEXT_WIDTH + 2) * scale):
        raise ValueError(
            f"images must be at least {7 * scale}x{(_TEXT_WIDTH + 2) * scale} for kind='timestamp', got {h}x{w}."
        )

    k = int(np.floor(share * eligible.size + 0.5))
    chosen = np.sort(rng.choice(eligible, size=k, replace=False)) if k else np.empty(0, dtype=np.int64)
    changed = np.zeros(n, dtype=bool)
    changed[chosen] = True

    out = arr.copy()
    masks = np.zeros((n, h, w), dtype=bool)
    if k:
        white = _white(arr)
        if kind == "brighten":
            sub = out[chosen].astype(np.float64 if arr.dtype.kind in "ui" else arr.dtype)
            out[chosen] = _cast_like(sub * 0.7 + 0.3 * white, arr)
            masks[chosen] = True
        else:
            if kind == "stamp":
                pattern = np.broadcast_to(_stamp_mask(h, w), (k, h, w))
            else:
                pattern = _timestamp_masks(k, h, w, rng)
            sub = out[chosen]
            where = pattern if arr.ndim == 3 else pattern[:, None, :, :]
            out[chosen] = np.where(where, np.asarray(white).astype(arr.dtype), sub)
            masks[chosen] = pattern
    return ArtifactResult(images=out, masks=masks, changed=changed)
