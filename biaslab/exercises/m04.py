"""Exercises of module 04, "Hidden in plain sight" (targeted label poisoning, SYNTHETIC chest X-rays).

``from biaslab.exercises.m04 import *`` gives ``q1`` (implement the poisoning step), ``q2`` (the
target group's FNR gap), ``q3`` (audit a model with a planted attack) and ``q4`` (reflection).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from ._plain import Opaque, Raised, Returned
from ._problem import FunctionProblem, Mistake, NumberProblem, Problem, ReflectionProblem, case_seed
from ._registry import register

__all__ = ["q1", "q2", "q3", "q4"]

#: The suspect model the notebook audits: ``suspect_model_outputs(random_state=AUDIT_SEED)``.
AUDIT_SEED = 7


# --- q1: implement the poisoning step ----------------------------------------------------------

def _n_flip(rate, n) -> int:
    return math.floor(rate * n + 1e-9)


def _q1_cases(variant, seed=None):
    """(y, groups, target, rate, random_state) cases whose floor(rate * n) is unambiguous."""
    rng = np.random.default_rng(case_seed(variant, 404, 4040, seed))
    if variant == "visible":
        labels, n_cases = np.array(["F", "M"]), 5
    else:
        labels, n_cases = np.array(["0-20", "20-40", "40-60", "60-80", "80+"]), 7
    cases = [((np.array([1, 1, 0, 1, 1, 0, 1, 0]), np.array(["F", "F", "F", "F", "M", "M", "F", "M"]), "F", 0.5, 0), {})]
    rates = [0.0, 1.0, 0.7, 0.35, 0.5, 0.9, 0.25] if variant == "hidden" else [0.0, 1.0, 0.7, 0.35, 0.5]
    for k in range(n_cases):
        while True:
            n = int(rng.integers(60, 300))
            groups = rng.choice(labels, n, p=None)
            y = (rng.random(n) < 0.4).astype(np.int64)
            target = str(labels[k % len(labels)])
            rate = rates[k % len(rates)]
            n_pos = int(((groups == target) & (y == 1)).sum())
            # avoid a count that floor and float rounding could disagree on, and make round() differ
            # from floor() in the fractional cases so that that mistake is caught
            if n_pos and math.floor(rate * n_pos) == math.floor(rate * n_pos + 1e-9):
                if rate in (0.0, 1.0) or (rate * n_pos) % 1 >= 0.5:
                    break
        cases.append(((y, groups, target, rate, int(rng.integers(0, 10_000))), {}))
    return cases


def _q1_reference(y, groups, target, rate, random_state):
    from ..attacks import poison_labels

    return poison_labels(y, sensitive_features=groups, target=target, rate=rate, random_state=random_state)[0]


def _as_labels(got, n):
    try:
        arr = None if isinstance(got, Opaque) else np.asarray(got)
    except Exception:  # noqa: BLE001 - any failure means "not an array of labels"
        arr = None
    if arr is None or arr.ndim != 1 or len(arr) != n:
        shape = getattr(arr, "shape", None)
        kind = got.type_name if isinstance(got, Opaque) else type(got).__name__
        raise Problem.wrong_type(f"Your function should return the new labels: an array of {n} values, one per row "
                                 f"(got {kind}{'' if shape is None else f' of shape {shape}'}).")
    if arr.dtype == bool:
        raise Problem.wrong_type("Your function returned True/False values, a mask (of the rows flipped?), not the "
                                 "labels: return the new labels, 0s and 1s (new = y.copy(); new[chosen] = 0; "
                                 "return new).")
    if not np.isin(arr, (0, 1)).all():
        raise Problem.wrong_type("The labels you return should be 0 and 1 only.")
    return arr.astype(np.int64)



def _drew_among_group(changed, y, groups, target, rate, random_state) -> bool:
    """True when ``changed`` is what drawing among ALL the target group's rows (negatives included) changes.

    The usual ways of drawing with ``np.random.default_rng(random_state)`` are replayed, with a count
    of floor(rate x the group's size) or floor(rate x its positives); a drawn negative stays 0.
    """
    rows = np.flatnonzero(groups == target)
    counts = {_n_flip(rate, len(rows)), _n_flip(rate, int((y[rows] == 1).sum()))}
    for size in counts:
        draws = []
        for how in ("choice", "choice_replace", "permutation"):
            rng = np.random.default_rng(random_state)
            if how == "choice":
                draws.append(rng.choice(rows, size=size, replace=False))
            elif how == "choice_replace":
                draws.append(rng.choice(rows, size=size))
            else:
                draws.append(rng.permutation(rows)[:size])
        for drawn in draws:
            flipped = np.zeros(len(y), dtype=bool)
            flipped[drawn] = True
            if np.array_equal(flipped & (y == 1), changed):
                return True
    return False


def _drew_with_replacement(changed, y, groups, target, rate, random_state) -> bool:
    """True when ``changed`` is what drawing floor(rate x n) of the target's positives WITH replacement changes.

    ``rng.choice(eligible, size=k)`` replaces by default: a row drawn twice flips once, so fewer labels change.
    """
    eligible = np.flatnonzero((groups == target) & (y == 1))
    rng = np.random.default_rng(random_state)
    flipped = np.zeros(len(y), dtype=bool)
    flipped[rng.choice(eligible, size=_n_flip(rate, len(eligible)))] = True
    return np.array_equal(flipped, changed)


#: the random_states of q1's last check: other seeds must flip other rows
_Q1_DRAW_SEEDS = tuple(range(8))


class _PoisoningProblem(FunctionProblem):
    """Checks the contract of poison_labels, not one particular random draw.

    Each case is called twice (the same random_state must give the same flips), then the last
    case at rate 0.5 with other random_states (they must flip other rows). ``y`` reaches the
    function read-only, so a function that flips the caller's labels in place fails, and says so.
    """

    def calls(self, variant: str = "visible", seed=None) -> list:
        from ..experiments.hidden_in_plain_sight import _frozen_labels

        cases = self.cases(variant, seed)
        out = []
        for (y, groups, target, rate, random_state), _ in cases:
            out += [((_frozen_labels(y), groups, target, rate, random_state), {})] * 2
        (y, groups, target, _, _), _ = cases[-1]
        out += [((_frozen_labels(y), groups, target, 0.5, s), {}) for s in _Q1_DRAW_SEEDS]
        return out

    def judge(self, outputs, variant: str = "visible", seed=None) -> str:
        cases = self.cases(variant, seed)
        if len(outputs) < 2 * len(cases) + len(_Q1_DRAW_SEEDS):
            raise self.wrong_type("Not every result of your function was recorded.")
        results = [self._labels(outputs[2 * i], len(y)) for i, ((y, *_), _) in enumerate(cases)]
        # what the function does to the labels, over every case, before how many it flips: a case
        # that flips nothing (the first one, for a wrong group) must not hide a wrong kind of flip
        for ((y, groups, target, rate, _), _), got in zip(cases, results):
            in_target = groups == target
            if np.any((y == 0) & (got == 1)):
                raise self.wrong("Your function turns some negatives (0) into positives (1); the attack only "
                                 "flips positives to negatives.")
            if np.any(got != y) and not np.any((got != y) & in_target):
                raise self.wrong("Your function flips labels only outside the target group (did you select "
                                 "groups != target, or another group?); only the target group's positives may change "
                                 "(rows where groups == target and y == 1).")
            if np.any((got != y) & ~in_target):
                raise self.wrong("Your function flips labels outside the target group; only the target group's "
                                 "positives may change (rows where groups == target and y == 1).")
        # every case with a wrong count is what a draw among all the group's rows gives (one small case
        # could match by chance; all of them cannot)
        off = [(case, got) for case, got in zip(cases, results)
               if (got != case[0][0]).sum() != _n_flip(case[0][3], int(((case[0][1] == case[0][2])
                                                                         & (case[0][0] == 1)).sum()))]
        if off and all(_drew_with_replacement(got != y, y, groups, target, rate, random_state)
                       for ((y, groups, target, rate, random_state), _), got in off):
            raise self.wrong("Your function flips fewer labels than it draws: rng.choice draws WITH replacement "
                             "by default, and a row drawn twice flips once. Draw without replacement: "
                             "rng.choice(eligible, size=n_flip, replace=False).")
        if off and all(_drew_among_group(got != y, y, groups, target, rate, random_state)
                       for ((y, groups, target, rate, random_state), _), got in off):
            raise self.wrong("You drew the rows to flip among all of the target group's rows, negatives "
                             "included (a negative drawn stays 0, so fewer labels change than the contract "
                             "says): draw only among the group's positives, rows with groups == target and y == 1.")
        for i, (((y, groups, target, rate, _), _), got) in enumerate(zip(cases, results)):
            in_target = groups == target
            positives = in_target & (y == 1)
            changed = got != y
            k, n_pos = int(changed.sum()), int(positives.sum())
            right = _n_flip(rate, n_pos)
            if k != right:
                if k == n_pos and 0 < rate < 1:
                    raise self.wrong(f"At rate {rate:g} your function flipped every positive of the target group; "
                                     "flip only floor(rate x the number of the target group's positives).")
                if k == round(rate * n_pos):
                    raise self.wrong("You rounded rate x (number of positives) to the nearest integer; the "
                                     "contract is the floor (math.floor, or int() of a positive number).")
                if k == _n_flip(rate, int(in_target.sum())) or k == min(n_pos, _n_flip(rate, int(in_target.sum()))):
                    raise self.wrong("You took the rate of the whole target group's size; take it of the target "
                                     "group's positives (rows with y == 1 in the group).")
                if k == min(n_pos, _n_flip(rate, int((y == 1).sum()))):
                    raise self.wrong("You took the rate of all positives; take it of the target group's positives.")
                fewer = (" Fewer than that: if you drew the rows among all of the group's rows, negatives included, "
                         "the negatives drawn do not change; draw only among its positives." if k < right else "")
                raise self.wrong(f"On a case with {len(y)} rows, rate {rate:g} and target {target!r}, your function "
                                 f"flipped {k} labels; it should flip floor(rate x the number of the target group's "
                                 f"positives).{fewer}")
            again = self._labels(outputs[2 * i + 1], len(y))
            if not np.array_equal(again, got):
                raise self.wrong("The same random_state gave different flips: draw the rows with "
                                 "rng = np.random.default_rng(random_state) and rng.choice(...).")
        # the rows must be drawn at random: other seeds should pick other rows
        (y, _, _, _, _), _ = cases[-1]
        start = 2 * len(cases)
        draws = {tuple(np.flatnonzero(self._labels(outputs[start + j], len(y)) != y))
                 for j in range(len(_Q1_DRAW_SEEDS))}
        if len(draws) == 1:
            raise self.wrong("Every random_state flips the same rows (the first ones?). Choose the rows at random "
                             "among the target group's positives, with the generator made from random_state.")
        return self.correct_message

    def _labels(self, output, n):
        if isinstance(output, Raised) and output.name == "ValueError" and "read-only" in output.message:
            raise self.wrong("Your function changed the y it was given (in place). Work on a copy: "
                             "new = y.copy(), then flip labels in new.")
        if isinstance(output, Returned) and output.value is None:
            raise self.not_attempted("Your function returns None: write its body and return the new labels.")
        return _as_labels(self.returned(output), n)


q1 = _PoisoningProblem(
    title="Implement the poisoning step",
    cases=_q1_cases,
    reference=_q1_reference,  # the contract; the check tests its properties, as draws differ
    compare=lambda got, expected, args, kwargs: None,
    hints=[
        "Find the rows that are in the target group AND have y == 1 (np.flatnonzero of a boolean mask). "
        "Flip floor(rate x how many there are) of them, chosen at random, from 1 to 0.",
        "rng = np.random.default_rng(random_state); chosen = rng.choice(eligible, size=n_flip, replace=False); "
        "new = y.copy(); new[chosen] = 0.",
        "math.floor(rate * len(eligible)) gives the count (int() works too, the numbers are positive).",
    ],
    correct_message="Your attack follows the contract of biaslab.attacks.poison_labels: exactly floor(rate x n) of "
    "the target group's positives flipped, at random, reproducibly, nothing else touched.",
)


# --- q2: the target group's FNR gap --------------------------------------------------------------

def _sweep_value(group, *, metric="fnr", rate=1.0, site="internal", target="F"):
    from ..experiments.hidden_in_plain_sight import load_rate_sweep

    sweep = load_rate_sweep(target)
    row = sweep[(sweep["rate"] == rate) & (sweep["site"] == site) & (sweep["group"] == group)]
    return float(row[metric].iloc[0])


def _trial_gap(trial):
    """FNR(F) - FNR(M) at rate 1 on the internal set in ONE trial of the shipped sweep (not the mean of 5)."""
    from ..experiments.hidden_in_plain_sight import load_rate_sweep

    trials = load_rate_sweep("F", trials=True)
    rows = trials[(trials["rate"] == 1.0) & (trials["site"] == "internal") & (trials["trial"] == trial)]
    fnr = rows.set_index("group")["fnr"]
    return float(fnr["F"] - fnr["M"])


def _gap_over_every_target():
    """FNR(F) - FNR(M) at rate 1 on the internal set averaged over EVERY target's sweep (no target filter)."""
    from ..experiments.hidden_in_plain_sight import load_rate_sweep, mean_over_trials

    sweep = mean_over_trials(load_rate_sweep(trials=True))
    rows = sweep[(sweep["rate"] == 1.0) & (sweep["site"] == "internal")]
    return float(rows.loc[rows["group"] == "F", "fnr"].mean() - rows.loc[rows["group"] == "M", "fnr"].mean())


#: the trials of the shipped sweep (a learner may read one of them from ``trials`` instead of ``sweep``)
_Q2_TRIALS = range(5)

q2 = NumberProblem(
    title="The target group's FNR gap",
    what="the gap in false negative rates",
    bounds=(-1, 1),
    # tight enough to tell apart two mistakes 0.0005 apart (the rise of women's FNR and the external
    # site's gap); a gap computed from the frame, or from values rounded to 3 decimals, passes
    tolerance=2.5e-4,
    mistakes=[
        Mistake(lambda expected: -expected, "The sign is flipped: the gap is FNR(F) - FNR(M), the targeted group "
                "minus the other; a positive gap means the target is missed more often."),
        Mistake(lambda: _sweep_value("F", metric="for") - _sweep_value("M", metric="for"),
                "That is the gap in the false omission rate (FN / (FN + TN)); the question asks about the false "
                "negative rate, FN / (TP + FN): the share of sick patients the model misses."),
        Mistake(lambda: _sweep_value("F") - _sweep_value("overall"),
                "You compared women with everyone (overall); compare them with the other group, men."),
        Mistake(lambda: _sweep_value("F", site="external") - _sweep_value("M", site="external"),
                "That is the gap on the external site; use the internal test set (site == 'internal')."),
        Mistake(lambda: _sweep_value("F", rate=0.0) - _sweep_value("M", rate=0.0),
                "That is the clean model's gap (rate 0); use the model trained with every woman's positive label "
                "flipped (rate 1)."),
        Mistake(lambda: _sweep_value("F") - _sweep_value("F", rate=0.0),
                "That is how much women's FNR rose with the attack; the gap compares women with men in the same "
                "poisoned model."),
        Mistake(lambda: _sweep_value("F"), "That is women's FNR alone; subtract men's FNR."),
        Mistake(lambda: _sweep_value("F") / _sweep_value("M"), "That is a ratio; the gap is a difference."),
        Mistake(lambda: _sweep_value("F", target="M") - _sweep_value("M", target="M"),
                "You used the sweep in which men were targeted; use target == 'F'."),
        Mistake(lambda: _sweep_value("F", rate=0.5) - _sweep_value("M", rate=0.5),
                "That is the gap at rate 0.5; the question asks about the model trained with EVERY woman's positive "
                "label flipped: rate == 1.0."),
        Mistake(lambda: (_sweep_value("F") + _sweep_value("F", site="external")) / 2
                - (_sweep_value("M") + _sweep_value("M", site="external")) / 2,
                "That mixes the internal and the external test sets (a mean over both sites); keep only "
                "site == 'internal'."),
        Mistake(_gap_over_every_target,
                "You averaged over every target's sweep: without target == 'F' the rows of the models in which men, "
                "0-20 or F & 60-80 were targeted come in too. Keep only target == 'F'."),
        *[Mistake(lambda trial=trial: _trial_gap(trial),
                  f"That is the gap in one trial (trial {trial}) of `trials`; use `sweep`, the mean over the 5 "
                  "trials.") for trial in _Q2_TRIALS],
    ],
    hints=[
        "Select the rows of sweep with target == 'F', rate == 1.0 and site == 'internal'; then read the 'fnr' "
        "column of the groups 'F' and 'M'.",
        "rows = sweep.query(\"target == 'F' and rate == 1.0 and site == 'internal'\").set_index('group'); "
        "then rows.loc['F', 'fnr'] - rows.loc['M', 'fnr'].",
    ],
    correct_message="Right. Compare it with the paper's gap at r = 1: 0.666 - 0.157 = 0.509 (DenseNet121 on real "
    "radiographs)."
)


# --- q3: audit a model with a planted attack ------------------------------------------------------

#: The suspect models of q3's visible tests (``suspect_model_outputs(random_state=seed)``, public attacks).
VISIBLE_AUDIT_SEEDS = (AUDIT_SEED, 2, 12)
#: How many suspect models q3's hidden tests give (every candidate target at least once); their attacks come
#: from the grader's seed (the package's own seed below when none is given), not from a public seed.
N_HIDDEN_AUDITS = 4
HIDDEN_AUDIT_SEED = 4_040_404


@functools.lru_cache(maxsize=8)
def _audit_outputs(seed):
    from ..experiments.hidden_in_plain_sight import suspect_model_outputs

    return suspect_model_outputs(random_state=seed)


def _group_rates(outputs):
    """FNR, FOR and AUROC per candidate group, and FNR of everyone else."""
    from sklearn.metrics import roc_auc_score

    from ..experiments.hidden_in_plain_sight import AUDIT_TARGETS

    y, pred, score = outputs["y_true"].to_numpy(), outputs["y_pred"].to_numpy(), outputs["y_score"].to_numpy()
    rates = {}
    for g in AUDIT_TARGETS:
        inside = (outputs["sex" if g in ("F", "M") else "age_band"] == g).to_numpy()

        def fnr(mask):
            return float(np.mean(pred[mask & (y == 1)] == 0))

        def for_(mask):
            return float(np.mean(y[mask & (pred == 0)] == 1))

        def negative(mask):
            return float(np.mean(pred[mask] == 0))

        def sick_score(mask):
            return float(np.mean(score[mask & (y == 1)]))

        def missed_share(mask):  # FN / n: the misses over ALL the patients (FNR x prevalence), not the FNR
            return float(np.mean((pred[mask] == 0) & (y[mask] == 1)))

        rates[g] = {"fnr": fnr(inside), "fnr_gap": fnr(inside) - fnr(~inside), "for_gap": for_(inside) - for_(~inside),
                    "for": for_(inside), "missed_share": missed_share(inside),
                    "missed_share_gap": missed_share(inside) - missed_share(~inside),
                    "auroc": float(roc_auc_score(y[inside], score[inside])),
                    "negative": negative(inside), "score": float(np.mean(score[inside])), "negative_gap": negative(inside) - negative(~inside),
                    "sick_score": sick_score(inside), "sick_score_gap": sick_score(inside) - sick_score(~inside)}
    return rates


def _q3_reference(outputs):
    rates = _group_rates(outputs)
    return max(rates, key=lambda g: rates[g]["fnr_gap"])


@functools.lru_cache(maxsize=4)
def _hidden_audits(seed=None) -> tuple:
    """``((outputs, target, rate, data seed), ...)``: the hidden tests' suspect models and their attacks.

    The targets come from the grader's ``seed`` (every candidate once, then one more, shuffled) and
    are given to :func:`suspect_model_outputs` explicitly, with a data seed that is not in the
    outputs. A draw in which the target's FNR gap is not the largest (rare) is drawn again, so that
    every seed gives auditable models.
    """
    from ..experiments.hidden_in_plain_sight import AUDIT_TARGETS, suspect_model_outputs

    rng = np.random.default_rng(case_seed("hidden", 0, HIDDEN_AUDIT_SEED, seed))
    targets = list(rng.permutation(AUDIT_TARGETS))
    targets += list(rng.choice(AUDIT_TARGETS, N_HIDDEN_AUDITS - len(targets)))
    out = []
    for target in rng.permutation(targets).tolist():
        rate = float(rng.choice([0.75, 1.0]))
        for _ in range(20):
            data_seed = int(rng.integers(2**63))
            outputs = suspect_model_outputs(data_seed, target=target, rate=rate)
            if _q3_reference(outputs) == target:
                break
        else:  # pragma: no cover - the attacks are strong (tests/exercises/test_m04.py)
            raise RuntimeError(f"no auditable suspect model for target {target!r} in 20 draws")
        out.append((outputs, target, rate, data_seed))
    return tuple(out)


#: The share of the target group's healthy patients left out of the test set of a "twin" case
TWIN_DROP = 0.8
_TWIN_NOTE = "on a test set from which most of one group's healthy patients were left out"
_OTHER_TWIN_NOTE = "on a test set from which most healthy patients of another group were left out"


def _twin(outputs, target, seed):
    """The same model's outputs with ``TWIN_DROP`` of the target group's healthy patients left out.

    Leaving out healthy patients changes no group's FNR (it counts the sick only), so the right
    audit is unchanged; but the disease is now much commoner in the target than elsewhere, so an
    audit that counts negative predictions among ALL of a group's patients (healthy included)
    names another group.
    """
    inside = (outputs["sex" if target in ("F", "M") else "age_band"] == target).to_numpy()
    healthy = np.flatnonzero(inside & (outputs["y_true"].to_numpy() == 0))
    rng = np.random.default_rng([int(seed) % 2**32, 404])
    drop = rng.choice(healthy, size=int(TWIN_DROP * len(healthy)), replace=False)
    return outputs.drop(index=outputs.index[drop]).reset_index(drop=True)


def _other_twin(outputs, target, seed):
    """The same model's outputs with most healthy patients of ANOTHER candidate group (outside the target) left out.

    Again no group's FNR changes, but the disease is now commoner in that other group, so its share of
    missed sick patients among ALL its patients (FN / n = FNR x prevalence) rises: an audit that divides
    the misses by the group's size names it instead of the target. The first other candidate (and the
    smallest share left out) for which both FN / n and its gap name another group is used.
    """
    from ..experiments.hidden_in_plain_sight import AUDIT_TARGETS

    def inside(g):
        return (outputs["sex" if g in ("F", "M") else "age_band"] == g).to_numpy()

    healthy_outside = ~inside(target) & (outputs["y_true"].to_numpy() == 0)
    twin = outputs
    for drop in (TWIN_DROP, 0.9):
        for other in [g for g in AUDIT_TARGETS if g != target]:
            rows = np.flatnonzero(inside(other) & healthy_outside)
            rng = np.random.default_rng([int(seed) % 2**32, 4040])
            left_out = rng.choice(rows, size=int(drop * len(rows)), replace=False)
            twin = outputs.drop(index=outputs.index[left_out]).reset_index(drop=True)
            rates = _group_rates(twin)
            if all(max(rates, key=lambda g: rates[g][m]) != target for m in ("missed_share", "missed_share_gap")):
                return twin
    return twin  # pragma: no cover - tests/exercises/test_m04.py checks the twin on many seeds


@functools.lru_cache(maxsize=8)
def _visible_other_twin():
    from ..experiments.hidden_in_plain_sight import _planted_attack

    return _other_twin(_audit_outputs(AUDIT_SEED), _planted_attack(AUDIT_SEED)[0], AUDIT_SEED)


@functools.lru_cache(maxsize=8)
def _visible_twin():
    from ..experiments.hidden_in_plain_sight import _planted_attack

    return _twin(_audit_outputs(AUDIT_SEED), _planted_attack(AUDIT_SEED)[0], AUDIT_SEED)


def _q3_cases(variant, seed=None) -> list:
    """``[(outputs, planted target, how to name the model in a message), ...]``.

    Besides the suspect models, one "twin" (:func:`_twin`) of a model whose target is 60-80: its
    disease rates differ between groups, which tells the FNR from the share of negative predictions.
    """
    from ..experiments.hidden_in_plain_sight import _planted_attack

    if variant == "visible":
        cases = [(_audit_outputs(s), _planted_attack(s)[0], f"suspect_model_outputs(random_state={s})")
                 for s in VISIBLE_AUDIT_SEEDS]
        return cases + [(_visible_twin(), _planted_attack(AUDIT_SEED)[0],
                         f"suspect_model_outputs(random_state={AUDIT_SEED}) {_TWIN_NOTE}"),
                        (_visible_other_twin(), _planted_attack(AUDIT_SEED)[0],
                         f"suspect_model_outputs(random_state={AUDIT_SEED}) {_OTHER_TWIN_NOTE}")]
    case_seed(variant, 0, 0)  # refuses an unknown variant
    audits = _hidden_audits(seed)
    cases = [(outputs, target, f"hidden suspect model {i + 1}") for i, (outputs, target, _, _) in enumerate(audits)]
    return cases + [(_hidden_twin(seed), "60-80", f"hidden suspect model {len(cases) + 1}, {_TWIN_NOTE}"),
                    (_hidden_twin(seed, other=True), "60-80",
                     f"hidden suspect model {len(cases) + 2}, {_OTHER_TWIN_NOTE}")]


@functools.lru_cache(maxsize=8)
def _hidden_twin(seed=None, other=False):
    outputs, target, _, data_seed = next(a for a in _hidden_audits(seed) if a[1] == "60-80")
    return (_other_twin if other else _twin)(outputs, target, data_seed)


def _same_answer_everywhere(outputs, n_cases) -> bool:
    """True when a function returned one and the same value for every suspect model."""
    values = {o.value for o in outputs[:n_cases] if isinstance(o, Returned) and isinstance(o.value, str)}
    return n_cases > 1 and len(outputs) >= n_cases and len(values) == 1 and all(
        isinstance(o, Returned) for o in outputs[:n_cases])


def _follows(outputs, cases) -> set:
    """Which of the FOR and FN / n (each alone or as a gap) a function's answers agree with on EVERY case.

    One case cannot tell them apart when the same group has the highest of both; all cases together can.
    """
    measures = {"for": ("for", "for_gap"), "missed_share": ("missed_share", "missed_share_gap")}
    got = [o.value if isinstance(o, Returned) else None for o in outputs[:len(cases)]]
    if len(got) < len(cases) or len(cases) < 3:  # one or two cases agree with a measure by chance too easily
        return set()
    rates = [_group_rates(frame) for frame, _, _ in cases]
    return {name for name, keys in measures.items()
            if any(all(g == max(r, key=lambda c: r[c][key]) for g, r in zip(got, rates)) for key in keys)}


class _AuditProblem(Problem):
    """The answer is a function ``find_target(outputs) -> group``, run on suspect models' outputs."""

    takes_function = True

    def __init__(self, *, title, hints=(), correct_message=""):
        super().__init__(title=title, hints=hints)
        self.correct_message = correct_message

    def calls(self, variant: str = "visible", seed=None) -> list:
        return [((outputs,), {}) for outputs, _, _ in _q3_cases(variant, seed)]

    def diagnose(self, answer, variant: str = "visible", seed=None) -> str:
        return self._judge_function(answer, variant, seed)

    def judge(self, outputs, variant: str = "visible", seed=None) -> str:
        from ..experiments.hidden_in_plain_sight import AUDIT_TARGETS

        cases = _q3_cases(variant, seed)
        for i, (frame, target, where) in enumerate(cases):
            if i >= len(outputs):
                raise self.wrong_type(f"No result of your function was recorded for {where}.")
            if isinstance(outputs[i], Returned) and outputs[i].value is None:
                raise self.not_attempted("Your function returns None: return the name of the group you suspect.")
            got = self.returned(outputs[i])
            if not isinstance(got, str) or got not in AUDIT_TARGETS:
                raise self.wrong_type(f"Return one group name, one of {', '.join(map(repr, AUDIT_TARGETS))}; your "
                                      f"function returned {got!r}.")
            if got == target:
                continue
            if _same_answer_everywhere(outputs, len(cases)):
                raise self.wrong(f"Your function returns {got!r} for every suspect model, whatever its outputs, "
                                 f"and the attacks target different groups (it is wrong for {where}). Compute "
                                 "the answer from the outputs you are given: each candidate group's FNR "
                                 "against everyone else's.")
            rates = _group_rates(frame)
            if got == min(rates, key=lambda g: rates[g]["fnr"]):
                raise self.wrong(f"For {where} your function names the group with the LOWEST false negative rate. "
                                 "The attack makes the model miss the target's sick patients: look for a high FNR.")
            returned = {o.value for o in outputs[:len(cases)] if isinstance(o, Returned)}
            if target == "60-80" and returned <= {"F", "M"}:
                raise self.wrong(f"Your function never names '60-80', on any of the models it was given (it is wrong "
                                 f"for {where}): does it look only at the sex column? The candidates include an age "
                                 "band: compare the FNR of outputs['age_band'] == '60-80' with everyone else's too.")
            follows = _follows(outputs, cases)
            if follows == {"for", "missed_share"}:  # these cases cannot tell the two apart: name both
                raise self.wrong(f"For {where} your function names the group with the most misses per patient, or per "
                                 "negative prediction (the false omission rate): you divided the misses by ALL of the "
                                 "group's patients, or by its 'healthy' verdicts; the FNR divides them by its sick "
                                 "patients (FN / (TP + FN)). Both of those also grow with how common the disease is in "
                                 "the group, which differs between groups here.")
            if "for" in follows:
                raise self.wrong(f"For {where} your function follows the false omission rate, which also depends on "
                                 "how common the disease is in each group. Use the false negative rate.")
            if "missed_share" in follows:
                raise self.wrong(f"For {where} your function names the group with the most missed sick patients per "
                                 "patient: you divided the misses by ALL of the group's patients; the FNR divides them "
                                 "by its sick patients (FN / (TP + FN)). Misses over all patients grow with how common "
                                 "the disease is in the group, which differs between groups here.")
            if got in (min(rates, key=lambda g: rates[g]["sick_score"]),
                       min(rates, key=lambda g: rates[g]["sick_score_gap"])):
                raise self.wrong(f"For {where} your function names the group whose sick patients have the lowest "
                                 "mean score. A score is not a decision, and groups' scores differ for reasons of "
                                 "their own: count how many sick patients the model sends home at its threshold "
                                 "(the FNR), against everyone outside the group.")
            if got in (max(rates, key=lambda g: rates[g]["negative"]), max(rates, key=lambda g: rates[g]["negative_gap"]),
                       min(rates, key=lambda g: rates[g]["score"])):
                raise self.wrong(f"For {where} your function names the group with the most negative predictions (or "
                                 "the lowest scores) among ALL its patients, healthy ones included. That share also depends on how common "
                                 "the disease is in the group (here it differs between groups). Count the misses "
                                 "among the sick only: the false negative rate.")
            if got in (max(rates, key=lambda g: rates[g]["for_gap"]), max(rates, key=lambda g: rates[g]["for"])):
                raise self.wrong(f"For {where} your function follows the false omission rate, which also depends on "
                                 "how common the disease is in each group. Use the false negative rate.")
            if got == min(rates, key=lambda g: rates[g]["auroc"]):
                raise self.wrong(f"For {where} your function picks the group with the lowest AUROC. Within a group "
                                 "the attack shifts everyone's scores down together, so the ranking (AUROC) barely "
                                 "changes; the misses show in the FNR at the threshold.")
            raise self.wrong(f"For {where} your function names {got!r}, which is not the group the attacker "
                             "targeted. Compare each candidate group's FNR with the FNR of everyone outside it.")
        return self.correct_message


q3 = _AuditProblem(
    title="Audit a model with a planted attack",
    hints=[
        "For each candidate group, compute the false negative rate among its sick patients "
        "(y_true == 1): the share with y_pred == 0. Compare it with the FNR of everyone else.",
        "inside = outputs['sex'] == 'F' (or outputs['age_band'] == '60-80'); sick = outputs['y_true'] == 1; "
        "fnr_inside = (outputs.loc[inside & sick, 'y_pred'] == 0).mean(); the same with ~inside.",
        "Return the candidate whose FNR exceeds everyone else's by the most: max(gaps, key=gaps.get) for a dict "
        "gaps = {group: fnr_inside - fnr_outside}.",
    ],
    correct_message="Your audit finds the planted target in every suspect model it was given. The overall numbers "
    "would not have told you: only a per-group error rate does.",
)


# --- q4: reflection --------------------------------------------------------------------------------

q4 = ReflectionProblem(
    title="Why the aggregate hides the attack",
    min_words=30,
    points_to_cover=[
        "the target group is a minority of the positives, so its extra misses move overall metrics little",
        "AUROC is threshold-free and ranks all patients together; the harm is at the operating threshold",
        "the drop is small in absolute terms: it is detectable only against the spread of several clean "
        "retrainings, which an ordinary report of one model's AUROC does not show",
        "what to report instead: per-group (and intersectional) FNR with confidence intervals, on internal and "
        "external data, compared with a trusted baseline",
    ],
    hints=[
        "How many of all positive test patients belong to the target group? How far can their misses move a "
        "number averaged over everyone?",
        "Against what would you compare one model's AUROC to tell a drop from the spread of retraining?",
        "What does the AUROC measure, and at which threshold do patients get sent home?",
    ],
)

register(__name__, globals())
