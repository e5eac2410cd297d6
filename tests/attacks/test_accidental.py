"""Accidental bias with a strength knob: exact, deterministic, nested, and only where intended."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from biaslab.attacks import (
    BiasedData,
    historical_label_bias,
    measurement_bias,
    proxy_bias,
    representation_bias,
)
from biaslab.datasets import load_adult
from biaslab.metrics import discrimination_score

STRENGTHS = [0.0, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0]
ALL = [representation_bias, historical_label_bias, measurement_bias, proxy_bias]


def cohort(n=400, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({
        "age": rng.integers(18, 80, n),
        "income": np.where(rng.random(n) < 0.05, np.nan, rng.normal(40, 10, n)),
        "job": pd.Categorical(rng.choice(["a", "b", "c"], n)),
        "married": rng.random(n) < 0.5,
    }, index=np.arange(1000, 1000 + n))
    sf = pd.DataFrame({"sex": rng.choice(["F", "M"], n, p=[0.3, 0.7]),
                       "race": rng.choice(["w", "b"], n)}, index=X.index)
    y = pd.Series(rng.integers(0, 2, n), index=X.index, name="hired")
    return X, y, sf


def call(func, X, y, sf, target=None, strength=0.5, seed=0, **kwargs):
    return func(X, y, sensitive_features=sf, target={"sex": "F"} if target is None else target,
                strength=strength, random_state=seed, **kwargs)


# ----------------------------------------------------------------------------- shared contract


@pytest.mark.parametrize("func", ALL)
def test_inputs_are_not_modified_and_result_is_biased_data(func):
    X, y, sf = cohort()
    before = X.copy(), y.copy(), sf.copy()
    out = call(func, X, y, sf, strength=0.7)
    assert isinstance(out, BiasedData)
    pd.testing.assert_frame_equal(X, before[0])
    pd.testing.assert_series_equal(y, before[1])
    pd.testing.assert_frame_equal(sf, before[2])
    # rows line up: new data = original rows at `kept`, with the original index
    assert (out.X.index == X.index[out.kept]).all()
    assert (out.y.index == X.index[out.kept]).all() and out.y.name == "hired"
    pd.testing.assert_frame_equal(out.sensitive_features, sf.iloc[out.kept])
    assert out.affected.dtype == bool and out.affected.shape == (len(X),)


@pytest.mark.parametrize("func", ALL)
def test_deterministic_and_seed_dependent(func):
    X, y, sf = cohort()
    a, b, c = (call(func, X, y, sf, seed=s) for s in (1, 1, 2))
    pd.testing.assert_frame_equal(a.X, b.X)
    assert (a.affected == b.affected).all() and (a.kept == b.kept).all()
    # the seed decides which rows (or, for measurement bias, which noise)
    assert not (a.affected == c.affected).all() or not a.X.equals(c.X)


@pytest.mark.parametrize("func", ALL)
def test_strength_zero_changes_nothing(func):
    X, y, sf = cohort()
    out = call(func, X, y, sf, strength=0.0)
    assert not out.affected.any()
    pd.testing.assert_frame_equal(out.X[X.columns], X)
    pd.testing.assert_series_equal(out.y, y)


@pytest.mark.parametrize("func", ALL)
def test_changes_are_nested_in_strength(func):
    X, y, sf = cohort()
    previous = np.zeros(len(X), dtype=bool)
    for strength in STRENGTHS:
        affected = call(func, X, y, sf, strength=strength, seed=5).affected
        assert not (previous & ~affected).any(), strength
        previous = affected


@pytest.mark.parametrize("func", ALL)
def test_only_target_rows_change(func):
    X, y, sf = cohort()
    target = {"sex": "F", "race": "b"}
    in_target = ((sf["sex"] == "F") & (sf["race"] == "b")).to_numpy()
    out = call(func, X, y, sf, target=target, strength=1.0)
    if func is not proxy_bias:  # the proxy is defined for everyone: 1 in the group, 0 outside
        assert not (out.affected & ~in_target).any()
    assert out.affected.any()


def test_plain_lists_and_arrays_come_back_as_arrays():
    X, y, sf = cohort(50)
    out = representation_bias(X, y.tolist(), sensitive_features=sf["sex"].tolist(), target="F", strength=1.0,
                              random_state=0)
    assert isinstance(out.y, np.ndarray) and isinstance(out.sensitive_features, np.ndarray)
    assert "F" not in set(out.sensitive_features) and len(out.y) == len(out.X)
    out = proxy_bias(X, y.to_numpy(), sensitive_features={"sex": sf["sex"].to_numpy()}, target={"sex": "M"},
                     strength=1.0, random_state=0)
    assert isinstance(out.sensitive_features, pd.DataFrame)
    assert (out.X["proxy"].to_numpy() == (sf["sex"] == "M").to_numpy()).all()


# ----------------------------------------------------------------------------- representation


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), strength=st.sampled_from(STRENGTHS), intersection=st.booleans())
def test_representation_removes_exactly_floor_strength_n(seed, strength, intersection):
    X, y, sf = cohort(seed=seed)
    target = {"sex": "F", "race": "w"} if intersection else {"sex": "F"}
    in_target = (sf["sex"] == "F").to_numpy() & ((sf["race"] == "w").to_numpy() if intersection else True)
    out = representation_bias(X, y, sensitive_features=sf, target=target, strength=strength, random_state=seed)
    n_removed = math.floor(strength * in_target.sum() + 1e-9)
    assert out.affected.sum() == n_removed and not (out.affected & ~in_target).any()
    assert len(out.X) == len(X) - n_removed == len(out.y) == len(out.sensitive_features)
    assert (out.kept == np.flatnonzero(~out.affected)).all()
    pd.testing.assert_frame_equal(out.X, X[~out.affected])  # the rest untouched, in order


def test_representation_counts_are_floored_and_strength_one_removes_the_group():
    X = pd.DataFrame({"x": np.arange(40)})
    sex = ["F"] * 30 + ["M"] * 10
    for strength, removed in [(0.1, 3), (0.05, 1), (0.25, 7), (0.5, 15), (0.99, 29), (1.0, 30)]:
        out = representation_bias(X, np.zeros(40), sensitive_features=sex, target="F", strength=strength,
                                  random_state=0)
        assert out.affected.sum() == removed, strength
    assert list(out.sensitive_features) == ["M"] * 10


# ----------------------------------------------------------------------------- historical labels


def test_historical_flips_only_target_positives_bernoulli():
    n = 20_000
    rng = np.random.default_rng(0)
    sex = rng.choice(["F", "M"], n)
    y = rng.integers(0, 2, n)
    X = pd.DataFrame({"x": rng.normal(size=n)})
    eligible = (sex == "F") & (y == 1)
    for strength in [0.25, 0.5, 0.9]:
        out = historical_label_bias(X, y, sensitive_features=sex, target="F", strength=strength, random_state=1)
        assert not (out.affected & ~eligible).any()
        assert (out.y[out.affected] == 0).all() and (out.y[~out.affected] == y[~out.affected]).all()
        share = out.affected.sum() / eligible.sum()
        # a Bernoulli count, not an exact one: within 4 standard errors of strength
        assert abs(share - strength) < 4 * math.sqrt(strength * (1 - strength) / eligible.sum())
    full = historical_label_bias(X, y, sensitive_features=sex, target="F", strength=1.0, random_state=1)
    assert (full.affected == eligible).all() and full.y[sex == "F"].sum() == 0


def test_historical_keeps_type_and_dtype():
    X, y, sf = cohort(60)
    out = call(historical_label_bias, X, y.astype(bool), sf, strength=1.0)
    assert out.y.dtype == bool and not out.y[out.affected].any()
    arr = call(historical_label_bias, X, y.to_numpy(), sf, strength=1.0).y
    assert isinstance(arr, np.ndarray) and arr.dtype == y.dtype


def test_historical_bias_raises_the_discrimination_score_on_adult():
    adult = load_adult()
    X, y, sex = adult.data, adult.target, adult.sensitive_features["sex"]
    base = discrimination_score(y, sensitive_features=sex, favoured="Male")
    assert 0.18 < base < 0.20  # Kamiran & Calders: about 0.19
    scores = [base]
    for strength in [0.25, 0.5, 0.75, 1.0]:
        out = historical_label_bias(X, y, sensitive_features=sex, target="Female", strength=strength, random_state=0)
        scores.append(discrimination_score(out.y, sensitive_features=sex, favoured="Male"))
    assert all(b > a for a, b in zip(scores, scores[1:])), scores
    # at strength 1 no woman is positive: the score is the men's positive rate
    assert scores[-1] == pytest.approx(y[(sex == "Male").to_numpy()].mean())


# ----------------------------------------------------------------------------- measurement


def test_measurement_noise_only_on_target_numeric_columns():
    X, y, sf = cohort(2000)
    in_target = (sf["sex"] == "F").to_numpy()
    out = call(measurement_bias, X, y, sf, strength=0.5)
    for col in ["job", "married"]:  # not numeric: untouched
        pd.testing.assert_series_equal(out.X[col], X[col])
    for col in ["age", "income"]:
        new, old = out.X[col].to_numpy(), X[col].to_numpy(dtype=float)
        assert np.array_equal(new[~in_target], old[~in_target], equal_nan=True)  # other rows exact
        assert np.array_equal(np.isnan(new), np.isnan(old))  # missing stays missing
        changed = ~np.isnan(old) & in_target
        assert (new[changed] != old[changed]).all()
        # noise sd is strength * the column's sd
        noise_sd = np.std(new[changed] - old[changed])
        assert noise_sd == pytest.approx(0.5 * np.nanstd(old, ddof=1), rel=0.1)
    assert (out.affected == in_target).all()


def test_measurement_noise_scales_with_strength_for_a_fixed_seed():
    X, y, sf = cohort()
    diffs = []
    for strength in [0.2, 0.4, 0.8]:
        out = call(measurement_bias, X, y, sf, strength=strength, columns="age", seed=3)
        diffs.append(out.X["age"].to_numpy() - X["age"].to_numpy())
    np.testing.assert_allclose(diffs[1], 2 * diffs[0])
    np.testing.assert_allclose(diffs[2], 4 * diffs[0])
    pd.testing.assert_series_equal(out.X["income"], X["income"])  # only the named column


# ----------------------------------------------------------------------------- proxy


def test_proxy_correlation_rises_with_strength_and_matches_it():
    n = 20_000
    rng = np.random.default_rng(0)
    sex = rng.choice(["F", "M"], n, p=[0.3, 0.7])
    X = pd.DataFrame({"x": rng.normal(size=n)})
    indicator = (sex == "F").astype(float)
    correlations = []
    for strength in STRENGTHS:
        out = proxy_bias(X, np.zeros(n), sensitive_features=sex, target="F", strength=strength, random_state=2)
        proxy = out.X["proxy"].to_numpy()
        assert set(np.unique(proxy)) <= {0, 1}
        assert proxy.mean() == pytest.approx(0.3, abs=0.02)  # the group's share at every strength
        assert (proxy[out.affected] == indicator[out.affected]).all()
        correlations.append(np.corrcoef(proxy, indicator)[0, 1])
    np.testing.assert_allclose(correlations, STRENGTHS, atol=0.03)
    assert all(b > a for a, b in zip(correlations, correlations[1:]))
    assert correlations[-1] == pytest.approx(1.0)


def test_proxy_name():
    X, y, sf = cohort(30)
    out = call(proxy_bias, X, y, sf, name="postcode")
    assert list(out.X.columns) == [*X.columns, "postcode"]
    with pytest.raises(ValueError, match="name='age' is already a column of X"):
        call(proxy_bias, X, y, sf, name="age")
    with pytest.raises(TypeError, match="name must be a str"):
        call(proxy_bias, X, y, sf, name=3)


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("func", ALL)
@pytest.mark.parametrize("kwargs, error, match", [
    (dict(target="X"), ValueError, r"target='X' is not a group"),
    (dict(target={"age": 3}), ValueError, "target names the column 'age'"),
    (dict(strength=1.5), ValueError, "strength must be between 0 and 1"),
    (dict(strength="high"), TypeError, "strength must be a number"),
    (dict(random_state=1.5), TypeError, "random_state must be None"),
    (dict(X=np.zeros((3, 1))), TypeError, "X must be a pandas DataFrame"),
    (dict(y=[1, 0]), ValueError, "X has 3 rows but y has 2"),
    (dict(sensitive_features=["F", "M"]), ValueError, "sensitive_features has 2 rows"),
])
def test_bad_input(func, kwargs, error, match):
    args = dict(X=pd.DataFrame({"age": [20, 30, 40]}), y=[1, 0, 1],
                sensitive_features=pd.Series(["F", "M", "F"], name="sex"), target="F", strength=0.5, random_state=0)
    args.update(kwargs)
    with pytest.raises(error, match=match):
        func(args.pop("X"), args.pop("y"), **args)


def test_historical_needs_binary_labels():
    with pytest.raises(ValueError, match="y must be binary"):
        historical_label_bias(pd.DataFrame({"a": [1, 2, 3]}), [1, 2, 0], sensitive_features=["F", "M", "F"],
                              target="F", strength=0.5)


@pytest.mark.parametrize("columns, error, match", [
    (["job"], TypeError, "columns names 'job', which is not numeric"),
    (["married"], TypeError, "columns names 'married', which is not numeric"),
    (["height"], ValueError, "columns names 'height', which is not a column of X"),
    ([], ValueError, "columns is empty"),
])
def test_measurement_bad_columns(columns, error, match):
    X, y, sf = cohort(30)
    with pytest.raises(error, match=match):
        call(measurement_bias, X, y, sf, columns=columns)


def test_measurement_needs_a_numeric_column():
    X = pd.DataFrame({"job": ["a", "b", "c"]})
    with pytest.raises(ValueError, match="X has no numeric columns"):
        measurement_bias(X, [0, 1, 0], sensitive_features=["F", "M", "F"], target="F", strength=0.5)
