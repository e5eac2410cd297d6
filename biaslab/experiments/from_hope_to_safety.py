"""The controlled setting of "From hope to safety" (RR-ClArC) on Fashion-MNIST (modules 06-07).

A share of one class's training images carries an artifact; a CNN trained on them learns the
shortcut. :func:`attacked_fashion_mnist` builds the data (one definition for the shipped
checkpoint ``fashion_cnn_stamp_shirt``, ``benchmarks/bench_clarc.py`` and the notebooks) and
:func:`train_attacked_model` trains the model the checkpoint holds.
"""

from __future__ import annotations

import functools
import math
import numbers
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

__all__ = ["ATTACK", "CLASS_NAMES", "CHECKPOINT", "attacked_fashion_mnist", "train_attacked_model",
           "CLARC_FINE_TUNE", "CLARC_LAMBDAS", "CLARC_SEEDS", "CLARC_ROW_METHODS", "CLARC_COLUMNS",
           "CLARC_RESULTS_FILE", "METHOD_LABELS", "RESULTS_DIR", "clarc_setting", "corrected_model",
           "evaluate_clarc", "clarc_comparison", "write_clarc_results", "load_clarc_results", "summarise_clarc"]

#: The setting of the shipped checkpoint: a white corner stamp in half of the "Shirt" images.
ATTACK = {"n_train": 12_000, "n_test": 5_000, "target_class": 6, "share": 0.5, "kind": "stamp", "seed": 0,
          "epochs": 4}
CHECKPOINT = "fashion_cnn_stamp_shirt"
CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot")


def attacked_fashion_mnist(*, n_train=ATTACK["n_train"], n_test=ATTACK["n_test"], target_class=ATTACK["target_class"],
                           share=ATTACK["share"], kind=ATTACK["kind"], seed=ATTACK["seed"]) -> Bunch:
    """Fashion-MNIST with the artifact in ``share`` of class ``target_class``'s training images.

    Returns a Bunch: ``X``, ``y`` (training images with the artifact where ``changed``),
    ``changed``, ``X_test``, ``y_test`` (clean test images), ``X_test_attacked`` (the artifact in
    every test image), ``target_class``, ``kind``, ``share``.
    """
    from ..datasets import add_artifact, load_fashion_mnist

    train = load_fashion_mnist(subset="train")
    test = load_fashion_mnist(subset="test")
    X, y = train.images[:n_train], train.target[:n_train]
    Xt, yt = test.images[:n_test], test.target[:n_test]
    poisoned = add_artifact(X, y, target_class=target_class, share=share, kind=kind, random_state=seed)
    attacked = add_artifact(Xt, None, target_class=None, share=1.0, kind=kind, random_state=seed + 1)
    return Bunch(X=poisoned.images, y=y, changed=poisoned.changed, X_test=Xt, y_test=yt,
                 X_test_attacked=attacked.images, target_class=target_class, kind=kind, share=share)


def train_attacked_model(data: Bunch, *, epochs=ATTACK["epochs"], seed=ATTACK["seed"], progress="auto"):
    """Train ``fashion_cnn`` on the attacked training set (what the shipped checkpoint holds)."""
    from ..models import ImageClassifier

    return ImageClassifier("fashion_cnn", epochs=epochs, random_state=seed, n_threads=2,
                           progress=progress).fit(data.X, data.y)


# --------------------------------------------------------------------------------------------
# the ClArC comparison of module 07 (scripts/make_clarc_results.py ships it)

#: Folder of the shipped precomputed results (package data).
RESULTS_DIR = Path(__file__).resolve().parent / "results"

#: File name of the shipped comparison, in :data:`RESULTS_DIR`.
CLARC_RESULTS_FILE = "clarc_comparison.csv"

#: How every corrected head is made: fine-tuned on the first ``n_fine_tune`` (attacked) training
#: images, as ``benchmarks/bench_clarc.py`` does.
CLARC_FINE_TUNE = {"n_fine_tune": 4_000, "epochs": 3, "lr": 1e-3, "batch_size": 128}

