"""Exercises of module 07, "Unlearning bias with RR-ClArC" (Fashion-MNIST with a planted stamp).

``from biaslab.exercises.m07 import *`` gives ``q1`` ... ``q4``.

The numbers of q2 and q3 come from the shipped comparison
(:func:`biaslab.experiments.from_hope_to_safety.load_clarc_results`), read at check time.
"""

from __future__ import annotations

import functools
import numbers
import re

import numpy as np
import pandas as pd

from ._problem import case_seed, FunctionProblem, KeyedProblem, Problem, ReflectionProblem
from ._registry import register

__all__ = ["q1", "q2", "q3", "q4"]

#: "Within 1 point": the most clean accuracy (a fraction) a correction may cost against Vanilla.
CLEAN_ACC_BUDGET = 0.01

#: The methods a learner can name in q3 (their codes in the results table).
METHOD_NAMES = {"vanilla": "Vanilla", "p_clarc": "P-ClArC", "a_clarc": "A-ClArC", "rr_clarc": "RR-ClArC"}


# --- q1: implement the RR-ClArC penalty --------------------------------------------------------

def _q1_reference(gradients, cav):
    g = np.asarray(gradients, dtype=np.float64)
    h = np.asarray(cav, dtype=np.float64)
    return float(np.mean((g @ (h / np.linalg.norm(h))) ** 2))


def _q1_cases(variant, seed=None):
    rng = np.random.default_rng(case_seed(variant, 7, 2024, seed))
    cases = [((np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 0.5]]), np.array([0.0, 2.0])), {})]
    shapes = [(8, 4), (32, 64), (5, 16)] if variant == "visible" else [(1, 3), (50, 128), (7, 1), (13, 10), (200, 32)]
    for n, c in shapes:
        gradients = rng.normal(size=(n, c)) * rng.uniform(0.1, 3.0)
        cav = rng.normal(size=c)
        cav *= rng.uniform(2.0, 5.0) / np.linalg.norm(cav)  # never unit length: normalising must matter
        cases.append(((gradients, cav), {}))
    return cases


def _q1_mistakes(gradients, cav):
    """(value, message) of the usual wrong penalties, most specific first."""
    g = np.asarray(gradients, dtype=np.float64)
    c = np.asarray(cav, dtype=np.float64)
    h = c / np.linalg.norm(c)
    dot, raw = g @ h, g @ c
    return [
        (np.mean(raw ** 2), "The CAV is not normalised: divide it by its length first (h must be a unit vector), "
                            "or the penalty grows with the CAV's length instead of measuring the gradient."),
        (np.sum(dot ** 2), "You summed over the batch; take the mean, so the penalty does not grow with the "
                           "batch size."),
        (np.sum(raw ** 2), "Two things: the CAV is not normalised (h must have length 1), and you summed over the "
                           "batch instead of taking the mean."),
        (np.mean(dot), "The square is missing: positive and negative g . h cancel out, so a model that uses the "
                       "artifact both ways would look clean."),
        (np.mean(np.abs(dot)), "That is the mean of |g . h| (TCAV's sensitivity); RR-ClArC squares g . h instead, "
                               "which is smooth and punishes large values more."),
        (np.mean(dot) ** 2, "You squared the mean; square each sample's g . h first, then average."),
        (np.sqrt(np.mean(dot ** 2)), "Do not take the square root: the penalty is the mean of the squares."),
        (np.mean((raw / (c @ c)) ** 2), "You divided g . cav by the CAV's squared length (the projection "
                                        "coefficient); divide the CAV by its length once, so h is a unit vector, "
                                        "and use g . h."),
        (np.mean((g * h) ** 2), "Take the dot product g . h for each sample (one number per row) before squaring, "
                                "not the element-wise product."),
    ]


def _q1_compare(got, expected, args, kwargs):
    if hasattr(got, "detach"):  # a torch tensor
        got = got.detach().cpu().numpy()
    arr = np.asarray(got)
    if arr.size != 1 or arr.dtype.kind not in "fiu":
        shape = f" of shape {arr.shape}" if arr.ndim else ""
        raise Problem.wrong_type(f"Your function should return one number (the mean over the batch), "
                                 f"it returned a {type(got).__name__}{shape}.")
    value = float(arr.reshape(-1)[0])
    if np.isclose(value, expected, rtol=1e-6, atol=1e-12):
        return
    for wrong, message in _q1_mistakes(*args):
        if not np.isclose(wrong, expected, rtol=1e-6, atol=1e-12) and np.isclose(value, wrong, rtol=1e-6, atol=1e-12):
            raise Problem.wrong(message)
    n, c = np.shape(args[0])
    raise Problem.wrong(f"Your function gives {value:.4g} for gradients of shape ({n}, {c}); that is not the "
                        "penalty. Check the three steps: normalise h, one dot product per row, mean of the squares.")


