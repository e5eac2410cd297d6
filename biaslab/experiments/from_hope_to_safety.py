"""The controlled setting of "From hope to safety" (RR-ClArC) on Fashion-MNIST (modules 06-07).

A share of one class's training images carries an artifact; a CNN trained on them learns the
shortcut. :func:`attacked_fashion_mnist` builds the data (one definition for the shipped
checkpoints, ``benchmarks/bench_clarc.py`` and the notebooks) and :func:`train_attacked_model`
trains the model a checkpoint holds.

The network is shaped like the paper's VGG16 (``fashion_vgg``: conv blocks, then three dense
layers with ReLU and dropout), the CAV lives at its last conv layer, and every correction
fine-tunes only the layers after it, as the paper's code does. Two of the paper's controlled
artifact kinds (:data:`ARTIFACTS`): a localised mark (a corner stamp; the paper's ImageNet
timestamp and ISIC trigger are localised too) and the brightening of its Bone Age setting.
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

__all__ = ["ATTACK", "ARTIFACTS", "CLASS_NAMES", "CHECKPOINT", "CHECKPOINTS_BY_ARTIFACT", "ARCHITECTURE",
           "attack_for", "attacked_fashion_mnist", "train_attacked_model",
           "CLARC_FINE_TUNE", "CLARC_BUDGETS", "CLARC_LAMBDAS", "CLARC_SEEDS", "CLARC_ROW_METHODS", "CLARC_COLUMNS",
           "CLARC_RESULTS_FILE", "CLARC_RESULTS_FILES", "METHOD_LABELS", "RESULTS_DIR", "clarc_setting",
           "corrected_model", "evaluate_clarc", "clarc_comparison", "write_clarc_results", "load_clarc_results",
           "summarise_clarc", "PAPER_SHAPE", "clarc_shape_table", "budget_check", "chosen_budget",
           "CLARC_DIAGNOSTICS_FILE", "best_rr_lambda", "clarc_diagnostics", "load_clarc_diagnostics",
           "write_clarc_diagnostics"]

#: The network of modules 06-07: VGG-shaped (conv blocks, then dense layers with ReLU and dropout).
ARCHITECTURE = "fashion_vgg"

#: The setting of the shipped checkpoint of module 06: a white corner stamp in half of the "Shirt"
#: images; ``epochs``/``lr`` train the attacked model.
ATTACK = {"n_train": 12_000, "n_test": 5_000, "target_class": 6, "share": 0.5, "kind": "stamp", "seed": 0,
          "epochs": 4, "lr": 3e-3}

#: The artifact kinds of the comparison and what differs from :data:`ATTACK`: the paper's shares
#: (ImageNet timestamp 50% of one class; Bone Age brightening ``x * 0.7 + 0.3 * 255``, 20%).
ARTIFACTS = {"stamp": {"kind": "stamp", "share": 0.5}, "brighten": {"kind": "brighten", "share": 0.2}}

#: The shipped attacked model of each artifact kind (``scripts/train_checkpoints.py``).
CHECKPOINTS_BY_ARTIFACT = {"stamp": "fashion_vgg_stamp_shirt", "brighten": "fashion_vgg_brighten_shirt"}
CHECKPOINT = CHECKPOINTS_BY_ARTIFACT["stamp"]
CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot")

#: Held-out images for the fine-tuning budget check (never the test set): the last 5,000
#: Fashion-MNIST training images, which no model of the course trains on.
_VALIDATION = slice(55_000, 60_000)


def attack_for(artifact: str = "stamp") -> dict:
    """:data:`ATTACK` with the kind and share of one of :data:`ARTIFACTS`."""
    from .._validation import check_choice

    check_choice(artifact, "artifact", tuple(ARTIFACTS))
    return {**ATTACK, **ARTIFACTS[artifact]}


def attacked_fashion_mnist(*, n_train=ATTACK["n_train"], n_test=ATTACK["n_test"], target_class=ATTACK["target_class"],
                           share=None, kind=None, seed=ATTACK["seed"], artifact=None) -> Bunch:
    """Fashion-MNIST with the artifact in ``share`` of class ``target_class``'s training images.

    ``artifact`` (a key of :data:`ARTIFACTS`) sets ``kind`` and ``share`` to that setting; by
    default they are :data:`ATTACK`'s (the stamp in half of the Shirt images).

    Returns a Bunch: ``X``, ``y`` (training images with the artifact where ``changed``),
    ``changed``, ``X_test``, ``y_test`` (clean test images), ``X_test_attacked`` (the artifact in
    every test image), ``X_val``, ``y_val``, ``X_val_attacked`` (5,000 held-out training images,
    clean and with the artifact: for choosing settings without the test set), ``target_class``,
    ``kind``, ``share``.
    """
    from ..datasets import add_artifact, load_fashion_mnist

    setting = attack_for(artifact) if artifact is not None else dict(ATTACK)
    kind = setting["kind"] if kind is None else kind
    share = setting["share"] if share is None else share
    train = load_fashion_mnist(subset="train")
    test = load_fashion_mnist(subset="test")
    X, y = train.images[:n_train], train.target[:n_train]
    Xt, yt = test.images[:n_test], test.target[:n_test]
    Xv, yv = train.images[_VALIDATION], train.target[_VALIDATION]
    poisoned = add_artifact(X, y, target_class=target_class, share=share, kind=kind, random_state=seed)
    attacked = add_artifact(Xt, None, target_class=None, share=1.0, kind=kind, random_state=seed + 1)
    attacked_val = add_artifact(Xv, None, target_class=None, share=1.0, kind=kind, random_state=seed + 2)
    return Bunch(X=poisoned.images, y=y, changed=poisoned.changed, X_test=Xt, y_test=yt,
                 X_test_attacked=attacked.images, X_val=Xv, y_val=yv, X_val_attacked=attacked_val.images,
                 target_class=target_class, kind=kind, share=share)


def train_attacked_model(data: Bunch, *, epochs=ATTACK["epochs"], lr=ATTACK["lr"], seed=ATTACK["seed"], n_threads=2,
                         progress="auto"):
    """Train ``fashion_vgg`` on the attacked training set (what the shipped checkpoints hold)."""
    from ..models import ImageClassifier

    return ImageClassifier(ARCHITECTURE, epochs=epochs, lr=lr, random_state=seed, n_threads=n_threads,
                           progress=progress).fit(data.X, data.y)


# --------------------------------------------------------------------------------------------
# the ClArC comparison of module 07 (scripts/make_clarc_results.py ships it)

#: Folder of the shipped precomputed results (package data).
RESULTS_DIR = Path(__file__).resolve().parent / "results"

#: File of the shipped comparison of each artifact kind, in :data:`RESULTS_DIR`.
CLARC_RESULTS_FILES = {artifact: f"clarc_comparison_{artifact}.csv" for artifact in ARTIFACTS}
CLARC_RESULTS_FILE = CLARC_RESULTS_FILES["stamp"]

#: The fine-tuning budgets the budget check compares on held-out images (:func:`budget_check`):
#: our earlier short one and the paper's (10 epochs on the whole training set).
CLARC_BUDGETS = ({"n_fine_tune": 4_000, "epochs": 3, "lr": 1e-3, "batch_size": 128},
                 {"n_fine_tune": 12_000, "epochs": 10, "lr": 1e-3, "batch_size": 128})

#: How every corrected head of the shipped comparison is made (the budget the check chose; the
#: fine-tuning images are the first ``n_fine_tune`` attacked training images).
CLARC_FINE_TUNE = dict(CLARC_BUDGETS[0])

#: RR-ClArC's lambda grid (log spaced, as the paper's 0.05 to 1e7) and the fine-tuning seeds.
CLARC_LAMBDAS = (1.0, 10.0, 100.0, 300.0, 1e3, 3e3, 1e4, 3e4, 1e5, 3e5, 1e6, 1e7)
CLARC_SEEDS = (0, 1, 2)

#: The rows of the comparison: the uncorrected model, then the four methods of the paper.
CLARC_ROW_METHODS = ("original", "vanilla", "p_clarc", "a_clarc", "rr_clarc")
CLARC_COLUMNS = ("method", "lam", "seed", "clean_acc", "attacked_acc", "tcav_sensitivity", "tcav_score")
METHOD_LABELS = {"original": "original (attacked) model", "vanilla": "Vanilla", "p_clarc": "P-ClArC",
                 "a_clarc": "A-ClArC", "rr_clarc": "RR-ClArC"}


def clarc_setting(data: Bunch | None = None, model=None, *, artifact: str = "stamp",
                  fine_tune: dict | None = None, validation: bool = False) -> Bunch:
    """Everything the ClArC comparison shares: data, model, the signal CAV and cached activations.

    Parameters
    ----------
    data : Bunch, optional
        From :func:`attacked_fashion_mnist` (default: ``attacked_fashion_mnist(artifact=artifact)``).
    model : ImageClassifier, optional
        The attacked model (default: the shipped checkpoint of ``artifact``).
    artifact : str
        A key of :data:`ARTIFACTS` (used for the defaults).
    fine_tune : dict, optional
        The fine-tuning budget (default :data:`CLARC_FINE_TUNE`).
    validation : bool, default=False
        Also cache the activations of the held-out validation images (for :func:`budget_check`).

    Returns
    -------
    Bunch
        ``data``, ``model``, ``layer`` (its last conv layer), ``cav`` (the unit signal CAV over
        the attacked class's training images, artifact vs clean, as in the paper's code),
        ``X_fine``/``y_fine`` (the fine-tuning images), ``clean_class`` (clean training images
        of the attacked class, P-ClArC's reference), ``artifact_images`` (A-ClArC's),
        ``artifact_test`` (attacked test images of the attacked class, for TCAV), ``fine_tune``,
        and the layer's activations (computed once: the methods only change what comes after
        the layer) of the fine-tuning images and the clean and attacked test and validation
        sets (``acts_fine``, ``acts_test``, ``acts_test_attacked``, ``acts_val``, ``acts_val_attacked``).
    """
    import torch

    from .._validation import check_choice
    from ..explain import compute_cav, layer_activations
    from ..models import load_checkpoint

    check_choice(artifact, "artifact", tuple(ARTIFACTS))
    if data is None:
        data = attacked_fashion_mnist(artifact=artifact)
    elif not isinstance(data, Bunch) or not {"X", "y", "changed", "X_test", "X_test_attacked"} <= set(data):
        raise TypeError("data must be the Bunch returned by attacked_fashion_mnist().")
    if model is None:
        model = load_checkpoint(CHECKPOINTS_BY_ARTIFACT[artifact])
    module = getattr(model, "module_", None)
    if module is None or not hasattr(module, "last_conv_layer"):
        raise TypeError(f"model must be a fitted biaslab ImageClassifier (e.g. load_checkpoint({CHECKPOINT!r})), "
                        f"got {type(model).__name__}.")
    fine_tune = dict(CLARC_FINE_TUNE if fine_tune is None else fine_tune)
    layer = module.last_conv_layer
    target = data.target_class
    in_class = data.y == target
    cav = compute_cav(layer_activations(model, data.X[in_class], layer=layer), data.changed[in_class],
                      method="signal")
    n = fine_tune["n_fine_tune"]
    X_fine = data.X[:n]
    sets = [("fine", X_fine), ("test", data.X_test), ("test_attacked", data.X_test_attacked)]
    if validation:
        sets += [("val", data.X_val), ("val_attacked", data.X_val_attacked)]
    acts = {key: torch.as_tensor(layer_activations(model, images, layer=layer, pool="none")) for key, images in sets}
    return Bunch(data=data, model=model, layer=layer, cav=cav, X_fine=X_fine, y_fine=data.y[:n],
                 clean_class=data.X[in_class & ~data.changed], artifact_images=data.X[data.changed],
                 artifact_test=data.X_test_attacked[data.y_test == target], fine_tune=fine_tune,
                 **{f"acts_{key}": value for key, value in acts.items()})


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
    fine = {k: v for k, v in s.get("fine_tune", CLARC_FINE_TUNE).items() if k != "n_fine_tune"}
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


def evaluate_clarc(setting: Bunch, corrected, *, split: str = "test") -> dict:
    """Clean and attacked test accuracy, TCAV sensitivity and score of one model of the comparison.

    TCAV uses the attacked class's test images with the artifact, along the setting's CAV: the
    sensitivity is the mean ``|g . h|`` (lower: the class logit reacts less to the artifact), the
    score the share of images with ``g . h > 0``. ``split="val"`` scores the held-out validation
    images instead (accuracies only; the budget check's data, never the test set).
    """
    if split not in ("test", "val"):
        raise ValueError(f"split must be 'test' or 'val', got {split!r}.")
    if split == "val":
        if not isinstance(setting, Bunch) or "acts_val" not in setting:
            raise TypeError("setting must be the Bunch returned by clarc_setting() on data with X_val.")
        y_val = np.asarray(setting.data.y_val)
        clean = corrected.logits_from_activations(setting.acts_val).argmax(1).numpy()
        attacked = corrected.logits_from_activations(setting.acts_val_attacked).argmax(1).numpy()
        return {"clean_acc": float(np.mean(clean == y_val)), "attacked_acc": float(np.mean(attacked == y_val))}
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
                     progress=False, artifact: str = "stamp", split: str = "test") -> pd.DataFrame:
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
        From :func:`clarc_setting` (made for ``artifact`` if not given; pass it to reuse its
        cached activations).
    progress : bool
        Print one line per row.
    artifact : str
        A key of :data:`ARTIFACTS`, when ``setting`` is not given.
    split : {"test", "val"}
        Score the test sets (the comparison) or the held-out validation images (the budget
        check: accuracies only, the TCAV columns are NaN).

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
    setting = clarc_setting(artifact=artifact) if setting is None else setting
    rows = []
    for method in methods:
        for lam in (lambdas if method == "rr_clarc" else [0.0]):
            for seed in seeds:
                start = time.perf_counter()
                result = evaluate_clarc(setting, corrected_model(setting, method, lam=float(lam), seed=int(seed)),
                                        split=split)
                result = {"tcav_sensitivity": np.nan, "tcav_score": np.nan, **result}
                rows.append({"method": method, "lam": float(lam), "seed": int(seed), **result})
                if progress:
                    print(f"{method:<9} lam={float(lam):<8g} seed={int(seed)}: clean {result['clean_acc']:.3f}, "
                          f"attacked {result['attacked_acc']:.3f}, TCAV {result['tcav_sensitivity']:.4f} "
                          f"({time.perf_counter() - start:.1f} s)", flush=True)
    return pd.DataFrame(rows, columns=list(CLARC_COLUMNS))


def write_clarc_results(results: pd.DataFrame, path, *, artifact: str = "stamp", note: str = "") -> Path:
    """Write a :func:`clarc_comparison` frame to CSV (10 significant digits, a comment header)."""
    if not isinstance(results, pd.DataFrame) or list(results.columns) != list(CLARC_COLUMNS):
        raise TypeError("results must be a DataFrame returned by clarc_comparison().")
    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a str or Path, got {type(path).__name__}.")
    path = Path(path)
    header = (f"# made by scripts/make_clarc_results.py: clarc_comparison(artifact={artifact!r}) on checkpoint "
              f"{CHECKPOINTS_BY_ARTIFACT.get(artifact, '?')}\n"
              f"# attack: {attack_for(artifact) if artifact in ARTIFACTS else '?'}\n# fine-tuning: {CLARC_FINE_TUNE}\n")
    if note:
        header += "".join(f"# {line}\n" for line in note.splitlines())
    path.write_text(header + results.to_csv(index=False, float_format="%.10g", lineterminator="\n"),
                    encoding="utf-8")
    return path


@functools.lru_cache(maxsize=4)
def _read_clarc_results(artifact: str) -> pd.DataFrame:
    path = RESULTS_DIR / CLARC_RESULTS_FILES[artifact]
    if not path.is_file():
        raise FileNotFoundError(f"The shipped comparison {path} is missing; run scripts/make_clarc_results.py.")
    return pd.read_csv(path, comment="#")


def load_clarc_results(methods=None, *, lambdas=None, seeds=None, recompute=False, progress=False,
                       artifact: str = "stamp") -> pd.DataFrame:
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
    artifact : str, default="stamp"
        Which artifact kind's comparison (a key of :data:`ARTIFACTS`).

    Returns
    -------
    pandas.DataFrame with columns :data:`CLARC_COLUMNS`.

    Examples
    --------
    >>> from biaslab.experiments.from_hope_to_safety import load_clarc_results
    >>> results = load_clarc_results()
    >>> sorted(results["method"].unique())
    ['a_clarc', 'original', 'p_clarc', 'rr_clarc', 'vanilla']
    >>> load_clarc_results(artifact="brighten").attrs["artifact"]
    'brighten'
    """
    from .._validation import check_choice

    for name, flag in (("recompute", recompute), ("progress", progress)):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False, got {type(flag).__name__}.")
    check_choice(artifact, "artifact", tuple(ARTIFACTS))
    methods = list(CLARC_ROW_METHODS) if methods is None else [methods] if isinstance(methods, str) else list(methods)
    methods = [check_choice(m, "methods", CLARC_ROW_METHODS) for m in methods]
    lambdas = CLARC_LAMBDAS if lambdas is None else tuple(float(v) for v in np.atleast_1d(lambdas))
    seeds = CLARC_SEEDS if seeds is None else tuple(int(v) for v in np.atleast_1d(seeds))
    if recompute:
        frame = clarc_comparison(methods, lambdas=lambdas, seeds=seeds, setting=_shared_setting(artifact),
                                 progress=bool(progress))
        frame.attrs.update(source="recomputed live (clarc_comparison)", artifact=artifact)
        return frame
    full = _read_clarc_results(artifact)
    keep = full["method"].isin(methods) & full["seed"].isin(seeds)
    keep &= (full["method"] != "rr_clarc") | np.isclose(full["lam"].to_numpy()[:, None], np.array(lambdas)).any(1)
    frame = full[keep].reset_index(drop=True)
    if frame.empty:
        raise ValueError("no shipped rows match these methods, lambdas and seeds "
                         f"(shipped lambdas {CLARC_LAMBDAS}, seeds {CLARC_SEEDS}); pass recompute=True to run them.")
    frame.attrs.update(source=f"shipped: {CLARC_RESULTS_FILES[artifact]} (scripts/make_clarc_results.py)",
                       artifact=artifact)
    return frame


@functools.lru_cache(maxsize=2)
def _shared_setting(artifact: str = "stamp") -> Bunch:
    return clarc_setting(artifact=artifact)


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


# --------------------------------------------------------------------------------------------
# the paper's expected shape, checked on our numbers

#: What the paper reports for its controlled artifacts (directions: its tables are per dataset and
#: network; ``rr_clean_budget`` and ``rr_min_gain`` are the sizes the course's issue set).
PAPER_SHAPE = {"rr_clean_budget": 0.01, "rr_min_gain": 0.10}


def _best_rr(summary: pd.DataFrame, budget: float):
    vanilla = summary[summary["method"] == "vanilla"].iloc[0]
    rr = summary[summary["method"] == "rr_clarc"]
    ok = rr[rr["clean_acc_mean"] >= vanilla["clean_acc_mean"] - budget - 1e-12]
    if ok.empty:
        return vanilla, None
    return vanilla, ok.sort_values(["attacked_acc_mean", "lam"], ascending=[False, True]).iloc[0]


def clarc_shape_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The paper's claims about RR-ClArC, each with our numbers and whether it holds here.

    ``summary`` is :func:`summarise_clarc` of one artifact's comparison. The RR-ClArC row used is
    the lambda with the best attacked accuracy among those whose clean accuracy stays within
    ``PAPER_SHAPE["rr_clean_budget"]`` of Vanilla's (means over seeds). P- and A-ClArC "beat" it
    when they stay within the same budget and reach a higher attacked accuracy.

    Returns
    -------
    pandas.DataFrame
        ``claim``, ``paper`` (the direction the paper reports), ``ours`` (our numbers, mean
        +- standard deviation over the seeds) and ``holds`` (bool, computed from the numbers).
    """
    if not isinstance(summary, pd.DataFrame) or "attacked_acc_mean" not in summary.columns:
        raise TypeError("summary must be the DataFrame returned by summarise_clarc().")
    budget, gain_needed = PAPER_SHAPE["rr_clean_budget"], PAPER_SHAPE["rr_min_gain"]
    vanilla, rr = _best_rr(summary, budget)

    def pm(row, metric, digits=3):
        return f"{row[f'{metric}_mean']:.{digits}f} +- {row[f'{metric}_std']:.{digits}f}"

    rows = []
    if rr is None:
        rows.append({"claim": f"some RR-ClArC lambda keeps clean accuracy within {budget:.0%} of Vanilla",
                     "paper": "yes", "ours": "no lambda does", "holds": False})
        return pd.DataFrame(rows, columns=["claim", "paper", "ours", "holds"])
    gain = rr["attacked_acc_mean"] - vanilla["attacked_acc_mean"]
    rows.append({
        "claim": f"RR-ClArC (best lambda with clean accuracy within {budget * 100:.0f} point of Vanilla) raises "
                 f"attacked accuracy by at least {gain_needed * 100:.0f} points",
        "paper": "clearly raised, clean accuracy about kept",
        "ours": f"lambda={rr['lam']:g}: clean {pm(rr, 'clean_acc')} (Vanilla {pm(vanilla, 'clean_acc')}), attacked "
                f"{pm(rr, 'attacked_acc')} (Vanilla {pm(vanilla, 'attacked_acc')}): {gain * 100:+.1f} points",
        "holds": bool(gain >= gain_needed)})
    rows.append({
        "claim": "RR-ClArC lowers TCAV sensitivity to the artifact",
        "paper": "lower than Vanilla",
        "ours": f"{rr['tcav_sensitivity_mean']:.2e} vs Vanilla {vanilla['tcav_sensitivity_mean']:.2e}",
        "holds": bool(rr["tcav_sensitivity_mean"] < vanilla["tcav_sensitivity_mean"])})
    for method in ("p_clarc", "a_clarc"):
        other = summary[summary["method"] == method].iloc[0]
        within = other["clean_acc_mean"] >= vanilla["clean_acc_mean"] - budget - 1e-12
        beats = within and other["attacked_acc_mean"] > rr["attacked_acc_mean"]
        rows.append({
            "claim": f"{METHOD_LABELS[method]} does not beat that RR-ClArC at the same clean-accuracy budget",
            "paper": "helps less than RR-ClArC",
            "ours": f"clean {pm(other, 'clean_acc')} ({'within' if within else 'outside'} the budget), "
                    f"attacked {pm(other, 'attacked_acc')}",
            "holds": bool(not beats)})
    return pd.DataFrame(rows, columns=["claim", "paper", "ours", "holds"])


def budget_check(artifacts=tuple(ARTIFACTS), *, budgets=CLARC_BUDGETS, lambdas=(100.0, 1e3, 1e4, 1e5, 1e6),
                 seed=0, settings=None, progress=False) -> pd.DataFrame:
    """Vanilla and RR-ClArC with each fine-tuning budget, scored on held-out validation images.

    How long to fine-tune is a choice; this makes it without the test set. For each artifact
    and budget: the largest gain in attacked *validation* accuracy over Vanilla among the
    lambdas whose clean validation accuracy stays within 1 point of Vanilla's. The shipped
    comparison uses the budget with the largest mean gain (:data:`CLARC_FINE_TUNE`).

    Returns
    -------
    pandas.DataFrame
        One row per artifact, budget, method and lambda: ``artifact``, ``budget`` (index into
        ``budgets``), ``n_fine_tune``, ``epochs``, ``lr``, ``method``, ``lam``, ``clean_acc``,
        ``attacked_acc`` (validation), and ``gain`` (on the Vanilla row of each artifact and
        budget: the gain defined above).
    """
    rows = []
    for artifact in artifacts:
        base = None if settings is None else settings.get(artifact)
        for i, budget in enumerate(budgets):
            setting = clarc_setting(base.data if base else None, base.model if base else None, artifact=artifact,
                                    fine_tune=budget, validation=True)
            frame = clarc_comparison(["vanilla", "rr_clarc"], lambdas=lambdas, seeds=[seed], setting=setting,
                                     split="val", progress=progress)
            frame = frame.drop(columns=["seed", "tcav_sensitivity", "tcav_score"])
            vanilla = frame[frame["method"] == "vanilla"].iloc[0]
            ok = frame[(frame["method"] == "rr_clarc") & (frame["clean_acc"] >= vanilla["clean_acc"] - 0.01)]
            gain = float(ok["attacked_acc"].max() - vanilla["attacked_acc"]) if len(ok) else 0.0
            frame["gain"] = np.where(frame["method"] == "vanilla", gain, np.nan)
            frame.insert(0, "artifact", artifact)
            frame.insert(1, "budget", i)
            for j, key in enumerate(("n_fine_tune", "epochs", "lr")):
                frame.insert(2 + j, key, budget[key])
            rows.append(frame)
    return pd.concat(rows, ignore_index=True)


def chosen_budget(check: pd.DataFrame) -> int:
    """The budget :func:`budget_check`'s rule picks: the largest mean gain over the artifacts."""
    gains = check[check["method"] == "vanilla"].groupby("budget")["gain"].mean()
    return int(gains.idxmax())


# --------------------------------------------------------------------------------------------
# diagnostics of module 07, section 5 (shipped: too slow for a notebook cell on a laptop)

#: File of the shipped diagnostics (the stamp), in :data:`RESULTS_DIR`.
CLARC_DIAGNOSTICS_FILE = "clarc_diagnostics_stamp.csv"


def best_rr_lambda(summary: pd.DataFrame, budget: float = PAPER_SHAPE["rr_clean_budget"]) -> float:
    """RR-ClArC's lambda with the best mean attacked accuracy within ``budget`` of Vanilla's clean accuracy."""
    _, rr = _best_rr(summary, budget)
    if rr is None:
        raise ValueError(f"no RR-ClArC lambda keeps clean accuracy within {budget} of Vanilla's.")
    return float(rr["lam"])


def clarc_diagnostics(setting: Bunch, *, lam: float, seed: int = 0, n_images: int = 200, n_runs: int = 20,
                      random_state: int = 0) -> pd.DataFrame:
    """Where the corrected models still react to the artifact, and TCAV against random directions.

    For the original model, Vanilla and RR-ClArC (``lam``, fine-tuning ``seed``): the map of
    ``g . h`` of the attacked class's logit by position of the CAV's layer, over ``n_images``
    attacked test images of the class (:func:`biaslab.explain.sensitivity_by_position`), and the
    TCAV scores of ``n_runs`` artifact CAVs and as many random CAVs
    (:func:`biaslab.explain.tcav_significance`).

    Returns
    -------
    pandas.DataFrame
        Tidy: ``model`` (``original``, ``vanilla``, ``rr_clarc``), ``quantity`` (``g_dot_h``,
        ``tcav_concept``, ``tcav_random``), ``i``, ``j`` (row and column of the map; run and 0 for
        the TCAV scores), ``value``; ``attrs`` hold ``lam``, ``seed`` and the t-tests' ``p_value``\\s.
    """
    from ..explain import layer_activations, sensitivity_by_position, tcav_significance

    s = setting
    target = int(s.data.target_class)
    images = s.artifact_test[:n_images]
    in_class = s.data.y == target
    acts = layer_activations(s.model, s.data.X[in_class], layer=s.layer)
    models = {"original": corrected_model(s, "original"), "vanilla": corrected_model(s, "vanilla", seed=seed),
              "rr_clarc": corrected_model(s, "rr_clarc", lam=lam, seed=seed)}
    rows, p_values = [], {}
    for name, model in models.items():
        grid = sensitivity_by_position(model, images, s.cav, layer=model.layer, target_class=target)
        rows += [(name, "g_dot_h", i, j, float(grid[i, j])) for i in range(grid.shape[0]) for j in range(grid.shape[1])]
        test = tcav_significance(model, images, acts, s.data.changed[in_class], layer=model.layer,
                                 target_class=target, n_runs=n_runs, n_random=n_runs, random_state=random_state)
        rows += [(name, "tcav_concept", k, 0, float(v)) for k, v in enumerate(test.concept_scores)]
        rows += [(name, "tcav_random", k, 0, float(v)) for k, v in enumerate(test.random_scores)]
        p_values[name] = test.p_value
    frame = pd.DataFrame(rows, columns=["model", "quantity", "i", "j", "value"])
    frame.attrs.update(lam=float(lam), seed=int(seed), p_value=p_values)
    return frame


def load_clarc_diagnostics() -> pd.DataFrame:
    """The shipped :func:`clarc_diagnostics` of the stamp (``scripts/make_clarc_results.py``).

    ``attrs["lam"]`` is the lambda of RR-ClArC (:func:`best_rr_lambda` of the shipped comparison).
    """
    path = RESULTS_DIR / CLARC_DIAGNOSTICS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"The shipped diagnostics {path} are missing; run scripts/make_clarc_results.py.")
    header = [line[2:].strip() for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("# ")]
    frame = pd.read_csv(path, comment="#")
    for line in header:
        key, _, value = line.partition(": ")
        if key in ("lam", "seed"):
            frame.attrs[key] = float(value) if key == "lam" else int(value)
    return frame


def write_clarc_diagnostics(frame: pd.DataFrame, path) -> Path:
    """Write :func:`clarc_diagnostics` with its lambda and seed in the header."""
    path = Path(path)
    header = (f"# made by scripts/make_clarc_results.py: clarc_diagnostics() on checkpoint {CHECKPOINT}\n"
              f"# lam: {frame.attrs['lam']:g}\n# seed: {frame.attrs['seed']}\n")
    path.write_text(header + frame.to_csv(index=False, float_format="%.8g", lineterminator="\n"), encoding="utf-8")
    return path