#: RR-ClArC's lambda grid (log spaced) and the fine-tuning seeds of the shipped comparison.
CLARC_LAMBDAS = (1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1e3, 3e3, 1e4, 3e4, 1e5, 3e5, 1e6)
CLARC_SEEDS = (0, 1, 2)

#: The rows of the comparison: the uncorrected model, then the four methods of the paper.
CLARC_ROW_METHODS = ("original", "vanilla", "p_clarc", "a_clarc", "rr_clarc")
CLARC_COLUMNS = ("method", "lam", "seed", "clean_acc", "attacked_acc", "tcav_sensitivity", "tcav_score")
METHOD_LABELS = {"original": "original (attacked) model", "vanilla": "Vanilla", "p_clarc": "P-ClArC",
                 "a_clarc": "A-ClArC", "rr_clarc": "RR-ClArC"}


def clarc_setting(data: Bunch | None = None, model=None) -> Bunch:
    """Everything the ClArC comparison shares: data, model, the signal CAV and cached activations.

    Parameters
    ----------
    data : Bunch, optional
        From :func:`attacked_fashion_mnist` (default: its shipped setting).
    model : ImageClassifier, optional
        The attacked model (default: the shipped checkpoint :data:`CHECKPOINT`).

    Returns
    -------
    Bunch
        ``data``, ``model``, ``layer`` (its last conv layer), ``cav`` (the unit signal CAV over
        the attacked class's training images, artifact vs clean, as in the paper's code),
        ``X_fine``/``y_fine`` (the fine-tuning images), ``clean_class`` (clean training images
        of the attacked class, P-ClArC's reference), ``artifact_images`` (A-ClArC's),
        ``artifact_test`` (attacked test images of the attacked class, for TCAV), and the layer's
        activations (computed once: the methods only change what comes after the layer) of the
        fine-tuning images and the clean and attacked test sets (``acts_fine``, ``acts_test``,
        ``acts_test_attacked``).
    """
    import torch

    from ..explain import compute_cav, layer_activations
    from ..models import load_checkpoint

    if data is None:
        data = attacked_fashion_mnist()
    elif not isinstance(data, Bunch) or not {"X", "y", "changed", "X_test", "X_test_attacked"} <= set(data):
        raise TypeError("data must be the Bunch returned by attacked_fashion_mnist().")
    if model is None:
        model = load_checkpoint(CHECKPOINT)
    module = getattr(model, "module_", None)
    if module is None or not hasattr(module, "last_conv_layer"):
        raise TypeError(f"model must be a fitted biaslab ImageClassifier (e.g. load_checkpoint({CHECKPOINT!r})), "
                        f"got {type(model).__name__}.")
    layer = module.last_conv_layer
    target = data.target_class
    in_class = data.y == target
    cav = compute_cav(layer_activations(model, data.X[in_class], layer=layer), data.changed[in_class],
                      method="signal")
    n = CLARC_FINE_TUNE["n_fine_tune"]
    X_fine = data.X[:n]
    acts = {key: torch.as_tensor(layer_activations(model, images, layer=layer, pool="none"))
            for key, images in (("fine", X_fine), ("test", data.X_test), ("test_attacked", data.X_test_attacked))}
    return Bunch(data=data, model=model, layer=layer, cav=cav, X_fine=X_fine, y_fine=data.y[:n],
                 clean_class=data.X[in_class & ~data.changed], artifact_images=data.X[data.changed],
                 artifact_test=data.X_test_attacked[data.y_test == target], acts_fine=acts["fine"],
                 acts_test=acts["test"], acts_test_attacked=acts["test_attacked"])


