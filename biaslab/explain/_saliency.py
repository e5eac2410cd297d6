"""Saliency heatmaps and how much of their mass falls on an artifact."""

from __future__ import annotations

import numbers

import numpy as np

from .._validation import check_choice, check_positive_int
from ._concepts import as_image_tensor, as_module

__all__ = ["saliency_map", "artifact_relevance", "SALIENCY_METHODS"]

SALIENCY_METHODS = ("gradient", "gradient_x_input")


def saliency_map(model, X, *, target_class=None, method: str = "gradient", batch_size: int = 256) -> np.ndarray:
    """Per-pixel relevance of each image for one class: (n, H, W), non-negative.

    ``"gradient"``: |d logit / d pixel| (summed over channels); ``"gradient_x_input"``:
    |gradient * pixel|. ``target_class=None`` explains each image's predicted class.
    """
    import torch

    module = as_module(model)
    check_choice(method, "method", SALIENCY_METHODS)
    batch_size = check_positive_int(batch_size, "batch_size")
    if target_class is not None and (isinstance(target_class, bool) or not isinstance(target_class, numbers.Integral)):
        raise TypeError(f"target_class must be None or a class index (int), got {type(target_class).__name__}.")
    images = as_image_tensor(X)
    maps = []
    was_training = module.training
    module.eval()
    try:
        for start in range(0, len(images), batch_size):
            batch = images[start:start + batch_size].clone().requires_grad_(True)
            logits = module(batch)
            if target_class is None:
                cls = logits.argmax(1)
            else:
                if not 0 <= int(target_class) < logits.shape[1]:
                    raise ValueError(f"target_class must be between 0 and {logits.shape[1] - 1}, got {target_class}.")
                cls = torch.full((len(batch),), int(target_class))
            module.zero_grad(set_to_none=True)
            logits.gather(1, cls[:, None]).sum().backward()
            grad = batch.grad
            relevance = grad * batch if method == "gradient_x_input" else grad
            maps.append(relevance.abs().sum(1).detach())
    finally:
        module.train(was_training)
    return torch.cat(maps).numpy()


def artifact_relevance(heatmaps, masks) -> np.ndarray:
    """Share of each heatmap's mass inside the artifact's mask (0 = ignores it, 1 = only sees it).

    Parameters
    ----------
    heatmaps : array (n, H, W) of non-negative relevance (e.g. from :func:`saliency_map`)
    masks : bool array (n, H, W), True on the artifact's pixels (``add_artifact(...).masks``)

    Returns
    -------
    numpy array (n,); NaN for an all-zero heatmap.

    Examples
    --------
    >>> h = np.zeros((1, 2, 2)); h[0, 0, 0] = 3; h[0, 1, 1] = 1
    >>> artifact_relevance(h, np.array([[[True, False], [False, False]]]))
    array([0.75])
    """
    heat = np.asarray(heatmaps, dtype=np.float64)
    mask = np.asarray(masks)
    if heat.ndim != 3:
        raise ValueError(f"heatmaps must have shape (n, H, W), got {heat.shape}.")
    if mask.shape != heat.shape:
        raise ValueError(f"masks must have the heatmaps' shape {heat.shape}, got {mask.shape}.")
    if mask.dtype != bool:
        raise TypeError(f"masks must be boolean (True on the artifact), got dtype {mask.dtype}.")
    if (heat < 0).any():
        raise ValueError("heatmaps must be non-negative relevance (take the absolute value first).")
    total = heat.sum(axis=(1, 2))
    inside = (heat * mask).sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, inside / np.where(total > 0, total, 1), np.nan)
