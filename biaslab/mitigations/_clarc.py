"""Class Artifact Compensation (ClArC) for image models: Vanilla, P-ClArC, A-ClArC, RR-ClArC.

Following "From hope to safety" (Dreyer, Pahde et al., AAAI 2024) and its code:

- the model is split at a layer (by default its last conv layer) into the part up to that layer
  and the rest (the "head", which is what gets fine-tuned);
  the concept activation vector ``h`` (unit length) lives in that layer's channel space;
- **Vanilla**: fine-tune the head with cross-entropy only (the baseline);
- **P-ClArC**: no training; at test time the activations are moved along ``h`` to the clean
  samples' mean;
- **A-ClArC**: fine-tune the head on activations moved along ``h`` to the artifact samples' mean
  (and keep the move at test time, as the paper's code does), so the artifact carries no information;
- **RR-ClArC**: fine-tune the head with ``CE + lambda * mean((g . h)^2)``, where ``g`` is the
  gradient, with respect to the layer's activations averaged over space, of a random-sign
  (+1/-1 per sample and class) sum of the logits.

How the activations move (``shift``):

- ``"max"`` (default, the paper's code): an image's length along ``h`` is ``max_pool(a) . h``
  (the space the CAV was fitted in), and ``(z - length) h`` is added at every spatial
  position; ``z`` is the mean length of the reference samples. A localised artifact (a corner
  stamp) is moved as a whole, not erased where it sits.
- ``"every_position"``: each spatial activation vector is projected, ``a - (a.h - z) h``, with
  ``z`` the mean ``a.h`` over every position of the reference samples: a stronger correction
  that also erases a localised artifact in place (our earlier version; not the paper's).
"""

from __future__ import annotations

import copy
from collections import OrderedDict
import numbers

import numpy as np

from .._validation import check_positive_int, check_random_state

__all__ = ["rr_penalty", "project_along", "shift_along", "ClarcModel", "fine_tune_head", "p_clarc", "a_clarc", "rr_clarc",
           "vanilla_fine_tune", "CLARC_METHODS"]

CLARC_METHODS = ("vanilla", "p_clarc", "a_clarc", "rr_clarc")
SHIFT_MODES = ("max", "every_position")


def _torch():
    import torch

    return torch


def rr_penalty(gradients, cav):
    """RR-ClArC's penalty ``mean((g . h)^2)`` for gradients (n, C) (or (n, C, H, W), averaged over space).

    Works on numpy arrays and on torch tensors (differentiably). Zero when every gradient is
    orthogonal to the CAV.

    Examples
    --------
    >>> float(rr_penalty(np.array([[1.0, 2.0], [0.0, -1.0]]), np.array([0.0, 1.0])))
    2.5
    """
    torch = _torch()
    if isinstance(gradients, torch.Tensor):
        g = gradients.mean(dim=(2, 3)) if gradients.ndim == 4 else gradients
        h = torch.as_tensor(cav, dtype=g.dtype)
        return ((g @ h) ** 2).mean()
    g = np.asarray(gradients, dtype=np.float64)
    g = g.mean(axis=(2, 3)) if g.ndim == 4 else g
    return np.mean((g @ np.asarray(cav, dtype=np.float64)) ** 2)


def project_along(activations, cav, z):
    """Set every spatial activation vector's component along ``cav`` to ``z``: ``a - (a.h - z) h``.

    ``activations`` is a torch tensor (n, C, H, W) or (n, C); ``cav`` unit length.
    """
    torch = _torch()
    h = torch.as_tensor(cav, dtype=activations.dtype)
    shape = (1, -1, 1, 1) if activations.ndim == 4 else (1, -1)
    proj = (activations * h.reshape(shape)).sum(dim=1, keepdim=True)
    return activations - (proj - z) * h.reshape(shape)