def corrected_model(setting: Bunch, method: str, *, lam: float = 0.0, seed: int = 0):
    """One corrected model of the comparison (``method`` in :data:`CLARC_ROW_METHODS`).

    ``"original"`` is the attacked model itself (as a ``ClarcModel`` cut at the same layer);
    ``lam`` is used by ``"rr_clarc"`` only (and must be positive there); ``seed`` is the
    fine-tuning's ``random_state``.
    """
    import copy

    from .._validation import check_choice
    from ..mitigations import ClarcModel, a_clarc, p_clarc, rr_clarc, vanilla_fine_tune
    from ..mitigations._clarc import _make_clarc_module, _split

    check_choice(method, "method", CLARC_ROW_METHODS)
    if isinstance(lam, bool) or not isinstance(lam, numbers.Real) or not math.isfinite(lam) or lam < 0:
        raise ValueError(f"lam must be a non-negative number, got {lam!r}.")
    if method == "rr_clarc" and lam <= 0:
        raise ValueError("lam must be positive for rr_clarc (lam=0 is Vanilla fine-tuning).")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}.")
    if not isinstance(setting, Bunch) or "acts_fine" not in setting:
        raise TypeError("setting must be the Bunch returned by clarc_setting().")
    s = setting
    fine = {k: v for k, v in CLARC_FINE_TUNE.items() if k != "n_fine_tune"}
    fine.update(random_state=int(seed), activations=s.acts_fine)
    if method == "original":
        features, head = (copy.deepcopy(part).eval() for part in _split(s.model))
        return ClarcModel(_make_clarc_module(features, head), "original", {})
    if method == "p_clarc":
        return p_clarc(s.model, s.cav, clean_images=s.clean_class)
    if method == "vanilla":
        return vanilla_fine_tune(s.model, s.X_fine, s.y_fine, **fine)
    if method == "a_clarc":
        return a_clarc(s.model, s.X_fine, s.y_fine, s.cav, artifact_images=s.artifact_images, **fine)
    return rr_clarc(s.model, s.X_fine, s.y_fine, s.cav, lam=float(lam), **fine)


def evaluate_clarc(setting: Bunch, corrected) -> dict:
    """Clean and attacked test accuracy, TCAV sensitivity and score of one model of the comparison.

    TCAV uses the attacked class's test images with the artifact, along the setting's CAV: the
    sensitivity is the mean ``|g . h|`` (lower: the class logit reacts less to the artifact), the
    score the share of images with ``g . h > 0``.
    """
    from ..explain import tcav_score, tcav_sensitivity
    from ..mitigations import ClarcModel

    if not isinstance(setting, Bunch) or "acts_test" not in setting:
        raise TypeError("setting must be the Bunch returned by clarc_setting().")
    if not isinstance(corrected, ClarcModel):
        raise TypeError(f"corrected must be a ClarcModel (from corrected_model), got {type(corrected).__name__}.")
    s = setting
    y_test = np.asarray(s.data.y_test)
    clean = corrected.logits_from_activations(s.acts_test).argmax(1).numpy()
    attacked = corrected.logits_from_activations(s.acts_test_attacked).argmax(1).numpy()
    layer = corrected.layer
    target = int(s.data.target_class)
    return {"clean_acc": float(np.mean(clean == y_test)), "attacked_acc": float(np.mean(attacked == y_test)),
            "tcav_sensitivity": tcav_sensitivity(corrected, s.artifact_test, s.cav, layer=layer, target_class=target),
            "tcav_score": tcav_score(corrected, s.artifact_test, s.cav, layer=layer, target_class=target)}


