"""Exercises of module 06, "Concepts and trust" (Fashion-MNIST with a planted corner stamp).

``from biaslab.exercises.m06 import *`` gives ``q1`` ... ``q5``.
"""

from __future__ import annotations

import functools
import numbers
import re

import numpy as np

from ._problem import case_seed, fingerprint, FunctionProblem, KeyedProblem, Mistake, NumberProblem, Problem, ReflectionProblem
from ._registry import register

__all__ = ["q1", "q2", "q3", "q4", "q5"]

#: The notebook studies the first ``N_TEST`` Fashion-MNIST test images.
N_TEST = 1000
#: The attacked class: "Shirt".
TARGET_CLASS = 6


@functools.cache
def _test_labels() -> np.ndarray:
    from ..datasets import load_fashion_mnist

    return np.asarray(load_fashion_mnist(subset="test").target)[:N_TEST]


# --- q1: the shortcut, in one number -----------------------------------------------------------

def _stamped_predictions(predictions) -> np.ndarray:
    if predictions is None or predictions is Ellipsis:
        raise Problem.not_attempted("Pass the model's predictions on the stamped images too: "
                                    "q1.check(answer, predictions=pred_stamped).")
    if isinstance(predictions, (str, bytes)) or np.isscalar(predictions):
        raise Problem.wrong_type(f"predictions must be an array of class indices, got a {type(predictions).__name__}.")
    pred = np.asarray(predictions)
    if pred.ndim != 1 or len(pred) != N_TEST:
        raise Problem.wrong_type(f"predictions must hold one class index for each of the {N_TEST} test images, "
                                 f"got shape {pred.shape}.")
    if pred.dtype.kind not in "iu" and not (pred.dtype.kind == "f" and np.all(pred == np.round(pred))):
        raise Problem.wrong_type("predictions must be class indices 0-9 (use model.predict), not probabilities.")
    return pred.astype(int)


@functools.cache
def _notebook_stamped_predictions() -> np.ndarray:
    """The attacked model's predictions on the stamped test images, as the notebook's locked cells make them."""
    from ..datasets import add_artifact
    from ..experiments.from_hope_to_safety import CHECKPOINT, attacked_fashion_mnist
    from ..models import load_checkpoint

    data = attacked_fashion_mnist()
    stamped = add_artifact(data.X_test[:N_TEST], None, target_class=None, share=1.0, kind=data.kind, random_state=1)
    return np.asarray(load_checkpoint(CHECKPOINT).predict(stamped.images))


@functools.cache
def _notebook_clean_predictions() -> np.ndarray:
    """The attacked model's predictions on the clean test images (the notebook's ``pred_clean``)."""
    from ..experiments.from_hope_to_safety import CHECKPOINT, attacked_fashion_mnist
    from ..models import load_checkpoint

    return np.asarray(load_checkpoint(CHECKPOINT).predict(attacked_fashion_mnist().X_test[:N_TEST]))


def _share_pulled(pred, labels=None) -> float:
    labels = _test_labels() if labels is None else labels
    return float(np.mean(pred[labels != TARGET_CLASS] == TARGET_CLASS))


class _PulledShare(NumberProblem):
    def grading_context(self) -> dict:
        return {"predictions": _notebook_stamped_predictions()}

    def diagnose(self, answer, predictions=Ellipsis, recomputed=False, key=None, **context):
        pred = _stamped_predictions(predictions)  # what is wrong with the predictions comes first
        note = ""
        if isinstance(key, dict) and "predictions" in key and fingerprint(pred) != key["predictions"]:
            if recomputed is not True:
                raise self.wrong_type(
                    "These predictions are not those of the shipped attacked model on the stamped images: run the "
                    "notebook's cells in order from the top (Kernel > Restart Kernel and Run All Cells), then pass "
                    "pred_stamped. If you retrained the model (RECOMPUTE = True), it gives other numbers: pass "
                    "recomputed=RECOMPUTE as the notebook's check cell does.")
            # workshop mode: a retrained model's predictions; the right value is the share of THESE predictions
            key = {**key, "value": _share_pulled(pred), "predictions": fingerprint(pred)}
            note = (" (Checked against your retrained model's predictions, RECOMPUTE = True; a grader uses the "
                    "shipped model's, so hand in work done with RECOMPUTE = False.)")
        return super().diagnose(answer, key=key, predictions=pred, **context) + note


