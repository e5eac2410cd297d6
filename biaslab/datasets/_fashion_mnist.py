"""Loader of Fashion-MNIST (Zalando, 70,000 greyscale 28x28 images of clothing in 10 classes).

The images are read straight from the gzipped IDX files with numpy: no torch or torchvision
import, so the loader is as quick in a plain scikit-learn notebook as in a deep-learning one.
"""

from __future__ import annotations

import functools
import gzip
from pathlib import Path

import numpy as np
import pandas as pd

from .._validation import check_bool, check_choice
from ._base import Bunch, DataIntegrityError, data_file, read_descr

__all__ = ["load_fashion_mnist", "FASHION_MNIST_CLASSES"]

FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
_SIDE = 28
_FILES = {
    "train": ("fashion_mnist/train-images-idx3-ubyte.gz", "fashion_mnist/train-labels-idx1-ubyte.gz", 60_000),
    "test": ("fashion_mnist/t10k-images-idx3-ubyte.gz", "fashion_mnist/t10k-labels-idx1-ubyte.gz", 10_000),
}


@functools.cache
def _read_idx(path: Path, mtime_ns: int, size: int) -> np.ndarray:
    """The array in a gzipped IDX file of unsigned bytes (read-only; cached per file version)."""
    raw = gzip.decompress(path.read_bytes())
    # IDX header: two zero bytes, a type code (0x08 = unsigned byte), the number of dimensions,
    # then one big-endian int32 per dimension
    if len(raw) < 4 or raw[0:2] != b"\x00\x00" or raw[2] != 0x08:
        raise DataIntegrityError(f"{path} is not an IDX file of unsigned bytes.")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    offset = 4 + 4 * ndim
    if len(raw) - offset != int(np.prod(shape)):
        raise DataIntegrityError(f"{path}: the header announces shape {shape} but the file size does not match.")
    return np.frombuffer(raw, dtype=np.uint8, offset=offset).reshape(shape)


def _load_split(split: str) -> tuple[np.ndarray, np.ndarray]:
    images_rel, labels_rel, n = _FILES[split]
    arrays = []
    for rel in (images_rel, labels_rel):
        path = data_file(rel)  # verified against SHA256SUMS first
        stat = path.stat()
        arrays.append(_read_idx(path, stat.st_mtime_ns, stat.st_size))
    images, labels = arrays
    if images.shape != (n, _SIDE, _SIDE) or labels.shape != (n,) or labels.max() > 9:
        raise DataIntegrityError(
            f"Fashion-MNIST {split} should hold {n} images of 28x28 and labels 0-9, "
            f"got images {images.shape} and labels {labels.shape}."
        )
    return images, labels


def load_fashion_mnist(*, subset: str = "all", as_frame: bool = False, return_X_y: bool = False):
    """Load Fashion-MNIST: 70,000 greyscale 28x28 images of clothing, 10 classes.

    Used in modules 06 and 07, where an artifact is planted in one class (see
    :func:`~biaslab.datasets.add_artifact`).

    Two exceptions to the loaders' contract, because this is an image dataset with no people in
    it: ``target`` is the class index 0-9 (multi-class, not 0/1; ``target_names`` holds the 10
    class names), and ``sensitive_features`` is a DataFrame with one row per image and no
    columns. ``as_frame`` defaults to False.

    Parameters
    ----------
    subset : {"all", "train", "test"}, default="all"
        The official split: "train" (60,000 images), "test" (10,000) or both (70,000, train
        first).
    as_frame : bool, default=False
        Also build ``frame``, a DataFrame with one column per pixel (``pixel_0`` to
        ``pixel_783``, row by row), ``label`` and ``split``; ``data`` is then its pixel
        columns and ``target`` a Series. Slower and larger: the arrays are what models use.
    return_X_y : bool, default=False
        Return only ``(data, target)``.

    Returns
    -------
    Bunch or tuple
        ``images``: uint8 array (N, 28, 28), 0 = background, 255 = brightest;
        ``data``: the same pixels as (N, 784), sharing memory with ``images``;
        ``target``: int64 class index 0-9; ``target_names``: the class names;
        ``split``: "train" or "test" for each image; ``sensitive_features``: N rows, 0
        columns; ``frame``: ``None`` unless ``as_frame=True``; ``feature_names``,
        ``target_name`` ("label") and ``DESCR`` (the datasheet).

        The arrays are fresh and writeable on every call: the decompressed files are cached
        (read-only) and copied, so editing what one call returned never changes the next.

    Examples
    --------
    >>> from biaslab.datasets import load_fashion_mnist
    >>> fm = load_fashion_mnist(subset="test")
    >>> fm.images.shape, fm.target_names[int(fm.target[0])]
    ((10000, 28, 28), 'Ankle boot')
    """
    subset = check_choice(subset, "subset", ("all", "train", "test"))
    as_frame = check_bool(as_frame, "as_frame")
    return_X_y = check_bool(return_X_y, "return_X_y")

    splits = ("train", "test") if subset == "all" else (subset,)
    parts = [_load_split(split) for split in splits]
    images = np.concatenate([imgs for imgs, _ in parts])  # always a new, writeable array
    target = np.concatenate([labels for _, labels in parts]).astype(np.int64)
    split = np.concatenate([np.full(len(labels), name) for name, (_, labels) in zip(splits, parts)])
    n = len(target)
    data = images.reshape(n, _SIDE * _SIDE)
    feature_names = [f"pixel_{i}" for i in range(_SIDE * _SIDE)]

    frame = None
    if as_frame:
        data = pd.DataFrame(data, columns=feature_names, copy=False)
        target = pd.Series(target, name="label")
        split = pd.Series(pd.Categorical(split, categories=["train", "test"]), name="split")
        frame = pd.concat([data, target, split], axis=1)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        images=images,
        target=target,
        target_names=list(FASHION_MNIST_CLASSES),
        split=split,
        sensitive_features=pd.DataFrame(index=pd.RangeIndex(n)),
        frame=frame,
        feature_names=feature_names,
        target_name="label",
        DESCR=read_descr("fashion_mnist/DATASHEET.md"),
    )
