"""Exercises of module 05, "Robustness" (Cleveland heart disease data).

``from biaslab.exercises.m05 import *`` gives ``q1``, ``q2``, ``q3``, ``q4``.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from ..robustness import TRAINING_VARIANTS, counterfactual_flip_rate, load_robust_training_results, worst_case_flip
from ._plain import Opaque
from ._problem import fingerprint, FunctionProblem, KeyedProblem, Mistake, NumberProblem, Problem, ReflectionProblem, case_seed
from ._registry import register

__all__ = ["q1", "q2", "q3", "q4"]

#: The clinic's requirements in q3: a repeat measurement may change at most this share of decisions
MAX_LAB_FLIP_RATE = 0.02
#: ... and the model must rank patients at least this well (AUROC, mean over the splits).
MIN_AUROC = 0.87
LAB_COLUMNS = ("flip rate: resting_blood_pressure ±5", "flip rate: cholesterol ±10")


@functools.cache
def _heart_split():
    """The notebook's split: a third of the patients held out, stratified, seed 0."""
    from sklearn.model_selection import train_test_split

    from ..datasets import load_heart_disease

    heart = load_heart_disease()
    X_train, X_test, y_train, y_test = train_test_split(
        heart.data, heart.target, test_size=1 / 3, stratify=heart.target, random_state=0)
    return heart, X_train, X_test


# --- q1: a counterfactual flip rate by hand ------------------------------------------------------

class _FlipStats:
    """Everything q1's expected value and its mistakes need, computed once per check."""

    def __init__(self, model):
        heart, X_train, X_test = _heart_split()
        with threadpool_limits(1):  # a dozen small predictions: one thread is fastest, even on busy cores
            self._compute(model, heart, X_train, X_test)

    def _compute(self, model, heart, X_train, X_test):
        test = counterfactual_flip_rate(model, X_test, column="sex")
        # which test patients the model refers and whose decision flips: what the key's value is right for
        self.fingerprint = fingerprint(np.concatenate([np.asarray(model.predict(X_test)).ravel(),
                                                       np.asarray(test.flipped).ravel()]))
        self.count = float(test.flipped.sum())
        self.by_sex = test.by_value
        self.proba_changed = (
            float((test.proba_change > 1e-12).mean()) if test.proba_change is not None else np.nan)
        self.all_rows = counterfactual_flip_rate(model, heart.data, column="sex").rate
        self.train_rows = counterfactual_flip_rate(model, X_train, column="sex").rate
        # two usual slips: everyone set to one sex instead of each one swapped; the swapped decisions compared
        # with the true labels instead of with the model's own decisions
        base = np.asarray(model.predict(X_test))
        swapped = X_test.copy()
        swapped["sex"] = X_test["sex"].map({"Male": "Female", "Female": "Male"}).astype(X_test["sex"].dtype)
        self.vs_labels = float(np.mean(np.asarray(model.predict(swapped)) != heart.target.loc[X_test.index].to_numpy()))
        self.one_sex = {}
        for sex in ("Female", "Male"):
            same = X_test.copy()
            same["sex"] = pd.Series(sex, index=X_test.index).astype(X_test["sex"].dtype)
            self.one_sex[sex] = float(np.mean(np.asarray(model.predict(same)) != base))


@functools.cache
def _clinic_model():
    """The clinic's model as the notebook's locked cell trains it (gradient boosting, seed 0)."""
    from ..models import make_tabular_model

    from sklearn.model_selection import train_test_split

    heart = _heart_split()[0]
    X_train, _, y_train, _ = train_test_split(heart.data, heart.target, test_size=1 / 3, stratify=heart.target,
                                              random_state=0)
    return make_tabular_model("gradient_boosting", random_state=0).fit(X_train, y_train)


