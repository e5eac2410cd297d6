"""Exercises of module 09, "Accountability and capstone".

``from biaslab.exercises.m09 import *`` gives ``q1`` (which rules of the EU AI Act apply), the
capstone audit of an unseen model ``q2`` (the harmed group and its FNR gap), ``q3`` (the proxy
and the flip rate), ``q4`` (a mitigation that halves the gap, and its cost) and the reflection ``q5``.
The capstone's checks run the learner's functions on the notebook's case and another public one
(visible tests), and on hidden cases whose attacks come from the grader's seed: the learner sees
neither the attack nor a seed that would tell it.
"""

from __future__ import annotations

import functools

import numpy as np

from ._plain import Opaque, Returned
from ._problem import KeyedProblem, Problem, ReflectionProblem, _as_number, case_seed
from ._registry import register

__all__ = ["q1", "q2", "q3", "q4", "q5"]

#: The answers q1 accepts: the EU AI Act's risk tiers, in plain words.
AI_ACT_TIERS = ("prohibited", "high-risk", "transparency", "minimal")

#: q1's scenarios: key -> description.
SCENARIOS = {
    "credit_scoring": "A bank's model that evaluates consumers' creditworthiness and sets their credit score.",
    "cv_screening": "Software that ranks and filters job applications before a recruiter sees them.",
    "social_scoring": "A city rates residents' 'trustworthiness' from their social behaviour and cuts services "
                      "to those with low scores.",
    "emotion_at_work": "A call centre infers its employees' emotions from their webcams to rate their attitude.",
    "customer_chatbot": "A chatbot that answers customers' questions on a shop's website.",
    "spam_filter": "A spam filter in an email program.",
}

# --- q1: which rules apply? ---------------------------------------------------------------------

class _TierProblem(KeyedProblem):
    """The answer is a dict scenario -> tier. Its key, in the instructor's source notebook:
    ``{"answers": {scenario: tier}, "where": {scenario: where in the AI Act to look}}`` (where to
    look for a scenario would give its tier away, so it is with the key, not here)."""

    def __init__(self, *, title, hints=(), correct_message=""):
        super().__init__(title=title, hints=hints)
        self.correct_message = correct_message

    def form(self, answer) -> dict:
        if not isinstance(answer, dict):
            raise self.wrong_type(f"Give a dict scenario -> tier, like {{'spam_filter': '<tier>', ...}}, not a "
                                  f"{type(answer).__name__}.")
        missing = [k for k in SCENARIOS if k not in answer]
        extra = [k for k in answer if k not in SCENARIOS]
        if extra:
            raise self.wrong_type(f"Unknown scenario(s) {', '.join(map(repr, extra))}; the keys are "
                                  f"{', '.join(map(repr, SCENARIOS))}.")
        if missing:
            raise self.wrong_type(f"Give a tier for every scenario; missing: {', '.join(map(repr, missing))}.")
        for key, value in answer.items():
            if value is Ellipsis:
                raise self.not_attempted(f"Replace the ... of {key!r} with a tier.")
            if not isinstance(value, str) or value.strip().lower() not in AI_ACT_TIERS:
                raise self.wrong_type(f"{key!r}: {value!r} is not a tier; use one of "
                                      f"{', '.join(map(repr, AI_ACT_TIERS))}.")
        return {key: value.strip().lower() for key, value in answer.items()}

    def against(self, answer, key) -> str:
        tiers = {scenario: tier.strip().lower() for scenario, tier in key["answers"].items()}
        wrong = [k for k in SCENARIOS if answer[k] != tiers[k]]
        if wrong:
            first = wrong[0]
            raise self.wrong(f"{len(wrong)} of {len(SCENARIOS)} scenarios are not right yet, among them "
                             f"{first!r}. {key['where'][first]}")
        return self.correct_message


q1 = _TierProblem(
    title="Which rules apply? The AI Act's risk tiers",
    hints=[
        "Four tiers: practices Article 5 prohibits; high-risk systems (Article 6 and Annex III: employment, "
        "credit, education, essential services, law enforcement, migration, justice...); systems with "
        "transparency duties only (Article 50: chatbots, deep fakes); everything else (minimal).",
        "Two scenarios are prohibited practices, two are high-risk under Annex III, one only has to tell people "
        "they are talking to a machine.",
    ],
    correct_message=("Right. The two high-risk systems must meet Articles 9-15 (risk management, data governance "
                      "with bias examination, documentation, transparency, human oversight, accuracy and "
                      "robustness) before they may be used."),
)


