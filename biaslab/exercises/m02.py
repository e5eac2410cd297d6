"""Exercises of module 02, "Measuring fairness" (COMPAS two-year recidivism data).

``from biaslab.exercises.m02 import *`` gives ``q1`` ... ``q5``.

The COMPAS questions compare black and white defendants ("African-American" and "Caucasian" in
the data), as ProPublica did; a person is predicted positive ("high risk") when COMPAS's decile
score is 5 or more (``load_compas().high_risk``).
"""

from __future__ import annotations

import functools
import numbers
import re
import warnings

import numpy as np
import pandas as pd

from ..metrics import (
    demographic_parity_difference,
    equalized_odds_difference,
    group_metrics,
    predictive_parity_difference,
)
from ._problem import case_seed, FunctionProblem, KeyedProblem, Mistake, NumberProblem, Problem, ReflectionProblem
from ._registry import register

__all__ = ["q1", "q2", "q3", "q4", "q5"]

BLACK, WHITE = "African-American", "Caucasian"


@functools.cache
def _compas():
    from ..datasets import DatasetHarmWarning, load_compas

    with warnings.catch_warnings():
        # the notebook shows this warning to the learner once, when it loads the data itself
        warnings.simplefilter("ignore", DatasetHarmWarning)
        return load_compas()


def _black_white():
    """(y_true, high_risk, race as str) of black and white defendants."""
    compas = _compas()
    race = compas.frame["race"].astype(str).to_numpy()
    keep = np.isin(race, [BLACK, WHITE])
    return compas.target.to_numpy()[keep], compas.high_risk.to_numpy()[keep], race[keep]


@functools.cache
def _rates() -> pd.DataFrame:
    y, y_pred, race = _black_white()
    report = group_metrics(y, y_pred, sensitive_features=race, metrics=[
        "base_rate", "selection_rate", "true_positive_rate", "false_positive_rate", "false_negative_rate",
        "precision"])
    return report.by_group


# --- q1: implement the false positive rate by group ---------------------------------------------

def _q1_reference(y_true, y_pred, groups):
    report = group_metrics(y_true, y_pred, sensitive_features=pd.Series(np.asarray(groups)),
                           metrics=["false_positive_rate"])
    return report.by_group["false_positive_rate"]


def _q1_cases(variant, seed=None):
    rng = np.random.default_rng(case_seed(variant, 20260202, 4242, seed))
    cases = [
        (([0, 0, 1, 1, 0, 0, 0, 1], [1, 0, 1, 0, 1, 1, 0, 1], ["a", "a", "a", "a", "b", "b", "b", "b"]), {}),
    ]
    names = ["x", "y"] if variant == "visible" else ["north", "south", "east", "west"]
    for _ in range(3 if variant == "visible" else 5):
        n = int(rng.integers(60, 400))
        groups = rng.choice(names, n)
        y_true = (rng.random(n) < 0.4).astype(int)
        # each group gets its own false positive rate, so a mix-up between groups shows
        fp_rate = dict(zip(names, rng.uniform(0.1, 0.6, len(names))))
        noise = rng.random(n)
        y_pred = np.where(y_true == 1, noise < 0.7, noise < np.vectorize(fp_rate.get)(groups)).astype(int)
        cases.append(((y_true, y_pred, groups), {}))
    if variant == "visible":
        y, y_pred, race = _black_white()
        cases.append(((y, y_pred, race), {}))
    else:  # lists and a pandas Series in, as a learner might pass them
        cases.append((([1, 0, 0, 1, 0, 0], [1, 1, 0, 0, 0, 1], pd.Series([2, 2, 2, 3, 3, 3])), {}))
    return cases


def _by_group(y_true, y_pred, groups, numerator, denominator) -> pd.Series:
    """A per-group rate numerator / denominator, from boolean masks of the rows."""
    frame = pd.DataFrame({"g": np.asarray(groups), "num": numerator, "den": denominator})
    sums = frame.groupby("g")[["num", "den"]].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        return sums["num"] / sums["den"]