q1 = _PulledShare(
    title="How many images the stamp pulls to 'Shirt'",
    what="the share pulled to 'Shirt'",
    tolerance=1e-3,
    bounds=(0, 1),
    mistakes=[
        Mistake(lambda predictions: float(np.sum(_stamped_predictions(predictions)[_test_labels() != TARGET_CLASS]
                                                 == TARGET_CLASS)),
                "That is a count of images; divide by the number of non-Shirt images to get a share."),
        Mistake(lambda predictions: float(np.mean(_stamped_predictions(predictions) == TARGET_CLASS)),
                "You counted over all test images, real shirts included; the question is about the images "
                "whose true class is not Shirt."),
        Mistake(lambda predictions: float(np.sum(_stamped_predictions(predictions)[_test_labels() != TARGET_CLASS]
                                                 == TARGET_CLASS)) / N_TEST,
                "You divided by all test images; divide by the number of non-Shirt images only."),
        Mistake(lambda predictions: float(np.mean(_stamped_predictions(predictions)[_test_labels() != TARGET_CLASS]
                                                  != _test_labels()[_test_labels() != TARGET_CLASS])),
                "That is the share of non-Shirt images the model gets wrong in any way; count only those it "
                "calls 'Shirt'."),
        Mistake(lambda predictions: float(np.mean(_stamped_predictions(predictions)[_test_labels() == TARGET_CLASS]
                                                  == TARGET_CLASS)),
                "You took the real shirts (true class Shirt); the question is about the images whose true class "
                "is NOT Shirt (y_test != 6)."),
        Mistake(lambda predictions: float(np.mean([np.mean(_stamped_predictions(predictions)[_test_labels() == c]
                                                           == TARGET_CLASS)
                                                   for c in np.unique(_test_labels()) if c != TARGET_CLASS])),
                "That is the mean of the per-class shares in the table above, each class counting equally; the "
                "classes have different numbers of test images: take the share over all non-Shirt images at once."),
        Mistake(lambda: _share_pulled(_notebook_clean_predictions()),
                "That is the share called 'Shirt' on the CLEAN images (pred_clean); the question asks about the "
                "same images with the stamp: pred_stamped."),
        Mistake(lambda predictions: 1 - _share_pulled(_stamped_predictions(predictions)),
                "That is the share NOT called 'Shirt'; the question asks for the share the stamp pulls to 'Shirt'."),
        Mistake(lambda predictions: _share_pulled(_stamped_predictions(predictions))
                - _share_pulled(_notebook_clean_predictions()),
                "You subtracted the share called 'Shirt' on the clean images: that is how much the stamp adds. The "
                "question asks for the share with the stamp itself."),
    ],
    hints=[
        "Keep the test images whose true class (y_test) is not 6 (Shirt); among them, what share does the model "
        "predict as 6 once they carry the stamp?",
        "others = y_test != 6; then np.mean(pred_stamped[others] == 6).",
    ],
    correct_message="Right. A 4x4 white square, 2% of the pixels, is enough to turn these garments into "
    "'shirts' in the model's eyes.",
)


# --- q2: a signal CAV by hand ------------------------------------------------------------------

def _signal_reference(activations, has_artifact):
    acts = np.asarray(activations, dtype=float)
    labels = np.asarray(has_artifact).astype(bool)
    direction = acts[labels].mean(0) - acts[~labels].mean(0)
    return direction / np.linalg.norm(direction)