# --- the capstone: shared helpers ---------------------------------------------------------------

#: The public cases of the capstone's visible tests (``capstone_case(seed)``; the notebook audits the first).
#: They plant different targets (sex = Female, age band 45-64), so an answer that names 'Female' or uses the
#: sex column whatever the case fails here, not first in the hidden tests.
VISIBLE_CASE_SEEDS = (9, 0)
#: The hidden tests' cases: one per candidate target, in an order and with columns left out chosen by
#: the grader's seed (the package's own seed below when none is given), not by a public seed.
HIDDEN_CASE_SEED = 909_909
_SENSITIVE = ("sex", "race", "age_band")
_MIN_POSITIVES = 20
_MAX_COST = 0.05


def _fnr(y, pred, mask):
    positives = mask & (y == 1)
    return float(np.mean(pred[positives] == 0)) if positives.any() else float("nan")


def _gap(case, pred, column, group):
    y = case.y_test.to_numpy()
    inside = (case.groups_test[column] == group).to_numpy()
    return _fnr(y, pred, inside) - _fnr(y, pred, ~inside)


def _auditable(case, target) -> bool:
    """Whether the hints' audit finds ``target`` in ``case`` and their mitigation clearly halves its gap."""
    from ..audit import fnr_screen
    from ..mitigations import GroupThresholds

    pred = np.asarray(case.model.predict(case.X_test))
    screen = fnr_screen(case.y_test, pred, sensitive_features=case.groups_test, min_positives=_MIN_POSITIVES)
    flagged = screen[screen["flagged"]]
    if flagged.empty or tuple(flagged.index[0]) != tuple(target):
        return False
    column = target[0]
    try:
        thresholds = GroupThresholds(criterion="equal_opportunity").fit(
            case.model.predict_proba(case.X_val)[:, 1], case.y_val, sensitive_features=case.groups_val[column])
    except ValueError:  # e.g. a group without positives in the validation rows: draw another case
        return False
    mitigated = thresholds.predict(case.model.predict_proba(case.X_test)[:, 1],
                                   sensitive_features=case.groups_test[column])
    y = case.y_test.to_numpy()
    cost = float(np.mean(pred == y) - np.mean(mitigated == y))
    return abs(_gap(case, mitigated, *target)) <= 0.4 * abs(_gap(case, pred, *target)) and cost <= _MAX_COST - 0.01


@functools.lru_cache(maxsize=8)  # a notebook's three problems, each with its own seed
def _hidden_cases(seed=None) -> tuple:
    """``((case, target, data seed), ...)``: the hidden tests' cases and the attack planted in each.

    Every candidate target once, in an order, and with columns left out, drawn from the grader's
    ``seed``; each case is built with its attack given explicitly (:func:`capstone_case` with
    ``target=``), from a data seed that the case does not keep. A draw that the hints' audit
    cannot solve with a margin (rare) is drawn again, so that every seed gives fair cases.
    """
    from ..audit import CAPSTONE_CANDIDATES, capstone_case
    from ..audit._capstone import _LEFT_OUT

    rng = np.random.default_rng(case_seed("hidden", 0, HIDDEN_CASE_SEED, seed))
    out = []
    for k in rng.permutation(len(CAPSTONE_CANDIDATES)).tolist():
        target, left_out = CAPSTONE_CANDIDATES[k], _LEFT_OUT[int(rng.integers(len(_LEFT_OUT)))]
        for _ in range(20):
            data_seed = int(rng.integers(2**63))
            case = capstone_case(data_seed, target=target, left_out=left_out)
            if _auditable(case, target):
                break
        else:  # pragma: no cover - the attack is strong (tests/exercises/test_m09.py)
            raise RuntimeError(f"no auditable capstone case for {target} in 20 draws")
        out.append((case, target, data_seed))
    return tuple(out)


def _cases(variant, seed=None) -> list:
    """``[(case, (column, group) attacked, how to name the case in a message), ...]`` of a variant."""
    from ..audit import capstone_case
    from ..audit._capstone import _plan

    if variant == "visible":
        return [(capstone_case(s), _plan(s)[0], f"capstone_case({s})") for s in VISIBLE_CASE_SEEDS]
    if variant != "hidden":
        raise ValueError(f"variant must be 'visible' or 'hidden', got {variant!r}.")
    return [(case, target, f"hidden case {i + 1}") for i, (case, target, _) in enumerate(_hidden_cases(seed))]


