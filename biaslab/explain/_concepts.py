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
    "tcav_significance",
    "tcav_t_test",
    "sensitivity_by_position",
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


def _class_gradients(module, target, images, target_class: int):
    """Gradient of the ``target_class`` logit w.r.t. ``target``'s output for a batch (raw, with space)."""
    store = {}

    def hook(_module, _inputs, output):
        output.retain_grad()
        store["act"] = output

    handle = target.register_forward_hook(hook)
    try:
        logits = module(images)
        if not 0 <= int(target_class) < logits.shape[1]:
            raise ValueError(f"target_class must be between 0 and {logits.shape[1] - 1}, got {target_class}.")
        module.zero_grad(set_to_none=True)
        logits[:, int(target_class)].sum().backward()
        return store["act"].grad.detach()
    finally:
        handle.remove()


def _check_target_class(target_class):
    if isinstance(target_class, bool) or not isinstance(target_class, numbers.Integral):
        raise TypeError(f"target_class must be a class index (int), got {type(target_class).__name__}.")


def layer_gradients(model, X, *, layer: str, target_class: int, batch_size: int = 256) -> np.ndarray:
    """Gradient of the ``target_class`` logit w.r.t. ``layer``'s activations, averaged over space.

    Returns an array (n, C): what TCAV and RR-ClArC multiply with the CAV.
    """
    import torch

    module = as_module(model)
    target = _find_layer(module, layer)
    _check_target_class(target_class)
    batch_size = check_positive_int(batch_size, "batch_size")
    images = as_image_tensor(X)
    grads = []
    was_training = module.training
    module.eval()
    try:
        for start in range(0, len(images), batch_size):
            g = _class_gradients(module, target, images[start:start + batch_size], target_class)
            grads.append(g.mean(dim=(2, 3)) if g.ndim == 4 else g)
    finally:
        module.train(was_training)
    return torch.cat(grads).numpy()


def sensitivity_by_position(model, X, cav, *, layer: str, target_class: int) -> np.ndarray:
    """``g . h`` at every spatial position of a conv layer, averaged over the images: (H, W).

    :func:`layer_gradients` (and TCAV, and RR-ClArC's penalty) average the gradient over space
    before taking its component along the CAV, so a model can react strongly to the concept at
    one place (where a corner stamp sits) and the opposite way elsewhere, with a spatial mean of
    zero. This map shows where the reaction is. Its mean over the positions is the mean of
    ``layer_gradients(...) @ h``.
    """
    import torch

    module = as_module(model)
    target = _find_layer(module, layer)
    _check_target_class(target_class)
    images = as_image_tensor(X)
    was_training = module.training
    module.eval()
    try:
        g = _class_gradients(module, target, images, target_class)
    finally:
        module.train(was_training)
    if g.ndim != 4:
        raise ValueError(f"layer {layer!r} has no spatial output (got shape {tuple(g.shape)}).")
    h = torch.as_tensor(_check_cav(cav, g.shape[1]), dtype=g.dtype).reshape(1, -1, 1, 1)
    return (g * h).sum(1).mean(0).detach().numpy()


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


def tcav_t_test(concept_scores, random_scores) -> tuple[float, float]:
    """Welch's two-sided t-test of a concept's TCAV scores against random directions' scores: ``(t, p)``.

    Scores without any spread on both sides are compared exactly (equal: ``(0, 1)``; different:
    ``(+-inf, 0)``); one side without spread is a valid case and raises no warning.

    Examples
    --------
    >>> t, p = tcav_t_test([1.0, 1.0, 0.9], [0.2, 0.6, 0.4])
    >>> round(t, 2), round(p, 3)
    (4.71, 0.031)
    """
    import warnings

    from scipy import stats

    try:
        concept, random = np.asarray(concept_scores, dtype=float), np.asarray(random_scores, dtype=float)
    except (TypeError, ValueError):
        raise TypeError("concept_scores and random_scores must be sequences of numbers (TCAV scores).") from None
    if concept.ndim != 1 or random.ndim != 1 or not (np.isfinite(concept).all() and np.isfinite(random).all()):
        raise ValueError("concept_scores and random_scores must be 1-D sequences of finite numbers.")
    if concept.size < 2 or random.size < 2:
        raise ValueError("the t-test needs at least 2 scores on each side.")
    if np.ptp(concept) == 0 and np.ptp(random) == 0:
        return (0.0, 1.0) if concept[0] == random[0] else (float(np.copysign(np.inf, concept[0] - random[0])), 0.0)
    with warnings.catch_warnings():  # one side without spread (all 1.0) is a valid, exact case
        warnings.simplefilter("ignore", RuntimeWarning)
        t, p = stats.ttest_ind(concept, random, equal_var=False)
    return float(t), float(p)