def _q1_compare(got, expected, args, kwargs):
    if isinstance(got, dict):
        got = pd.Series(got, dtype=object)
    if isinstance(got, (numbers.Real, np.floating)) or (hasattr(got, "shape") and getattr(got, "shape", None) == ()):
        raise Problem.wrong_type("Your function returns one number; return one rate per group "
                                 "(a pandas Series or a dict: group -> rate).")
    if not isinstance(got, pd.Series):
        raise Problem.wrong_type(f"Your function returns a {type(got).__name__}; return a pandas Series (or a dict) "
                                 "with one rate per group, indexed by the group.")
    wanted = {str(g) for g in expected.index}
    have = {str(g) for g in got.index}
    if wanted != have:
        raise Problem.wrong_type(f"Your result is indexed by {sorted(have)[:6]}, but the groups are {sorted(wanted)}: "
                                 "index it by the group labels.")
    got = pd.Series(pd.to_numeric(got.to_numpy(), errors="coerce"), index=[str(g) for g in got.index])
    expected = pd.Series(expected.to_numpy(dtype=float), index=[str(g) for g in expected.index])
    got = got.reindex(expected.index)
    if np.allclose(got.to_numpy(dtype=float), expected.to_numpy(), atol=1e-9, equal_nan=True):
        return
    y_true, y_pred, groups = (np.asarray(a) for a in args)
    y_true, y_pred = y_true.astype(int), y_pred.astype(int)
    ones = np.ones(len(y_true))
    fp, tp = (y_pred == 1) & (y_true == 0), (y_pred == 1) & (y_true == 1)
    fn, tn = (y_pred == 0) & (y_true == 1), (y_pred == 0) & (y_true == 0)
    mistakes = [
        (_by_group(y_true, y_pred, groups, fn, y_true == 1),
         "These are false negative rates (actual positives predicted negative). The false positive rate looks at "
         "the actual negatives (y_true == 0): which share of them is predicted positive?"),
        (_by_group(y_true, y_pred, groups, tn, y_true == 0),
         "These are the shares of actual negatives predicted negative (the true negative rate, 1 - FPR)."),
        (_by_group(y_true, y_pred, groups, fp, ones),
         "You divided the false positives by everyone in the group; divide by the group's actual negatives "
         "(y_true == 0)."),
        (_by_group(y_true, y_pred, groups, fp, y_pred == 1),
         "You divided by the predicted positives: that is the false discovery rate (1 - precision). "
         "The false positive rate divides by the actual negatives."),
        (_by_group(y_true, y_pred, groups, y_pred == 1, ones),
         "These are selection rates (the share predicted positive among everyone in the group)."),
        (_by_group(y_true, y_pred, groups, tp, y_true == 1),
         "These are true positive rates; the false positive rate looks at the actual negatives."),
    ]
    for values, message in mistakes:
        values = values.set_axis([str(g) for g in values.index]).reindex(expected.index)
        if not np.allclose(values.to_numpy(), expected.to_numpy(), equal_nan=True) and \
                np.allclose(got.to_numpy(dtype=float), values.to_numpy(), atol=1e-9, equal_nan=True):
            raise Problem.wrong(message)
    raise Problem.wrong(f"Your rates are not right for a case with {len(y_true)} rows and groups "
                        f"{', '.join(map(str, expected.index))}. FPR = FP / (FP + TN) within each group.")


q1 = FunctionProblem(
    title="False positive rate by group",
    cases=_q1_cases,
    reference=_q1_reference,
    compare=_q1_compare,
    hints=[
        "Within each group: FPR = FP / (FP + TN), where FP are rows with y_true == 0 and y_pred == 1, and "
        "FP + TN are all rows with y_true == 0.",
        "Among the actual negatives, the FPR is simply the mean of y_pred. With pandas: put y_true, y_pred and "
        "groups in a DataFrame, keep the rows with y_true == 0, then group by the groups and take the mean of "
        "y_pred.",
    ],
    correct_message="Your function is right. ProPublica's headline number is exactly this rate: among people "
    "who were not rearrested, the share labelled higher risk.",
)


# --- q2: equalized odds by age band -------------------------------------------------------------

def _age_band():
    """(y_true, high_risk, age band as str) of every defendant."""
    compas = _compas()
    return (compas.target.to_numpy(), compas.high_risk.to_numpy(),
            compas.sensitive_features["age_band"].astype(str).to_numpy())