def _kind(value) -> str:
    return value.type_name if isinstance(value, Opaque) else type(value).__name__


class _CapstoneProblem(Problem):
    """The answer is a function of a capstone case; it is run on the variant's cases (:func:`_cases`)."""

    takes_function = True
    #: what the function returns, for the "returns None" message
    returns = ""

    def calls(self, variant: str = "visible", seed=None) -> list:
        return [((case,), {}) for case, _, _ in _cases(variant, seed)]

    def diagnose(self, answer, variant: str = "visible", seed=None) -> str:
        return self._judge_function(answer, variant, seed)

    def judge(self, outputs, variant: str = "visible", seed=None) -> str:
        results = []
        for i, (case, target, where) in enumerate(_cases(variant, seed)):
            if i >= len(outputs):
                raise self.wrong_type(f"No result of your function was recorded for {where}.")
            output = outputs[i]
            if isinstance(output, Returned) and (output.value is None or output.value is Ellipsis):
                raise self.not_attempted(f"Your function returns {output.value!r}: return {self.returns}.")
            results.append(self.check_case(self.returned(output), case, target, where))
        return self.correct(results)

    def check_case(self, got, case, target, where):
        """Raise a verdict if ``got`` is not right for ``case``; return what :meth:`correct` needs."""
        raise NotImplementedError

    def correct(self, results) -> str:
        raise NotImplementedError


# --- q2: the harmed group and the size of the gap ---------------------------------------------------

def _group_name(value, problem):
    if isinstance(value, tuple) and len(value) == 2:
        value = value[1]
    if isinstance(value, np.str_):
        value = str(value)
    if not isinstance(value, str):
        raise problem.wrong_type(f"The group should be a group's name such as 'Female' or '25-44', not a "
                                 f"{_kind(value)}.")
    return value


def _number(value, what):
    if isinstance(value, Opaque):
        raise Problem.wrong_type(f"{what} should be a single number, but you gave a {value.type_name} object.")
    return _as_number(value, what)


class _HarmProblem(_CapstoneProblem):
    returns = "(group, fnr_gap)"

    def check_case(self, got, case, target, where):
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise self.wrong_type("Return two things, the harmed group's name and its FNR gap: "
                                  "return group, gap.")
        group = _group_name(got[0], self)
        gap = _number(got[1], "The FNR gap")
        column, target = target
        pred = np.asarray(case.model.predict(case.X_test))
        y = case.y_test.to_numpy()
        if group != target:
            known = {g: c for c in _SENSITIVE for g in case.groups_test[c].unique()}
            if group not in known:
                raise self.wrong_type(f"For {where} your function returns {group!r}, which is not a group of "
                                      f"{', '.join(_SENSITIVE)}.")
            inside = (case.groups_test[known[group]] == group).to_numpy()
            positives = int((inside & (y == 1)).sum())
            if positives < _MIN_POSITIVES:
                raise self.wrong(f"For {where} your function names {group!r}, a group with only {positives} "
                                 "positives in the test rows: its FNR is mostly noise. Only compare groups "
                                 f"with enough positives (say at least {_MIN_POSITIVES}).")
            own_gap = _gap(case, pred, known[group], group)
            # a function that reads the notebook's y_pred (made for one case) gets other cases wrong this way
            globals_hint = (" If your function uses a variable of the notebook, such as y_pred, compute it from "
                            "`case` instead (case.model.predict(case.X_test)): it is called on other cases too.")
            if own_gap < 0:
                raise self.wrong(f"For {where} your function names a group whose FNR is LOWER than everyone "
                                 "else's. The attack makes the model miss the target's positives: look for "
                                 "the largest positive gap." + globals_hint)
            raise self.wrong(f"For {where} your function names {group!r}, which is not the group the attack "
                             "harms most. Compare every group's FNR with the FNR of everyone outside it."
                             + globals_hint)
        expected = _gap(case, pred, column, target)
        if abs(gap - expected) <= 5e-3:
            return None
        inside = (case.groups_test[column] == target).to_numpy()
        if abs(gap + expected) <= 5e-3:
            raise self.wrong("The gap has the wrong sign: FNR of the group minus FNR of everyone else.")
        if abs(gap - 100 * expected) <= 0.5:
            raise self.wrong("Give the gap as a fraction, not in percent.")
        if abs(gap - _fnr(y, pred, inside)) <= 5e-3:
            raise self.wrong("That is the group's FNR alone; the gap subtracts the FNR of everyone else.")
        if abs(gap - (_fnr(y, pred, inside) - _fnr(y, pred, np.ones_like(inside)))) <= 5e-3:
            raise self.wrong("You subtracted the overall FNR, which includes the group itself; subtract the "
                             "FNR of everyone OUTSIDE the group.")
        neg = (pred == 0)
        for_gap = float(np.mean(y[inside & neg] == 1) - np.mean(y[~inside & neg] == 1))
        if abs(gap - for_gap) <= 5e-3:
            raise self.wrong("That is a gap in false omission rates (among predicted negatives); the FNR is "
                             "the share of the true positives that the model misses.")
        raise self.wrong(f"For {where} the group is right but the gap is not ({gap:.4g}). Use this case's model's "
                         "predictions, case.model.predict(case.X_test), never the notebook's y_pred (it belongs to "
                         "one case), and the clean labels case.y_test.")

    def correct(self, results) -> str:
        return ("Right on every case: you found the planted target and measured its gap. Overall accuracy "
                "alone would not have shown it.")


