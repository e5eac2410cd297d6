"""Exercises of module 08, "Mitigating tabular bias" (Adult census income data).

``from biaslab.exercises.m08 import *`` gives ``q1`` (a reweighing weight by hand), ``q2``
(thresholds for equal opportunity), ``q3`` (which mitigation fits which context) and the
reflection ``q4``.
"""

from __future__ import annotations

import math
import numbers
import re

import numpy as np

from ._problem import KeyedProblem, Mistake, NumberProblem, Problem, ReflectionProblem
from ._registry import register

__all__ = ["q1", "q2", "q3", "q4"]

FAVOURED, DEPRIVED = "Male", "Female"


def _train():
    from ..mitigations._comparison import mitigation_data

    data = mitigation_data("adult")
    return data.y_train, data.s_train.to_numpy()


def _counts(y, s, group, label):
    """|D|, |D_s|, |D_c|, |D_{s,c}| for the cell (group, label)."""
    y, s = np.asarray(y), np.asarray(s)
    return len(y), int((s == group).sum()), int((y == label).sum()), int(((s == group) & (y == label)).sum())


def _weight(group, label, rows=_train):
    n, n_s, n_c, n_sc = _counts(*rows(), group, label)
    return n_s * n_c / (n * n_sc)


def _all_rows():
    from ..datasets import load_adult

    adult = load_adult()
    return adult.target.to_numpy(), adult.sensitive_features["sex"].astype(str).to_numpy()


def _parts():
    return _counts(*_train(), DEPRIVED, 1)


# --- q1: one reweighing weight by hand ----------------------------------------------------------

q1 = NumberProblem(
    title="A reweighing weight by hand",
    what="the weight",
    tolerance=1e-3,
    bounds=(0, math.inf),
    mistakes=[
        Mistake(lambda expected: 1 / expected, "Your ratio is upside down: that is observed over expected. The weight is "
                "the count expected if sex and income were independent, divided by the count observed, so a cell "
                "with too few rows gets a weight above 1."),
        Mistake(lambda: _parts()[1] * _parts()[2] / _parts()[0] ** 2,
                "That is P(Female) · P(>50K), the share the cell would have if sex and income were independent. "
                "Divide it by the share it really has, P(Female, >50K)."),
        Mistake(lambda: _parts()[1] * _parts()[2] / _parts()[0],
                "That is the expected count |D_s| |D_c| / |D| of the cell; divide it by the observed count "
                "|D_s,c| to get a weight."),
        Mistake(lambda: _parts()[2] / _parts()[3],
                "You divided the class count by the cell count but left out the group's share |D_s| / |D|."),
        Mistake(lambda: _parts()[3] / _parts()[1],
                "That is P(>50K | Female), a rate within the group; the weight compares the cell's expected count "
                "with its observed count."),
        Mistake(lambda: _parts()[0] * _parts()[3] / (_parts()[1] ** 2),
                "You mixed joint and marginal counts: the numerator takes the two marginal counts |D_s| and |D_c|, "
                "the denominator the total |D| and the joint count |D_s,c|."),
        Mistake(lambda: _counts(*_train(), DEPRIVED, 0)[3] * _parts()[2] / (_parts()[0] * _parts()[3]),
                "For |D_s| you took the cell (Female, <= 50K). |D_s| is the size of the whole group: the "
                "'Female' row total, both incomes together."),
        Mistake(lambda: _parts()[1] * _counts(*_train(), FAVOURED, 1)[3] / (_parts()[0] * _parts()[3]),
                "For |D_c| you took the cell (Male, > 50K). |D_c| is the size of the whole class: the '1' "
                "column total, women and men together."),
        Mistake(lambda: _weight(DEPRIVED, 0), "That is the weight of women with income <= 50K; the question asks "
                "for women with income > 50K."),
        Mistake(lambda: _weight(FAVOURED, 1), "That is the weight of men with income > 50K; the question asks for "
                "women with income > 50K."),
        Mistake(lambda: _weight(FAVOURED, 0), "That is the weight of men with income <= 50K; the question asks for "
                "women with income > 50K."),
        Mistake(lambda: _weight(DEPRIVED, 1, rows=_all_rows), "You used all 48,842 rows of Adult; use the rows the model is "
                "trained on here, data.y_train and data.s_train."),
    ],
    hints=[
        "W(s, c) = |D_s| · |D_c| / (|D| · |D_s,c|): the group's size times the class's size, over the total "
        "times the size of the cell itself.",
        "Here s = Female and c = 1 (income > 50K). From the table of counts: |D_s| is the 'Female' row total, "
        "|D_c| the '1' column total, |D| the grand total and |D_s,c| the cell (Female, 1).",
    ],
    correct_message="Right: a woman with a high income counts as more than two rows, because the data hold far "
    "fewer of them than independence would predict.",
)


# --- q2: thresholds that equalise the true positive rate ----------------------------------------

_GAP_TOLERANCE = {"visible": 0.02, "hidden": 0.06}  # the hidden test scores unseen test rows: noisier
_ACCURACY_SLACK = 0.015
_OTHER_RATE_MATCH = 0.01


