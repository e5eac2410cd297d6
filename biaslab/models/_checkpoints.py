"""Save and load trained image models; the checkpoints that ship with biaslab.

A checkpoint is one file written by ``torch.save`` and read with ``torch.load(weights_only=True)``
(no pickled code): a dict of plain values (architecture name and its arguments, class labels,
input shape, training parameters, metadata) and the network's ``state_dict``. The shipped ones
live in ``biaslab/models/checkpoints/``, are made by ``scripts/train_checkpoints.py``, and are
verified against ``SHA256SUMS`` there before loading.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
from pathlib import Path
from types import MappingProxyType

import numpy as np
import torch

from ..datasets._base import DataIntegrityError
from ._torch import ARCHITECTURES, ImageClassifier

__all__ = ["save_checkpoint", "load_checkpoint", "CHECKPOINTS", "checkpoint_dir", "CheckpointIntegrityError"]

_FORMAT = "biaslab-image-classifier"
_VERSION = 1
_SUFFIX = ".pt"

#: The shipped checkpoints: name -> what it is (``scripts/train_checkpoints.py`` makes them).
CHECKPOINTS = MappingProxyType(
    {
        "chest_xray_cnn_clean": (
            "chest_xray_cnn trained for lung opacity on clean SYNTHETIC chest X-rays of site A "
            "(the frozen feature extractor of module 04)"
        ),
        "fashion_vgg_stamp_shirt": (
            "fashion_vgg (conv blocks, then dense layers) trained on 12,000 Fashion-MNIST images where half "
            "of the Shirt images carry a corner stamp (biaslab.experiments.from_hope_to_safety.ATTACK): a "
            "model with a shortcut (modules 06-07)"
        ),
        "fashion_vgg_clean": (
            "fashion_vgg trained with the recipe of fashion_vgg_stamp_shirt on the same 12,000 Fashion-MNIST "
            "images without any artifact: the control of module 06"
        ),
        "fashion_vgg_brighten_shirt": (
            "fashion_vgg trained on 12,000 Fashion-MNIST images where 20% of the Shirt images are brightened "
            "(x * 0.7 + 0.3 * 255, the paper's Bone Age artifact; from_hope_to_safety.ARTIFACTS): the second "
            "artifact kind of module 07's comparison"
        ),
    }
)

# The parameters of ImageClassifier that describe how a model was trained (stored, restored).
_TRAINING_PARAMS = ("epochs", "batch_size", "lr", "weight_decay", "schedule", "patience", "augment_shift",
                    "trainable", "random_state")


class CheckpointIntegrityError(DataIntegrityError):
    """A shipped checkpoint is missing or its sha256 differs from ``SHA256SUMS``."""


def checkpoint_dir() -> Path:
    """The folder of the shipped checkpoints and their ``SHA256SUMS``."""
    return Path(__file__).resolve().parent / "checkpoints"


@functools.cache
def _checksums(sums_path: Path, mtime_ns: int) -> dict[str, str]:
    sums = {}
    for line in sums_path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            digest, rel = line.split(maxsplit=1)
            sums[rel.lstrip("*")] = digest
    return sums


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _plain(value):
    """Numpy scalars and arrays as plain Python values (what ``weights_only`` loading accepts)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"metadata must hold numbers, strings, lists and dicts; got {type(value).__name__}.")


def checkpoint_bytes(model: ImageClassifier, metadata=None) -> bytes:
    """The bytes :func:`save_checkpoint` writes (the same model gives the same bytes)."""
    if not isinstance(model, ImageClassifier):
        raise TypeError(f"model must be a fitted ImageClassifier, got {type(model).__name__}.")
    model._check_fitted()
    module = model.module_
    architecture = getattr(module, "architecture", None)
    if architecture not in ARCHITECTURES:
        raise ValueError(
            "Only the course's networks can be saved as checkpoints (architecture "
            f"{', '.join(ARCHITECTURES)}); this model's network is {type(module).__name__}. "
            "Save its state_dict with torch.save instead."
        )
    if metadata is not None and not isinstance(metadata, dict):
        raise TypeError(f"metadata must be a dict, got {type(metadata).__name__}.")
    params = model.get_params()
    random_state = params["random_state"]
    payload = {
        "format": _FORMAT,
        "version": _VERSION,
        "architecture": architecture,
        "config": _plain(dict(module.config)),
        "classes": _plain(model.classes_),
        "input_shape": _plain(model.input_shape_),
        "params": _plain(
            {k: (params[k] if k != "random_state" or random_state is None or isinstance(random_state, int)
                 else None) for k in _TRAINING_PARAMS}
        ),
        "seed": int(model.seed_),
        "best_epoch": int(model.best_epoch_),
        "history": _plain({c: model.history_[c].tolist() for c in model.history_.columns}),
        "metadata": _plain(metadata or {}),
        # contiguous copies: the same weights always serialise to the same bytes
        "state_dict": {k: v.detach().clone().contiguous() for k, v in module.state_dict().items()},
    }
    buffer = io.BytesIO()  # through a buffer: the archive's inner names do not depend on the file name
    torch.save(payload, buffer)
    return buffer.getvalue()


