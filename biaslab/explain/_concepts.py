"""Concepts in a network's latent space: activations, CAVs, their alignment, and TCAV.

Following "From hope to safety" (Dreyer, Pahde et al., AAAI 2024): activations of a layer are
max-pooled over space; a concept activation vector (CAV) ``h`` is a unit direction in that
space. The *signal* (pattern) CAV is the covariance of the activations with the concept label,
which for a binary label is the difference of the class means (artifact minus clean); the
*regression* CAVs are the weights of a linear classifier without intercept.
"""

from __future__ import annotations

import numbers

import numpy as np

from .._validation import check_array_1d, check_choice, check_positive_int, check_random_state

__all__ = [
    "CAV_METHODS",
    "as_module",
    "layer_activations",
    "compute_cav",
    "signal_cav",
    "cav_alignment",
    "shift_alignment",
    "cav_alignment_sweep",
    "layer_gradients",
    "tcav_sensitivity",
    "tcav_score",
]

CAV_METHODS = ("signal", "svm", "ridge", "lasso", "logistic")


def as_module(model):
    """The torch module of ``model`` (a ``torch.nn.Module`` or a wrapper with ``module_``)."""
    import torch

    module = getattr(model, "module_", model)
    if not isinstance(module, torch.nn.Module):
        raise TypeError(
            f"model must be a torch.nn.Module or a fitted biaslab ImageClassifier, got {type(model).__name__}."
        )
    return module


def _find_layer(module, layer: str):
    if not isinstance(layer, str):
        raise TypeError(f"layer must be the name of a submodule (a str), got {type(layer).__name__}.")
    layers = dict(module.named_modules())
    if layer not in layers or layer == "":
        names = [n for n in layers if n]
        raise ValueError(f"layer {layer!r} is not in the model; its layers are {names}.")
    return layers[layer]


def as_image_tensor(X, name: str = "X"):
    """Images (n,H,W) or (n,C,H,W), uint8 (0-255) or float (0-1), as a float32 tensor (n,C,H,W)."""
    import torch

    if isinstance(X, torch.Tensor):
        arr = X.detach().cpu().numpy()
    else:
        arr = np.asarray(X)
    if arr.ndim == 3:
        arr = arr[:, None]
    if arr.ndim != 4:
        raise ValueError(f"{name} must be images of shape (n, H, W) or (n, C, H, W), got shape {arr.shape}.")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty: expected at least one image.")
    if arr.dtype == np.uint8:
        arr = arr.astype(np.float32) / 255.0
    elif arr.dtype.kind in "fiu":
        arr = arr.astype(np.float32, copy=False)
    else:
        raise TypeError(f"{name} must hold numbers (uint8 or float images), got dtype {arr.dtype}.")
    return torch.from_numpy(np.ascontiguousarray(arr))


def _pool(out):
    """Max-pool a layer's output over space: (n,C,H,W) -> (n,C); (n,C) stays."""
    return out.amax(dim=(2, 3)) if out.ndim == 4 else out.reshape(out.shape[0], -1)


def layer_activations(model, X, *, layer: str, pool: str = "max", batch_size: int = 512) -> np.ndarray:
    """Activations of ``layer`` for images ``X``, max-pooled over space (as in the paper).

    Parameters
    ----------
    model : torch.nn.Module or ImageClassifier
    X : images (n, H, W) or (n, C, H, W), uint8 or float in [0, 1]
    layer : str
        A submodule name, e.g. ``"features.conv3"`` (``dict(model.named_modules())``).
    pool : {"max", "mean", "none"}
        How to pool over space; ``"none"`` returns the full (n, C, H, W) maps.

    Returns
    -------
    numpy array (n, C), or (n, C, H, W) with ``pool="none"``
    """
    import torch

    module = as_module(model)
    target = _find_layer(module, layer)
    check_choice(pool, "pool", ("max", "mean", "none"))
    batch_size = check_positive_int(batch_size, "batch_size")
    images = as_image_tensor(X)
    captured = []

    def hook(_module, _inputs, output):
        if pool == "max":
            captured.append(_pool(output).detach())
        elif pool == "mean":
            captured.append((output.mean(dim=(2, 3)) if output.ndim == 4 else output).detach())
        else:
            captured.append(output.detach())

    handle = target.register_forward_hook(hook)
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            for start in range(0, len(images), batch_size):
                module(images[start:start + batch_size])
    finally:
        handle.remove()
        module.train(was_training)
    return torch.cat(captured).numpy()


