"""Exercises of module 04, "Hidden in plain sight" (targeted label poisoning, SYNTHETIC chest X-rays).

``from biaslab.exercises.m04 import *`` gives ``q1`` (implement the poisoning step), ``q2`` (the
target group's FNR gap), ``q3`` (audit a model with a planted attack) and ``q4`` (reflection).
"""

from __future__ import annotations

import math

import numpy as np

from ._problem import FunctionProblem, Mistake, NumberProblem, Problem, ReflectionProblem
from ._registry import register

__all__ = ["q1", "q2", "q3", "q4"]

#: The suspect model the notebook audits: ``suspect_model_outputs(random_state=AUDIT_SEED)``.
AUDIT_SEED = 7


# --- q1: implement the poisoning step ----------------------------------------------------------

def _n_flip(rate, n) -> int:
    return math.floor(rate * n + 1e-9)


def _q1_cases(variant):
    """(y, groups, target, rate, random_state) cases whose floor(rate * n) is unambiguous."""
    if variant == "visible":
        rng, labels, n_cases = np.random.default_rng(404), np.array(["F", "M"]), 5
    else:
        rng, labels, n_cases = np.random.default_rng(4040), np.array(["0-20", "20-40", "40-60", "60-80", "80+"]), 7
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
        arr = np.asarray(got)
    except Exception:  # noqa: BLE001 - any failure means "not an array of labels"
        arr = None
    if arr is None or arr.ndim != 1 or len(arr) != n:
        shape = getattr(arr, "shape", None)
        raise Problem.wrong_type(f"Your function should return the new labels: an array of {n} values, one per row "
                                 f"(got {type(got).__name__}{'' if shape is None else f' of shape {shape}'}).")
    if not np.isin(arr, (0, 1)).all():
        raise Problem.wrong_type("The labels you return should be 0 and 1 only.")
    return arr.astype(np.int64)


class _PoisoningProblem(FunctionProblem):
    """Checks the contract of poison_labels, not one particular random draw."""

    def diagnose(self, answer, variant: str = "visible") -> str:
        if not callable(answer):
            raise self.wrong_type(f"Pass your function itself (its name, without parentheses), not a {type(answer).__name__}.")
        cases = self.cases(variant)
        for (y, groups, target, rate, seed), _ in cases:
            original = y.copy()
            got = self._call(answer, y, groups, target, rate, seed)
            if not np.array_equal(y, original):
                raise self.wrong("Your function changed the y it was given (in place). Work on a copy: "
                                 "new = y.copy(), then flip labels in new.")
            got = _as_labels(got, len(y))
            in_target = groups == target
            positives = in_target & (y == 1)
            if np.any((original == 0) & (got == 1)):
                raise self.wrong("Your function turns some negatives (0) into positives (1); the attack only "
                                 "flips positives to negatives.")
            changed = got != original
            if np.any(changed & ~in_target):
                raise self.wrong("Your function flips labels outside the target group; only the target group's "
                                 "positives may change.")
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
                raise self.wrong(f"On a case with {len(y)} rows, rate {rate:g} and target {target!r}, your function "
                                 f"flipped {k} labels; it should flip floor(rate x the number of the target group's "
                                 "positives).")
            again = _as_labels(self._call(answer, y.copy(), groups, target, rate, seed), len(y))
            if not np.array_equal(again, got):
                raise self.wrong("The same random_state gave different flips: draw the rows with "
                                 "rng = np.random.default_rng(random_state) and rng.choice(...).")
        # the rows must be drawn at random: other seeds should pick other rows
        (y, groups, target, _, _), _ = cases[-1]
        draws = {tuple(np.flatnonzero(_as_labels(self._call(answer, y.copy(), groups, target, 0.5, s), len(y)) != y))
                 for s in range(8)}
        if len(draws) == 1:
            raise self.wrong("Every random_state flips the same rows (the first ones?). Choose the rows at random "
                             "among the target group's positives, with the generator made from random_state.")
        return self.correct_message

    def _call(self, answer, *args):
        try:
            got = answer(*args)
        except NotImplementedError:
            raise self.not_attempted("Your function is not written yet (it raises NotImplementedError).") from None
        except Exception as exc:  # the learner's code failed: say how, without a traceback
            raise self.wrong_type(f"Your function raised {type(exc).__name__}: {exc}") from None
        if got is None:
            raise self.not_attempted("Your function returns None: write its body and return the new labels.")
        return got


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


