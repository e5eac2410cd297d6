"""Exercises of module 03, "Where bias comes from" (German credit, Adult, mystery datasets).

``from biaslab.exercises.m03 import *`` gives ``q1``, ``q2``, ``q3``, ``q4``.
"""

from __future__ import annotations

import functools
import numbers

import numpy as np
import pandas as pd

from ..attacks import (BIAS_KINDS, MEASURED_COLUMNS, MYSTERY_GROUPS, MYSTERY_STRENGTHS, PlantedBias,
                       historical_label_bias, mystery_dataset, planted_bias)
from ._plain import Returned
from ..metrics import discrimination_score
from ._problem import case_seed, FunctionProblem, Mistake, NumberProblem, Problem, ReflectionProblem
from ._registry import register

__all__ = ["q1", "q2", "q3", "q4"]

YOUNG, OLDER = "under 25", "25 and over"
Q1_STRENGTH = 0.5
Q1_SEED = 0
#: The mysteries of q3's visible tests: those the notebook shows (``mystery_dataset(seed)``, public truths).
VISIBLE_MYSTERIES = tuple(range(8))
#: How many mysteries q3's hidden tests give: each kind three times, each group six times; their kinds
#: come from the grader's seed (the package's own seed below when none is given), not from a public seed.
N_HIDDEN_MYSTERIES = 12
HIDDEN_MYSTERY_SEED = 303_303


@functools.cache
def _german():
    from ..datasets import load_german_credit

    return load_german_credit()


def _age_group() -> pd.Series:
    age_band = _german().sensitive_features["age_band"]
    return pd.Series(np.where(age_band == "<25", YOUNG, OLDER), index=age_band.index, name="age_group")


def _disc(y, groups=None) -> float:
    return discrimination_score(y, sensitive_features=_age_group() if groups is None else groups, favoured=OLDER)


@functools.cache
def _biased_labels() -> np.ndarray:
    german = _german()
    out = historical_label_bias(german.data, german.target, sensitive_features=_age_group(), target=YOUNG,
                                strength=Q1_STRENGTH, random_state=Q1_SEED)
    return np.asarray(out.y)


def _clean() -> float:
    return _disc(_german().target)


def _biased() -> float:
    return _disc(_biased_labels())


def _sex_rise() -> float:
    german = _german()
    sex = german.sensitive_features["sex"]
    out = historical_label_bias(german.data, german.target, sensitive_features=sex, target="Female",
                                strength=Q1_STRENGTH, random_state=Q1_SEED)
    return (discrimination_score(out.y, sensitive_features=sex, favoured="Male")
            - discrimination_score(german.target, sensitive_features=sex, favoured="Male"))


# --- q1: how much a biased history adds ----------------------------------------------------------

q1 = NumberProblem(
    title="How much a biased history adds",
    what="the rise of the discrimination score",
    tolerance=1e-3,
    bounds=(-1, 1),
    mistakes=[
        Mistake(_biased, "That is the discrimination score of the biased labels; the question asks how much it "
                "*rose*: subtract the score of the clean labels."),
        Mistake(_clean, "That is the discrimination score of the clean labels, before the bias was planted."),
        Mistake(lambda: _biased() / _clean(), "That is the ratio of the two scores; the question asks how much the "
                "score rose: the biased score minus the clean one."),
        Mistake(lambda expected: -expected, "The sign is flipped: compute biased minus clean, with the applicants "
                "aged 25 and over as the favoured group."),
        Mistake(lambda: float(_german().target.mean() - _biased_labels().mean()),
                "That is how much the share of good-credit labels fell over everyone; compare the two age "
                "groups instead (the discrimination score) before and after."),
        Mistake(_sex_rise, "You planted the bias against women and measured by sex; the question targets "
                "applicants under 25."),
    ],
    hints=[
        "Compute the discrimination score of german.target and of the biased labels (favoured: '25 and over'), "
        "then subtract.",
        "historical_label_bias(german.data, german.target, sensitive_features=age_group, target='under 25', "
        "strength=0.5, random_state=0).y are the biased labels.",
        "discrimination_score(labels, sensitive_features=age_group, favoured='25 and over') gives one score.",
    ],
    correct_message="Right. Flipping half of the young applicants' good labels widened the gap between the age "
    "groups; no feature changed, only the recorded outcomes.",
)