def _check_concept(activations, concept_labels):
    acts = np.asarray(activations, dtype=np.float64)
    if acts.ndim != 2:
        raise ValueError(f"activations must be a 2-D array (n samples, n features), got shape {acts.shape}.")
    labels = check_array_1d(concept_labels, "concept_labels")
    if len(labels) != len(acts):
        raise ValueError(f"concept_labels has {len(labels)} values but activations has {len(acts)} rows.")
    labels = labels.astype(bool) if labels.dtype == bool else labels
    values = set(np.unique(labels).tolist())
    if not values <= {0, 1, False, True}:
        raise ValueError("concept_labels must be binary: 1 (or True) where the concept/artifact is present.")
    labels = labels.astype(bool)
    if labels.all() or not labels.any():
        raise ValueError("concept_labels must contain both samples with and without the concept.")
    return acts, labels


def compute_cav(activations, concept_labels, *, method: str = "signal", random_state=None) -> np.ndarray:
    """A unit concept activation vector separating samples with the concept from those without.

    Parameters
    ----------
    activations : array (n, d)
        Latent activations (e.g. from :func:`layer_activations`).
    concept_labels : array-like of 0/1 or bool
        1 where the concept (the artifact) is present.
    method : {"signal", "svm", "ridge", "lasso", "logistic"}
        ``"signal"``: the pattern CAV, mean(artifact) - mean(clean), the covariance of the
        activations with the binary label up to scale. The others: the weight vector of a linear
        classifier fitted without intercept and with balanced classes (the "filter" CAVs).
    random_state : None or int
        For the solvers that use randomness.

    Returns
    -------
    numpy array (d,), unit length, oriented towards the concept.

    Examples
    --------
    >>> acts = np.array([[1.0, 0.0], [1.2, 0.1], [3.0, 0.0], [3.2, 0.1]])
    >>> compute_cav(acts, [0, 0, 1, 1]).round(3)
    array([1., 0.])
    """
    check_choice(method, "method", CAV_METHODS)
    acts, labels = _check_concept(activations, concept_labels)
    if method == "signal":
        direction = acts[labels].mean(0) - acts[~labels].mean(0)
    else:
        seed = check_random_state(random_state).integers(2**31 - 1) if random_state is not None else 0
        target = np.where(labels, 1.0, -1.0)
        if method == "svm":
            from sklearn.svm import LinearSVC

            clf = LinearSVC(fit_intercept=False, class_weight="balanced", random_state=seed, max_iter=20_000)
            direction = clf.fit(acts, labels).coef_[0]
        elif method == "logistic":
            from sklearn.linear_model import LogisticRegression

            clf = LogisticRegression(fit_intercept=False, class_weight="balanced", max_iter=5_000)
            direction = clf.fit(acts, labels).coef_[0]
        else:
            from sklearn.linear_model import Lasso, Ridge

            # regression on +-1 targets, each class weighted to half the total
            weights = np.where(labels, 0.5 / labels.sum(), 0.5 / (~labels).sum()) * len(labels)
            reg = Ridge(alpha=1.0, fit_intercept=False) if method == "ridge" else Lasso(
                alpha=1e-3, fit_intercept=False, max_iter=20_000, random_state=seed)
            direction = reg.fit(acts, target, sample_weight=weights).coef_
    norm = np.linalg.norm(direction)
    if not np.isfinite(norm) or norm == 0:
        raise ValueError(f"the {method} CAV is zero: the activations do not separate the concept at all.")
    return direction / norm


def signal_cav(activations, concept_labels) -> np.ndarray:
    """The paper's signal (pattern) CAV: :func:`compute_cav` with ``method="signal"``."""
    return compute_cav(activations, concept_labels, method="signal")