def clarc_comparison(methods=CLARC_ROW_METHODS, *, lambdas=CLARC_LAMBDAS, seeds=CLARC_SEEDS, setting=None,
                     progress=False) -> pd.DataFrame:
    """Vanilla, P-, A- and RR-ClArC (each lambda) on the attacked model, for each fine-tuning seed.

    A few seconds per row on 2 CPU cores once the setting exists (making it, i.e. the layer's
    activations of 14,000 images, takes about half a minute); the shipped comparison
    (:func:`load_clarc_results`) holds the full grid.

    Parameters
    ----------
    methods : sequence of str
        From :data:`CLARC_ROW_METHODS`.
    lambdas : sequence of float
        RR-ClArC's penalty weights (positive); one row per lambda.
    seeds : sequence of int
        Fine-tuning seeds. P-ClArC and the original model do not train: their rows repeat.
    setting : Bunch, optional
        From :func:`clarc_setting` (made if not given; pass it to reuse its cached activations).
    progress : bool
        Print one line per row.

    Returns
    -------
    pandas.DataFrame with columns :data:`CLARC_COLUMNS` (``lam`` is 0 except for RR-ClArC).
    """
    from .._validation import check_choice

    if isinstance(methods, str):
        methods = [methods]
    methods = [check_choice(m, "methods", CLARC_ROW_METHODS) for m in methods]
    lambdas, seeds = list(np.atleast_1d(lambdas)), list(np.atleast_1d(seeds))
    if not methods or not seeds or ("rr_clarc" in methods and not lambdas):
        raise ValueError("methods, seeds (and lambdas, for rr_clarc) must not be empty.")
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be True or False, got {type(progress).__name__}.")
    setting = clarc_setting() if setting is None else setting
    rows = []
    for method in methods:
        for lam in (lambdas if method == "rr_clarc" else [0.0]):
            for seed in seeds:
                start = time.perf_counter()
                result = evaluate_clarc(setting, corrected_model(setting, method, lam=float(lam), seed=int(seed)))
                rows.append({"method": method, "lam": float(lam), "seed": int(seed), **result})
                if progress:
                    print(f"{method:<9} lam={float(lam):<8g} seed={int(seed)}: clean {result['clean_acc']:.3f}, "
                          f"attacked {result['attacked_acc']:.3f}, TCAV {result['tcav_sensitivity']:.4f} "
                          f"({time.perf_counter() - start:.1f} s)", flush=True)
    return pd.DataFrame(rows, columns=list(CLARC_COLUMNS))


def write_clarc_results(results: pd.DataFrame, path) -> Path:
    """Write a :func:`clarc_comparison` frame to CSV (10 significant digits, a comment header)."""
    if not isinstance(results, pd.DataFrame) or list(results.columns) != list(CLARC_COLUMNS):
        raise TypeError("results must be a DataFrame returned by clarc_comparison().")
    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a str or Path, got {type(path).__name__}.")
    path = Path(path)
    header = (f"# made by scripts/make_clarc_results.py: clarc_comparison() on checkpoint {CHECKPOINT}\n"
              f"# attack: {ATTACK}\n# fine-tuning: {CLARC_FINE_TUNE}\n")
    path.write_text(header + results.to_csv(index=False, float_format="%.10g", lineterminator="\n"),
                    encoding="utf-8")
    return path


@functools.lru_cache(maxsize=1)
def _read_clarc_results() -> pd.DataFrame:
    path = RESULTS_DIR / CLARC_RESULTS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"The shipped comparison {path} is missing; run scripts/make_clarc_results.py.")
    return pd.read_csv(path, comment="#")


