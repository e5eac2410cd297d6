"""Flip rates against models whose answers are known, and on the course's real models."""

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from biaslab.datasets import load_heart_disease
from biaslab.models import make_tabular_model
from biaslab.robustness import (
    CounterfactualFlips,
    PerturbationFlips,
    WorstCaseFlips,
    counterfactual_flip_rate,
    perturbation_sensitivity,
    worst_case_flip,
)


class Over50:
    """predict = age > 50; counts its calls and remembers the age dtypes it saw."""

    def __init__(self):
        self.calls, self.dtypes, self.rows = 0, [], []

    def predict(self, X):
        self.calls += 1
        self.dtypes.append(X["age"].dtype)
        self.rows.append(len(X))
        return (X["age"] > 50).astype(int).to_numpy()


class BiasedRule:
    """Approves men over 40 and, whatever the sex, everyone over 70; insists on a categorical sex."""

    def predict(self, X):
        assert isinstance(X["sex"].dtype, pd.CategoricalDtype), "the column's dtype must survive"
        return (((X["sex"] == "M") & (X["age"] > 40)) | (X["age"] > 70)).astype(int).to_numpy()

    def predict_proba(self, X):
        p = 0.2 + 0.6 * self.predict(X) + 0.1 * (X["sex"] == "M").to_numpy()
        return np.column_stack([1 - p, p])


AGES = pd.DataFrame({"age": [30, 49, 50, 51, 52, 60]}, index=list("abcdef"))


@pytest.fixture(autouse=True)
def one_thread():
    with threadpool_limits(1):  # the real models below are small; OpenMP on busy cores is slower
        yield


@pytest.fixture(scope="module")
def heart():
    return load_heart_disease()


# ----------------------------------------------------------------------------- known answers


def test_perturbation_hand_computed():
    result = perturbation_sensitivity(Over50(), AGES, column="age", delta=2)
    assert isinstance(result, PerturbationFlips)
    # up: 49 -> 51 and 50 -> 52 flip; down: 51 -> 49 and 52 -> 50 flip (50 is not over 50)
    assert result.flipped_up.tolist() == [False, True, True, False, False, False]
    assert result.flipped_down.tolist() == [False, False, False, True, True, False]
    assert (result.rate_up, result.rate_down, result.rate) == (2 / 6, 2 / 6, 4 / 6)
    assert list(result.flipped_up.index) == list("abcdef")
    assert result.proba_change is None  # Over50 has no predict_proba


def test_perturbation_by_one_year_and_zero():
    result = perturbation_sensitivity(Over50(), AGES, column="age", delta=1)
    assert result.flipped_up.tolist() == [False, False, True, False, False, False]
    assert result.flipped_down.tolist() == [False, False, False, True, False, False]
    assert perturbation_sensitivity(Over50(), AGES, column="age", delta=0).rate == 0


def test_worst_case_hand_computed():
    model = Over50()
    result = worst_case_flip(model, AGES, column="age", delta=2, n_steps=5)
    assert isinstance(result, WorstCaseFlips)
    assert result.offsets.tolist() == [-2, -1, 0, 1, 2]
    assert result.rate == 4 / 6
    np.testing.assert_array_equal(result.min_change, [np.nan, 2, 1, 1, 2, np.nan])
    np.testing.assert_array_equal(result.change, [np.nan, 2, 1, -1, -2, np.nan])
    assert result.flipped.tolist() == [False, True, True, True, True, False]
    # vectorised: one call on all rows for the original and one per non-zero grid step
    assert model.calls == 1 + 4 and set(model.rows) == {6}


def test_worst_case_with_two_steps_is_the_perturbation_rate_and_grids_refine():
    X = pd.DataFrame({"age": np.arange(20, 90, 0.5)})
    pert = perturbation_sensitivity(Over50(), X, column="age", delta=3)
    two = worst_case_flip(Over50(), X, column="age", delta=3, n_steps=2)
    assert two.rate == pert.rate
    assert (two.flipped == (pert.flipped_up | pert.flipped_down)).all()
    # nested grids (3, 5, 9, 17 points) can only find more flips, at smaller or equal changes
    rates = [worst_case_flip(Over50(), X, column="age", delta=3, n_steps=n).rate for n in (3, 5, 9, 17)]
    assert rates == sorted(rates)
    # ages 47.5 ... 53 flip (47 + 3 is not over 50; 53 - 3 is not); the grid has 0.375 steps
    fine = worst_case_flip(Over50(), X, column="age", delta=3, n_steps=17)
    expected = ((X["age"] > 47) & (X["age"] <= 53)).to_numpy()
    assert (fine.flipped.to_numpy() == expected).all()