def _validation(variant: str):
    from ..mitigations._comparison import fit_baseline, mitigation_data

    data = mitigation_data("adult")
    part = "validation" if variant == "visible" else "test"
    X, y, s = data[f"X_{part}"], data[f"y_{part}"], data[f"s_{part}"].to_numpy()
    return fit_baseline("adult").predict_proba(X)[:, 1], y, s


def _rates(pred, y, s):
    out = {}
    for group in (FAVOURED, DEPRIVED):
        rows = s == group
        out[group] = {"tpr": pred[rows & (y == 1)].mean(), "fpr": pred[rows & (y == 0)].mean(),
                      "selection": pred[rows].mean()}
    return out


def _check_thresholds(answer) -> dict:
    if not isinstance(answer, dict):
        raise Problem.wrong_type(f"Give a dict such as {{'Female': 0.4, 'Male': 0.6}}, not a {type(answer).__name__}.")
    by_name = {str(k).strip().lower(): v for k, v in answer.items()}
    missing = [g for g in (DEPRIVED, FAVOURED) if g.lower() not in by_name]
    extra = [k for k in answer if str(k).strip().lower() not in ("female", "male")]
    if missing or extra:
        raise Problem.wrong_type("Give one threshold for each group, with the keys 'Female' and 'Male'"
                                 + (f"; missing: {', '.join(missing)}" if missing else "")
                                 + (f"; not a group: {', '.join(map(repr, extra))}" if extra else "") + ".")
    thresholds = {}
    for group in (DEPRIVED, FAVOURED):
        value = by_name[group.lower()]
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or np.isnan(value):
            raise Problem.wrong_type(f"The threshold of {group} should be a number between 0 and 1, got {value!r}.")
        if not 0 <= value <= 1:
            raise Problem.wrong_type(f"The threshold of {group} is {value:g}; the scores are probabilities, so "
                                     "give a threshold between 0 and 1.")
        thresholds[group] = float(value)
    return thresholds


class _EqualOpportunityThresholds(Problem):
    """The answer is a dict group -> threshold; the check scores it on held-out rows."""

    def diagnose(self, answer, variant: str = "visible") -> str:
        thresholds = _check_thresholds(answer)
        scores, y, s = _validation(variant)
        cut = np.where(s == FAVOURED, thresholds[FAVOURED], thresholds[DEPRIVED])
        pred = (scores >= cut).astype(float)
        baseline_accuracy = float(np.mean((scores >= 0.5) == y))
        accuracy = float(np.mean(pred == y))
        rates = _rates(pred, y, s)
        gap = {k: abs(rates[FAVOURED][k] - rates[DEPRIVED][k]) for k in ("tpr", "fpr", "selection")}
        tolerance = _GAP_TOLERANCE[variant]
        where = "validation rows" if variant == "visible" else "test rows (unseen when you chose)"
        if gap["tpr"] <= tolerance:
            if accuracy < baseline_accuracy - _ACCURACY_SLACK:
                raise self.wrong(
                    f"The true positive rates are equal, but accuracy falls to {accuracy:.3f} on the {where} "
                    f"(the single threshold 0.5 gives {baseline_accuracy:.3f}). Equal TPRs are easy to reach by "
                    "selecting almost everyone or almost no one; keep the thresholds near where the model is "
                    "accurate and move them apart only as far as the gap needs.")
            return (f"On the {where}: TPR gap {gap['tpr']:.3f}, accuracy {accuracy:.3f} (one threshold of 0.5: "
                    f"{baseline_accuracy:.3f}). Equal opportunity for almost no accuracy; note that the selection "
                    "rates still differ, since the groups' base rates do.")
        if thresholds[FAVOURED] == thresholds[DEPRIVED]:
            raise self.wrong("Both groups have the same threshold, so the model's TPR gap stays as it is; give "
                             "each group its own threshold.")
        # "you equalised another rate" only when that rate is matched closely: not by chance
        if gap["fpr"] <= _OTHER_RATE_MATCH:
            raise self.wrong(f"Your thresholds equalise the false positive rates (gap {gap['fpr']:.3f}), not the "
                             f"true positive rates (gap {gap['tpr']:.3f}). Equal opportunity compares the rows "
                             "with y = 1 only.")
        if gap["selection"] <= _OTHER_RATE_MATCH:
            raise self.wrong(f"Your thresholds equalise the selection rates (demographic parity, gap "
                             f"{gap['selection']:.3f}), not the true positive rates (gap {gap['tpr']:.3f}). "
                             "Equal opportunity compares the rows with y = 1 only.")
        higher = FAVOURED if rates[FAVOURED]["tpr"] > rates[DEPRIVED]["tpr"] else DEPRIVED
        raise self.wrong(f"The TPR gap is still {gap['tpr']:.3f} on the {where} (aim for at most {tolerance}): "
                         f"{higher} has the higher true positive rate. Lower the other group's threshold, or "
                         f"raise {higher}'s.")