def _black_white_rows() -> np.ndarray:
    race = _compas().frame["race"].astype(str).to_numpy()
    return np.isin(race, [BLACK, WHITE])


def _age_subset_value(rows, *, y="target", y_pred="high_risk") -> float:
    """The equalized odds difference by age band on ``rows`` (None: all), with the columns ``y``/``y_pred`` used."""
    compas = _compas()
    cols = {"target": compas.target.to_numpy(), "high_risk": compas.high_risk.to_numpy()}
    age = compas.sensitive_features["age_band"].astype(str).to_numpy()
    keep = slice(None) if rows is None else rows
    return equalized_odds_difference(cols[y][keep], cols[y_pred][keep], sensitive_features=age[keep])


def _by_column_value(column: str) -> float:
    """The equalized odds difference over all defendants, grouped by another column (a usual mistake)."""
    compas = _compas()
    return equalized_odds_difference(compas.target.to_numpy(), compas.high_risk.to_numpy(),
                                     sensitive_features=compas.frame[column].astype(str).to_numpy())


@functools.cache
def _age_rates() -> pd.DataFrame:
    y, y_pred, age = _age_band()
    return group_metrics(y, y_pred, sensitive_features=age,
                         metrics=["true_positive_rate", "false_positive_rate"]).by_group


def _gap(metric: str) -> float:
    column = _age_rates()[metric]
    return float(column.max() - column.min())


q2 = NumberProblem(
    title="Equalized odds on COMPAS",
    what="the equalized odds difference",
    tolerance=1e-3,
    bounds=(0, 1),
    mistakes=[
        Mistake(lambda: _gap("true_positive_rate"),
                "That is the gap in true positive rates alone (equal opportunity). Equalized odds also asks for "
                "equal FPR; its difference is the larger of the two gaps."),
        Mistake(lambda: _gap("false_positive_rate"),
                "That is the gap in false positive rates alone. Equalized odds asks for equal TPR *and* equal FPR; "
                "its difference is the larger of the two gaps."),
        Mistake(lambda: (_gap("true_positive_rate") + _gap("false_positive_rate")) / 2,
                "That is the mean of the TPR and FPR gaps. The usual definition (Fairlearn's and ours) takes the "
                "worst case: the larger of the two gaps."),
        Mistake(lambda: _gap("true_positive_rate") + _gap("false_positive_rate"),
                "That is the sum of the two gaps; take the larger of them."),
        Mistake(lambda expected: -expected,
                "A difference between groups is reported as a gap, the largest value minus the smallest: it is not "
                "negative."),
        Mistake(lambda: equalized_odds_difference(*_age_band()[:2], sensitive_features=_age_band()[2],
                                                  method="to_overall"),
                "You compared each age band with the overall rate; compare the age bands with each other "
                "(largest minus smallest)."),
        Mistake(lambda: demographic_parity_difference(*_age_band()[:2], sensitive_features=_age_band()[2]),
                "That is the gap in selection rates (demographic parity). Equalized odds compares error rates: TPR "
                "among those rearrested and FPR among those not rearrested."),
        Mistake(lambda: predictive_parity_difference(*_age_band()[:2], sensitive_features=_age_band()[2]),
                "That is the gap in precision (predictive parity), Northpointe's criterion. Equalized odds compares "
                "TPR and FPR."),
        Mistake(lambda: equalized_odds_difference(_black_white()[0], _black_white()[1],
                                                  sensitive_features=_black_white()[2]),
                "That is the equalized odds difference by race (black and white defendants), worked out above. "
                "This question asks about the three age bands."),
        Mistake(lambda: _age_subset_value(_black_white_rows()),
                "You used only the black and white defendants (the rows of the race comparison above). The question "
                "asks about every defendant, whatever their race: use all rows of compas."),
        Mistake(lambda: _by_column_value("race"),
                "That is the equalized odds difference by race, over every race (the groups of the table above). "
                "This question groups the defendants by age band: compas.sensitive_features['age_band']."),
        Mistake(lambda: _by_column_value("sex"),
                "That is the equalized odds difference by sex. This question groups the defendants by age band: "
                "compas.sensitive_features['age_band']."),
        Mistake(lambda: _age_subset_value(None, y="high_risk", y_pred="target"),
                "The labels and the predictions are swapped: y_true is compas.target (arrested again), y_pred is "
                "compas.high_risk (the tool's label). Swapping them turns TPR into precision."),
    ],
    hints=[
        "Use every defendant (all 6,172 rows, not only the black and white ones compared above) and group them by "
        "compas.sensitive_features['age_band']. Equalized odds holds when every group has the same true positive "
        "rate and the same false positive rate; its difference is the larger of the two gaps, each gap being "
        "largest minus smallest over the groups.",
        "biaslab.metrics has a function for it; it takes y_true (who was arrested again), y_pred (who the tool "
        "labelled higher risk) and sensitive_features (the age bands).",
    ],
    correct_message="Right. The youngest defendants are far more often labelled high risk without being "
    "rearrested: age is one of COMPAS's inputs, and its error rates differ even more between age bands than between black "
    "and white defendants.",
)