# --- q2: the fingerprint of measurement bias ----------------------------------------------------

def _as_arrays(values, in_group):
    return np.asarray(values, dtype=float), np.asarray(in_group, dtype=bool)


def _q2_reference(values, in_group):
    x, g = _as_arrays(values, in_group)
    return float(np.std(x[g], ddof=1) / np.std(x[~g], ddof=1))


def _q2_cases(variant, seed=None):
    rng = np.random.default_rng(case_seed(variant, 3, 303, seed))
    cases = [(([1.0, 3.0, 5.0, 2.0, 3.0, 4.0], [True, True, True, False, False, False]), {})]
    for i in range(3 if variant == "visible" else 6):
        n = int(rng.integers(40, 400))
        in_group = rng.random(n) < rng.uniform(0.1, 0.6)
        in_group[:2], in_group[2:4] = True, False  # both sides have at least two values
        values = rng.normal(40, 10, n) * np.where(in_group, rng.uniform(0.5, 2.5), 1.0)
        if i % 3 == 1:  # pandas input, with an index that does not start at 0
            index = np.arange(1000, 1000 + n)
            values, in_group = pd.Series(values, index=index), pd.Series(in_group, index=index)
        elif i % 3 == 2:
            values, in_group = list(np.round(values)), list(in_group)
        cases.append(((values, in_group), {}))
    return cases


def _q2_compare(got, expected, args, kwargs):
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, (numbers.Real, np.floating, np.integer)):
        if isinstance(got, np.ndarray) and got.size == 1:
            got = got.item()
        else:
            raise Problem.wrong_type(f"Your function should return one number, it returned a {type(got).__name__}.")
    got = float(got)
    if np.isclose(got, expected, rtol=1e-6, atol=0):
        return
    x, g = _as_arrays(*args)
    sd_in, sd_out = np.std(x[g], ddof=1), np.std(x[~g], ddof=1)
    if np.isclose(got, sd_out / sd_in, rtol=1e-6):
        raise Problem.wrong("Your ratio is upside down: the group's standard deviation goes on top.")
    if np.isclose(got, (sd_in / sd_out) ** 2, rtol=1e-6) or np.isclose(got, (sd_out / sd_in) ** 2, rtol=1e-6):
        raise Problem.wrong("That is a ratio of variances; take the ratio of standard deviations (the square root).")
    if np.isclose(got, np.std(x[g]) / np.std(x[~g]), rtol=1e-6):
        raise Problem.wrong("Close: use the sample standard deviation (ddof=1, as pandas' .std() does); "
                            "numpy's np.std uses ddof=0 unless told otherwise.")
    if np.isclose(got, sd_in / np.std(x, ddof=1), rtol=1e-6) or np.isclose(got, np.std(x[g]) / np.std(x), rtol=1e-6):
        raise Problem.wrong("Compare the group with everyone *else*, not with all rows (which include the group).")
    if np.isclose(got, sd_in - sd_out, rtol=1e-6):
        raise Problem.wrong("That is a difference of standard deviations; the question asks for their ratio.")
    raise Problem.wrong(f"Your function gives {got:.4g} for a case with {len(x)} values ({int(g.sum())} in the "
                        "group); that is not the ratio of standard deviations.")