q2 = _HarmProblem(
    title="Capstone: the harmed group and the size of its gap",
    hints=[
        "Predict on case.X_test; for every group of case.groups_test's columns, compute the FNR of its positives "
        "(y_test == 1) and the FNR of everyone else's positives.",
        "Inside your function, predict with the case's own model (y_pred = case.model.predict(case.X_test)), never "
        "with the notebook's y_pred: your function is called on other cases too. Then fnr_screen(case.y_test, "
        "y_pred, sensitive_features=case.groups_test) from biaslab.audit does it for every group; keep only flagged "
        "rows (enough positives), and take the first.",
        "screen = fnr_screen(...); top = screen[screen['flagged']].iloc[0]; return screen[screen['flagged']]"
        ".index[0][1], top['fnr_gap'].",
    ],
)


# --- q3: the proxy and the flip rate -----------------------------------------------------------------

def _proxies(case):
    from ..audit import proxy_strength

    features = case.X_test.drop(columns=[c for c in _SENSITIVE if c in case.X_test.columns])
    return proxy_strength(features, case.groups_test["sex"].to_numpy(), favoured="Male", random_state=0)


def _flip_rate(case, X=None, column="sex"):
    from ..robustness import counterfactual_flip_rate

    return counterfactual_flip_rate(case.model, case.X_test if X is None else X, column=column)


class _ScreenProblem(_CapstoneProblem):
    returns = "{'proxy': ..., 'flip_rate': ...}"

    def check_case(self, got, case, target, where):
        if not isinstance(got, dict) or set(got) != {"proxy", "flip_rate"}:
            raise self.wrong_type("Return a dict with exactly two keys: {'proxy': name, 'flip_rate': number}.")
        proxy = got["proxy"]
        if isinstance(proxy, np.str_):
            proxy = str(proxy)
        if not isinstance(proxy, str) or proxy not in case.X_test.columns:
            raise self.wrong_type(f"For {where}, 'proxy' should be the name of a column of case.X_test, not "
                                  f"{proxy!r}.")
        if proxy in _SENSITIVE:
            raise self.wrong(f"For {where}, {proxy!r} is a sensitive attribute itself; a proxy is one of the "
                             "OTHER features that gives sex away.")
        strengths = _proxies(case)
        if strengths[proxy] < strengths.iloc[0] - 0.02:
            raise self.wrong(f"For {where}, {proxy!r} carries some information about sex, but another "
                             "feature predicts it clearly better. Measure each feature alone (AUROC on rows "
                             "you did not fit on).")
        rate = _number(got["flip_rate"], "The flip rate")
        flips = _flip_rate(case)
        if abs(rate - flips.rate) <= 1e-3:
            return None
        if abs(rate - 100 * flips.rate) <= 0.1:
            raise self.wrong("Give the flip rate as a fraction between 0 and 1, not in percent.")
        if abs(rate - (1 - flips.rate)) <= 1e-3:
            raise self.wrong("That is the share of predictions that do NOT change.")
        if any(abs(rate - v) <= 1e-3 for v in flips.by_value):
            raise self.wrong("That is the flip rate of one sex only; give it over all test rows.")
        if abs(rate - _flip_rate(case, column="age_band").rate) <= 1e-3:
            raise self.wrong("You changed age_band; the question is about changing sex alone.")
        for X in (case.X_val, case.X_train):
            if abs(rate - _flip_rate(case, X=X).rate) <= 1e-3:
                raise self.wrong("Measure the flip rate on the audit rows, case.X_test.")
        raise self.wrong(f"For {where}, the proxy is fine but the flip rate is not ({rate:.4g}). Change only "
                         "the column 'sex' of case.X_test and count changed predictions.")

    def correct(self, results) -> str:
        return ("Right on every case. A flip rate above zero says the model uses sex directly; the proxy says that "
                "deleting the column would not be enough.")