q2 = _EqualOpportunityThresholds(
    title="Choose thresholds for equal opportunity",
    hints=[
        "A group's TPR at threshold t is the share of its rows with y = 1 whose score is at least t. Lowering a "
        "group's threshold raises its TPR.",
        "Pick a target TPR (for example the overall TPR of the threshold 0.5), then for each group the threshold "
        "that reaches it: np.quantile(scores of the group's y = 1 rows, 1 - target).",
        "The widget above shows each group's TPR as you move its slider; the check uses the same validation rows.",
    ],
)


# --- q3: which mitigation fits which context ------------------------------------------------------

#: The answers q3 accepts, as written in the notebook.
MITIGATION_CHOICES = ("reweighing", "massaging", "uniform sampling", "preferential sampling", "group thresholds",
                      "exponentiated gradient")

#: The contexts of q3, as the notebook describes them.
CONTEXTS = ("A", "B", "C", "D", "E")

# why a method does not fit a context it was chosen for; true of every context it is wrong for, so it never
# points at the right one. The key (the methods that fit each context, and what is said of a wrong choice in
# a particular context) is in the instructor's source notebook, not here (biaslab.exercises._keys).
_WHY_NOT = {
    "reweighing": "Reweighing needs a learner that takes sample weights and a model you can retrain.",
    "massaging": "Massaging changes training labels and needs a model you can retrain.",
    "uniform sampling": "Sampling removes and copies training rows and needs a model you can retrain.",
    "preferential sampling": "Sampling removes and copies training rows and needs a model you can retrain.",
    "group thresholds": "Group thresholds use the sensitive attribute when each person is scored, and leave the "
                        "training alone.",
    "exponentiated gradient": "Exponentiated gradient retrains with a learner that takes sample weights and decides "
                              "with a randomised mixture of models.",
}


def _normalise(choice) -> str:
    return re.sub(r"[\s_\-]+", " ", str(choice)).strip().lower()


class _MitigationChoice(KeyedProblem):
    """The answer is a dict: context letter -> a mitigation's name.

    Its key: ``{"answers": {context: [methods that fit]}, "why_not": {context: {method or "*": message}}}``.
    """

    def form(self, answer) -> dict:
        if not isinstance(answer, dict):
            raise self.wrong_type(f"Give a dict such as {{'A': 'reweighing', ...}}, not a {type(answer).__name__}.")
        answer = {str(k).strip().upper(): v for k, v in answer.items()}
        missing = sorted(set(CONTEXTS) - set(answer))
        extra = sorted(set(answer) - set(CONTEXTS))
        if missing or extra:
            raise self.wrong_type("Give one mitigation for each context A to E"
                                  + (f"; missing: {', '.join(missing)}" if missing else "")
                                  + (f"; not a context: {', '.join(extra)}" if extra else "") + ".")
        for key in sorted(answer):
            if not isinstance(answer[key], str) or _normalise(answer[key]) not in MITIGATION_CHOICES:
                raise self.wrong_type(f"Context {key}: {answer[key]!r} is not one of "
                                      f"{', '.join(map(repr, MITIGATION_CHOICES))}.")
        return {key: _normalise(value) for key, value in answer.items()}

    def against(self, answer, key) -> str:
        fits = {context: {_normalise(m) for m in methods} for context, methods in key["answers"].items()}
        wrong = [context for context in CONTEXTS if answer[context] not in fits[context]]
        if not wrong:
            return ("All five fit. The method follows from the constraints: what you may change (data, training, "
                    "decision), what the law allows at decision time, and which fairness criterion is asked for.")
        context = wrong[0]
        chosen = answer[context]
        specific = key.get("why_not", {}).get(context, {})
        said = specific.get(chosen) or specific.get("*")
        why = f"{said} {_WHY_NOT[chosen]}" if said else f"In context {context}: {_WHY_NOT[chosen]}"
        others = f" ({len(wrong) - 1} more context(s) not right yet.)" if len(wrong) > 1 else ""
        raise self.wrong(f"{why}{others}")


q3 = _MitigationChoice(
    title="Which mitigation fits the context?",
    hints=[
        "For each context, list what may change: the training data (weights, labels, rows), the training "
        "procedure, or only the decision on the scores.",
        "Then check the constraints: can the tool read weights? May labels change? May rows be dropped or copied? "
        "May the sensitive attribute be used when a person is scored? Must the model be deterministic?",
    ],
)


# --- q4: a reflection -------------------------------------------------------------------------

q4 = ReflectionProblem(
    title="Defend a mitigation to the bank",
    min_words=50,
    points_to_cover=[
        "the method chosen and why the context allows it (what can change: data, training or decision)",
        "the fairness criterion it serves, with the numbers from the comparison (accuracy lost, gap left)",
        "what it makes worse or leaves alone: another criterion's gap, e.g. reweighing's TPR gap or the "
        "selection-rate gap left by equal-opportunity thresholds",
        "what no mitigation here fixes: labels that record past bias, proxies, a test set with the same bias",
        "a legal or practical caveat (using sex at decision time; randomised decisions) and a plan to monitor",
    ],
    hints=[
        "Start from the picture: where is your method on the plane for the criterion the bank cares about, "
        "and how far is it from the baseline star?",
        "Then name what the method cannot see: the test labels carry the same history as the training labels.",
    ],
)

register(__name__, globals())