# --- q3: base rates force a trade-off -----------------------------------------------------------

def _identity(p, ppv, fnr):
    return p / (1 - p) * (1 - ppv) / ppv * (1 - fnr)


def _q3_value(p_group, ppv_group, fnr_group, form=_identity):
    rates = _rates()
    return form(rates.loc[p_group, "base_rate"], rates.loc[ppv_group, "precision"],
                rates.loc[fnr_group, "false_negative_rate"])


q3 = NumberProblem(
    title="Base rates and the impossibility result",
    what="the false positive rate",
    tolerance=1e-3,
    bounds=(0, 1),
    mistakes=[
        Mistake(lambda: _q3_value(WHITE, WHITE, WHITE),
                "That is the FPR white defendants actually have. The question asks what it would be if their "
                "precision and FNR were those of black defendants: take PPV and FNR from the black row."),
        Mistake(lambda: _q3_value(BLACK, WHITE, WHITE),
                "The groups are swapped: keep white defendants' base rate p, and take PPV and FNR from the black "
                "row (the question asks what white defendants' FPR would be with black defendants' precision and "
                "miss rate)."),
        Mistake(lambda: _q3_value(BLACK, BLACK, BLACK),
                "You used black defendants' base rate too, which gives their own FPR back. Keep white defendants' "
                "base rate p: the point is what a different base rate does."),
        Mistake(lambda: _q3_value(WHITE, BLACK, BLACK, form=lambda p, ppv, fnr: (1 - p) / p * (1 - ppv) / ppv * (1 - fnr)),
                "The base-rate factor is upside down: it is p / (1 - p)."),
        Mistake(lambda: _q3_value(WHITE, BLACK, BLACK, form=lambda p, ppv, fnr: p / (1 - p) * ppv / (1 - ppv) * (1 - fnr)),
                "The precision factor is upside down: it is (1 - PPV) / PPV."),
        Mistake(lambda: _q3_value(WHITE, BLACK, BLACK, form=lambda p, ppv, fnr: p / (1 - p) * (1 - ppv) / ppv * fnr),
                "The last factor is (1 - FNR), the true positive rate, not the FNR itself."),
    ],
    hints=[
        "Chouldechova's identity: FPR = p / (1 - p) * (1 - PPV) / PPV * (1 - FNR), with p the group's base rate "
        "(the share rearrested).",
        "Use p from the Caucasian row and PPV (precision) and FNR from the African-American row of `rates`.",
    ],
    correct_message="Right. Even with the same precision and the same miss rate, the group with the lower base "
    "rate gets a clearly lower false positive rate: with different base rates, predictive parity and equal error "
    "rates cannot both hold.",
)


# --- q4: which criterion does a context need? ----------------------------------------------------

CRITERIA = ("demographic parity", "equal opportunity", "equalized odds", "predictive parity", "calibration")
#: The contexts of q4, as the notebook describes them.
CONTEXTS = ("A", "B", "C", "D")