q3 = _ScreenProblem(
    title="Capstone: the strongest proxy and the flip rate",
    hints=[
        "Proxy: which column of case.X_test, other than sex, race and age_band, predicts sex best on its own? "
        "Flip rate: the share of test predictions that change when only sex is changed.",
        "proxy_strength(features, case.groups_test['sex'], favoured='Male', random_state=0) from biaslab.audit "
        "ranks the features; counterfactual_flip_rate(case.model, case.X_test, column='sex').rate from "
        "biaslab.robustness gives the flip rate.",
    ],
)


# --- q4: a mitigation that halves the gap, and its cost ------------------------------------------

def _audit_labels_reshuffled(case, salt):
    """``case`` with its audit labels shuffled within each cell of (sex, race, age band, the model's prediction).

    Every group's FNR, FNR gap and positives, and the model's accuracy, stay exactly as they were: the audit
    of q2 finds the same group with the same gap. Only which rows (which scores) carry the positive labels
    changes. A mitigation decided on the clean validation rows, as q4 asks, gives the same predictions on
    this twin; one tuned on ``case.y_test`` moves with the labels.
    """
    import dataclasses

    import pandas as pd

    pred = np.asarray(case.model.predict(case.X_test)).astype(str)
    cells = case.groups_test.astype(str).agg("|".join, axis=1).to_numpy() + "|" + pred
    y = case.y_test.to_numpy().copy()
    rng = np.random.default_rng(salt)
    for rows in pd.Series(cells).groupby(cells).indices.values():
        y[rows] = y[rng.permutation(rows)]
    return dataclasses.replace(case, y_test=pd.Series(y, index=case.y_test.index, name=case.y_test.name))