def test_worst_case_stops_once_every_row_flipped():
    model = Over50()
    result = worst_case_flip(model, pd.DataFrame({"age": [50, 51]}), column="age", delta=5, n_steps=11)
    assert result.rate == 1 and model.calls == 1 + 2  # both flip at the first two steps (-1, +1)


def test_integer_columns_stay_integer_for_whole_deltas():
    model = Over50()
    perturbation_sensitivity(model, AGES, column="age", delta=2)
    assert all(pd.api.types.is_integer_dtype(d) for d in model.dtypes)
    perturbation_sensitivity(model, AGES, column="age", delta=0.5)
    assert model.dtypes[-1] == np.float64


def test_missing_values_never_flip():
    X = pd.DataFrame({"age": [49.0, np.nan, 51.0]})
    assert perturbation_sensitivity(Over50(), X, column="age", delta=2).flipped_up.tolist() == [True, False, False]
    assert worst_case_flip(Over50(), X, column="age", delta=2).flipped.tolist() == [True, False, True]


def people():
    return pd.DataFrame({
        "sex": pd.Categorical(["F", "F", "M", "M", "F", "M"], categories=["F", "M", "X"]),
        "age": [30, 50, 30, 50, 80, 80],
    }, index=[10, 11, 12, 13, 14, 15])


def test_counterfactual_hand_computed():
    result = counterfactual_flip_rate(BiasedRule(), people(), column="sex")
    assert isinstance(result, CounterfactualFlips)
    # only the over-40s under 70 flip when their sex is swapped
    assert result.flipped.tolist() == [False, True, False, True, False, False]
    assert result.rate == 2 / 6
    assert result.by_value.to_dict() == {"F": 1 / 3, "M": 1 / 3}
    assert list(result.flips.columns) == ["F", "M"]  # observed categories, in their order
    assert result.flips["F"].tolist() == [False, False, False, True, False, False]
    # the scores move for everyone (0.1 for sex alone), the labels only for two
    np.testing.assert_allclose(result.proba_change, [0.1, 0.7, 0.1, 0.7, 0.1, 0.1])


def test_counterfactual_with_explicit_values():
    result = counterfactual_flip_rate(BiasedRule(), people(), column="sex", values=["M"])
    # "what if everyone were a man": only the women of 50 flip
    assert result.flipped.tolist() == [False, True, False, False, False, False]
    three = counterfactual_flip_rate(BiasedRule(), people(), column="sex", values=["F", "M", "X"])
    assert list(three.flips.columns) == ["F", "M", "X"]
    # a man of 50 becomes "X" and is refused like a woman
    assert three.flips["X"].tolist() == [False, False, False, True, False, False]


def test_counterfactual_on_strings_and_numbers():
    rule = lambda X: ((X["sex"] == "M") & (X["age"] > 40)).astype(int).to_numpy()  # noqa: E731
    model = type("Rule", (), {"predict": staticmethod(rule)})()
    X = people().assign(sex=lambda d: d["sex"].astype(str))
    # everyone over 40 flips when the sex is swapped
    assert counterfactual_flip_rate(model, X, column="sex").flipped.tolist() == [False, True, False, True, True, True]
    # a numeric column: every age tried on every row
    ages = counterfactual_flip_rate(model, X, column="age")
    assert list(ages.flips.columns) == [30, 50, 80]
    assert ages.flipped.tolist() == [False, False, True, True, False, True]


def test_inputs_are_not_modified_and_results_are_deterministic():
    X = people()
    before = X.copy()
    a = counterfactual_flip_rate(BiasedRule(), X, column="sex")
    b = counterfactual_flip_rate(BiasedRule(), X, column="sex")
    pd.testing.assert_frame_equal(X, before)
    pd.testing.assert_frame_equal(a.flips, b.flips)
    pd.testing.assert_series_equal(a.by_value, b.by_value)
    worst_case_flip(Over50(), X, column="age", delta=3)
    pd.testing.assert_frame_equal(X, before)


# ----------------------------------------------------------------------------- real models