def _model_stats(model) -> _FlipStats:
    if model is Ellipsis or model is None:
        raise Problem.not_attempted("Pass the clinic's model too: q1.check(sex_flip_rate, model=model).")
    if not callable(getattr(model, "predict", None)):
        raise Problem.wrong_type(f"model should be the fitted model (with a predict method), got a "
                                 f"{type(model).__name__}.")
    return _FlipStats(model)


class _ModelFlipRate(NumberProblem):
    def grading_context(self) -> dict:
        return {"model": _clinic_model()}

    def diagnose(self, answer, model=Ellipsis, **context):
        stats = _model_stats(model)  # says what is wrong with the model first
        return super().diagnose(answer, stats=stats, **context)

    def check_context(self, key, stats=None, **context):
        if isinstance(key, dict) and "model" in key and stats.fingerprint != key["model"]:
            raise self.wrong_type("This model's decisions are not those of the clinic's model the notebook "
                                  "trains: run the notebook's cells in order from the top (Kernel > Restart Kernel "
                                  "and Run All Cells), then pass model.")


q1 = _ModelFlipRate(
    title="A counterfactual flip rate by hand",
    what="the flip rate",
    tolerance=1e-3,
    bounds=(0, 1),
    mistakes=[
        Mistake(lambda stats: stats.proba_changed,
                "You counted the patients whose predicted probability changed. Almost every probability moves a "
                "little; what matters to a patient is the decision: count the rows where model.predict changes."),
        Mistake(lambda expected: 1 - expected,
                "That is the share of patients whose decision stayed the same; the flip rate is the share whose "
                "decision changed."),
        Mistake(lambda stats: stats.count,
                "That is a number of patients; the flip rate is their share of the test patients."),
        Mistake(lambda stats: stats.all_rows,
                "You used all 303 patients. The clinic's model was trained on some of them: use the held-out "
                "test patients, X_test."),
        Mistake(lambda stats: stats.train_rows,
                "You used the training patients; use the held-out test patients, X_test."),
        Mistake(lambda stats: stats.one_sex["Female"],
                "You set every patient's sex to 'Female'; that flips only the men. Swap each patient's sex "
                "('Male' to 'Female' and 'Female' to 'Male') and compare the decisions."),
        Mistake(lambda stats: stats.one_sex["Male"],
                "You set every patient's sex to 'Male'; that flips only the women. Swap each patient's sex "
                "('Male' to 'Female' and 'Female' to 'Male') and compare the decisions."),
        Mistake(lambda stats: stats.vs_labels,
                "You compared the swapped decisions with the true labels (y_test). The flip rate compares the "
                "model's decision on the swapped copy with its own decision on the original rows."),
        Mistake(lambda stats: stats.by_sex.get("Male", np.nan),
                "That is the flip rate among men only; swap the sex of every test patient and count over all of them."),
        Mistake(lambda stats: stats.by_sex.get("Female", np.nan),
                "That is the flip rate among women only; swap the sex of every test patient and count over all of "
                "them."),
    ],
    hints=[
        "Make a copy of X_test in which every 'Male' is 'Female' and every 'Female' is 'Male'; predict on both; "
        "the flip rate is the share of rows where the two decisions differ.",
        "swapped = X_test.copy(); swapped['sex'] = X_test['sex'].map({'Male': 'Female', 'Female': 'Male'})"
        ".astype(X_test['sex'].dtype); then compare model.predict(X_test) with model.predict(swapped).",
        "(model.predict(X_test) != model.predict(swapped)).mean() is the share of changed decisions.",
    ],
    correct_message="Right: for that share of patients, the referral decision depends on the sex field alone.",
)


# --- q2: the worst case within a delta -----------------------------------------------------------

# The toy models of q2 are scikit-learn pipelines (a column selection, maybe a square, and a logistic
# regression with set weights): a class's grader pickles the calls into the student's kernel, where
# biaslab.exercises holds only recording stubs, so a model class defined here could not be unpickled.