q2 = FunctionProblem(
    title="The fingerprint of measurement bias",
    cases=_q2_cases,
    reference=_q2_reference,
    compare=_q2_compare,
    hints=[
        "spread ratio = (standard deviation of the values in the group) / (standard deviation of the values of "
        "everyone else).",
        "Turn both inputs into numpy arrays first (np.asarray(values, dtype=float), np.asarray(in_group, "
        "dtype=bool)); then x[g].std(ddof=1) is the group's sample standard deviation and x[~g] everyone else.",
    ],
    correct_message="Right. A ratio well above the one in clean data says the group's numbers are noisier: "
    "the fingerprint of measurement bias.",
)


# --- q3: diagnose the mysteries ------------------------------------------------------------------

@functools.cache
def _mystery(seed: int):
    return mystery_dataset(seed)


@functools.cache
def _reference():
    from ..datasets import load_adult

    return load_adult()


def _member(data, group) -> np.ndarray:
    (column, value), = group.items()
    return (data.sensitive_features[column] == value).to_numpy()


def _fingerprint_kind(mystery, reference) -> str:
    """The rule of q3's hints (thresholds halfway between "as usual" and the fingerprints), or "none"."""
    def stats(data):
        g = _member(data, mystery.group)
        x = data.data
        spread = np.mean([x[c][g].std() / x[c][~g].std() for c in MEASURED_COLUMNS])
        return g.mean(), np.asarray(data.target)[g].mean(), spread

    (share, rate, spread), (ref_share, ref_rate, ref_spread) = stats(mystery), stats(reference)
    district = np.corrcoef(mystery.data["district"].to_numpy(float), _member(mystery, mystery.group))[0, 1]
    if share / ref_share < 0.5:
        return "representation"
    if district > 0.3:
        return "proxy"
    if rate / ref_rate < 0.6:
        return "historical_label"
    return "measurement" if spread / ref_spread > 1.15 else "none"


