"""Exercises of module 09, "Accountability and capstone".

``from biaslab.exercises.m09 import *`` gives ``q1`` (which rules of the EU AI Act apply), the
capstone audit of an unseen model ``q2`` (the harmed group and its FNR gap), ``q3`` (the proxy
and the flip rate), ``q4`` (a mitigation that halves the gap, and its cost) and the reflection ``q5``.
The capstone's checks run the learner's functions on the notebook's case and on other seeds,
whose planted attack the learner has not seen.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from ._problem import Problem, ReflectionProblem, _as_number
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

_TIERS = {
    "credit_scoring": "high-risk", "cv_screening": "high-risk", "social_scoring": "prohibited",
    "emotion_at_work": "prohibited", "customer_chatbot": "transparency", "spam_filter": "minimal",
}

_WHERE = {
    "credit_scoring": "Annex III lists the areas of high-risk systems; look at point 5 (access to essential "
                      "private and public services and benefits).",
    "cv_screening": "Annex III lists the areas of high-risk systems; look at point 4 (employment).",
    "social_scoring": "Article 5 lists practices that are not allowed at all; read point (c) of its first paragraph.",
    "emotion_at_work": "Article 5 lists practices that are not allowed at all; read point (f) of its first "
                       "paragraph (emotion recognition in the workplace, except for medical or safety reasons).",
    "customer_chatbot": "Nothing about it is high-risk, but Article 50 gives people a right to know something.",
    "spam_filter": "Ask what harm it can do to a person's rights or safety; most AI systems fall in the lowest tier.",
}


# --- q1: which rules apply? ---------------------------------------------------------------------

class _TierProblem(Problem):
    def __init__(self, *, title, hints=(), correct_message=""):
        super().__init__(title=title, hints=hints)
        self.correct_message = correct_message

    def diagnose(self, answer) -> str:
        if not isinstance(answer, dict):
            raise self.wrong_type(f"Give a dict scenario -> tier, like {{'spam_filter': 'minimal', ...}}, not a "
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
        wrong = [k for k in SCENARIOS if answer[k].strip().lower() != _TIERS[k]]
        if wrong:
            first = wrong[0]
            raise self.wrong(f"{len(wrong)} of {len(SCENARIOS)} scenarios are not right yet, among them "
                             f"{first!r}. {_WHERE[first]}")
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

_SEEDS = {"visible": (9, 4), "hidden": (1, 2, 3)}
_SENSITIVE = ("sex", "race", "age_band")
_MIN_POSITIVES = 20


def _case(seed):
    from ..audit import capstone_case

    return capstone_case(seed)


def _truth(seed):
    from ..audit._capstone import _plan

    return _plan(seed)[0]


def _fnr(y, pred, mask):
    positives = mask & (y == 1)
    return float(np.mean(pred[positives] == 0)) if positives.any() else float("nan")


def _gap(case, pred, column, group):
    y = case.y_test.to_numpy()
    inside = (case.groups_test[column] == group).to_numpy()
    return _fnr(y, pred, inside) - _fnr(y, pred, ~inside)


def _run(problem, answer, case, what):
    if not callable(answer):
        raise problem.wrong_type(f"Pass your function itself (its name, without parentheses), not a "
                                 f"{type(answer).__name__}.")
    try:
        got = answer(case)
    except NotImplementedError:
        raise problem.not_attempted("Your function is not written yet (it raises NotImplementedError).") from None
    except Exception as exc:  # the learner's code failed: say how, without a traceback
        raise problem.wrong_type(f"Your function raised {type(exc).__name__}: {exc}") from None
    if got is None or got is Ellipsis:
        raise problem.not_attempted(f"Your function returns {got!r}: return {what}.")
    return got


def _seeds(variant):
    if variant not in _SEEDS:
        raise ValueError(f"variant must be 'visible' or 'hidden', got {variant!r}.")
    return _SEEDS[variant]


# --- q2: the harmed group and the size of the gap ---------------------------------------------------

def _group_name(value, problem):
    if isinstance(value, tuple) and len(value) == 2:
        value = value[1]
    if isinstance(value, np.str_):
        value = str(value)
    if not isinstance(value, str):
        raise problem.wrong_type(f"The group should be a group's name such as 'Female' or '25-44', not a "
                                 f"{type(value).__name__}.")
    return value


class _HarmProblem(Problem):
    def diagnose(self, answer, variant: str = "visible") -> str:
        for seed in _seeds(variant):
            case = _case(seed)
            got = _run(self, answer, case, "(group, fnr_gap)")
            if not isinstance(got, (tuple, list)) or len(got) != 2:
                raise self.wrong_type("Return two things, the harmed group's name and its FNR gap: "
                                      "return group, gap.")
            group = _group_name(got[0], self)
            gap = _as_number(got[1], "The FNR gap")
            column, target = _truth(seed)
            where = f"capstone_case({seed})"
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
                if own_gap < 0:
                    raise self.wrong(f"For {where} your function names a group whose FNR is LOWER than everyone "
                                     "else's. The attack makes the model miss the target's positives: look for "
                                     "the largest positive gap.")
                raise self.wrong(f"For {where} your function names {group!r}, which is not the group the attack "
                                 "harms most. Compare every group's FNR with the FNR of everyone outside it.")
            expected = _gap(case, pred, column, target)
            if abs(gap - expected) <= 5e-3:
                continue
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
            raise self.wrong(f"For {where} the group is right but the gap is not ({gap:.4g}). Use the model's "
                             "predictions on X_test and the clean labels y_test.")
        return ("Right on every case: you found the planted target and measured its gap. Overall accuracy "
                "alone would not have shown it.")


q2 = _HarmProblem(
    title="Capstone: the harmed group and the size of its gap",
    hints=[
        "Predict on case.X_test; for every group of case.groups_test's columns, compute the FNR of its positives "
        "(y_test == 1) and the FNR of everyone else's positives.",
        "fnr_screen(case.y_test, y_pred, sensitive_features=case.groups_test) from biaslab.audit does it for every "
        "group; keep only flagged rows (enough positives), and take the first.",
        "screen = fnr_screen(...); top = screen[screen['flagged']].iloc[0]; return screen[screen['flagged']]"
        ".index[0][1], top['fnr_gap'].",
    ],
)


# --- q3: the proxy and the flip rate -----------------------------------------------------------------

def _proxies(seed):
    from ..audit import proxy_strength

    case = _case(seed)
    features = case.X_test.drop(columns=[c for c in _SENSITIVE if c in case.X_test.columns])
    return proxy_strength(features, case.groups_test["sex"].to_numpy(), favoured="Male", random_state=0)


def _flip_rate(seed, X=None, column="sex"):
    from ..robustness import counterfactual_flip_rate

    case = _case(seed)
    return counterfactual_flip_rate(case.model, case.X_test if X is None else X, column=column)


class _ScreenProblem(Problem):
    def diagnose(self, answer, variant: str = "visible") -> str:
        for seed in _seeds(variant):
            case = _case(seed)
            got = _run(self, answer, case, "{'proxy': ..., 'flip_rate': ...}")
            if not isinstance(got, dict) or set(got) != {"proxy", "flip_rate"}:
                raise self.wrong_type("Return a dict with exactly two keys: {'proxy': name, 'flip_rate': number}.")
            where = f"capstone_case({seed})"
            proxy = got["proxy"]
            if isinstance(proxy, np.str_):
                proxy = str(proxy)
            if not isinstance(proxy, str) or proxy not in case.X_test.columns:
                raise self.wrong_type(f"For {where}, 'proxy' should be the name of a column of case.X_test, not "
                                      f"{proxy!r}.")
            if proxy in _SENSITIVE:
                raise self.wrong(f"For {where}, {proxy!r} is a sensitive attribute itself; a proxy is one of the "
                                 "OTHER features that gives sex away.")
            strengths = _proxies(seed)
            if strengths[proxy] < strengths.iloc[0] - 0.02:
                raise self.wrong(f"For {where}, {proxy!r} carries some information about sex, but another "
                                 "feature predicts it clearly better. Measure each feature alone (AUROC on rows "
                                 "you did not fit on).")
            rate = _as_number(got["flip_rate"], "The flip rate")
            flips = _flip_rate(seed)
            if abs(rate - flips.rate) <= 1e-3:
                continue
            if abs(rate - 100 * flips.rate) <= 0.1:
                raise self.wrong("Give the flip rate as a fraction between 0 and 1, not in percent.")
            if abs(rate - (1 - flips.rate)) <= 1e-3:
                raise self.wrong("That is the share of predictions that do NOT change.")
            if any(abs(rate - v) <= 1e-3 for v in flips.by_value):
                raise self.wrong("That is the flip rate of one sex only; give it over all test rows.")
            if abs(rate - _flip_rate(seed, column="age_band").rate) <= 1e-3:
                raise self.wrong("You changed age_band; the question is about changing sex alone.")
            for X in (case.X_val, case.X_train):
                if abs(rate - _flip_rate(seed, X=X).rate) <= 1e-3:
                    raise self.wrong("Measure the flip rate on the audit rows, case.X_test.")
            raise self.wrong(f"For {where}, the proxy is fine but the flip rate is not ({rate:.4g}). Change only "
                             "the column 'sex' of case.X_test and count changed predictions.")
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

_MAX_COST = 0.05


class _MitigationProblem(Problem):
    def diagnose(self, answer, variant: str = "visible") -> str:
        from .._validation import check_binary

        costs = []
        for seed in _seeds(variant):
            case = _case(seed)
            got = _run(self, answer, case, "(y_pred, accuracy_cost)")
            if not isinstance(got, (tuple, list)) or len(got) != 2:
                raise self.wrong_type("Return two things: the mitigated predictions on case.X_test and the "
                                      "accuracy cost: return y_pred, cost.")
            try:
                pred = check_binary(got[0], "y_pred")
            except (TypeError, ValueError) as exc:
                raise self.wrong_type(f"{exc} Return 0/1 predictions, one per row of case.X_test.") from None
            if len(pred) != len(case.X_test):
                raise self.wrong_type(f"y_pred has {len(pred)} values; case.X_test has {len(case.X_test)} rows.")
            cost = _as_number(got[1], "The accuracy cost")
            where = f"capstone_case({seed})"
            y = case.y_test.to_numpy()
            if np.array_equal(pred, y):
                raise self.wrong("Those are the true labels, not predictions: a deployed model cannot see them.")
            column, target = _truth(seed)
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
            costs.append(expected)
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
