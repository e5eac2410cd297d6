"""Exercises of module 00, "Welcome: how the workbook works" (warm-ups on the shipped data).

``from biaslab.exercises.m00 import *`` gives ``q1`` (the share of women in Adult, a number) and
``q2`` (a function: a group's positive rate).
"""

from __future__ import annotations

import functools

import numpy as np

from ._problem import case_seed, FunctionProblem, Mistake, NumberProblem, Problem
from ._registry import register

__all__ = ["q1", "q2"]


@functools.cache
def _adult():
    from ..datasets import load_adult

    return load_adult()


def _women() -> np.ndarray:
    return (_adult().sensitive_features["sex"] == "Female").to_numpy()


def _high_income() -> np.ndarray:
    return _adult().target.to_numpy() == 1


# --- q1: the share of women in Adult -----------------------------------------------------------

q1 = NumberProblem(
    title="Who is in the data: the share of women in Adult",
    what="the share of women",
    tolerance=1e-3,
    bounds=(0, 1),  # a percentage, rounded or not, is told apart without the key
    mistakes=[
        Mistake(lambda expected: 1 - expected, "That is the share of men; the question asks for women."),
        Mistake(lambda: float(_women().sum()), "That is a number of people; divide by the number of rows "
                "to get a share."),
        Mistake(lambda: float((~_women()).sum()), "That is a number of people (and of men); the question asks "
                "for the share of women."),
        Mistake(lambda: _women().sum() / (~_women()).sum(), "You divided the number of women by the number of "
                "men; a share divides by everyone."),
        Mistake(lambda: float(_high_income()[_women()].mean()), "That is the share of women who earn more than "
                "$50K; the question asks what share of all people are women."),
        Mistake(lambda: float(_women()[_high_income()].mean()), "That is the share of women among the high "
                "earners only; use every row."),
    ],
    hints=[
        "adult.sensitive_features['sex'] holds 'Female' or 'Male' for every row; count the rows that are "
        "'Female' and divide by the number of rows.",
        "A comparison gives True/False per row, and the mean of True/False values is the share of True: "
        "(sex == 'Female').mean().",
    ],
    correct_message="Right: about one person in three in Adult is a woman. A group that is a minority of "
    "the data gets less of a model's attention; keep that in mind in module 03.",
)


# --- q2: a group's positive rate ---------------------------------------------------------------

def _q2_reference(y, groups, group):
    y, groups = np.asarray(y, dtype=float), np.asarray(groups)
    return float(y[groups == group].mean())


def _q2_cases(variant, seed=None):
    rng = np.random.default_rng(case_seed(variant, 2026, 1312, seed))
    # a small case whose usual wrong answers all differ (rate 0.5; outside 0.2; over all rows 2/9; count 2;
    # everyone 1/3; P(F | y = 1) 2/3), so each mistake is named as what it is
    cases = [(([1, 0, 1, 0, 1, 0, 0, 0, 0], ["F", "F", "F", "F", "M", "M", "M", "M", "M"], "F"), {})]
    names = ["a", "b"] if variant == "visible" else ["a", "b", "c"]
    for _ in range(3 if variant == "visible" else 6):
        while True:  # the group asked about must have rows (its rate is undefined otherwise): draw again
            n = int(rng.integers(20, 150))
            groups = rng.choice(names, n)
            y = (rng.random(n) < np.where(groups == "a", 0.7, 0.3)).astype(int)
            group = str(rng.choice(names))
            if (groups == group).any():
                break
        cases.append(((y, groups, group), {}))
    if variant == "hidden":
        # plain lists, and a group nobody in it is positive
        cases.append((([0, 0, 1, 1, 0], ["x", "x", "y", "y", "y"], "x"), {}))
        cases.append(((list(cases[1][0][0]), list(cases[1][0][1]), "b"), {}))
    else:
        heart = _heart()
        cases.append(((heart.target.to_numpy(), heart.sensitive_features["sex"].to_numpy(), "Female"), {}))
    return cases


@functools.cache
def _heart():
    from ..datasets import load_heart_disease

    return load_heart_disease()


def _q2_compare(got, expected, args, kwargs):
    if isinstance(got, (bool, np.bool_)) or np.ndim(got) != 0:
        raise Problem.wrong_type(
            f"Your function should return one number (the group's rate), it returned a {type(got).__name__}.")
    try:
        got = float(got)
    except (TypeError, ValueError):
        raise Problem.wrong_type(f"Your function should return one number, it returned a {type(got).__name__}.") from None
    if abs(got - expected) <= 1e-9:
        return
    y, groups, group = np.asarray(args[0], dtype=float), np.asarray(args[1]), args[2]
    inside = groups == group
    if np.isclose(got, 100 * expected):
        raise Problem.wrong("Return the rate as a fraction between 0 and 1, not in percent.")
    if np.isclose(got, y[inside].sum()):
        raise Problem.wrong("Your function returns how many positives the group has; divide by the group's size.")
    if np.isclose(got, y.mean()):
        raise Problem.wrong("Your function returns the positive rate of everyone; keep only the group's rows.")
    if inside.any() and np.isclose(got, y[inside].sum() / len(y)):
        raise Problem.wrong("Your function divides the group's positives by the number of all rows; divide by the "
                            "number of rows in the group.")
    if (~inside).any() and np.isclose(got, y[~inside].mean()):
        raise Problem.wrong("Your function returns the rate of everyone *outside* the group: check the mask.")
    if y.sum() > 0 and np.isclose(got, inside[y == 1].mean()):
        raise Problem.wrong("Your function returns the share of the group among the positives, P(group | y = 1); "
                            "the question asks for P(y = 1 | group), the share of positives within the group.")
    raise Problem.wrong(f"Your function gives {got:.4g} for a case with {len(y)} rows and group {group!r}; "
                        "that is not the group's positive rate.")


q2 = FunctionProblem(
    title="A group's positive rate",
    cases=_q2_cases,
    reference=_q2_reference,
    compare=_q2_compare,
    hints=[
        "The positive rate of a group is P(y = 1 | group): among the rows of that group, the share with y = 1.",
        "With numpy: y = np.asarray(y); groups = np.asarray(groups); then y[groups == group] keeps the group's "
        "rows, and .mean() of 0/1 values is the share of ones.",
    ],
    correct_message="Your function is right. Positive rates per group are the building block of most "
    "fairness measures in this course.",
)

register(__name__, globals())
