"""Exercises of module 01, "Bias in, bias out" (Adult census income data).

``from biaslab.exercises.m01 import *`` gives ``q1``, ``q2``, ``q3`` and the reflection ``q4``.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from ..metrics import discrimination_score, disparate_impact_ratio
from ._problem import case_seed, fingerprint, FunctionProblem, Mistake, NumberProblem, Problem, ReflectionProblem
from ._registry import register

__all__ = ["q1", "q2", "q3", "q4"]

FAVOURED = "Male"


@functools.cache
def _adult():
    from ..datasets import load_adult

    return load_adult()


def _sex(split: str | None = None) -> pd.Series:
    adult = _adult()
    sex = adult.sensitive_features["sex"]
    return sex if split is None else sex[adult.frame["split"].to_numpy() == split]


def _labels(split: str | None = None) -> pd.Series:
    adult = _adult()
    y = adult.target
    return y if split is None else y[adult.frame["split"].to_numpy() == split]


def _rate(y, sex, group) -> float:
    y = np.asarray(y)
    return float(y[np.asarray(sex) == group].mean())


# --- q1: discrimination in the data ------------------------------------------------------------

q1 = NumberProblem(
    title="Discrimination in the data",
    what="the discrimination score",
    tolerance=1e-3,
    bounds=(-1, 1),
    mistakes=[
        Mistake(lambda expected: -expected, "The sign is flipped: the score is P(+ | favoured) - P(+ | deprived), "
                "and men are the favoured group here."),
        Mistake(lambda: _rate(_labels(), _sex(), "Female") / _rate(_labels(), _sex(), "Male"),
                "That is a ratio of the two rates; the discrimination score is their difference."),
        Mistake(lambda: _rate(_labels(), _sex(), "Male") / _rate(_labels(), _sex(), "Female"),
                "That is a ratio of the two rates; the discrimination score is their difference."),
        Mistake(lambda: _rate(_labels(), _sex(), "Male"),
                "That is one group's share of high incomes; the score compares two groups."),
        Mistake(lambda: _rate(_labels(), _sex(), "Female"),
                "That is one group's share of high incomes; the score compares two groups."),
        Mistake(lambda: float(np.mean(_labels())), "That is the share of high incomes over everyone; "
                "compute it for each sex and compare."),
        Mistake(lambda: discrimination_score(_labels("train"), sensitive_features=_sex("train"), favoured=FAVOURED),
                "You used only the training split; use all rows of the data."),
        Mistake(lambda: discrimination_score(_labels("test"), sensitive_features=_sex("test"), favoured=FAVOURED),
                "You used only the test split; use all rows of the data."),
    ],
    hints=[
        "The score is P(income > 50K | Male) - P(income > 50K | Female): the share of high incomes among men "
        "minus the share among women.",
        "adult.target is 1 for income > 50K, so its mean within a group is that group's share of high incomes; "
        "group with adult.sensitive_features['sex'].",
        "discrimination_score(adult.target, sensitive_features=adult.sensitive_features['sex'], favoured='Male') "
        "does it in one call.",
    ],
    correct_message="Right: in the data, men are far more often labelled high-income than women. "
    "Kamiran & Calders report about 0.19 on the same data.",
)


# --- q2: discrimination in a model's predictions -----------------------------------------------

def _test_predictions(predictions) -> np.ndarray:
    from .._validation import check_binary

    n_test = int((_adult().frame["split"] == "test").sum())
    if isinstance(predictions, type(Ellipsis)) or predictions is None:
        raise Problem.not_attempted("Pass your model's test-set predictions too: q2.check(answer, predictions=y_pred).")
    try:
        y_pred = check_binary(predictions, "predictions")
    except (TypeError, ValueError) as exc:
        raise Problem.wrong_type(f"{exc} Use model.predict(X_test), which gives 0/1 labels.") from None
    if len(y_pred) != n_test:
        raise Problem.wrong_type(
            f"predictions has {len(y_pred)} values, but the test split has {n_test} rows: predict on X_test."
        )
    return y_pred


@functools.cache
def _agency_model():
    """The agency's model as the notebook's locked cell trains it (without 'sex'), and its feature columns."""
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    adult = _adult()
    train = (adult.frame["split"] == "train").to_numpy()
    features = [c for c in adult.feature_names if c != "sex"]
    numeric = [c for c in features if pd.api.types.is_numeric_dtype(adult.data[c])]
    categorical = [c for c in features if c not in numeric]
    model = make_pipeline(
        make_column_transformer((StandardScaler(), numeric), (OneHotEncoder(handle_unknown="ignore"), categorical)),
        LogisticRegression(max_iter=1000))
    model.fit(adult.data.loc[train, features], adult.target[train])
    return model, features


@functools.cache
def _agency_predictions(split: str = "test") -> np.ndarray:
    """The agency model's predictions on one split of Adult."""
    adult = _adult()
    model, features = _agency_model()
    rows = (adult.frame["split"] == split).to_numpy()
    return np.asarray(model.predict(adult.data.loc[rows, features]))


