"""Train the checkpoints that ship with biaslab and write biaslab/models/checkpoints/SHA256SUMS.

    python scripts/train_checkpoints.py                       # all of them (10-20 minutes on 2 cores)
    python scripts/train_checkpoints.py --only chest_xray_cnn_clean
    python scripts/train_checkpoints.py --out /tmp/ckpt       # somewhere else (to compare)

Everything is seeded and runs on 2 torch threads, so running it twice on the same machine
(same torch, same CPU) gives byte-identical files; nothing time-dependent is stored. Another
CPU or torch version may pick other kernels and round differently: then the weights differ
in the last bits and the sha256 with them, so commit the files made here, not elsewhere.

What is trained (the recipes below are the record):

- ``chest_xray_cnn_clean``: ``chest_xray_cnn`` on clean SYNTHETIC chest X-rays of site A
  (lung opacity, no poisoning). Module 04 freezes it and retrains only a head on poisoned
  labels. Its metadata holds the internal (site A) and external (sites B, C) AUROC and the
  accuracy of linear probes for sex and age band on its penultimate features: the attack can
  only single out a group that the frozen features can tell apart.
- ``fashion_vgg_stamp_shirt``, ``fashion_vgg_brighten_shirt``: ``fashion_vgg`` (VGG-shaped: conv
  blocks, then dense layers) on Fashion-MNIST with an artifact in the Shirt class
  (``biaslab.experiments.from_hope_to_safety.ARTIFACTS``): the attacked models of modules 06-07;
  ``fashion_vgg_clean``: the same recipe on the same images without an artifact (module 06's control).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import os
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from biaslab.datasets import load_fashion_mnist, make_chest_xrays  # noqa: E402
from biaslab.models import CHECKPOINTS, ImageClassifier, save_checkpoint  # noqa: E402
from biaslab.models._checkpoints import checkpoint_dir  # noqa: E402

N_THREADS = int(os.environ.get("BIASLAB_TRAIN_THREADS", 2))  # 1 on a machine shared with others

CHEST = dict(
    n_train=12_000,
    n_val=2_000,
    n_test=4_000,
    data_seed=20_240_401,  # not a seed the course's notebooks use: the sweep's patients are others
    test_seed=20_240_402,
    model=dict(epochs=10, batch_size=128, lr=3e-3, weight_decay=1e-4, schedule="onecycle", patience=3,
               augment_shift=2, random_state=0),
)


def _probe(train_x, train_y, test_x, test_y) -> float:
    """Balanced accuracy of a logistic-regression probe."""
    clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=3000))
    clf.fit(train_x, train_y)
    return float(balanced_accuracy_score(test_y, clf.predict(test_x)))


def train_chest_xray_cnn_clean(config=CHEST, *, progress=True):
    c = config
    data = make_chest_xrays(c["n_train"] + c["n_val"], sites="A", random_state=c["data_seed"])
    tr, va = slice(0, c["n_train"]), slice(c["n_train"], None)
    model = ImageClassifier("chest_xray_cnn", n_threads=N_THREADS, progress=progress, **c["model"])
    model.fit(data.images[tr], data.target[tr], X_val=data.images[va], y_val=data.target[va])

    metrics = {}
    tests = {
        site: make_chest_xrays(c["n_test"], sites=site, random_state=c["test_seed"] + k)
        for k, site in enumerate("ABC")
    }
    for site, test in tests.items():
        metrics[f"auroc_site_{site}"] = round(float(roc_auc_score(test.target, model.decision_function(test.images))), 4)
    # linear probes of the frozen features: can a head tell sex and age apart?
    feats_tr = model.features(data.images[tr][:6000])
    feats_te = model.features(tests["A"].images)
    frame_tr, frame_te = data.frame.iloc[:6000], tests["A"].frame
    probes = {
        "sex": ("sex", None),
        "age_band": ("age_band", None),
        "age_0_20": ("age_band", "0-20"),
    }
    for key, (col, value) in probes.items():
        y_tr = frame_tr[col].astype(str).to_numpy()
        y_te = frame_te[col].astype(str).to_numpy()
        if value is not None:
            y_tr, y_te = y_tr == value, y_te == value
        metrics[f"probe_{key}_balanced_accuracy"] = round(_probe(feats_tr, y_tr, feats_te, y_te), 4)
    metadata = {
        "name": "chest_xray_cnn_clean",
        "description": CHECKPOINTS["chest_xray_cnn_clean"],
        "data": (
            f"SYNTHETIC: make_chest_xrays({c['n_train'] + c['n_val']}, sites='A', random_state={c['data_seed']}); "
            f"first {c['n_train']} train, last {c['n_val']} validation (early stopping); labels clean"
        ),
        "test_data": f"make_chest_xrays({c['n_test']}, sites=site, random_state={c['test_seed']} + k) for k, site in enumerate('ABC')",
        "metrics": metrics,
        "script": "scripts/train_checkpoints.py",
    }
    return model, metadata


def train_fashion_vgg_attacked(artifact, *, progress=True):
    from biaslab.experiments.from_hope_to_safety import (CHECKPOINTS_BY_ARTIFACT, attack_for, attacked_fashion_mnist,
                                                         train_attacked_model)

    name = CHECKPOINTS_BY_ARTIFACT[artifact]
    data = attacked_fashion_mnist(artifact=artifact)
    model = train_attacked_model(data, n_threads=N_THREADS, progress=progress)
    return model, _fashion_vgg_metadata(name, model, data, "biaslab.experiments.from_hope_to_safety."
                                        f"attacked_fashion_mnist(artifact={artifact!r}) with {attack_for(artifact)}")


def _fashion_vgg_metadata(name, model, data, data_text) -> dict:
    """What a fashion_vgg checkpoint records: its data, and its accuracy on the clean and attacked test sets."""
    return {
        "name": name,
        "description": CHECKPOINTS[name],
        "data": data_text,
        "metrics": {
            "accuracy_clean_test": round(float(model.score(data.X_test, data.y_test)), 4),
            "accuracy_attacked_test": round(float(model.score(data.X_test_attacked, data.y_test)), 4),
        },
        "script": "scripts/train_checkpoints.py",
        "torch_threads": N_THREADS,
    }


def train_fashion_vgg_clean(*, progress=True):
    from biaslab.experiments.from_hope_to_safety import ATTACK, ARCHITECTURE, attacked_fashion_mnist

    data = attacked_fashion_mnist()
    train = load_fashion_mnist(subset="train")
    X, y = train.images[: ATTACK["n_train"]], train.target[: ATTACK["n_train"]]  # the same images, no artifact
    model = ImageClassifier(ARCHITECTURE, epochs=ATTACK["epochs"], lr=ATTACK["lr"], random_state=ATTACK["seed"],
                            n_threads=N_THREADS, progress=progress).fit(X, y)
    return model, _fashion_vgg_metadata("fashion_vgg_clean", model, data, "load_fashion_mnist(subset='train'): "
                                        f"the first {ATTACK['n_train']:,} training images, clean")


TRAINERS = {"chest_xray_cnn_clean": train_chest_xray_cnn_clean,
            "fashion_vgg_stamp_shirt": functools.partial(train_fashion_vgg_attacked, "stamp"),
            "fashion_vgg_brighten_shirt": functools.partial(train_fashion_vgg_attacked, "brighten"),
            "fashion_vgg_clean": train_fashion_vgg_clean}


def write_sums(folder: Path) -> None:
    lines = ["# sha256 of every shipped checkpoint; load_checkpoint refuses a file that differs"]
    for path in sorted(folder.glob("*.pt")):
        lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}")
    (folder / "SHA256SUMS").write_text("\n".join(lines) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=sorted(TRAINERS), action="append", help="train only these (repeatable)")
    parser.add_argument("--out", type=Path, default=checkpoint_dir(), help="folder to write (default: the package's)")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args()
    assert set(TRAINERS) == set(CHECKPOINTS), "CHECKPOINTS and the trainers here must name the same checkpoints"
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.only or sorted(TRAINERS):
        start = time.perf_counter()
        model, metadata = TRAINERS[name](progress=not args.no_progress)
        path = save_checkpoint(model, args.out / name, metadata=metadata)
        print(
            f"{name}: {time.perf_counter() - start:.1f} s, {model.n_parameters():,} parameters, "
            f"{len(model.history_)} epochs (kept {model.best_epoch_}), {path.stat().st_size / 1024:.0f} KiB, "
            f"sha256 {hashlib.sha256(path.read_bytes()).hexdigest()[:16]}...\n  metrics {metadata['metrics']}",
            flush=True,
        )
    write_sums(args.out)
    print(f"wrote {args.out / 'SHA256SUMS'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