def save_checkpoint(model: ImageClassifier, path, *, metadata=None) -> Path:
    """Write a fitted :class:`ImageClassifier` to ``path`` (``.pt`` is added if missing).

    Parameters
    ----------
    model : ImageClassifier
        Fitted, with one of the course's networks (``chest_xray_cnn``, ``fashion_cnn``, ``fashion_vgg``).
    path : str or Path
    metadata : dict, optional
        Plain values to keep with the weights (data, seed, metrics, ...).

    Returns
    -------
    Path of the file written. Saving the same model twice gives identical files.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or Path, got {type(path).__name__}.")
    path = Path(path)
    if path.suffix != _SUFFIX:
        path = path.with_name(path.name + _SUFFIX)
    data = checkpoint_bytes(model, metadata)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _shipped_bytes(name: str) -> bytes:
    folder = checkpoint_dir()
    rel = name + _SUFFIX
    path, sums_path = folder / rel, folder / "SHA256SUMS"
    if not path.is_file() or not sums_path.is_file():
        raise CheckpointIntegrityError(
            f"The shipped checkpoint {path} (or its SHA256SUMS) is missing. Reinstall biaslab, or make it with "
            "python scripts/train_checkpoints.py."
        )
    expected = _checksums(sums_path, sums_path.stat().st_mtime_ns).get(rel)
    if expected is None:
        raise CheckpointIntegrityError(f"{rel} is not listed in {sums_path}.")
    data = path.read_bytes()
    actual = _sha256(data)
    if actual != expected:
        raise CheckpointIntegrityError(
            f"{path} is damaged or was changed: its sha256 is {actual}, SHA256SUMS expects {expected}. "
            "Restore it (git checkout -- biaslab/models/checkpoints/) or reinstall biaslab."
        )
    return data


def _load_payload(key: str, data: bytes) -> dict:
    payload = torch.load(io.BytesIO(data), weights_only=True, map_location="cpu")
    if not isinstance(payload, dict) or payload.get("format") != _FORMAT:
        raise ValueError(f"{key} is not a biaslab checkpoint (written by biaslab.models.save_checkpoint).")
    if payload.get("version") != _VERSION:
        raise ValueError(f"{key} has checkpoint format version {payload.get('version')}; this biaslab reads {_VERSION}.")
    return payload


def load_checkpoint(name_or_path, *, n_threads=None) -> ImageClassifier:
    """Load a checkpoint as a fitted :class:`ImageClassifier`.

    Parameters
    ----------
    name_or_path : str or Path
        The name of a shipped checkpoint (see :data:`CHECKPOINTS`), verified against its
        sha256, or the path of a file written by :func:`save_checkpoint`.
    n_threads : int, optional
        Torch threads of the returned model (see :class:`ImageClassifier`).

    Returns
    -------
    ImageClassifier
        Fitted (``module_`` in eval mode, ``classes_``, ``history_``), with
        ``checkpoint_`` holding what was stored besides the weights (architecture, training
        parameters, metadata).

    Examples
    --------
    >>> from biaslab.models import CHECKPOINTS, load_checkpoint
    >>> model = load_checkpoint("chest_xray_cnn_clean")
    >>> model.input_shape_, model.classes_.tolist()
    ((1, 64, 64), [0, 1])
    >>> sorted(model.checkpoint_["metadata"]["metrics"])[:2]
    ['auroc_site_A', 'auroc_site_B']
    """
    if isinstance(name_or_path, str) and name_or_path in CHECKPOINTS:
        key, data = name_or_path, _shipped_bytes(name_or_path)
    elif isinstance(name_or_path, (str, os.PathLike)):
        path = Path(name_or_path)
        if not path.is_file():
            raise ValueError(
                f"name_or_path={str(name_or_path)!r} is neither a shipped checkpoint "
                f"({', '.join(CHECKPOINTS)}) nor an existing file."
            )
        key, data = str(path), path.read_bytes()
    else:
        raise TypeError(f"name_or_path must be a checkpoint name or a path, got {type(name_or_path).__name__}.")
    payload = _load_payload(key, data)

    import pandas as pd

    module = ARCHITECTURES[payload["architecture"]](**payload["config"])
    module.load_state_dict(payload["state_dict"])
    module.eval()
    params = dict(payload["params"])
    if isinstance(params.get("trainable"), list):
        params["trainable"] = tuple(params["trainable"])
    model = ImageClassifier(payload["architecture"], n_threads=n_threads, progress="auto", **params)
    model.module_ = module
    model.classes_ = np.asarray(payload["classes"])
    model.input_shape_ = tuple(payload["input_shape"])
    model.seed_ = payload["seed"]
    model.best_epoch_ = payload["best_epoch"]
    model.history_ = pd.DataFrame(payload["history"])
    model.checkpoint_ = {k: v for k, v in payload.items() if k != "state_dict"}
    model.checkpoint_["sha256"] = _sha256(data)
    return model