def _prediction_rate(split: str, group: str) -> float:
    return _rate(_agency_predictions(split), _sex(split), group)


class _PredictionScore(NumberProblem):
    """A statistic of the notebook's predictions. The key (``{"value", "predictions", "labels"}``) holds the
    right value, a fingerprint of the predictions it is right for, and q1's value (a usual mistake)."""

    def grading_context(self) -> dict:
        return {"predictions": _agency_predictions()}

    def diagnose(self, answer, predictions=Ellipsis, **context):
        _test_predictions(predictions)  # says what is wrong with the predictions first
        return super().diagnose(answer, predictions=predictions, **context)

    def check_context(self, key, predictions=Ellipsis, **context):
        if isinstance(key, dict) and "predictions" in key and fingerprint(_test_predictions(predictions)) != key["predictions"]:
            raise self.wrong_type("These predictions are not those of the notebook's model: run the notebook's "
                                  "cells in order from the top (Kernel > Restart Kernel and Run All Cells), then "
                                  "pass y_pred, the model's predictions on X_test.")


q2 = _PredictionScore(
    title="Discrimination in a model's predictions",
    what="the discrimination score of the predictions",
    tolerance=1e-3,
    bounds=(-1, 1),
    mistakes=[
        Mistake(lambda expected: -expected,
                "The sign is flipped: P(predicted + | Male) - P(predicted + | Female)."),
        Mistake(lambda: discrimination_score(_labels("test"), sensitive_features=_sex("test"), favoured=FAVOURED),
                "That is the discrimination in the test labels; the question asks about the model's predictions."),
        Mistake(lambda key: key["labels"],
                "That is the discrimination in the data's labels; the question asks about the model's predictions."),
        Mistake(lambda: _prediction_rate("train", FAVOURED) - _prediction_rate("train", "Female"),
                "That is the discrimination in the model's predictions on the training split; the question asks "
                "about its predictions on the test split, y_pred, with the sex of the test rows."),
        Mistake(lambda: _prediction_rate("test", "Female") / _prediction_rate("test", FAVOURED),
                "That is a ratio (the disparate impact of the predictions); the discrimination score is a "
                "difference: P(predicted + | Male) - P(predicted + | Female)."),
    ],
    hints=[
        "Use the same score as in q1, but on y_pred (the model's predictions on the test split) instead of the labels.",
        "The groups must be those of the test rows: the sex of the rows you predicted.",
    ],
    correct_message="Right. Compare it with the discrimination in the data: a model trained without the "
    "sex column still treats men and women differently.",
)


# --- q3: implement the disparate impact ratio ---------------------------------------------------

def _q3_reference(y, groups, favoured):
    return disparate_impact_ratio(y, sensitive_features=pd.Series(np.asarray(groups)), favoured=favoured)