q1 = FunctionProblem(
    title="Implement the RR-ClArC penalty",
    cases=_q1_cases,
    reference=_q1_reference,
    compare=_q1_compare,
    hints=[
        "Three steps: make the CAV a unit vector (h = cav / its length), compute g . h for every row of gradients "
        "(one number per sample), then average the squares over the batch.",
        "With numpy: h = cav / np.linalg.norm(cav); then gradients @ h has one value per sample; square it and "
        "take the mean.",
    ],
    correct_message="Right: the penalty is zero exactly when every gradient is orthogonal to the CAV, i.e. when "
    "moving the activations along the artifact direction does not change the output.",
)


# --- shared: the shipped comparison, summarised --------------------------------------------------

@functools.cache
def _summary() -> pd.DataFrame:
    from ..experiments.from_hope_to_safety import load_clarc_results, summarise_clarc

    return summarise_clarc(load_clarc_results())


def _rows(method: str, summary: pd.DataFrame | None = None) -> pd.DataFrame:
    summary = _summary() if summary is None else summary
    return summary[summary["method"] == method]


def _value(method: str, column: str) -> float:
    return float(_rows(method)[column].iloc[0])


def _best_lambda(*, budget, reference, summary=None) -> float:
    """q2's rule with other settings (its usual mistakes): among RR-ClArC's lambdas whose mean clean
    accuracy is within ``budget`` of the reference's, the one with the best mean attacked accuracy
    (NaN if none qualifies)."""
    rr = _rows("rr_clarc", summary)
    floor = float(_rows(reference, summary)["clean_acc_mean"].iloc[0]) - budget
    ok = rr[rr["clean_acc_mean"] >= floor - 1e-12]
    if ok.empty:
        return float("nan")
    return float(ok.sort_values(["attacked_acc_mean", "lam"], ascending=[False, True])["lam"].iloc[0])


def _seed0_summary() -> pd.DataFrame:
    from ..experiments.from_hope_to_safety import load_clarc_results, summarise_clarc

    return summarise_clarc(load_clarc_results(seeds=0))


# --- q2: read the trade-off: choose lambda -------------------------------------------------------

class _LambdaChoice(KeyedProblem):
    """The answer is one of RR-ClArC's lambdas in the shipped grid. Its key, in the instructor's source
    notebook: the lambda q2's rule picks (the package only explains why another one does not fit)."""

    def form(self, answer) -> float:
        if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (numbers.Real, np.number)):
            raise self.wrong_type(f"Give lambda as a number (e.g. 1000.0 or 1e3), not a {type(answer).__name__}.")
        value = float(answer)
        grid = _rows("rr_clarc")["lam"].to_numpy()
        if not np.isclose(value, grid, rtol=1e-6).any():
            raise self.wrong_type(f"{value:g} is not one of the lambdas in the table; choose one of "
                                  f"{', '.join(f'{v:g}' for v in grid)}.")
        return value

    def against(self, value, key) -> str:
        expected = float(key)
        if np.isclose(value, expected, rtol=1e-6):
            return ("Right: that lambda keeps clean accuracy within a point of Vanilla and recovers the most "
                    "attacked accuracy under that constraint.")
        grid = _rows("rr_clarc")["lam"].to_numpy()
        mistakes = [
            (float(_rows("rr_clarc").sort_values("attacked_acc_mean", ascending=False)["lam"].iloc[0]),
             "That lambda has the best attacked accuracy, but its clean accuracy falls more than 1 point below "
             "Vanilla's: check the constraint first, then maximise."),
            (_best_lambda(budget=0.1, reference="vanilla"),
             "1 point of accuracy is 0.01 (one percentage point), not 0.1."),
            (_best_lambda(budget=CLEAN_ACC_BUDGET, reference="original"),
             f"At lambda={value:g} clean accuracy is more than 1 point below Vanilla's. If you compared with "
             "the original model: compare with Vanilla (the same fine-tuning without the penalty) instead."),
            (_best_lambda(budget=CLEAN_ACC_BUDGET, reference="vanilla", summary=_seed0_summary()),
             "You used only seed 0; use the mean over the seeds (the summary table), which is less noisy."),
            (float(_rows("rr_clarc").sort_values("tcav_sensitivity_mean")["lam"].iloc[0]),
             "That lambda has the lowest TCAV sensitivity; the question asks for the best attacked accuracy "
             "within the clean-accuracy budget."),
            (float(grid.max()), "The largest lambda removes the most of the artifact but costs too much clean "
                                "accuracy: check the 1-point budget."),
        ]
        for wrong, message in mistakes:
            distinct = np.isfinite(wrong) and not np.isclose(wrong, expected, rtol=1e-6)
            if distinct and np.isclose(value, wrong, rtol=1e-6):
                raise self.wrong(message)
        ok = _rows("rr_clarc")
        floor = _value("vanilla", "clean_acc_mean") - CLEAN_ACC_BUDGET
        row = ok[np.isclose(ok["lam"], value, rtol=1e-6)].iloc[0]
        if row["clean_acc_mean"] < floor - 1e-12:
            raise self.wrong(f"At lambda={value:g} clean accuracy is more than 1 point below Vanilla's.")
        raise self.wrong(f"lambda={value:g} is within the clean-accuracy budget, but another lambda within it "
                         "recovers more attacked accuracy.")