def _q2_expected():
    return _sweep_value("F") - _sweep_value("M")


q2 = NumberProblem(
    title="The target group's FNR gap",
    what="the gap in false negative rates",
    expected=_q2_expected,
    # tight enough to tell apart two mistakes 0.0005 apart (the rise of women's FNR and the external
    # site's gap); a gap computed from the frame, or from values rounded to 3 decimals, passes
    tolerance=2.5e-4,
    mistakes=[
        Mistake(lambda: -_q2_expected(), "The sign is flipped: the gap is FNR(F) - FNR(M), the targeted group "
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
        Mistake(lambda: 100 * _q2_expected(), "Give the gap as a fraction between -1 and 1, not in percent."),
        Mistake(lambda: _sweep_value("F", target="M") - _sweep_value("M", target="M"),
                "You used the sweep in which men were targeted; use target == 'F'."),
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

_AUDIT_SEEDS = {"visible": (AUDIT_SEED, 2, 12), "hidden": (24, 31, 38, 50)}


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

        rates[g] = {"fnr": fnr(inside), "fnr_gap": fnr(inside) - fnr(~inside), "for_gap": for_(inside) - for_(~inside),
                    "auroc": float(roc_auc_score(y[inside], score[inside]))}
    return rates


def _q3_reference(outputs):
    rates = _group_rates(outputs)
    return max(rates, key=lambda g: rates[g]["fnr_gap"])


class _AuditProblem(Problem):
    def __init__(self, *, title, hints=(), correct_message=""):
        super().__init__(title=title, hints=hints)
        self.correct_message = correct_message

    def diagnose(self, answer, variant: str = "visible") -> str:
        from ..experiments.hidden_in_plain_sight import AUDIT_TARGETS, _planted_attack

        if not callable(answer):
            raise self.wrong_type(f"Pass your function itself (its name, without parentheses), not a {type(answer).__name__}.")
        seeds = _AUDIT_SEEDS["hidden" if variant == "hidden" else "visible"]
        for seed in seeds:
            outputs = _audit_outputs(seed)
            try:
                got = answer(outputs.copy())
            except NotImplementedError:
                raise self.not_attempted("Your function is not written yet (it raises NotImplementedError).") from None
            except Exception as exc:  # the learner's code failed: say how, without a traceback
                raise self.wrong_type(f"Your function raised {type(exc).__name__}: {exc}") from None
            if got is None:
                raise self.not_attempted("Your function returns None: return the name of the group you suspect.")
            if isinstance(got, np.str_):
                got = str(got)
            if not isinstance(got, str) or got not in AUDIT_TARGETS:
                raise self.wrong_type(f"Return one group name, one of {', '.join(map(repr, AUDIT_TARGETS))}; your "
                                      f"function returned {got!r}.")
            target, _ = _planted_attack(seed)
            if got == target:
                continue
            rates = _group_rates(outputs)
            where = f"suspect_model_outputs(random_state={seed})"
            if got == min(rates, key=lambda g: rates[g]["fnr"]):
                raise self.wrong(f"For {where} your function names the group with the LOWEST false negative rate. "
                                 "The attack makes the model miss the target's sick patients: look for a high FNR.")
            if got == max(rates, key=lambda g: rates[g]["for_gap"]):
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
        "the threshold chosen on clean data partly compensates, and trial-to-trial noise hides small shifts",
        "what to report instead: per-group (and intersectional) FNR with confidence intervals, on internal and "
        "external data, compared with a trusted baseline",
    ],
    hints=[
        "How many of all positive test patients belong to the target group? How far can their misses move a "
        "number averaged over everyone?",
        "What does the AUROC measure, and at which threshold do patients get sent home?",
    ],
)

register(__name__, globals())