def _rule(columns, weights, intercept, X, *, square=False):
    """A fitted pipeline that predicts 1 where ``weights . features + intercept > 0``."""
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import PolynomialFeatures

    steps = [("select", ColumnTransformer([("columns", "passthrough", list(columns))]))]
    if square:
        steps.append(("square", PolynomialFeatures(degree=2, include_bias=False)))
    model = Pipeline(steps + [("rule", LogisticRegression())])
    model[:-1].fit(X)
    rule = model[-1]
    rule.classes_ = np.array([0, 1])
    rule.coef_ = np.array([weights], dtype=float)
    rule.intercept_ = np.array([float(intercept)])
    rule.n_features_in_ = len(weights)
    return model


def _threshold(X, column, cut):
    """predict 1 where column > cut."""
    return _rule([column], [1.0], -cut, X)


def _band(X, column, low, high):
    """predict 1 where low < column <= high: a narrow band that a search of the two ends misses."""
    low, high = low + 1e-6, high + 1e-6  # -(x - low)(x - high) > 0, clear of rounding at the ends
    return _rule([column], [low + high, -1.0], -low * high, X, square=True)


def _linear(X, weights, cut):
    """predict 1 where a weighted sum of columns exceeds cut."""
    return _rule(list(weights), list(weights.values()), -cut, X)


def _patients(rng, n, column, index=None):
    frame = pd.DataFrame({
        column: rng.integers(30, 80, n) if column == "age" else np.round(rng.normal(80, 15, n), 1),
        "cholesterol": rng.integers(150, 350, n),
        "smoker": rng.choice(["yes", "no"], n),
    })
    if index is not None:
        frame.index = index
    return frame


def _q2_models(variant, seed=None):
    """``[(model's name in messages, (model, X, column, delta), kwargs), ...]``."""
    rng = np.random.default_rng(case_seed(variant, 5, 2026, seed))
    if variant == "visible":
        X = _patients(rng, 40, "age")
        return [
            ("Threshold", (_threshold(X, "age", 50.5), X, "age", 2), {}),
            ("Band", (_band(X, "age", 52, 53), X, "age", 5), {}),
            ("Linear", (_linear(X, {"age": 1.0, "cholesterol": 0.1}, 80), X, "age", 3), {"n_steps": 7}),
            ("TabularModel", (_clinic_model(), _heart_split()[2].copy(), "age", 5), {}),
        ]
    # weight in kg, which the heart data lacks; patient ids as the index; a grid without 0
    X = _patients(rng, 60, "weight", index=pd.Index(rng.permutation(1000)[:60] + 1000, name="patient"))
    return [
        ("Band", (_band(X, "weight", 79.0, 80.0), X, "weight", 4.0), {}),
        ("Threshold", (_threshold(X, "weight", 85.0), X, "weight", 1.5), {"n_steps": 4}),
        ("Linear", (_linear(X, {"weight": -0.5, "cholesterol": 0.05}, -30), X, "weight", 10.0), {"n_steps": 11}),
        ("Threshold", (_threshold(X, "weight", 85.0), X, "weight", 0.0), {}),
        ("Band", (_band(X, "cholesterol", 240, 241), X, "cholesterol", 6), {"n_steps": 13}),
    ]


def _q2_cases(variant, seed=None):
    return [(args, kwargs) for _, args, kwargs in _q2_models(variant, seed)]


def _q2_reference(model, X, column, delta, n_steps=21):
    return worst_case_flip(model, X, column=column, delta=delta, n_steps=n_steps).flipped.to_numpy()


def _flips_at(model, X, column, offsets):
    base = model.predict(X)
    flipped = np.zeros(len(X), dtype=bool)
    for offset in offsets:
        moved = X.copy()
        moved[column] = X[column] + offset
        flipped |= model.predict(moved) != base
    return flipped