def shift_along(activations, cav, z, shift="max"):
    """Move activations along ``cav`` to the length ``z`` (P- and A-ClArC's correction).

    ``shift="max"``: add ``(z - max_pool(a) . h) h`` at every spatial position (the paper's
    code); ``"every_position"``: :func:`project_along`. For (n, C) activations both are the same.
    """
    if shift == "every_position" or activations.ndim != 4:
        return project_along(activations, cav, z)
    torch = _torch()
    h = torch.as_tensor(cav, dtype=activations.dtype)
    length = (activations.amax(dim=(2, 3)) * h.reshape(1, -1)).sum(1)
    return activations + (z - length).reshape(-1, 1, 1, 1) * h.reshape(1, -1, 1, 1)


def _check_shift(shift):
    from .._validation import check_choice

    return check_choice(shift, "shift", SHIFT_MODES)


def _unit_cav(cav, channels: int) -> np.ndarray:
    from ..explain._concepts import _check_cav

    return _check_cav(cav, channels).astype(np.float32)


def _split(model, layer=None):
    """``(features, head)``: the model cut after ``layer``, a child of its ``features`` Sequential.

    The model needs ``features`` (an ``nn.Sequential``) and ``head`` submodules, as biaslab's
    CNNs have. ``layer`` is ``"features"`` (cut between them) or ``"features.<child>"``; the
    default is the model's ``last_conv_layer`` if it names one, else ``"features"``.
    """
    from ..explain._concepts import as_module

    torch = _torch()
    module = as_module(model)
    if not (hasattr(module, "features") and hasattr(module, "head")):
        raise TypeError("model must have `features` and `head` submodules (as biaslab's CNNs do): ClArC "
                        "works on the activations of a layer between them.")
    if layer is None:
        layer = getattr(module, "last_conv_layer", "features")
    if not isinstance(layer, str):
        raise TypeError(f"layer must be a layer name such as 'features.conv4', got {type(layer).__name__}.")
    if layer == "features":
        return module.features, module.head
    children = list(module.features.named_children()) if isinstance(module.features, torch.nn.Sequential) else []
    names = [f"features.{name}" for name, _ in children]
    if layer not in names:
        raise ValueError(f"layer must be 'features' or one of {names}, got {layer!r}.")
    cut = names.index(layer) + 1
    before = torch.nn.Sequential(OrderedDict(children[:cut]))
    after = torch.nn.Sequential(OrderedDict(children[cut:] + [("head", module.head)]))
    return before, after