def tcav_significance(model, X, activations, concept_labels, *, layer: str, target_class: int, n_runs: int = 20,
                      n_random: int = 20, random_state=0):
    """TCAV as Kim et al. (2018) use it: the concept's scores against random directions, with a t-test.

    A TCAV score alone means little: a random direction can score high too (with a linear head
    every direction scores 0 or 1). Kim et al. therefore fit the concept's CAV several times on
    different samples, fit as many CAVs between two *random* sets of examples, and keep the
    concept only if its scores differ from the random ones in a two-sided t-test.

    Here each concept run fits the signal CAV (:func:`compute_cav`) on a random half of the
    samples with and a random half of those without the concept; each random run splits the
    samples *without* the concept at random into two halves and fits the signal CAV between
    them (a direction that means nothing). The scores use the gradients of ``target_class``'s
    logit on ``X`` (computed once).

    Parameters
    ----------
    model : torch.nn.Module or ImageClassifier
    X : images whose class logit is explained (e.g. test images of the class, with the artifact)
    activations : array (n, d)
        Max-pooled activations of ``layer`` where the CAVs are fitted (:func:`layer_activations`).
    concept_labels : array-like of 0/1 or bool
        1 where the concept (the artifact) is present.
    layer : str
    target_class : int
    n_runs, n_random : int, default=20
        Concept CAVs and random CAVs.
    random_state : int

    Returns
    -------
    sklearn.utils.Bunch
        ``concept_scores`` (n_runs,), ``random_scores`` (n_random,), ``t`` and ``p_value`` of
        Welch's two-sided t-test between them, ``concept_mean``, ``random_mean``,
        ``share_random_extreme`` (the share of random scores at 0 or 1).

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
    <...>
    >>> net = nn.Sequential()
    >>> net.features = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU())
    >>> net.head = nn.Sequential(nn.Flatten(), nn.Linear(4 * 6 * 6, 8), nn.ReLU(), nn.Linear(8, 2))
    >>> rng = np.random.default_rng(0)
    >>> images = rng.random((60, 8, 8)).astype(np.float32)
    >>> labels = np.arange(60) < 30; images[labels, :2, :2] = 1.0
    >>> acts = layer_activations(net, images, layer="features")
    >>> test = tcav_significance(net, images[labels], acts, labels, layer="features", target_class=1)
    >>> test.concept_scores.shape, test.random_scores.shape, 0 <= test.p_value <= 1
    ((20,), (20,), True)
    """
    from sklearn.utils import Bunch

    acts, labels = _check_concept(activations, concept_labels)
    n_runs = check_positive_int(n_runs, "n_runs")
    n_random = check_positive_int(n_random, "n_random")
    if n_runs < 2 or n_random < 2:
        raise ValueError("n_runs and n_random must be at least 2 (a t-test needs a spread on both sides).")
    with_concept, without = np.flatnonzero(labels), np.flatnonzero(~labels)
    if len(with_concept) < 2 or len(without) < 4:
        raise ValueError("need at least 2 samples with the concept and 4 without it.")
    rng = check_random_state(random_state)
    grads = layer_gradients(model, X, layer=layer, target_class=target_class)
    if grads.shape[1] != acts.shape[1]:
        raise ValueError(f"activations have {acts.shape[1]} features but layer {layer!r} has {grads.shape[1]} channels.")

    def score(direction):
        return float(np.mean(grads @ _check_cav(direction, grads.shape[1]) > 0))

    def half(indices):
        return rng.choice(indices, max(1, len(indices) // 2), replace=False)

    concept = []
    for _ in range(n_runs):
        chosen = np.concatenate([half(with_concept), half(without)])
        concept.append(score(compute_cav(acts[chosen], labels[chosen], method="signal")))
    random = []
    for _ in range(n_random):
        order = rng.permutation(without)
        a, b = order[: len(order) // 2], order[len(order) // 2 : 2 * (len(order) // 2)]
        random.append(score(acts[a].mean(0) - acts[b].mean(0)))
    concept, random = np.array(concept), np.array(random)
    t, p = tcav_t_test(concept, random)
    return Bunch(concept_scores=concept, random_scores=random, t=float(t), p_value=float(p),
                 concept_mean=float(concept.mean()), random_mean=float(random.mean()),
                 share_random_extreme=float(np.mean((random == 0) | (random == 1))))