def _q2_compare(got, expected, args, kwargs, name):
    model, X, column, delta = args
    n_steps = kwargs.get("n_steps", 21)
    if isinstance(got, Opaque):
        raise Problem.wrong_type(f"Your function returned a {got.type_name}; return one True/False per row of X.")
    if np.isscalar(got) or np.ndim(got) == 0:
        raise Problem.wrong_type("Your function returned a single value; return one True/False per row of X "
                                 "(the rate is the mean of that).")
    got = np.asarray(got)
    if got.shape != (len(X),):
        raise Problem.wrong_type(f"Your function returned shape {got.shape}; expected one True/False per row of X "
                                 f"({len(X)},).")
    if got.dtype != bool:
        if not np.isin(got, [0, 1]).all():
            raise Problem.wrong_type("Return True/False per row (did a row flip?), not probabilities or changes.")
        got = got.astype(bool)
    if np.array_equal(got, expected):
        return
    grid = np.linspace(-delta, delta, n_steps)
    where = f"(model {name}, column {column!r}, delta={delta:g}, n_steps={n_steps})"
    if np.array_equal(got, _flips_at(model, X, column, [-delta, delta])):
        raise Problem.wrong(f"You tried only the two ends, -delta and +delta; a prediction can flip inside the range "
                            f"and flip back before its end. Try every change of the grid {where}.")
    if np.array_equal(got, _flips_at(model, X, column, grid[grid > 0])):
        raise Problem.wrong(f"You only moved the column up; try the negative changes too {where}.")
    if np.array_equal(got, _flips_at(model, X, column, grid[grid < 0])):
        raise Problem.wrong(f"You only moved the column down; try the positive changes too {where}.")
    if not got.any():
        raise Problem.wrong(f"Your function finds no flips, but some rows do flip {where}. Compare each moved "
                            "prediction with the original prediction of the same rows.")
    if got.all():
        raise Problem.wrong(f"Your function says every row flips, but some never do {where}. A change of 0 is on "
                            "the grid when n_steps is odd; did you count it, or compare with the wrong predictions?")
    n_wrong = int((got != expected).sum())
    raise Problem.wrong(f"Your answer differs in {n_wrong} of {len(X)} rows {where}.")


class _SearchProblem(FunctionProblem):
    """A FunctionProblem whose diagnoses name the model of the case (the toy models are all pipelines)."""

    def diagnose(self, answer, variant: str = "visible", seed=None) -> str:
        with threadpool_limits(1):  # the learner's search calls predict many times on small data
            return self._judge_function(answer, variant, seed)

    def judge(self, outputs, variant: str = "visible", seed=None) -> str:
        models = _q2_models(variant, seed)
        with threadpool_limits(1):
            for i, (name, args, kwargs) in enumerate(models):
                if i >= len(outputs):
                    raise self.wrong_type(f"No result of your function was recorded for test case {i + 1}.")
                got = self.returned(outputs[i])
                if 1 in getattr(outputs[i], "changed", ()) or "X" in getattr(outputs[i], "changed", ()):  # (model, X, ...)
                    raise self.wrong("Your function changed X itself: the caller's data keep the moved column "
                                     "(in the notebook, X_test's ages would stay shifted). Work on a copy: "
                                     "moved = X.copy().")
                self.compare(got, self._reference(*args, **kwargs), args, kwargs, name)
        return self.correct_message or f"Your function gives the right result on all {len(models)} test cases."


q2 = _SearchProblem(
    title="The worst case within a delta",
    cases=_q2_cases,
    reference=_q2_reference,
    compare=_q2_compare,
    hints=[
        "base = model.predict(X) once; then, for each change in np.linspace(-delta, delta, n_steps), predict on a "
        "copy of X with X[column] + change and mark the rows whose prediction differs from base.",
        "Keep a boolean array flipped = np.zeros(len(X), dtype=bool) and update it with flipped |= (new != base).",
        "Do not change X itself: moved = X.copy(); moved[column] = X[column] + change.",
    ],
    correct_message="Your search is right. It is what worst_case_flip does, which also stops as soon as every row "
    "has flipped and remembers the smallest change that flips each row.",
)