def _make_clarc_module(features, head, cav=None, z=None, shift="max"):
    torch = _torch()

    class ClarcModule(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.features = features
            self.head = head
            self.register_buffer("cav", None if cav is None else torch.as_tensor(cav))
            self.z = z
            self.shift = shift

        def forward(self, x):
            a = self.features(x)
            if self.cav is not None:
                a = shift_along(a, self.cav, self.z, self.shift)
            return self.head(a)

    return ClarcModule()


class ClarcModel:
    """A corrected model: ``predict``, ``predict_proba`` and ``module_`` (a torch module).

    ``module_.features`` ends at the layer the CAV lives in (``layer = "features"`` in
    :mod:`biaslab.explain`'s functions) and ``module_.head`` is the rest.
    """

    layer = "features"

    def __init__(self, module, method: str, info: dict):
        self.module_ = module
        self.method = method
        self.info = info

    def _logits(self, X, batch_size=512):
        from ..explain._concepts import as_image_tensor

        torch = _torch()
        images = as_image_tensor(X)
        self.module_.eval()
        with torch.no_grad():
            return torch.cat([self.module_(images[i:i + batch_size]) for i in range(0, len(images), batch_size)])

    def logits_from_activations(self, activations, batch_size=4096):
        """Logits from activations of ``module_.features`` (n, C, H, W), numpy or torch.

        The ClArC methods change only what comes after the CAV's layer (the features stay
        frozen), so activations computed once can be scored by every corrected model: the
        same logits as ``module_(X)`` at a fraction of the cost.

        Returns
        -------
        torch.Tensor (n, n_classes)
        """
        torch = _torch()
        acts = activations if isinstance(activations, torch.Tensor) else torch.as_tensor(np.asarray(activations))
        if acts.ndim not in (2, 4) or acts.shape[0] == 0:
            raise ValueError("activations must be a non-empty array (n, C, H, W) or (n, C) of the layer "
                             f"module_.features ends at, got shape {tuple(acts.shape)}.")
        acts = acts.float()
        module = self.module_
        module.eval()
        with torch.no_grad():
            out = []
            for i in range(0, len(acts), batch_size):
                a = acts[i:i + batch_size]
                if module.cav is not None:
                    a = shift_along(a, module.cav, module.z, module.shift)
                out.append(module.head(a))
        return torch.cat(out)

    def predict_proba(self, X):
        return _torch().softmax(self._logits(X), dim=1).numpy()

    def predict(self, X):
        return self._logits(X).argmax(1).numpy()

    def score(self, X, y):
        return float(np.mean(self.predict(X) == np.asarray(y)))

    def __repr__(self):
        return f"ClarcModel(method={self.method!r})"


def _mean_projection(features, X, h, batch_size=512, shift="every_position"):
    """Mean length along ``h``: of the max-pooled activations (``shift="max"``) or over every position."""
    from ..explain._concepts import as_image_tensor

    torch = _torch()
    images = as_image_tensor(X)
    total, count = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(images), batch_size):
            a = features(images[i:i + batch_size])
            if shift == "max" and a.ndim == 4:
                a = a.amax(dim=(2, 3))
            proj = (a * torch.as_tensor(h).reshape((1, -1, 1, 1) if a.ndim == 4 else (1, -1))).sum(1)
            total += float(proj.sum())
            count += proj.numel()
    return total / count


def p_clarc(model, cav, *, clean_images, layer=None, shift="max") -> ClarcModel:
    """P-ClArC: at test time, move the layer's activations along ``cav`` to the clean samples' mean.

    ``shift`` says how (module docstring): ``"max"`` as the paper's code, ``"every_position"``
    projecting each spatial position.
    """
    shift = _check_shift(shift)
    features, head = _split(model, layer)
    features, head = copy.deepcopy(features).eval(), copy.deepcopy(head).eval()
    h = _unit_cav(cav, _channels(features, clean_images))
    z = _mean_projection(features, clean_images, h, shift=shift)
    return ClarcModel(_make_clarc_module(features, head, h, z, shift), "p_clarc", {"z_clean": z, "shift": shift})


def _channels(features, X):
    from ..explain._concepts import as_image_tensor

    torch = _torch()
    with torch.no_grad():
        return int(features(as_image_tensor(X)[:1]).shape[1])


