"""Small CNNs for the course's images and a scikit-learn-like wrapper to train and probe them.

``ImageClassifier`` trains any torch module that maps images to class logits, with the
estimator interface the rest of the course uses (``fit``, ``predict``, ``predict_proba``,
``decision_function``, ``score``) plus what the concept modules need: the activations of any
named layer, the penultimate embedding, gradients of a logit with respect to a layer, and
head-only fine-tuning. ``chest_xray_cnn`` and ``fashion_cnn`` build the two networks of the
course; both name their layers the same way (``features.conv1`` ... ``features.conv4`` the conv
blocks, ``features.pool`` the global average pool, ``head`` the linear classifier).

Everything runs on the CPU in float32; training with the same ``random_state`` (and the same
number of threads) gives bitwise identical weights.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import numbers
import os
import sys
from collections import OrderedDict

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import NotFittedError
from torch import nn

from .._validation import check_array_1d, check_consistent_length, check_random_state, check_sample_weight

__all__ = ["ImageClassifier", "SmallCNN", "DenseHeadCNN", "chest_xray_cnn", "fashion_cnn", "fashion_vgg", "ARCHITECTURES"]

_PREDICT_BATCH = 1024  # rows per forward pass at prediction time (memory, not results)


# --------------------------------------------------------------------------------------------
# networks


def _conv_block(c_in: int, c_out: int, *, kernel: int = 3, stride: int = 1, pool: bool = False) -> nn.Sequential:
    layers = OrderedDict(
        conv=nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=kernel // 2, bias=False),
        bn=nn.BatchNorm2d(c_out),
        relu=nn.ReLU(),
    )
    if pool:
        layers["pool"] = nn.MaxPool2d(2)
    return nn.Sequential(layers)


class _SplitAtLastConv:
    """``forward`` is ``classify(conv_features(x))``: the split RR-ClArC's loss needs (module 07).

    For networks whose ``features`` Sequential holds four conv blocks, then ``pool``, and a ``head``.
    """

    def forward(self, x):
        return self.head(self.features(x))

    def conv_features(self, x):
        """The last conv layer's output ``(n, channels, h, w)`` (``features.conv1`` to ``conv4``)."""
        return self.features[:4](x)

    def classify(self, conv_out):
        """Logits from the last conv layer's output: ``forward(x) == classify(conv_features(x))``.

        Splitting the network here lets a training loss use the activations and their gradient
        (e.g. the RR-ClArC penalty of module 07, with ``torch.autograd.grad(..., create_graph=True)``).
        """
        return self.head(self.features.pool(conv_out))


class SmallCNN(_SplitAtLastConv, nn.Module):
    """Four conv blocks (conv, batch norm, ReLU, max pool after blocks 2 and 3), global average
    pooling and a linear head.

    Layer names (for :meth:`ImageClassifier.activations`):

    - ``features.conv1`` ... ``features.conv4``: the conv blocks' outputs, after ReLU (and pool);
      ``features.conv4`` is the last conv layer (``last_conv_layer``), ``(n, 4w, h, w)``;
    - ``features.pool``: its global average, the penultimate embedding (``embedding_layer``),
      ``(n, 4w)``;
    - ``head``: the logits, ``(n, n_classes)``.

    ``architecture`` and ``config`` rebuild the network: ``ARCHITECTURES[architecture](**config)``.
    """

    last_conv_layer = "features.conv4"
    embedding_layer = "features.pool"
    head_layer = "head"

    def __init__(self, *, in_channels=1, n_classes=2, width=16, first_kernel=3, first_stride=1,
                 architecture="SmallCNN", config=None):
        super().__init__()
        w = width
        self.features = nn.Sequential(
            OrderedDict(
                conv1=_conv_block(in_channels, w, kernel=first_kernel, stride=first_stride),
                conv2=_conv_block(w, 2 * w, pool=True),
                conv3=_conv_block(2 * w, 4 * w, pool=True),
                conv4=_conv_block(4 * w, 4 * w),
                pool=nn.Sequential(OrderedDict(avg=nn.AdaptiveAvgPool2d(1), flatten=nn.Flatten())),
            )
        )
        self.head = nn.Linear(4 * w, n_classes)
        self.n_classes = n_classes
        self.architecture = architecture
        self.config = dict(config or {}, n_classes=n_classes, width=width)