q2 = _LambdaChoice(
    title="Choose lambda from the trade-off",
    hints=[
        "First keep only the RR-ClArC rows whose mean clean accuracy is at least Vanilla's mean clean accuracy "
        "minus 0.01; then, among them, take the one with the highest mean attacked accuracy.",
        "With the summary table: vanilla = summary.loc[summary.method == 'vanilla', 'clean_acc_mean'].item(); "
        "rr = summary[summary.method == 'rr_clarc']; ok = rr[rr.clean_acc_mean >= vanilla - 0.01]; then "
        "ok.loc[ok.attacked_acc_mean.idxmax(), 'lam'].",
    ],
)


# --- q3: compare the methods ---------------------------------------------------------------------

def _method_code(answer) -> str | None:
    key = re.sub(r"[\s_\-]+", "", str(answer)).lower()
    aliases = {"vanilla": "vanilla", "pclarc": "p_clarc", "p": "p_clarc", "aclarc": "a_clarc", "a": "a_clarc",
               "rrclarc": "rr_clarc", "rr": "rr_clarc"}
    return aliases.get(key)


def _best_attacked(method: str) -> float:
    return float(_rows(method)["attacked_acc_mean"].max())


class _MethodChoice(KeyedProblem):
    """The answer is a method name: "Vanilla", "P-ClArC", "A-ClArC" or "RR-ClArC". Its key, in the
    instructor's source notebook: the method with the highest mean attacked accuracy."""

    def form(self, answer) -> str:
        if not isinstance(answer, str):
            raise self.wrong_type(f"Give the method's name as a string, e.g. \"P-ClArC\", "
                                  f"not a {type(answer).__name__}.")
        code = _method_code(answer)
        if code is None:
            names = ", ".join(map(repr, METHOD_NAMES.values()))
            raise self.wrong_type(f"{answer!r} is not one of the methods: {names}.")
        return code

    def against(self, code, key) -> str:
        expected = _method_code(key)
        if expected is None:
            raise ValueError(f"{key!r} is not a method")
        if code == expected:
            return (f"Right: {METHOD_NAMES[code]} reaches the highest attacked accuracy here. Now look at what it "
                    "costs on the clean test set, and compare with the paper's ranking.")
        if code == "vanilla":
            raise self.wrong("Vanilla is the baseline: the same fine-tuning without any correction. Its attacked "
                             "accuracy hardly moves; one of the corrections does far better.")
        best = " at its best lambda" if code == "rr_clarc" else ""
        raise self.wrong(f"{METHOD_NAMES[code]}{best} reaches a mean attacked accuracy of "
                         f"{_best_attacked(code):.3f}, but another method is higher on the attacked test set here "
                         "(compare the attacked_acc_mean column; for RR-ClArC take its best lambda).")


q3 = _MethodChoice(
    title="Which correction helps most on the attacked test set?",
    hints=[
        "Look at the attacked_acc_mean column of the summary: one row each for Vanilla, P-ClArC and A-ClArC, and "
        "one row per lambda for RR-ClArC (take its best).",
        "summary.groupby('method')['attacked_acc_mean'].max() gives each method's best.",
    ],
)


# --- q4: reflection --------------------------------------------------------------------------------

q4 = ReflectionProblem(
    title="Where the paper's ranking holds, and why not elsewhere",
    min_words=40,
    points_to_cover=[
        "our result: on the stamp RR-ClArC meets the paper's criterion (clean accuracy within a point, attacked "
        "accuracy up by more than 10 points) but P-ClArC recovers far more; on the brightening no method recovers "
        "much",
        "RR-ClArC's penalty uses the gradient averaged over space: a dense head can still react to a localised "
        "artifact at its position, with a spatial average of zero (the position map)",
        "P-ClArC moves the artifact's activations back at test time wherever it sits, and one direction captures "
        "almost all of the stamp's latent shift",
        "a brightening moves the activations in several directions; a single CAV captures only part of it, so "
        "the three ClArC methods, all acting along one direction, leave the rest of the shortcut for the head to read",
        "a correction must be checked on an attacked and a clean test set, with TCAV read against random "
        "directions: a low TCAV sensitivity alone is not proof (P-ClArC's is zero by construction, RR-ClArC's "
        "near zero where it recovers little)",
    ],
    hints=[
        "What does the penalty average over, and where does the position map show the model still reacting?",
        "How much of each artifact's latent shift lies along h (the last measurement of section 5)?",
    ],
)

register(__name__, globals())