def fine_tune_head(model, X, y, *, cav=None, lam: float = 0.0, shift_to=None, layer=None, epochs: int = 5,
                   lr: float = 1e-3, batch_size: int = 128, random_state=0, method: str = "vanilla",
                   activations=None, shift="every_position", keep_shift=False) -> ClarcModel:
    """Fine-tune only the head on frozen features (the shared loop of Vanilla, A- and RR-ClArC).

    ``lam > 0`` adds RR-ClArC's penalty along ``cav``; ``shift_to`` (a float ``z``) moves every
    activation's component along ``cav`` to ``z`` during training (A-ClArC). ``activations``
    (optional) are the frozen features' outputs for ``X``, computed once and reused by several
    fine-tunings (the result is the same, only faster). ``shift`` is how ``shift_to`` moves the
    activations (:func:`shift_along`); ``keep_shift`` keeps the move in the returned model.
    """
    from ..explain._concepts import as_image_tensor

    torch = _torch()
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    if isinstance(lam, bool) or not isinstance(lam, numbers.Real) or lam < 0:
        raise ValueError(f"lam must be a non-negative number, got {lam!r}.")
    lam = float(lam)  # a numpy scalar (e.g. read from a results table) must not reach torch as np.bool_
    rng = check_random_state(random_state)
    features, head = _split(model, layer)
    features, head = copy.deepcopy(features).eval(), copy.deepcopy(head)
    images = as_image_tensor(X)
    labels = torch.as_tensor(np.asarray(y), dtype=torch.long)
    if len(labels) != len(images):
        raise ValueError(f"y has {len(labels)} labels but X has {len(images)} images.")
    if activations is None:
        with torch.no_grad():
            acts = torch.cat([features(images[i:i + 512]) for i in range(0, len(images), 512)])
    else:
        acts = activations if isinstance(activations, torch.Tensor) else torch.as_tensor(np.asarray(activations))
        acts = acts.detach().float()
        if acts.shape[0] != len(images) or acts.ndim not in (2, 4):
            raise ValueError(f"activations must hold the layer's outputs for the {len(images)} images of X, "
                             f"got shape {tuple(acts.shape)}.")
    h = None
    if cav is not None:
        h = torch.as_tensor(_unit_cav(cav, acts.shape[1]))
    elif lam > 0 or shift_to is not None:
        raise ValueError("cav is required for RR-ClArC (lam > 0) and A-ClArC (shift_to).")
    torch.manual_seed(int(rng.integers(2**31 - 1)))
    optimizer = torch.optim.Adam(head.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    head.train()
    history = []
    for _ in range(epochs):
        order = torch.as_tensor(rng.permutation(len(acts)))
        total = 0.0
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            a = acts[idx].clone()
            if shift_to is not None:
                a = shift_along(a, h, float(shift_to), shift)
            a.requires_grad_(lam > 0)
            logits = head(a)
            loss = loss_fn(logits, labels[idx])
            if lam > 0:
                signs = torch.as_tensor(rng.choice([-1.0, 1.0], size=tuple(logits.shape)), dtype=logits.dtype)
                (grad,) = torch.autograd.grad((signs * logits).sum(), a, create_graph=True)
                loss = loss + lam * rr_penalty(grad, h)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += float(loss.detach()) * len(idx)
        history.append(total / len(acts))
    head.eval()
    if keep_shift and shift_to is not None:
        module = _make_clarc_module(features, head, h.numpy(), float(shift_to), shift)
    else:
        module = _make_clarc_module(features, head)
    return ClarcModel(module, method, {"lam": lam, "loss": history})


def vanilla_fine_tune(model, X, y, **kwargs) -> ClarcModel:
    """The baseline: the same head fine-tuning as RR-ClArC, without the penalty."""
    return fine_tune_head(model, X, y, method="vanilla", **kwargs)


def a_clarc(model, X, y, cav, *, artifact_images, layer=None, shift="max", **kwargs) -> ClarcModel:
    """A-ClArC: fine-tune the head with every activation moved to the artifact mean along ``cav``.

    With ``shift="max"`` (the paper's code) the move stays in the model at test time too; with
    ``"every_position"`` (our earlier version) it is used in training only.
    """
    shift = _check_shift(shift)
    features, _ = _split(model, layer)
    h = _unit_cav(cav, _channels(features, artifact_images))
    z = _mean_projection(features.eval(), artifact_images, h, shift=shift)
    return fine_tune_head(model, X, y, cav=h, shift_to=z, layer=layer, method="a_clarc", shift=shift,
                          keep_shift=shift == "max", **kwargs)


def rr_clarc(model, X, y, cav, *, lam: float, **kwargs) -> ClarcModel:
    """RR-ClArC: fine-tune the head with ``CE + lam * mean((g . h)^2)`` (see the module docstring)."""
    return fine_tune_head(model, X, y, cav=cav, lam=lam, method="rr_clarc", **kwargs)