@functools.lru_cache(maxsize=4)
def _hidden_mysteries(seed=None) -> tuple:
    """``((mystery, planted), ...)``: the hidden tests' mysteries and what was planted in each.

    The kinds come from the grader's ``seed`` (a permutation: each kind three times, each group six
    times), never from a public seed: each mystery is built with its kind given explicitly, from a
    data seed that is not in the dataset, and named "hidden mystery <n>". A draw whose fingerprints
    do not show its kind clearly (the hints' rule) is drawn again, so that every seed gives
    diagnosable mysteries.
    """
    rng = np.random.default_rng(case_seed("hidden", 0, HIDDEN_MYSTERY_SEED, seed))
    n = N_HIDDEN_MYSTERIES
    kinds = rng.permutation(np.repeat(np.array(BIAS_KINDS), n // len(BIAS_KINDS)))
    groups = rng.permutation(np.arange(n) % len(MYSTERY_GROUPS))
    out = []
    for i, (kind, g) in enumerate(zip(kinds.tolist(), groups.tolist())):
        group, (low, high) = dict(MYSTERY_GROUPS[g]), MYSTERY_STRENGTHS[kind]
        strength = round(float(rng.uniform(low, high)), 2)
        for _ in range(20):
            data_seed = int(rng.integers(2**63))
            mystery = mystery_dataset(data_seed, kind=kind, group=group, strength=strength,
                                      name=f"hidden mystery {i + 1}")
            if _fingerprint_kind(mystery, _reference()) == kind:
                break
        else:  # pragma: no cover - the fingerprints are far apart (tests/attacks/test_mystery.py)
            raise RuntimeError(f"no diagnosable {kind} mystery in 20 draws")
        out.append((mystery, PlantedBias(kind, group, strength, data_seed)))
    return tuple(out)


def _q3_mysteries(variant, seed=None) -> list:
    """``[(mystery, kind planted), ...]`` of a variant."""
    if variant == "visible":
        return [(_mystery(s), planted_bias(s).kind) for s in VISIBLE_MYSTERIES]
    case_seed(variant, 0, 0)  # refuses an unknown variant
    return [(mystery, planted.kind) for mystery, planted in _hidden_mysteries(seed)]


class _DiagnoseMysteries(Problem):
    """The answer is a function ``diagnose_bias(mystery, reference) -> kind``, run on mystery datasets."""

    takes_function = True

    def calls(self, variant: str = "visible", seed=None) -> list:
        return [((mystery, _reference()), {}) for mystery, _ in _q3_mysteries(variant, seed)]

    def diagnose(self, answer, variant: str = "visible", seed=None) -> str:
        return self._judge_function(answer, variant, seed)

    def judge(self, outputs, variant: str = "visible", seed=None) -> str:
        mysteries = _q3_mysteries(variant, seed)
        answers, wrong = [], []
        for i, (mystery, kind) in enumerate(mysteries):
            if i >= len(outputs):
                raise self.wrong_type(f"No result of your function was recorded for {mystery.name}.")
            output = outputs[i]
            if isinstance(output, Returned) and output.value is None:
                raise self.not_attempted("Your function returns None: write its body and return a kind of bias.")
            got = self.returned(output, where=f" on {mystery.name}")
            if not isinstance(got, str) or got not in BIAS_KINDS:
                raise self.wrong_type(
                    f"Your function returned {got!r} for {mystery.name}; it must return one of the strings "
                    f"{', '.join(repr(k) for k in BIAS_KINDS)}."
                )
            answers.append(got)
            if got != kind:
                wrong.append(mystery.name)
        n = len(mysteries)
        if not wrong:
            return (f"Right on all {n} mysteries. Each source of bias leaves its own fingerprint: "
                    "who is missing, whose labels are off, whose numbers are noisy, which feature stands in "
                    "for the group.")
        if len(set(answers)) == 1:
            raise self.wrong(f"Your function gives {answers[0]!r} for every mystery, but the mysteries do not all "
                             "have the same source of bias: compare each fingerprint with its usual value.")
        raise self.wrong(f"Your function got {n - len(wrong)} of {n} mysteries right; it is "
                         f"wrong about {', '.join(wrong)}. Look at all four fingerprints of those, side by side with "
                         "the clean data's.")


q3 = _DiagnoseMysteries(
    title="Diagnose the mystery datasets",
    hints=[
        "Compute four numbers for the complaint's group, in the mystery and in the reference: its share of the "
        "rows, its positive-label rate, its spread ratio (q2) and the correlation of 'district' with "
        "membership. Divide each mystery value by the reference value (except the correlation).",
        "Check in this order: share far below usual -> 'representation'; district strongly correlated "
        "(say above 0.3) -> 'proxy'; label rate far below usual -> 'historical_label'; spread ratio clearly "
        "above usual -> 'measurement'.",
        "The reference has no district column, so compare the correlation with 0; thresholds halfway between "
        "'as usual' (ratio 1) and what the fingerprint table showed work well, e.g. share ratio < 0.5, label "
        "rate ratio < 0.6, spread ratio > 1.15.",
    ],
)


# --- q4: would more data help? (in words) ---------------------------------------------------------

q4 = ReflectionProblem(
    title="Would more data help?",
    min_words=30,
    points_to_cover=[
        "representation bias: yes, if the new data includes enough of the missing group (more data of the "
        "same skewed kind does not help)",
        "historical label bias: no, more labels from the same biased process carry the same flipped outcomes; "
        "the labels themselves must be questioned or corrected",
        "measurement bias: no, the same instrument adds the same noise; measure the group better",
        "proxy bias: no, the proxy stays as strongly tied to the group; drop or audit the proxy",
        "the fingerprints say which remedy fits, so diagnose before collecting",
    ],
    hints=[
        "Go through the four sources one by one: does collecting twice as many rows *with the same process* "
        "change the fingerprint you measured?",
        "Only one of the four is about *how many* rows a group has; the other three are about *what* is recorded.",
    ],
)

register(__name__, globals())