class DenseHeadCNN(_SplitAtLastConv, nn.Module):
    """VGG-shaped: the conv blocks of :class:`SmallCNN`, then max pooling and a dense head of
    three linear layers with ReLU and dropout (VGG16's classifier, scaled down).

    Unlike :class:`SmallCNN` (global average pooling into one linear layer, where the gradient of
    a logit with respect to the last conv layer is the same for every image), the head is
    nonlinear and sees where things are, so that gradient differs from image to image: what
    RR-ClArC's penalty and TCAV need to mean something (module 07, "From hope to safety").

    Layer names:

    - ``features.conv1`` ... ``features.conv4``: the conv blocks; ``features.conv4`` is the last
      conv layer (``last_conv_layer``, where the CAVs live), ``(n, 4w, 7, 7)`` on 28x28 images;
    - ``features.pool``: 2x2 max pooling and flattening, ``(n, 4w * 9)``;
    - ``head.fc1``/``head.relu1``/``head.drop1``, ``head.fc2``/``head.relu2``/``head.drop2``
      (the penultimate embedding, ``embedding_layer``, ``(n, hidden // 2)``), ``head.fc3`` (the logits).

    ``_split`` of :mod:`biaslab.mitigations` cuts after ``features.conv4``: pooling and the
    three dense layers are what the ClArC methods fine-tune, as the paper's code does on VGG16.
    """

    last_conv_layer = "features.conv4"
    embedding_layer = "head.drop2"
    head_layer = "head"

    def __init__(self, *, in_channels=1, n_classes=10, width=16, hidden=128, dropout=0.5, image_size=28,
                 architecture="fashion_vgg"):
        super().__init__()
        w = width
        side = image_size // 4 // 2
        self.features = nn.Sequential(
            OrderedDict(
                conv1=_conv_block(in_channels, w),
                conv2=_conv_block(w, 2 * w, pool=True),
                conv3=_conv_block(2 * w, 4 * w, pool=True),
                conv4=_conv_block(4 * w, 4 * w),
                pool=nn.Sequential(OrderedDict(max=nn.MaxPool2d(2), flatten=nn.Flatten())),
            )
        )
        self.head = nn.Sequential(
            OrderedDict(
                fc1=nn.Linear(4 * w * side * side, hidden), relu1=nn.ReLU(), drop1=nn.Dropout(dropout),
                fc2=nn.Linear(hidden, hidden // 2), relu2=nn.ReLU(), drop2=nn.Dropout(dropout),
                fc3=nn.Linear(hidden // 2, n_classes),
            )
        )
        self.n_classes = n_classes
        self.architecture = architecture
        self.config = {"n_classes": n_classes, "width": width, "hidden": hidden, "dropout": dropout}


def chest_xray_cnn(n_classes: int = 2, *, width: int = 16) -> SmallCNN:
    """The CNN for the 64x64 SYNTHETIC chest X-rays (one channel).

    The first conv has a 5x5 kernel and stride 2 (64 -> 32 pixels), the next blocks work at 32,
    16 and 8 pixels; ``features.conv4`` is ``(n, 4*width, 8, 8)``. About 60,000 parameters
    with ``width=16``.

    Examples
    --------
    >>> from biaslab.models import chest_xray_cnn
    >>> net = chest_xray_cnn()
    >>> sum(p.numel() for p in net.parameters())
    60786
    """
    n_classes = _check_n_classes(n_classes)
    return SmallCNN(in_channels=1, n_classes=n_classes, width=_check_width(width), first_kernel=5, first_stride=2,
                    architecture="chest_xray_cnn")


def fashion_cnn(n_classes: int = 10, *, width: int = 16) -> SmallCNN:
    """The CNN for the 28x28 Fashion-MNIST images (one channel).

    Blocks work at 28, 28, 14 and 7 pixels; ``features.conv4`` is ``(n, 4*width, 7, 7)``.
    About 60,000 parameters with ``width=16``.

    Examples
    --------
    >>> from biaslab.models import fashion_cnn
    >>> net = fashion_cnn()
    >>> sum(p.numel() for p in net.parameters())
    61050
    """
    n_classes = _check_n_classes(n_classes)
    return SmallCNN(in_channels=1, n_classes=n_classes, width=_check_width(width), first_kernel=3, first_stride=1,
                    architecture="fashion_cnn")


def fashion_vgg(n_classes: int = 10, *, width: int = 16, hidden: int = 128, dropout: float = 0.5) -> DenseHeadCNN:
    """A VGG-shaped CNN for the 28x28 Fashion-MNIST images: conv blocks, then dense layers.

    The conv blocks of :func:`fashion_cnn` (28, 28, 14 and 7 pixels; ``features.conv4`` is
    ``(n, 4*width, 7, 7)``), 2x2 max pooling, and a head of three linear layers with ReLU and
    dropout (``hidden`` and ``hidden // 2`` units), like VGG16's classifier. The network of
    modules 06-07 (:class:`DenseHeadCNN` says why).

    Examples
    --------
    >>> from biaslab.models import fashion_vgg
    >>> net = fashion_vgg()
    >>> sum(p.numel() for p in net.parameters())
    143162
    """
    n_classes = _check_n_classes(n_classes)
    if isinstance(hidden, bool) or not isinstance(hidden, numbers.Integral) or hidden < 2:
        raise ValueError(f"hidden must be an int of at least 2, got {hidden!r}.")
    if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real) or not 0 <= dropout < 1:
        raise ValueError(f"dropout must be a number in [0, 1), got {dropout!r}.")
    return DenseHeadCNN(in_channels=1, n_classes=n_classes, width=_check_width(width), hidden=int(hidden),
                        dropout=float(dropout), image_size=28)


#: Network factories by name (the ``architecture`` stored in a checkpoint).
ARCHITECTURES = {"chest_xray_cnn": chest_xray_cnn, "fashion_cnn": fashion_cnn, "fashion_vgg": fashion_vgg}


def _check_n_classes(n_classes) -> int:
    if isinstance(n_classes, bool) or not isinstance(n_classes, numbers.Integral):
        raise TypeError(f"n_classes must be an int of at least 2, got {type(n_classes).__name__}.")
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2, got {n_classes}.")
    return int(n_classes)


def _check_width(width) -> int:
    if isinstance(width, bool) or not isinstance(width, numbers.Integral):
        raise TypeError(f"width must be an int of at least 1, got {type(width).__name__}.")
    if width < 1:
        raise ValueError(f"width must be at least 1, got {width}.")
    return int(width)


# --------------------------------------------------------------------------------------------
# input checks


def check_images(X, name: str = "X") -> np.ndarray:
    """Return images as a C-contiguous array (n, C, H, W) of uint8 or float32.

    uint8 images are kept as they are (divided by 255 batch by batch, to save memory); float
    images must lie in [0, 1].
    """
    if X is None:
        raise TypeError(f"{name} must be an array of images (n, H, W) or (n, C, H, W), got None.")
    if isinstance(X, (pd.DataFrame, pd.Series)):
        raise TypeError(
            f"{name} must be an array of images (n, H, W) or (n, C, H, W), got a pandas "
            f"{type(X).__name__}; pass the images array (e.g. bunch.images), not the flattened frame."
        )
    if isinstance(X, torch.Tensor):
        X = X.detach().cpu().numpy()
    try:
        arr = np.asarray(X)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be an array of images, could not convert it: {exc}") from None
    if arr.ndim == 3:
        arr = arr[:, None]
    if arr.ndim != 4:
        raise ValueError(
            f"{name} must be images of shape (n, H, W) or (n, C, H, W), got an array of shape {arr.shape}."
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty: expected at least one image.")
    if arr.dtype == np.uint8:
        return np.ascontiguousarray(arr)
    if arr.dtype.kind != "f":
        raise TypeError(
            f"{name} must hold uint8 pixels (0-255) or floats in [0, 1], got dtype {arr.dtype}."
        )
    arr = np.ascontiguousarray(arr, dtype=np.float32)
    lo, hi = float(arr.min()), float(arr.max())
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(f"{name} contains NaN or infinity.")
    if lo < -1e-4 or hi > 1 + 1e-4:
        raise ValueError(
            f"{name} holds floats from {lo:g} to {hi:g}; float images must lie in [0, 1] "
            "(pass uint8 pixels as they are, or divide by 255)."
        )
    return arr


def _to_tensor(batch: np.ndarray) -> torch.Tensor:
    x = torch.from_numpy(batch)
    if batch.dtype == np.uint8:
        return x.float().div_(255.0)
    return x


@contextlib.contextmanager
def torch_threads(n_threads):
    """Run the block with ``n_threads`` torch threads (``None``: leave the setting alone)."""
    if n_threads is None:
        yield
        return
    old = torch.get_num_threads()
    torch.set_num_threads(int(n_threads))
    try:
        yield
    finally:
        torch.set_num_threads(old)


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    if shell is None or "PYTEST_CURRENT_TEST" in os.environ:
        return False
    try:
        ip = shell.get_ipython()
    except Exception:
        return False
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"


class _StopForward(Exception):
    """Raised by a hook to end a forward pass once the wanted layer has run."""


# --------------------------------------------------------------------------------------------
# the estimator


class ImageClassifier(ClassifierMixin, BaseEstimator):
    """Train a torch network on images with the scikit-learn interface.

    Parameters
    ----------
    module : str, callable or torch.nn.Module
        The network, mapping a float batch ``(n, C, H, W)`` to logits ``(n, n_classes)``:
        a name in :data:`ARCHITECTURES` (``"chest_xray_cnn"``, ``"fashion_cnn"``), a factory
        called with ``n_classes=`` (if it takes it) to build a freshly initialised network
        (seeded by ``random_state``), or a module instance, which is copied and trained from its
        current weights (to fine-tune a pretrained network).
    epochs : int, default=10
        Maximum number of passes over the training data.
    batch_size : int, default=128
    lr : float, default=2e-3
        Peak learning rate of AdamW.
    weight_decay : float, default=1e-4
    schedule : {"onecycle", "constant"}, default="onecycle"
        One-cycle learning rate (warm-up then cosine decay over ``epochs``), or constant.
    patience : int or None, default=None
        Early stopping: stop when the validation loss has not improved for ``patience``
        epochs and restore the weights of the best epoch. Needs ``X_val`` and ``y_val``.
    augment_shift : int, default=0
        Light augmentation: shift each training batch (with probability 1/2) by up to this
        many pixels (cyclically, ``torch.roll``).
    trainable : "all", "head" or sequence of str, default="all"
        Which parameters are trained: all, only the ``head`` (the rest is frozen, batch-norm
        statistics included), or those whose names start with one of the given prefixes
        (e.g. ``["features.conv4", "head"]``).
    warm_start : bool, default=False
        When fitted already, continue from the current weights instead of building the network
        anew (use with ``trainable="head"`` to fine-tune a loaded checkpoint's head).
    random_state : None or int, default=None
        Seeds the initialisation, the shuffling and the augmentation (torch's global generator
        is left as it was). ``None`` draws a seed, stored in ``seed_``.
    n_threads : int or None, default=None
        Torch threads while fitting and predicting (restored afterwards); ``None`` keeps
        torch's setting. Bitwise reproducibility holds for the same number of threads.
    progress : bool or "auto", default="auto"
        A tqdm progress bar over the training batches (all epochs), showing the epoch and the
        training and validation losses; ``"auto"``: in Jupyter only.
    device : "cpu", default="cpu"
        Only the CPU is supported: the course runs on laptops.

    Attributes
    ----------
    module_ : torch.nn.Module
        The trained network (in eval mode).
    classes_ : numpy array
        Class labels, in the order of the columns of ``predict_proba``.
    input_shape_ : tuple
        ``(C, H, W)`` of the training images.
    history_ : pandas.DataFrame
        One row per epoch: ``epoch``, ``train_loss``, ``val_loss`` (NaN without validation
        data), ``lr``.
    best_epoch_ : int
        The epoch whose weights were kept (the last one without early stopping).
    seed_ : int
        The seed actually used.

    Notes
    -----
    Pixel scaling: uint8 images are divided by 255; float images must already be in [0, 1]
    and are used as they are. Images are ``(n, H, W)`` (one channel) or ``(n, C, H, W)``
    (channels first).

    Loss: cross-entropy, each row weighted by ``sample_weight`` (normalised to mean 1 over the
    training set). To add a term (e.g. the RR-ClArC penalty of module 07), subclass and
    override :meth:`training_loss`.

    Examples
    --------
    >>> import numpy as np
    >>> from biaslab.models import ImageClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.integers(0, 256, size=(64, 28, 28), dtype=np.uint8)
    >>> y = (X[:, :14].mean(axis=(1, 2)) > X[:, 14:].mean(axis=(1, 2))).astype(int)
    >>> clf = ImageClassifier("fashion_cnn", epochs=1, random_state=0, progress=False).fit(X, y)
    >>> clf.predict_proba(X).shape, clf.features(X).shape
    ((64, 2), (64, 64))
    """

    def __init__(self, module, *, epochs=10, batch_size=128, lr=2e-3, weight_decay=1e-4, schedule="onecycle",
                 patience=None, augment_shift=0, trainable="all", warm_start=False, random_state=None,
                 n_threads=None, progress="auto", device="cpu"):
        self.module = module
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.schedule = schedule
        self.patience = patience
        self.augment_shift = augment_shift
        self.trainable = trainable
        self.warm_start = warm_start
        self.random_state = random_state
        self.n_threads = n_threads
        self.progress = progress
        self.device = device

    # ---------------------------------------------------------------- parameter checks

    def _check_params(self):
        def pos_int(value, name, minimum=1, allow_none=False):
            if value is None and allow_none:
                return None
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise TypeError(f"{name} must be an int of at least {minimum}, got {type(value).__name__}.")
            if value < minimum:
                raise ValueError(f"{name} must be at least {minimum}, got {value}.")
            return int(value)

        def pos_float(value, name, allow_zero=False):
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
                raise TypeError(f"{name} must be a finite number, got {value!r}.")
            if value < 0 or (value == 0 and not allow_zero):
                raise ValueError(f"{name} must be {'non-negative' if allow_zero else 'positive'}, got {value}.")
            return float(value)

        pos_int(self.epochs, "epochs")
        pos_int(self.batch_size, "batch_size")
        pos_float(self.lr, "lr")
        pos_float(self.weight_decay, "weight_decay", allow_zero=True)
        if self.schedule not in ("onecycle", "constant"):
            raise ValueError(f"schedule must be 'onecycle' or 'constant', got {self.schedule!r}.")
        pos_int(self.patience, "patience", allow_none=True)
        pos_int(self.augment_shift, "augment_shift", minimum=0)
        pos_int(self.n_threads, "n_threads", allow_none=True)
        if self.progress not in (True, False, "auto"):
            raise ValueError(f"progress must be True, False or 'auto', got {self.progress!r}.")
        if not isinstance(self.warm_start, (bool, np.bool_)):
            raise TypeError(f"warm_start must be True or False, got {type(self.warm_start).__name__}.")
        if self.device != "cpu" and str(self.device) != "cpu":
            raise ValueError(f"device must be 'cpu' (the course runs on the CPU), got {self.device!r}.")
        if self.random_state is not None:
            check_random_state(self.random_state)  # the error messages
        trainable = self.trainable
        if isinstance(trainable, str):
            if trainable not in ("all", "head"):
                raise ValueError(f"trainable must be 'all', 'head' or a list of parameter-name prefixes, got {trainable!r}.")
        elif not (isinstance(trainable, (list, tuple)) and trainable and all(isinstance(t, str) for t in trainable)):
            raise TypeError("trainable must be 'all', 'head' or a non-empty list of parameter-name prefixes.")

    def _show_progress(self) -> bool:
        return _in_notebook() if self.progress == "auto" else bool(self.progress)

    # ---------------------------------------------------------------- building

    def _build_module(self, n_classes: int) -> nn.Module:
        spec = self.module
        if isinstance(spec, nn.Module):
            return copy.deepcopy(spec)
        if isinstance(spec, str):
            if spec not in ARCHITECTURES:
                raise ValueError(f"module: unknown architecture {spec!r}; known: {', '.join(ARCHITECTURES)}.")
            spec = ARCHITECTURES[spec]
        if not callable(spec):
            raise TypeError(
                "module must be an architecture name, a function returning a torch.nn.Module, or a module; "
                f"got {type(spec).__name__}."
            )
        try:
            takes_n_classes = "n_classes" in inspect.signature(spec).parameters
        except (TypeError, ValueError):
            takes_n_classes = False
        net = spec(n_classes=n_classes) if takes_n_classes else spec()
        if not isinstance(net, nn.Module):
            raise TypeError(f"module() must return a torch.nn.Module, got {type(net).__name__}.")
        return net

    def _trainable_names(self, module: nn.Module) -> list[str]:
        names = [name for name, _ in module.named_parameters()]
        if self.trainable == "all":
            return names
        prefixes = [getattr(module, "head_layer", "head")] if self.trainable == "head" else list(self.trainable)
        chosen = [n for n in names if any(n == p or n.startswith(p + ".") for p in prefixes)]
        if not chosen:
            raise ValueError(f"trainable={self.trainable!r} matches no parameter of the module.")
        return chosen

    # ---------------------------------------------------------------- fitting

    def fit(self, X, y, *, sample_weight=None, X_val=None, y_val=None):
        """Train the network on images ``X`` and labels ``y``.

        Parameters
        ----------
        X : array (n, H, W) or (n, C, H, W), uint8 or float in [0, 1]
        y : array-like of class labels (ints or strings), length n
        sample_weight : array-like of non-negative floats, optional
        X_val, y_val : validation images and labels, optional
            Their loss is recorded each epoch (``history_``) and drives early stopping
            (``patience``).

        Returns
        -------
        self
        """
        self._check_params()
        X = check_images(X, "X")
        y = check_array_1d(y, "y")
        check_consistent_length(X=X, y=y)
        weights = check_sample_weight(sample_weight, len(y))
        if (X_val is None) != (y_val is None):
            raise ValueError("X_val and y_val must be given together (validation images and their labels).")
        if self.patience is not None and X_val is None:
            raise ValueError("patience (early stopping) needs validation data: pass X_val and y_val to fit.")

        continuing = bool(self.warm_start) and hasattr(self, "module_")
        if continuing:
            if X.shape[1:] != self.input_shape_:
                raise ValueError(f"X has images of shape {X.shape[1:]}, the model was trained on {self.input_shape_}.")
            classes = self.classes_
            unknown = np.setdiff1d(np.unique(y), classes)
            if unknown.size:
                raise ValueError(
                    f"y has labels {unknown[:5].tolist()} that the model does not know ({classes.tolist()}); "
                    "call reset_head(classes) first, or fit with warm_start=False."
                )
        else:
            classes = np.unique(y)
            if classes.size < 2:
                raise ValueError(f"y has a single class ({classes[0]!r}); at least two classes are needed.")
        y_idx = np.searchsorted(classes, y)
        if X_val is not None:
            X_val = check_images(X_val, "X_val")
            y_val = check_array_1d(y_val, "y_val")
            check_consistent_length(X_val=X_val, y_val=y_val)
            if X_val.shape[1:] != X.shape[1:]:
                raise ValueError(f"X_val has images of shape {X_val.shape[1:]} but X has {X.shape[1:]}.")
            unknown = np.setdiff1d(np.unique(y_val), classes)
            if unknown.size:
                raise ValueError(f"y_val has labels {unknown[:5].tolist()} that y does not have.")
            yv_idx = np.searchsorted(classes, y_val)

        seed = self._draw_seed()
        with torch_threads(self.n_threads), torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            if continuing:
                module = self.module_
            else:
                module = self._build_module(len(classes))
                self._check_output(module, X[:2], len(classes))
            self.seed_ = seed
            self.classes_ = classes
            self.input_shape_ = tuple(X.shape[1:])
            self.module_ = module
            history = self._train(module, X, y_idx, weights, X_val, yv_idx if X_val is not None else None, seed)
        self.history_ = pd.DataFrame(history, columns=["epoch", "train_loss", "val_loss", "lr"])
        return self

    def _draw_seed(self) -> int:
        if self.random_state is None:
            return int(np.random.default_rng().integers(2**31 - 1))
        if isinstance(self.random_state, np.random.Generator):
            return int(self.random_state.integers(2**31 - 1))
        return int(self.random_state)

    @staticmethod
    def _check_output(module, X_probe, n_classes):
        module.eval()
        with torch.no_grad():
            out = module(_to_tensor(X_probe))
        if not isinstance(out, torch.Tensor) or out.ndim != 2 or out.shape[1] != n_classes:
            shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
            raise ValueError(
                f"module must map images to logits of shape (n, {n_classes}) (one column per class of y); "
                f"it returned {shape}."
            )

    def training_loss(self, x: torch.Tensor, y: torch.Tensor, sample_weight: torch.Tensor) -> torch.Tensor:
        """The loss minimised on one training batch (override to add penalties).

        ``x`` is the float batch ``(b, C, H, W)``, ``y`` the class indices ``(b,)``,
        ``sample_weight`` the rows' weights ``(b,)`` (mean 1 over the training set). The network
        is ``self.module_``.
        """
        logits = self.module_(x)
        ce = nn.functional.cross_entropy(logits, y, reduction="none")
        return (ce * sample_weight).mean()

    def _set_train_mode(self, module):
        """Train mode for the trainable part; the frozen rest (batch norm included) stays in eval
        mode, so its running statistics do not move."""
        if self.trainable == "all":
            module.train()
            return
        module.eval()
        prefixes = [getattr(module, "head_layer", "head")] if self.trainable == "head" else list(self.trainable)
        modules = dict(module.named_modules())
        for prefix in prefixes:
            owner = prefix if prefix in modules else prefix.rsplit(".", 1)[0] if "." in prefix else None
            if owner in modules:
                modules[owner].train()

    def _train(self, module, X, y_idx, weights, X_val, yv_idx, seed):
        n = len(y_idx)
        bs = min(int(self.batch_size), n)
        steps_per_epoch = -(-n // bs)
        names = self._trainable_names(module)
        params = dict(module.named_parameters())
        frozen = [p for name, p in params.items() if name not in names]
        old_flags = {name: p.requires_grad for name, p in params.items()}
        for p in frozen:
            p.requires_grad_(False)
        trainable = [params[name] for name in names]
        opt = torch.optim.AdamW(trainable, lr=float(self.lr), weight_decay=float(self.weight_decay))
        sched = None
        if self.schedule == "onecycle":
            sched = torch.optim.lr_scheduler.OneCycleLR(
                opt, max_lr=float(self.lr), total_steps=int(self.epochs) * steps_per_epoch
            )
        gen = torch.Generator().manual_seed(seed)
        y_t = torch.from_numpy(y_idx.astype(np.int64))
        w = np.ones(n, dtype=np.float32) if weights is None else (weights / weights.mean()).astype(np.float32)
        w_t = torch.from_numpy(w)
        shift = int(self.augment_shift)
        show = self._show_progress()
        if show:
            from tqdm.auto import tqdm

        history, best = [], (np.inf, None, 0)
        waited = 0
        bar = tqdm(total=int(self.epochs) * steps_per_epoch, unit="batch") if show else None
        postfix = {}
        try:
            for epoch in range(1, int(self.epochs) + 1):
                self._set_train_mode(module)
                perm = torch.randperm(n, generator=gen)
                total, seen = 0.0, 0
                lr_now = opt.param_groups[0]["lr"]
                if bar is not None:
                    bar.set_description(f"epoch {epoch}/{self.epochs}")
                for start in range(0, n, bs):
                    idx = perm[start : start + bs]
                    x = _to_tensor(X[idx.numpy()])
                    if shift and torch.rand((), generator=gen) < 0.5:
                        dy, dx = torch.randint(-shift, shift + 1, (2,), generator=gen).tolist()
                        x = torch.roll(x, shifts=(dy, dx), dims=(2, 3))
                    opt.zero_grad(set_to_none=True)
                    loss = self.training_loss(x, y_t[idx], w_t[idx])
                    loss.backward()
                    opt.step()
                    if sched is not None:
                        sched.step()
                    total += float(loss.detach()) * len(idx)
                    seen += len(idx)
                    if bar is not None:
                        bar.update(1)
                        bar.set_postfix(postfix, train_loss=f"{total / seen:.4f}")
                module.eval()
                val_loss = self._loss_on(module, X_val, yv_idx) if X_val is not None else np.nan
                history.append((epoch, total / seen, val_loss, lr_now))
                if bar is not None and X_val is not None:
                    postfix = {"val_loss": f"{val_loss:.4f}"}
                if self.patience is not None:
                    if val_loss < best[0]:
                        best = (val_loss, copy.deepcopy(module.state_dict()), epoch)
                        waited = 0
                    else:
                        waited += 1
                        if waited >= self.patience:
                            break
        finally:
            if bar is not None:
                bar.close()
            for name, p in params.items():
                p.requires_grad_(old_flags[name])
            module.eval()
        if self.patience is not None and best[1] is not None:
            module.load_state_dict(best[1])
            self.best_epoch_ = best[2]
        else:
            self.best_epoch_ = history[-1][0]
        return history

    @torch.no_grad()
    def _loss_on(self, module, X, y_idx) -> float:
        total = 0.0
        for start in range(0, len(X), _PREDICT_BATCH):
            logits = module(_to_tensor(X[start : start + _PREDICT_BATCH]))
            target = torch.from_numpy(y_idx[start : start + _PREDICT_BATCH].astype(np.int64))
            total += float(nn.functional.cross_entropy(logits, target, reduction="sum"))
        return total / len(X)

    # ---------------------------------------------------------------- predicting

    def _check_fitted(self):
        if not hasattr(self, "module_"):
            raise NotFittedError(
                f"This {type(self).__name__} is not fitted yet: call fit(X, y) first, or load_checkpoint(...)."
            )

    def _check_X(self, X, name="X") -> np.ndarray:
        self._check_fitted()
        X = check_images(X, name)
        if tuple(X.shape[1:]) != tuple(self.input_shape_):
            raise ValueError(
                f"{name} has images of shape {tuple(X.shape[1:])} (C, H, W), but the model was trained on "
                f"{tuple(self.input_shape_)}."
            )
        return X

    def logits(self, X) -> np.ndarray:
        """Raw network outputs, ``(n, n_classes)``."""
        X = self._check_X(X)
        module = self.module_
        module.eval()
        out = []
        with torch_threads(self.n_threads), torch.no_grad():
            for start in range(0, len(X), _PREDICT_BATCH):
                out.append(module(_to_tensor(X[start : start + _PREDICT_BATCH])).numpy())
        return np.concatenate(out).astype(np.float64)

    def decision_function(self, X) -> np.ndarray:
        """Scores: for two classes, ``logit[1] - logit[0]`` (n,), positive means ``classes_[1]``;
        otherwise the logits ``(n, n_classes)``."""
        z = self.logits(X)
        return z[:, 1] - z[:, 0] if z.shape[1] == 2 else z

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities (softmax of the logits), ``(n, n_classes)``."""
        z = self.logits(X)
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, X) -> np.ndarray:
        """The most probable class of each image."""
        logits = self.logits(X)
        return self.classes_[np.argmax(logits, axis=1)]

    # ---------------------------------------------------------------- inside the network

    @property
    def layer_names(self) -> list[str]:
        """Names of the network's layers, for :meth:`activations`."""
        self._check_fitted()
        return [name for name, _ in self.module_.named_modules() if name]

    def _get_layer(self, layer) -> nn.Module:
        if not isinstance(layer, str):
            raise TypeError(f"layer must be a layer name (str), got {type(layer).__name__}.")
        layers = dict(self.module_.named_modules())
        if layer not in layers or not layer:
            shown = ", ".join(n for n in layers if n and n.count(".") <= 1)
            raise ValueError(f"layer {layer!r} is not a layer of the network; its layers are {shown} (and their parts).")
        return layers[layer]

    def activations(self, X, layer: str, *, pool=None) -> np.ndarray:
        """Output of the named layer for each image, float32 ``(n, ...)``.

        Parameters
        ----------
        X : images
        layer : str
            A name from :attr:`layer_names`, e.g. ``"features.conv4"`` (the last conv layer,
            ``(n, channels, h, w)``), ``"features.pool"`` (the embedding) or ``"head"``.
        pool : None, "max" or "mean"
            Pool a ``(n, channels, h, w)`` output over space to ``(n, channels)`` (the CAVs of
            module 07 use ``"max"``).
        """
        if pool not in (None, "max", "mean"):
            raise ValueError(f"pool must be None, 'max' or 'mean', got {pool!r}.")
        X = self._check_X(X)
        target = self._get_layer(layer)
        module = self.module_
        module.eval()
        captured = []

        def hook(_mod, _inp, out):
            captured.append(out.detach())
            raise _StopForward

        chunks = []
        handle = target.register_forward_hook(hook)
        try:
            with torch_threads(self.n_threads), torch.no_grad():
                for start in range(0, len(X), _PREDICT_BATCH):
                    captured.clear()
                    try:
                        module(_to_tensor(X[start : start + _PREDICT_BATCH]))
                    except _StopForward:
                        pass
                    if not captured:
                        raise ValueError(f"layer {layer!r} is not used in the network's forward pass.")
                    chunks.append(_pool(captured[0], pool, layer).numpy())
        finally:
            handle.remove()
        return np.concatenate(chunks)

    def features(self, X) -> np.ndarray:
        """The penultimate embedding (the head's input), ``(n, d)``.

        The output of the network's ``embedding_layer`` (``"features.pool"`` for the course's
        CNNs); for another network, the input of its last ``nn.Linear``.
        """
        self._check_fitted()
        name = getattr(self.module_, "embedding_layer", None)
        if name is not None:
            return self.activations(X, name)
        X = self._check_X(X)
        linears = [m for m in self.module_.modules() if isinstance(m, nn.Linear)]
        if not linears:
            raise ValueError("The network has no embedding_layer attribute and no nn.Linear layer.")
        captured = []

        def pre_hook(_mod, inp):
            captured.append(inp[0].detach())
            raise _StopForward

        chunks = []
        handle = linears[-1].register_forward_pre_hook(pre_hook)
        try:
            with torch_threads(self.n_threads), torch.no_grad():
                for start in range(0, len(X), _PREDICT_BATCH):
                    captured.clear()
                    try:
                        self.module_(_to_tensor(X[start : start + _PREDICT_BATCH]))
                    except _StopForward:
                        pass
                    chunks.append(captured[0].reshape(len(captured[0]), -1).numpy())
        finally:
            handle.remove()
        return np.concatenate(chunks)

    def activation_gradients(self, X, layer: str, *, class_index=None) -> tuple[np.ndarray, np.ndarray]:
        """Activations of ``layer`` and the gradient of one logit per image with respect to them.

        Parameters
        ----------
        X : images
        layer : str
            A layer name, e.g. ``"features.conv4"``.
        class_index : None, int or array of ints
            Whose logit: the predicted class (``None``), one class for all images, or one per
            image (indices into ``classes_``).

        Returns
        -------
        activations, gradients : float32 arrays of the layer's output shape ``(n, ...)``
            For TCAV: the directional derivative along a CAV ``h`` is
            ``(gradients.mean(axis=(2, 3)) * h).sum(1)`` for a conv layer.
        """
        X = self._check_X(X)
        target = self._get_layer(layer)
        n_classes = len(self.classes_)
        if class_index is not None:
            idx = np.asarray(class_index)
            if idx.dtype.kind not in "iu" or (idx.ndim == 1 and len(idx) != len(X)) or idx.ndim > 1:
                raise ValueError("class_index must be None, an int or one int per image.")
            if idx.size and (idx.min() < 0 or idx.max() >= n_classes):
                raise ValueError(f"class_index must be between 0 and {n_classes - 1}.")
            idx = np.broadcast_to(idx, (len(X),))
        module = self.module_
        module.eval()
        captured = []

        def hook(_mod, _inp, out):
            out.retain_grad()
            captured.append(out)

        acts, grads = [], []
        handle = target.register_forward_hook(hook)
        try:
            with torch_threads(self.n_threads):
                for start in range(0, len(X), _PREDICT_BATCH):
                    captured.clear()
                    x = _to_tensor(X[start : start + _PREDICT_BATCH])
                    logits = module(x)
                    if not captured:
                        raise ValueError(f"layer {layer!r} is not used in the network's forward pass.")
                    rows = torch.arange(len(x))
                    cls = logits.argmax(1) if class_index is None else torch.from_numpy(
                        np.ascontiguousarray(idx[start : start + len(x)], dtype=np.int64))
                    logits[rows, cls].sum().backward()
                    acts.append(captured[0].detach().numpy())
                    grads.append(captured[0].grad.numpy())
                    module.zero_grad(set_to_none=True)
        finally:
            handle.remove()
        return np.concatenate(acts), np.concatenate(grads)

    def reset_head(self, classes=None, *, random_state=None):
        """Replace the head by a freshly initialised linear layer (for ``classes``, default the
        current ones) and return ``self``; then ``set_params(trainable="head", warm_start=True)``
        and ``fit`` train it on top of the frozen features."""
        self._check_fitted()
        module = self.module_
        name = getattr(module, "head_layer", None)
        old = getattr(module, name, None) if name else None
        if not isinstance(old, nn.Linear):
            raise ValueError("reset_head needs a network whose head_layer attribute names an nn.Linear (like SmallCNN).")
        classes = self.classes_ if classes is None else np.unique(check_array_1d(classes, "classes"))
        if len(classes) < 2:
            raise ValueError("classes must hold at least two labels.")
        seed = self._draw_seed() if random_state is None else int(random_state)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            setattr(module, name, nn.Linear(old.in_features, len(classes)))
        if hasattr(module, "n_classes"):
            module.n_classes = len(classes)
        if isinstance(getattr(module, "config", None), dict):
            module.config["n_classes"] = len(classes)
        self.classes_ = np.asarray(classes)
        return self

    def n_parameters(self) -> int:
        """Number of parameters of the fitted network."""
        self._check_fitted()
        return sum(p.numel() for p in self.module_.parameters())


def _pool(t: torch.Tensor, pool, layer) -> torch.Tensor:
    if pool is None:
        return t
    if t.ndim != 4:
        raise ValueError(f"pool={pool!r} needs a layer with a spatial output (n, c, h, w); {layer!r} gives {tuple(t.shape)}.")
    return t.amax(dim=(2, 3)) if pool == "max" else t.mean(dim=(2, 3))