def load_clarc_results(methods=None, *, lambdas=None, seeds=None, recompute=False, progress=False) -> pd.DataFrame:
    """The shipped ClArC comparison (one row per method, lambda and seed), or part of it recomputed.

    Loading takes milliseconds; ``recompute=True`` runs :func:`clarc_comparison` on the chosen
    part now (workshop mode: the first call takes about half a minute on 2 free CPU cores, as it
    computes the layer's activations of 14,000 images once; each further setting a few seconds).

    Parameters
    ----------
    methods : str or sequence of str, optional
        Rows of these methods only (default all of :data:`CLARC_ROW_METHODS`).
    lambdas : float or sequence of float, optional
        RR-ClArC's lambdas (default the shipped grid :data:`CLARC_LAMBDAS`).
    seeds : int or sequence of int, optional
        Fine-tuning seeds (default :data:`CLARC_SEEDS`).
    recompute : bool, default=False
        Train and evaluate now instead of reading the shipped file.
    progress : bool, default=False
        With ``recompute=True``: print one line per row.

    Returns
    -------
    pandas.DataFrame with columns :data:`CLARC_COLUMNS`.

    Examples
    --------
    >>> from biaslab.experiments.from_hope_to_safety import load_clarc_results
    >>> results = load_clarc_results()
    >>> sorted(results["method"].unique())
    ['a_clarc', 'original', 'p_clarc', 'rr_clarc', 'vanilla']
    """
    from .._validation import check_choice

    for name, flag in (("recompute", recompute), ("progress", progress)):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False, got {type(flag).__name__}.")
    methods = list(CLARC_ROW_METHODS) if methods is None else [methods] if isinstance(methods, str) else list(methods)
    methods = [check_choice(m, "methods", CLARC_ROW_METHODS) for m in methods]
    lambdas = CLARC_LAMBDAS if lambdas is None else tuple(float(v) for v in np.atleast_1d(lambdas))
    seeds = CLARC_SEEDS if seeds is None else tuple(int(v) for v in np.atleast_1d(seeds))
    if recompute:
        frame = clarc_comparison(methods, lambdas=lambdas, seeds=seeds, setting=_shared_setting(),
                                 progress=bool(progress))
        frame.attrs["source"] = "recomputed live (clarc_comparison)"
        return frame
    full = _read_clarc_results()
    keep = full["method"].isin(methods) & full["seed"].isin(seeds)
    keep &= (full["method"] != "rr_clarc") | np.isclose(full["lam"].to_numpy()[:, None], np.array(lambdas)).any(1)
    frame = full[keep].reset_index(drop=True)
    if frame.empty:
        raise ValueError("no shipped rows match these methods, lambdas and seeds "
                         f"(shipped lambdas {CLARC_LAMBDAS}, seeds {CLARC_SEEDS}); pass recompute=True to run them.")
    frame.attrs["source"] = f"shipped: {CLARC_RESULTS_FILE} (scripts/make_clarc_results.py)"
    return frame


@functools.lru_cache(maxsize=1)
def _shared_setting() -> Bunch:
    return clarc_setting()


def summarise_clarc(results: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation over seeds, per method and lambda.

    Returns a frame with ``method``, ``lam``, ``label`` (a readable name), ``n_seeds`` and
    ``<metric>_mean`` / ``<metric>_std`` for each metric of :data:`CLARC_COLUMNS`.

    Examples
    --------
    >>> from biaslab.experiments.from_hope_to_safety import load_clarc_results, summarise_clarc
    >>> summary = summarise_clarc(load_clarc_results(["vanilla", "p_clarc"]))
    >>> summary["label"].tolist()
    ['Vanilla', 'P-ClArC']
    """
    if not isinstance(results, pd.DataFrame) or not set(CLARC_COLUMNS) <= set(results.columns):
        raise TypeError("results must be a DataFrame with the columns of clarc_comparison() / load_clarc_results().")
    if results.empty:
        raise ValueError("results is empty.")
    metrics = list(CLARC_COLUMNS[3:])
    order = {m: i for i, m in enumerate(CLARC_ROW_METHODS)}
    grouped = results.groupby(["method", "lam"], sort=False)[metrics]
    summary = grouped.mean().add_suffix("_mean").join(grouped.std(ddof=0).add_suffix("_std"))
    summary = summary.join(grouped.size().rename("n_seeds")).reset_index()
    summary["label"] = [METHOD_LABELS[m] + (f" (lambda={lam:g})" if m == "rr_clarc" else "")
                        for m, lam in zip(summary["method"], summary["lam"])]
    summary = summary.sort_values(["method", "lam"], key=lambda c: c.map(order) if c.name == "method" else c)
    cols = ["method", "lam", "label", "n_seeds"] + [f"{m}_{s}" for m in metrics for s in ("mean", "std")]
    return summary[cols].reset_index(drop=True)