# why a criterion does not fit a context it was chosen for; true of every context it is wrong for, so it
# never points at the right one. The key (the right criteria, and what is said of a wrong choice in a
# particular context) is in the instructor's source notebook, not here (biaslab.exercises._keys).
_WHY_NOT = {
    "demographic parity": "Demographic parity only compares how many people each group gets flagged; it ignores "
                          "who really has the condition, and this context is about errors (or about what a flag means).",
    "equal opportunity": "Equal opportunity compares only the true positive rate (who is caught among the actual "
                         "positives); ask whether that is the only thing this context cares about.",
    "equalized odds": "Equalized odds asks for equal TPR and equal FPR; ask whether both kinds of error really matter "
                      "here, or whether the context is about something else.",
    "predictive parity": "Predictive parity is about what a positive flag means (the share of flagged people who "
                         "really are positive); ask whether that is what this context protects.",
    "calibration": "Calibration is about the values of a score (does a risk of 0.3 mean 30%?); in this context people "
                   "see a yes/no decision, not a score.",
}


def _normalise(choice) -> str:
    return re.sub(r"[\s_\-]+", " ", str(choice)).strip().lower()


class _CriterionChoice(KeyedProblem):
    """The answer is a dict: context letter -> the name of a fairness criterion.

    Its key: ``{"answers": {context: criterion}, "why_not": {context: {criterion: message}}}``.
    """

    def form(self, answer) -> dict:
        if not isinstance(answer, dict):
            raise self.wrong_type(f"Give a dict with one criterion per context, such as {{'A': '<criterion>', "
                                  f"'B': '<criterion>', ...}}, not a {type(answer).__name__}.")
        answer = {str(k).strip().upper(): v for k, v in answer.items()}
        missing = sorted(set(CONTEXTS) - set(answer))
        extra = sorted(set(answer) - set(CONTEXTS))
        if missing or extra:
            raise self.wrong_type(f"Give one criterion for each context A, B, C and D"
                                  + (f"; missing: {', '.join(missing)}" if missing else "")
                                  + (f"; not a context: {', '.join(extra)}" if extra else "") + ".")
        for key in sorted(answer):
            if not isinstance(answer[key], str) or _normalise(answer[key]) not in CRITERIA:
                raise self.wrong_type(f"Context {key}: {answer[key]!r} is not one of the criteria "
                                      f"{', '.join(map(repr, CRITERIA))}.")
        return {key: _normalise(value) for key, value in answer.items()}

    def against(self, answer, key) -> str:
        right = {context: _normalise(criterion) for context, criterion in key["answers"].items()}
        wrong = [context for context in CONTEXTS if answer[context] != right[context]]
        if not wrong:
            return ("All four fit. No criterion is 'the' fair one: each protects against a different harm, and the "
                    "context decides which harm matters most.")
        context = wrong[0]
        chosen = answer[context]
        why = key.get("why_not", {}).get(context, {}).get(chosen, _WHY_NOT[chosen])
        others = f" ({len(wrong) - 1} more context(s) not right yet.)" if len(wrong) > 1 else ""
        raise self.wrong(f"Context {context}: {why}{others}")


q4 = _CriterionChoice(
    title="Which fairness criterion?",
    hints=[
        "For each context ask: who is harmed, and by which error (a false flag, a missed case), or is the harm "
        "simply not being selected at all?",
        "If the labels themselves are suspect or the law demands similar selection rates, look at selection "
        "rates; if only missed positives hurt, look at TPR; if both errors hurt, TPR and FPR; if people act on "
        "what a flag means, precision.",
    ],
)


# --- q5: reflection ------------------------------------------------------------------------------

q5 = ReflectionProblem(
    title="ProPublica or Northpointe?",
    min_words=40,
    points_to_cover=[
        "both sides measure real properties of the same scores: ProPublica equal error rates (FPR, FNR), "
        "Northpointe predictive parity and calibration",
        "the base rates (shares rearrested) differ between the groups",
        "with different base rates no imperfect tool can satisfy both (Chouldechova; Kleinberg et al.)",
        "choosing a criterion is a value judgement: who bears which error (a false 'high risk' can mean jail)",
        "the label is a re-arrest, shaped by policing, so even the base rates may be biased",
    ],
    hints=[
        "Start from the numbers: which rates differ between black and white defendants, and which are about equal?",
        "Then use the identity of q3: what has to give when base rates differ?",
    ],
)

register(__name__, globals())