def test_a_model_that_ignores_the_column_never_flips(heart):
    X, y = heart.data, heart.target
    categorical = [c for c in X.select_dtypes("category").columns if c != "sex"]
    blind = make_tabular_model("logistic", categorical=categorical).fit(X, y)
    result = counterfactual_flip_rate(blind, X, column="sex")
    assert result.rate == 0 and (result.by_value == 0).all()
    assert (result.proba_change == 0).all()
    # the same model with sex: every score moves, some labels flip
    seeing = make_tabular_model("logistic").fit(X, y)
    result = counterfactual_flip_rate(seeing, X, column="sex")
    assert 0 < result.rate < 0.5 and (result.proba_change > 0).all()
    assert set(result.by_value.index) == {"Female", "Male"}


@pytest.mark.parametrize("kind", ["logistic", "gradient_boosting", "mlp"])
def test_real_models_worst_case_bounds_the_perturbation_rate(heart, kind):
    model = make_tabular_model(kind, random_state=0).fit(heart.data, heart.target)
    pert = perturbation_sensitivity(model, heart.data, column="age", delta=2)
    worst = worst_case_flip(model, heart.data, column="age", delta=2, n_steps=9)
    # the grid includes +-delta, so it finds at least those flips
    assert worst.rate >= pert.rate
    assert not ((pert.flipped_up | pert.flipped_down) & ~worst.flipped).any()
    found = worst.min_change.dropna()
    assert ((found > 0) & (found <= 2)).all() and found.isin(np.abs(worst.offsets)).all()
    again = worst_case_flip(model, heart.data, column="age", delta=2, n_steps=9)
    pd.testing.assert_series_equal(worst.change, again.change)


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("func, kwargs", [
    (counterfactual_flip_rate, {}),
    (perturbation_sensitivity, {"delta": 1}),
    (worst_case_flip, {"delta": 1}),
])
@pytest.mark.parametrize("change, error, match", [
    (dict(column="height"), ValueError, "column='height' is not a column of X"),
    (dict(column=["age"]), TypeError, "column must be a single column name"),
    (dict(model=object()), TypeError, "model must be a fitted model with a predict method"),
    (dict(X=np.zeros((3, 2))), TypeError, "X must be a pandas DataFrame"),
    (dict(X=pd.DataFrame({"age": [], "sex": []})), ValueError, "X is empty"),
])
def test_bad_input_common(func, kwargs, change, error, match):
    args = dict(model=BiasedRule(), X=people(), column="age", **kwargs)
    args.update(change)
    with pytest.raises(error, match=match):
        func(args.pop("model"), args.pop("X"), **args)


@pytest.mark.parametrize("func", [perturbation_sensitivity, worst_case_flip])
@pytest.mark.parametrize("kwargs, error, match", [
    (dict(column="sex", delta=1), TypeError, "column='sex' must be numeric"),
    (dict(column="flag", delta=1), TypeError, "column='flag' must be numeric"),
    (dict(column="age", delta=-1), ValueError, "delta must be a finite non-negative number"),
    (dict(column="age", delta=np.inf), ValueError, "delta must be a finite non-negative number"),
    (dict(column="age", delta="2"), TypeError, "delta must be a non-negative number"),
    (dict(column="age", delta=True), TypeError, "delta must be a non-negative number"),
])
def test_bad_numeric_input(func, kwargs, error, match):
    with pytest.raises(error, match=match):
        func(Over50(), people().assign(flag=True), **kwargs)


@pytest.mark.parametrize("n_steps, error", [(1, ValueError), (2.5, TypeError)])
def test_bad_n_steps(n_steps, error):
    with pytest.raises(error, match="n_steps must"):
        worst_case_flip(Over50(), AGES, column="age", delta=1, n_steps=n_steps)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(values="M"), TypeError, "values must be a list of values"),
    (dict(values=[]), ValueError, "values is empty"),
    (dict(values=["M", "M"]), ValueError, "values lists a value more than once"),
    (dict(values=["W"]), ValueError, "values holds 'W', which is not a category of 'sex'"),
])
def test_bad_counterfactual_values(kwargs, error, match):
    with pytest.raises(error, match=match):
        counterfactual_flip_rate(BiasedRule(), people(), column="sex", **kwargs)


def test_a_single_valued_column_needs_values():
    X = people().assign(sex=pd.Categorical(["F"] * 6))
    with pytest.raises(ValueError, match="column='sex' takes 1 value"):
        counterfactual_flip_rate(BiasedRule(), X, column="sex")


def test_a_predict_of_the_wrong_shape_is_reported():
    model = type("Bad", (), {"predict": lambda self, X: np.zeros((len(X), 2))})()
    with pytest.raises(ValueError, match=r"model.predict returned shape \(6, 2\)"):
        perturbation_sensitivity(model, AGES, column="age", delta=1)