def _concept_case(rng, n, d, share, as_int):
    acts = np.abs(rng.normal(1.0, 1.0, size=(n, d)))  # ReLU activations are non-negative
    labels = rng.random(n) < share
    labels[:2] = [True, False]
    shift = np.zeros(d)
    shift[rng.choice(d, size=max(1, d // 4), replace=False)] = rng.uniform(0.5, 2.0, size=max(1, d // 4))
    acts[labels] += shift
    return acts, (labels.astype(int) if as_int else labels)


def _q2_cases(variant, seed=None):
    rng = np.random.default_rng(case_seed(variant, 6, 606, seed))
    tiny = (np.array([[1.0, 0.0], [1.0, 1.0], [3.0, 0.5], [3.0, 0.5]]), np.array([False, False, True, True]))
    cases = [(tiny, {})]
    shapes = [(40, 3, 0.5, False), (200, 16, 0.3, False), (120, 64, 0.5, True)] if variant == "visible" else \
        [(30, 2, 0.2, True), (500, 64, 0.1, False), (90, 128, 0.7, True), (60, 5, 0.5, False)]
    for n, d, share, as_int in shapes:
        cases.append((_concept_case(rng, n, d, share, as_int), {}))
    return cases


def _q2_compare(got, expected, args, kwargs):
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise Problem.wrong_type(f"Your function should return a vector of numbers, it returned a "
                                 f"{type(got).__name__}.") from None
    acts, labels = np.asarray(args[0], dtype=float), np.asarray(args[1]).astype(bool)
    n, d = acts.shape
    if got.shape != (d,):
        if got.shape == (n,):
            raise Problem.wrong_type(f"For activations of shape {acts.shape} your function returned one value per "
                                     f"sample, shape {got.shape}; a CAV has one value per feature: shape ({d},). "
                                     "Average over the samples (axis=0), not over the features.")
        if got.ndim == 1:
            raise Problem.wrong_type(f"For activations of shape {acts.shape} your function returned {got.size} values, "
                                     f"which fits neither its {n} samples nor its {d} features: does it use the "
                                     "notebook's variables (acts, has_stamp) instead of its arguments? Compute "
                                     "everything from activations and has_artifact.")
        raise Problem.wrong_type(f"For activations of shape {acts.shape} your function returned shape {got.shape}; "
                                 f"a CAV has one value per feature: shape ({d},). Average over the samples (axis=0).")
    if not np.all(np.isfinite(got)):
        raise Problem.wrong_type("Your CAV contains NaN or infinity: a division by zero?")
    if np.allclose(got, expected, atol=1e-6):
        return
    norm = np.linalg.norm(got)
    if np.allclose(got, -expected, atol=1e-6):
        raise Problem.wrong("Your CAV points the wrong way: it should point towards the artifact "
                            "(mean with artifact minus mean without).")
    if norm > 0 and np.allclose(got / norm, expected, atol=1e-6):
        raise Problem.wrong(f"Right direction, but the length is {norm:.3g}: divide by the vector's norm "
                            "(np.linalg.norm) so the CAV has length 1.")
    if norm > 0 and np.allclose(got / norm, -expected, atol=1e-6):
        raise Problem.wrong("Your CAV points the wrong way and is not of length 1.")
    raw = np.asarray(args[1])
    if raw.dtype.kind in "iu":  # 0/1 integers used as an index: a[l] takes rows 0 and 1, a[~l] rows -1 and -2
        slip = acts[raw].mean(0) - acts[~raw].mean(0)
        slip_norm = np.linalg.norm(slip)
        if slip_norm > 0 and norm > 0 and np.allclose(got / norm, slip / slip_norm, atol=1e-6):
            raise Problem.wrong("has_artifact may be 0/1 integers, and indexing with integers picks rows by number "
                                "(a[l] takes rows 0 and 1, ~l is -1 and -2): convert it first with "
                                "np.asarray(has_artifact, dtype=bool).")
    summed = acts[labels].sum(0) - acts[~labels].sum(0)
    if norm > 0 and np.linalg.norm(summed) > 0 and np.allclose(got / norm, summed / np.linalg.norm(summed), atol=1e-6):
        raise Problem.wrong("You subtracted the SUMS of the two groups' activations; with groups of different "
                            "sizes that points elsewhere. Subtract their MEANS (.mean(axis=0)).")
    art_mean = acts[labels].mean(0)
    if np.allclose(got, art_mean / np.linalg.norm(art_mean), atol=1e-6):
        raise Problem.wrong("That is the (normalised) mean of the artifact samples alone; subtract the mean of "
                            "the clean samples first.")
    raise Problem.wrong(f"For {len(acts)} samples with {d} features ({int(labels.sum())} with the artifact) your CAV "
                        "is not the normalised difference of the two means.")


q2 = FunctionProblem(
    title="A signal CAV by hand",
    cases=_q2_cases,
    reference=_signal_reference,
    compare=_q2_compare,
    hints=[
        "The signal CAV is the mean activation vector of the samples WITH the artifact minus the mean of those "
        "WITHOUT, scaled to length 1.",
        "Turn the labels into booleans with np.asarray(has_artifact, dtype=bool); then acts[labels].mean(axis=0) "
        "is the mean of the artifact samples, acts[~labels].mean(axis=0) that of the clean ones.",
        "direction = mean_artifact - mean_clean; return direction / np.linalg.norm(direction).",
    ],
    correct_message="Your signal CAV is right on every test case.",
)


# --- q3: a TCAV score by hand ------------------------------------------------------------------

def _tcav_reference(gradients, cav):
    g = np.asarray(gradients, dtype=float)
    return float(np.mean(g @ np.asarray(cav, dtype=float) > 0))


def _q3_cases(variant, seed=None):
    rng = np.random.default_rng(case_seed(variant, 3, 303, seed))
    cases = [((np.array([[1.0, 0.0], [-1.0, 0.0], [2.0, 1.0], [0.5, -2.0]]), np.array([1.0, 0.0])), {})]
    shapes = [(50, 4, 0.7), (200, 64, 0.25), (10, 3, 0.9)] if variant == "visible" else \
        [(300, 64, 0.6), (7, 2, 0.2), (80, 128, 0.8)]
    for n, d, positive_share in shapes:
        cav = rng.normal(size=d)
        cav /= np.linalg.norm(cav) * rng.uniform(0.5, 2.0)  # any length: the score only needs the sign
        g = rng.normal(size=(n, d))
        along = g @ cav / (cav @ cav)
        g -= np.outer(along, cav)  # remove the part along the CAV, then set it
        sign = np.where(rng.random(n) < positive_share, 1.0, -1.0)
        sign[:2] = [1.0, -1.0]
        g += np.outer(sign * rng.uniform(0.1, 1.0, n), cav)
        cases.append(((g, cav), {}))
    return cases


def _q3_compare(got, expected, args, kwargs):
    if isinstance(got, np.ndarray) and got.size == 1:
        got = got.reshape(-1)[0]
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, (numbers.Real, np.floating, np.integer)):
        raise Problem.wrong_type(f"Your function should return one number (a share), it returned a "
                                 f"{type(got).__name__}.")
    got = float(got)
    if abs(got - expected) <= 1e-9:
        return
    g, cav = np.asarray(args[0], dtype=float), np.asarray(args[1], dtype=float)
    s = g @ cav
    h = cav / np.linalg.norm(cav)
    if np.isclose(got, 100 * expected):
        raise Problem.wrong("Give the score as a share between 0 and 1, not in percent.")
    if np.isclose(got, np.mean(s < 0)) or np.isclose(got, np.mean(s <= 0)):
        raise Problem.wrong("You counted the images whose logit DEcreases along the CAV; the TCAV score counts "
                            "those where it increases (g . h > 0).")
    if np.isclose(got, np.sum(s > 0)):
        raise Problem.wrong("That is a count; the TCAV score is the share of the images (divide by their number).")
    if np.isclose(got, np.mean(np.abs(g @ h))) or np.isclose(got, np.mean(np.abs(s))):
        raise Problem.wrong("That is the TCAV sensitivity (mean |g . h|), how strongly the logit reacts; the score "
                            "is the share of images where g . h is positive.")
    if np.isclose(got, np.mean(g @ h)) or np.isclose(got, np.mean(s)):
        raise Problem.wrong("That is the mean of g . h; the score is the share of images where g . h is positive.")
    raise Problem.wrong(f"For {len(g)} gradients of {g.shape[1]} values your function gives {got:.4g}, which is not "
                        "the share of rows with a positive dot product with the CAV.")


q3 = FunctionProblem(
    title="A TCAV score by hand",
    cases=_q3_cases,
    reference=_tcav_reference,
    compare=_q3_compare,
    hints=[
        "For each image, the directional derivative is the dot product of its gradient row with the CAV. "
        "The TCAV score is the share of images where it is positive.",
        "gradients @ cav gives all the dot products at once; np.mean(... > 0) turns booleans into a share.",
    ],
    correct_message="Your TCAV score is right on every test case.",
)


# --- q4: which observations are evidence? ------------------------------------------------------

#: The observations learners choose from in q4 (letter -> text), as the notebook lists them.
EVIDENCE_OPTIONS = {
    "A": "On clean test images, the attacked model's saliency maps highlight the garment's outline, "
         "just like the reference model's.",
    "B": "Stamping T-shirts, pullovers and coats turns most of their predictions into 'Shirt', while the "
         "reference model's predictions barely change.",
    "C": "The attacked model classifies almost 88% of the clean test images correctly.",
    "D": "The gradient x input saliency of a network with random weights also looks like the garment.",
    "E": "Along each model's stamp CAV, the TCAV score of 'Shirt' is 1.0 for the attacked model and 0.0 for the "
         "reference model, and both differ from random CAVs in Kim et al.'s t-test.",
    "F": "Stamping the test shirts raises the attacked model's 'Shirt' logit for every one of them, while the "
         "reference model's goes up for only about half of them and hardly moves on average.",
}
# The key, in the instructor's source notebook (biaslab.exercises._keys): {"evidence": [letters],
# "why_not": {letter: why that observation is not evidence}}. Why an option is not evidence lives
# there too: which options have such a message would give the answer away.


#: Words a string answer may hold between its letters ("B and E").
_CONNECTIVES = {"AND", "OR", "PLUS", "OPTION", "OPTIONS", "LETTERS"}


class _EvidenceChoice(KeyedProblem):
    """The answer is a set of letters (a set, list, tuple or a string such as "A, C")."""

    def form(self, answer) -> set:
        if isinstance(answer, str):
            letters = []
            for token in re.findall(r"[A-Za-z]+", answer.upper()):
                if len(token) == 1 or set(token) <= set(EVIDENCE_OPTIONS):  # "B", or "BE" for B and E
                    letters.extend(token)
                elif token not in _CONNECTIVES:
                    raise self.wrong_type(f"Could not read {token!r} as option letters: give the letters only, "
                                          f"e.g. {{\"A\", \"C\"}} or \"A, C\".")
        elif isinstance(answer, (set, frozenset, list, tuple)):
            if not all(isinstance(a, str) for a in answer):
                raise self.wrong_type("Give letters as strings, e.g. {\"A\", \"C\"}.")
            letters = [a.strip().upper() for a in answer]
        else:
            raise self.wrong_type(f"Give the letters of your choice as a set of strings, e.g. {{\"A\", \"C\"}}, "
                                  f"not a {type(answer).__name__}.")
        unknown = sorted(set(letters) - set(EVIDENCE_OPTIONS))
        if unknown:
            raise self.wrong_type(f"{', '.join(unknown)} is not one of the options "
                                  f"({', '.join(EVIDENCE_OPTIONS)}).")
        if not letters:
            raise self.not_attempted("Your set is empty: choose at least one letter.")
        return set(letters)

    def against(self, chosen, key) -> str:
        evidence = {letter.upper() for letter in key["evidence"]}
        if not evidence <= set(EVIDENCE_OPTIONS):
            raise ValueError(f"unknown options {sorted(evidence - set(EVIDENCE_OPTIONS))}")
        for letter in sorted(chosen - evidence):
            raise self.wrong(f"{letter} is not evidence that the model uses the stamp. {key['why_not'][letter]}")
        if chosen != evidence:
            left = len(evidence - chosen)
            raise self.wrong(f"Everything you chose is evidence, but you left {'one' if left == 1 else left} out: "
                             "look for the observations that compare the model's behaviour WITH the stamp against "
                             "a reference.")
        return ("Right. Both put the real stamp on images and compare with a reference: the same images without it, "
                "and a model that never learned it. A picture that looks right proves nothing, and a TCAV score, "
                "even one that differs from random directions, describes a direction in the network, not what the "
                "stamp does to the predictions.")


q4 = _EvidenceChoice(
    title="Which observations show the shortcut?",
    hints=[
        "Ask of each observation: would it look any different if the model did NOT use the stamp?",
        "Evidence needs an intervention with the real stamp AND a reference (with vs without the stamp, attacked vs "
        "reference model). Section 5's reference model, which never saw the stamp, tells you what a TCAV score "
        "alone is worth.",
    ],
)


# --- q5: reflection ----------------------------------------------------------------------------

q5 = ReflectionProblem(
    title="A convincing explanation is not a fair model",
    min_words=30,
    points_to_cover=[
        "a saliency map shows where the gradient is large on the images you look at, not what the model relies "
        "on across the population: a clean image has no stamp to highlight",
        "saliency maps can look plausible even for a random network (Adebayo et al. 2018): looking right is "
        "not evidence",
        "evidence needs an intervention and a reference: add the artifact and compare predictions, with a "
        "reference model trained without it; a TCAV score only beside random directions and that reference",
        "who is harmed: people whose inputs carry the spurious feature (or lack it) get worse decisions, while "
        "the explanation gives users only a perception of trust",
    ],
    hints=[
        "Think of the shirt-shaped saliency map on a clean image: would it look different if the model used the stamp?",
        "What did the randomised network's saliency map show you about the method itself?",
    ],
)

register(__name__, globals())