# --- q3: robust enough for the clinic? -----------------------------------------------------------

@functools.cache
def _variant_means() -> pd.DataFrame:
    table = load_robust_training_results()
    return table.groupby("variant").mean(numeric_only=True)


def _failures(variant: str) -> list[str]:
    row = _variant_means().loc[variant]
    failed = []
    if row["AUROC"] < MIN_AUROC:
        failed.append("its AUROC is below what the clinic requires")
    if (row[list(LAB_COLUMNS)] > MAX_LAB_FLIP_RATE).any():
        failed.append("a repeat measurement of blood pressure or cholesterol changes more decisions than the "
                      "clinic allows")
    return failed


class _ChooseVariant(KeyedProblem):
    """The answer is the name of a training variant. Its key, in the instructor's source notebook:
    the variant the clinic should choose (the package only explains why another one fails)."""

    def form(self, answer) -> str:
        if not isinstance(answer, str):
            raise self.wrong_type(f"Give the name of one training variant as a string, one of {list(TRAINING_VARIANTS)}; "
                                  f"got a {type(answer).__name__}.")
        if answer not in TRAINING_VARIANTS:
            raise self.wrong_type(f"{answer!r} is not a training variant; choose one of {list(TRAINING_VARIANTS)}.")
        return answer

    def against(self, answer, key) -> str:
        if key not in TRAINING_VARIANTS:
            raise ValueError(f"{key!r} is not a training variant")
        if answer == key:
            row = _variant_means().loc[answer]
            return (f"Right: its mean AUROC is {row['AUROC']:.3f} (the clinic asks for at least {MIN_AUROC}) and a "
                    f"repeat measurement changes at most {row[list(LAB_COLUMNS)].max():.1%} of its decisions (at most "
                    f"{MAX_LAB_FLIP_RATE:.0%} allowed). The clinic did not ask for robustness to sex, which is a real "
                    "risk factor; q4 asks whether it should.")
        failed = _failures(answer) or ["another variant fits the clinic's requirements better"]
        extra = ""
        if answer in ("sex-swapped copies", "both"):
            extra = (" Note also that the clinic did not ask for robustness to sex: making the model ignore a real "
                     "risk factor has a price.")
        raise self.wrong(f"{answer!r} does not meet the requirements: {' and '.join(failed)}.{extra}")


q3 = _ChooseVariant(
    title="Robust enough for the clinic?",
    hints=[
        "Average the shipped table over the splits: results.groupby('variant').mean(numeric_only=True).",
        "Keep the variants whose AUROC is at least 0.87 and whose two lab flip rates (blood pressure ±5, "
        "cholesterol ±10) are both at most 0.02; one variant is left.",
    ],
)


# --- q4: a reflection ----------------------------------------------------------------------------

q4 = ReflectionProblem(
    title="Should a heart model ignore sex?",
    min_words=40,
    points_to_cover=[
        "what you measured: the share of patients whose referral flips with the sex field alone, and the "
        "price of removing it (AUROC and accuracy of the sex-swapped variant)",
        "sex is a real risk factor for coronary heart disease, so a model that ignores it can under-refer men or "
        "over-refer women; robustness to sex is a choice, not a free good",
        "the contrast with Adult: there sex should not decide who is called high-income, so a flip there is "
        "discrimination",
        "a flip also shows how much one wrongly entered field changes a decision: check data entry and review "
        "patients near the threshold instead of trusting one number",
    ],
    hints=["Quote the numbers: the counterfactual flip rate of the clinic's model, and the AUROC of the standard "
           "and the sex-swapped variants.",
           "Ask whether sex causes a difference in the outcome (heart disease) or only in how people are treated "
           "(income)."],
)

register(__name__, globals())