def _q3_cases(variant, seed=None):
    rng = np.random.default_rng(case_seed(variant, 20240101, 777, seed))
    cases = [
        (([1, 1, 0, 1, 0, 0], ["M", "M", "M", "F", "F", "F"], "M"), {}),
    ]
    for _ in range(3 if variant == "visible" else 6):
        while True:  # a favoured group without a positive makes the ratio undefined (a 1-in-800 draw): draw again
            n = int(rng.integers(30, 200))
            groups = rng.choice(["a", "b", "c"] if variant == "hidden" else ["a", "b"], n)
            y = (rng.random(n) < np.where(groups == "a", 0.6, 0.3)).astype(int)
            if y[groups == "a"].any() and (groups != "a").any():
                break
        cases.append(((y, groups, "a"), {}))
    if variant == "visible":
        # three groups: "everyone else" is two groups together, as in the hidden tests (race has five)
        cases.append((([1, 1, 0, 1, 0, 0, 1, 0, 0, 0], ["M", "M", "M", "F", "F", "F", "X", "X", "X", "X"], "M"), {}))
        cases.append(((_labels().to_numpy(), _sex().to_numpy(), FAVOURED), {}))
    return cases


def _q3_compare(got, expected, args, kwargs):
    try:
        got = float(got)
    except (TypeError, ValueError):
        raise Problem.wrong_type(f"Your function should return one number, it returned a {type(got).__name__}.") from None
    if abs(got - expected) <= 1e-9:
        return
    y, groups, favoured = np.asarray(args[0]), np.asarray(args[1]), args[2]
    p_fav = y[groups == favoured].mean()
    p_dep = y[groups != favoured].mean()
    others = [g for g in np.unique(groups) if g != favoured]
    if np.isclose(got, p_fav / p_dep):
        raise Problem.wrong("Your ratio is upside down: divide the deprived group's rate by the favoured group's.")
    if np.isclose(got, p_fav - p_dep) or np.isclose(got, p_dep - p_fav):
        raise Problem.wrong("Your function returns a difference of rates; disparate impact is their ratio.")
    if len(others) > 1 and any(np.isclose(got, y[groups == g].mean() / p_fav) for g in others):
        raise Problem.wrong("With more than two groups, compare the favoured group with everyone else together, "
                            "not with one other group.")
    raise Problem.wrong(f"Your function gives {got:.4g} for a case with {len(y)} rows and groups "
                        f"{', '.join(map(str, np.unique(groups)))} (favoured {favoured!r}); that is not the ratio.")


q3 = FunctionProblem(
    title="Disparate impact and the four-fifths rule",
    cases=_q3_cases,
    reference=_q3_reference,
    compare=_q3_compare,
    hints=[
        "Disparate impact = P(+ | deprived) / P(+ | favoured), where 'deprived' is every row not in the "
        "favoured group.",
        "With numpy: y = np.asarray(y); groups = np.asarray(groups); then y[groups == favoured].mean() is the "
        "favoured group's rate.",
    ],
    correct_message="Your function is right. A ratio below 0.8 fails the 'four-fifths rule' of US employment law.",
)

# --- q4: a reflection -------------------------------------------------------------------------

q4 = ReflectionProblem(
    title="Answer the agency: does deleting sex work?",
    min_words=40,
    points_to_cover=[
        "what you measured: the predictions still favour men about as much without the column",
        "why: other features (relationship, marital status, occupation, hours) act as proxies for sex",
        "deleting the proxies as well costs accuracy and still leaves a gap",
        "what to do instead: measure outcomes by group, decide which differences are justified, mitigate and monitor",
    ],
    hints=["Quote the numbers you computed: the discrimination score with and without the column, and the "
           "disparate impact.", "Section 4 shows which features carry sex, and what happens when they go too."],
)

register(__name__, globals())