class _MitigationProblem(_CapstoneProblem):
    returns = "(y_pred, accuracy_cost)"

    def calls(self, variant: str = "visible", seed=None) -> list:
        """The variant's cases, then a twin of the first whose audit labels were reshuffled (see above)."""
        calls = super().calls(variant, seed)
        salt = case_seed(variant, 0, HIDDEN_CASE_SEED + 1, seed)
        return [*calls, ((_audit_labels_reshuffled(calls[0][0][0], salt),), {}), calls[0]]

    def judge(self, outputs, variant: str = "visible", seed=None) -> str:
        verdict = super().judge(outputs, variant, seed)  # the real cases first: their diagnoses come first
        n, where = len(_cases(variant, seed)), _cases(variant, seed)[0][2]
        if len(outputs) > n + 1 and all(isinstance(outputs[i], Returned) for i in (0, n, n + 1)):
            original, twin, again = (np.asarray(self.returned(outputs[i])[0]) for i in (0, n, n + 1))
            if not np.array_equal(original, again):
                raise self.wrong(f"Your predictions for {where} differ from one call to the next: give every "
                                 "random step a fixed random_state, so that an audit can be repeated.")
            if not np.array_equal(original, twin):
                raise self.wrong(
                    f"Your predictions for {where} change when only which audit rows are labelled positive "
                    "changes (every group's FNR and the model's accuracy kept as they were): your mitigation "
                    "is tuned on case.y_test, the labels it is judged on. Choose the thresholds on the "
                    "re-checked rows case.X_val, case.y_val; use case.y_test only to find the group and to "
                    "measure the cost.")
        return verdict

    def check_case(self, got, case, target, where):
        from .._validation import check_binary

        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise self.wrong_type("Return two things: the mitigated predictions on case.X_test and the "
                                  "accuracy cost: return y_pred, cost.")
        if isinstance(got[0], Opaque):
            raise self.wrong_type(f"y_pred is a {got[0].type_name} object. Return 0/1 predictions, one per row of "
                                  "case.X_test.")
        try:
            pred = check_binary(got[0], "y_pred")
        except (TypeError, ValueError) as exc:
            raise self.wrong_type(f"{exc} Return 0/1 predictions, one per row of case.X_test.") from None
        if len(pred) != len(case.X_test):
            raise self.wrong_type(f"y_pred has {len(pred)} values; case.X_test has {len(case.X_test)} rows.")
        cost = _number(got[1], "The accuracy cost")
        y = case.y_test.to_numpy()
        if np.array_equal(pred, y):
            raise self.wrong("Those are the true labels, not predictions: a deployed model cannot see them.")
        column, target = target
        before_pred = np.asarray(case.model.predict(case.X_test))
        before, after = _gap(case, before_pred, column, target), _gap(case, pred, column, target)
        acc_before, acc_after = float(np.mean(before_pred == y)), float(np.mean(pred == y))
        if not abs(after) <= abs(before) / 2 + 1e-12:
            raise self.wrong(f"For {where} your mitigation leaves the harmed group's FNR gap at {after:+.3f} "
                             f"(from {before:+.3f}); it must at least halve it (in absolute value).")
        if acc_before - acc_after > _MAX_COST:
            raise self.wrong(f"For {where} your mitigation costs {acc_before - acc_after:.3f} in accuracy, more "
                             f"than {_MAX_COST}: predicting (almost) everyone positive closes the gap but is "
                             "useless. Change the decision only where the attack did harm.")
        expected = acc_before - acc_after
        if abs(cost - expected) > 1e-3:
            if abs(cost + expected) <= 1e-3:
                raise self.wrong("The cost has the wrong sign: accuracy before minus accuracy after.")
            if abs(cost - 100 * expected) <= 0.1:
                raise self.wrong("Give the cost as a fraction (accuracy before minus after), not in points.")
            raise self.wrong(f"For {where} the mitigation works, but its cost is not {cost:.4g}: accuracy of "
                             "the original predictions on case.X_test minus that of yours.")
        return expected

    def correct(self, costs) -> str:
        return (f"Right: your mitigation at least halves the gap on every case, at a cost between "
                f"{min(costs):+.3f} and {max(costs):+.3f} in accuracy.")


q4 = _MitigationProblem(
    title="Capstone: a mitigation that halves the gap, and its cost",
    hints=[
        "The training labels were poisoned, but case.X_val / case.y_val were re-checked by hand. Give the "
        "harmed group its own decision threshold, chosen on the clean validation rows.",
        "GroupThresholds(criterion='equal_opportunity').fit(scores_val, case.y_val, sensitive_features=...) from "
        "biaslab.mitigations, with scores = case.model.predict_proba(X)[:, 1] and the groups of the harmed "
        "group's column; then .predict(scores_test, sensitive_features=...).",
        "cost = accuracy of case.model.predict(case.X_test) minus accuracy of your predictions, both against "
        "case.y_test.",
    ],
)


# --- q5: reflection ---------------------------------------------------------------------------------

q5 = ReflectionProblem(
    title="Tell the lender what you found, and who must act",
    min_words=60,
    points_to_cover=[
        "the finding with numbers: which group, its FNR gap against everyone else, while overall accuracy looks fine",
        "the likely cause (a targeted label attack or a labelling error in that group's training data) and the "
        "evidence for it; what a flag does not prove",
        "the proxies and the flip rate: the model uses sex directly, and deleting it would not be enough",
        "the mitigation, its cost, and that the real fix is clean data and retraining, then monitoring",
        "responsibility: the provider (developers) must fix and document it (AI Act Art. 9, 10, 15), the lender as "
        "deployer must keep human oversight and inform people (Art. 14, 26; GDPR Art. 22), regulators supervise",
    ],
    hints=["Write it as a short memo to the lender's board: what, how sure, why, what now, who.",
           "Sections 1 and 2 of this notebook list the duties of providers and deployers of a high-risk system."],
)

register(__name__, globals())