def _check_cav(cav, d: int) -> np.ndarray:
    h = np.asarray(cav, dtype=np.float64).reshape(-1)
    if h.shape[0] != d:
        raise ValueError(f"cav has {h.shape[0]} values but the layer has {d} channels.")
    norm = np.linalg.norm(h)
    if not np.isfinite(norm) or norm == 0:
        raise ValueError("cav must be a non-zero, finite vector.")
    return h / norm


def cav_alignment(model, clean_images, artifact_images, cav, *, layer: str) -> float:
    """Mean cosine between ``cav`` and each image's latent change when the artifact is added.

    ``clean_images[i]`` and ``artifact_images[i]`` are the same image without and with the
    artifact; 1 means the CAV points exactly where the artifact moves the activations. With the
    activations at hand, :func:`shift_alignment` gives the same number without a forward pass.
    """
    clean = layer_activations(model, clean_images, layer=layer)
    attacked = layer_activations(model, artifact_images, layer=layer)
    if clean.shape != attacked.shape:
        raise ValueError("clean_images and artifact_images must be the same images (same number and shape).")
    return shift_alignment(clean, attacked, cav)


def shift_alignment(clean_activations, artifact_activations, cav) -> float:
    """Mean cosine between ``cav`` and the latent shifts ``artifact_activations - clean_activations``.

    Row ``i`` of both arrays is the same image without and with the artifact (e.g. from
    :func:`layer_activations`); the shift of each image is the *true* artifact direction for it.
    Images whose activations do not move are skipped.

    Parameters
    ----------
    clean_activations, artifact_activations : arrays (n, d)
    cav : array (d,), any non-zero length (it is normalised)

    Returns
    -------
    float in [-1, 1]; 1 means the CAV points exactly where the artifact moves every image.

    Examples
    --------
    >>> clean = np.zeros((2, 2)); stamped = np.array([[2.0, 0.0], [1.0, 1.0]])
    >>> round(shift_alignment(clean, stamped, [1.0, 0.0]), 4)  # cosines 1 and 0.7071
    0.8536
    """
    clean = np.asarray(clean_activations, dtype=np.float64)
    attacked = np.asarray(artifact_activations, dtype=np.float64)
    if clean.ndim != 2:
        raise ValueError(f"clean_activations must be a 2-D array (n images, d features), got shape {clean.shape}.")
    if attacked.shape != clean.shape:
        raise ValueError(f"artifact_activations must have the shape of clean_activations {clean.shape} "
                         f"(the same images with the artifact), got {attacked.shape}.")
    h = _check_cav(cav, clean.shape[1])
    diff = attacked - clean
    norms = np.linalg.norm(diff, axis=1)
    keep = norms > 0
    if not keep.any():
        raise ValueError("the artifact does not change this layer's activations for any image.")
    return float(np.mean(diff[keep] @ h / norms[keep]))


def layer_gradients(model, X, *, layer: str, target_class: int, batch_size: int = 256) -> np.ndarray:
    """Gradient of the ``target_class`` logit w.r.t. ``layer``'s activations, averaged over space.

    Returns an array (n, C): what TCAV and RR-ClArC multiply with the CAV.
    """
    import torch

    module = as_module(model)
    target = _find_layer(module, layer)
    if isinstance(target_class, bool) or not isinstance(target_class, numbers.Integral):
        raise TypeError(f"target_class must be a class index (int), got {type(target_class).__name__}.")
    batch_size = check_positive_int(batch_size, "batch_size")
    images = as_image_tensor(X)
    grads = []
    store = {}

    def hook(_module, _inputs, output):
        output.retain_grad()
        store["act"] = output

    handle = target.register_forward_hook(hook)
    was_training = module.training
    module.eval()
    try:
        for start in range(0, len(images), batch_size):
            batch = images[start:start + batch_size]
            logits = module(batch)
            if not 0 <= int(target_class) < logits.shape[1]:
                raise ValueError(f"target_class must be between 0 and {logits.shape[1] - 1}, got {target_class}.")
            module.zero_grad(set_to_none=True)
            logits[:, int(target_class)].sum().backward()
            g = store["act"].grad
            grads.append((g.mean(dim=(2, 3)) if g.ndim == 4 else g).detach())
    finally:
        handle.remove()
        module.train(was_training)
    return torch.cat(grads).numpy()


