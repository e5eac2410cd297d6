"""The controlled setting of "From hope to safety" (RR-ClArC) on Fashion-MNIST (modules 06-07).

A share of one class's training images carries an artifact; a CNN trained on them learns the
shortcut. :func:`attacked_fashion_mnist` builds the data (one definition for the shipped
checkpoint ``fashion_cnn_stamp_shirt``, ``benchmarks/bench_clarc.py`` and the notebooks) and
:func:`train_attacked_model` trains the model the checkpoint holds.
"""

from __future__ import annotations

from sklearn.utils import Bunch

__all__ = ["ATTACK", "CLASS_NAMES", "CHECKPOINT", "attacked_fashion_mnist", "train_attacked_model"]

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