def _sensitivities(model, X, cav, layer, target_class):
    grads = layer_gradients(model, X, layer=layer, target_class=target_class)
    return grads @ _check_cav(cav, grads.shape[1])


def tcav_sensitivity(model, X, cav, *, layer: str, target_class: int) -> float:
    """Mean |g . h| over ``X``: how strongly the class logit reacts along the concept direction.

    ``g`` is the gradient of the ``target_class`` logit w.r.t. the layer's activations (averaged
    over space), ``h`` the unit CAV. Lower means the model relies less on the concept.
    """
    return float(np.mean(np.abs(_sensitivities(model, X, cav, layer, target_class))))


def tcav_score(model, X, cav, *, layer: str, target_class: int) -> float:
    """TCAV score: the share of images in ``X`` whose class logit increases along the CAV (g . h > 0)."""
    return float(np.mean(_sensitivities(model, X, cav, layer, target_class) > 0))


def cav_alignment_sweep(activations, concept_labels, clean_activations, artifact_activations, *,
                        sizes=(5, 10, 25, 50, 100, 250), seeds=(0, 1, 2, 3, 4), methods=CAV_METHODS):
    """How well each CAV method finds the true artifact direction, by sample size and seed.

    For each size ``n`` and seed, ``n`` samples with and ``n`` without the concept are drawn (without
    replacement) from ``activations``; a CAV of each method is fitted on them and scored with
    :func:`shift_alignment` against the latent shifts ``artifact_activations - clean_activations``.

    Parameters
    ----------
    activations : array (n, d)
        Where the CAVs are fitted (e.g. the attacked class's training images).
    concept_labels : array-like of 0/1 or bool
        1 where the artifact is present.
    clean_activations, artifact_activations : arrays (m, d)
        The same images without and with the artifact: the true direction.
    sizes : sequence of int
        Samples per group; each must be at most the smaller group's size.
    seeds : sequence of int
    methods : sequence of str
        Any of :data:`CAV_METHODS`.

    Returns
    -------
    pandas.DataFrame
        One row per fitted CAV: ``method``, ``n_per_class``, ``seed``, ``alignment`` and
        ``converged`` (False where the solver warned that it did not converge).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> acts = rng.normal(size=(40, 3)); labels = np.arange(40) < 20; acts[labels, 0] += 2
    >>> clean = rng.normal(size=(10, 3)); stamped = clean + [2.0, 0.0, 0.0]
    >>> table = cav_alignment_sweep(acts, labels, clean, stamped, sizes=[10], seeds=[0], methods=["signal"])
    >>> table[["method", "n_per_class", "seed"]].values.tolist(), bool(table["alignment"].iloc[0] > 0.9)
    ([['signal', 10, 0]], True)
    """
    import warnings

    import pandas as pd

    acts, labels = _check_concept(activations, concept_labels)
    if isinstance(methods, str):
        methods = (methods,)
    for method in methods:
        check_choice(method, "method", CAV_METHODS)
    with_concept, without = np.flatnonzero(labels), np.flatnonzero(~labels)
    largest = min(len(with_concept), len(without))
    sizes = [check_positive_int(n, "sizes") for n in sizes]
    if not sizes or max(sizes) > largest:
        raise ValueError(f"sizes must be a non-empty list of ints from 1 to {largest} (the smaller group's size).")
    seeds = list(seeds)
    if not seeds or any(isinstance(s, bool) or not isinstance(s, numbers.Integral) for s in seeds):
        raise TypeError(f"seeds must be a non-empty list of ints, got {seeds!r}.")
    rows = []
    for n in sizes:
        for seed in seeds:
            rng = np.random.default_rng(int(seed))
            chosen = np.concatenate([rng.choice(with_concept, n, replace=False), rng.choice(without, n, replace=False)])
            for method in methods:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    cav = compute_cav(acts[chosen], labels[chosen], method=method, random_state=int(seed))
                converged = not any("converge" in str(w.message).lower() for w in caught)
                rows.append((method, n, int(seed), shift_alignment(clean_activations, artifact_activations, cav),
                             converged))
    return pd.DataFrame(rows, columns=["method", "n_per_class", "seed", "alignment", "converged"])
