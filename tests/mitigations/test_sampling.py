"""Uniform and preferential sampling hit the expected cell sizes round(|D_s||D_c|/|D|) exactly;
preferential sampling removes and duplicates the borderline rows."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from biaslab.datasets import load_adult
from biaslab.metrics import discrimination_score
from biaslab.mitigations import expected_cell_sizes, preferential_sampling, uniform_sampling


@pytest.fixture(scope="module")
def adult_train():
    return load_adult(subset="train")


@st.composite
def grouped(draw):
    n_groups = draw(st.integers(2, 3))
    n = draw(st.integers(4 * n_groups, 250))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    groups = np.concatenate([np.arange(n_groups).repeat(2), rng.integers(0, n_groups, n - 2 * n_groups)])
    p = rng.uniform(0.05, 0.95, n_groups)
    y = np.concatenate([np.tile([0, 1], n_groups), (rng.random(n - 2 * n_groups) < p[groups[2 * n_groups:]])])
    scores = rng.integers(0, draw(st.sampled_from([4, 1000])), n).astype(float)  # ties on purpose
    return np.array([f"g{k}" for k in groups]), y.astype(int), scores


def expected_sizes(groups, y):
    n = len(y)
    out = {}
    for g in np.unique(groups):
        for c in (0, 1):
            out[(g, c)] = (2 * (groups == g).sum() * (y == c).sum() + n) // (2 * n)
    return out


def cell_counts(groups, y):
    return {(g, c): int(((groups == g) & (y == c)).sum()) for g in np.unique(groups) for c in (0, 1)}


@settings(max_examples=60, deadline=None)
@given(grouped(), st.integers(0, 1000))
def test_cell_sizes_exact(data, seed):
    groups, y, scores = data
    X = np.arange(len(y)).reshape(-1, 1)
    target = expected_sizes(groups, y)
    table = expected_cell_sizes(y, sensitive_features=groups)
    assert dict(zip(zip(table["group"], table["y"]), table["expected"])) == target
    for result in (
        uniform_sampling(X, y, sensitive_features=groups, random_state=seed),
        preferential_sampling(X, y, sensitive_features=groups, ranker=scores),
    ):
        assert cell_counts(result.sensitive_features, result.y) == target
        assert (np.diff(result.indices) >= 0).all()
        np.testing.assert_array_equal(result.X[:, 0], result.indices)
        np.testing.assert_array_equal(result.y, y[result.indices])
        np.testing.assert_array_equal(result.sensitive_features, groups[result.indices])


@settings(max_examples=60, deadline=None)
@given(grouped(), st.integers(0, 1000))
def test_uniform_keeps_or_drops_without_replacement(data, seed):
    groups, y, _ = data
    result = uniform_sampling(np.zeros((len(y), 1)), y, sensitive_features=groups, random_state=seed)
    counts = np.bincount(result.indices, minlength=len(y))
    for (g, c), size in expected_sizes(groups, y).items():
        rows = (groups == g) & (y == c)
        if size <= rows.sum():  # shrinking: a subset, nothing repeated
            assert counts[rows].max() <= 1
        else:  # growing: every row kept, extras drawn with replacement
            assert counts[rows].min() >= 1


@settings(max_examples=80, deadline=None)
@given(grouped())
def test_preferential_removes_and_duplicates_borderline_rows(data):
    groups, y, scores = data
    result = preferential_sampling(None, y, sensitive_features=groups, ranker=scores)
    assert result.X is None
    counts = np.bincount(result.indices, minlength=len(y))
    idx = np.arange(len(y))
    for (g, c), size in expected_sizes(groups, y).items():
        rows = idx[(groups == g) & (y == c)]
        # borderline order: negatives by score descending, positives ascending; ties by position
        key = -scores[rows] if c == 0 else scores[rows]
        borderline = rows[np.lexsort((rows, key))]
        if size <= len(rows):
            expected = np.zeros(len(rows), dtype=int)
            expected[len(rows) - size:] = 1  # the first len(rows) - size borderline rows go
        else:
            extra = size - len(rows)
            expected = 1 + extra // len(rows) + (np.arange(len(rows)) < extra % len(rows))
        np.testing.assert_array_equal(counts[borderline], expected)


def test_hand_computed_preferential_case():
    # F: negatives 5 (.7), 6 (.1), 7 (.3), positive 4 (.6); M: positives 0 (.9), 1 (.2), 2 (.8), negative 3 (.5)
    y = [1, 1, 1, 0, 1, 0, 0, 0]
    sex = pd.Series(["M"] * 4 + ["F"] * 4, name="sex", index=range(10, 18))
    scores = [0.9, 0.2, 0.8, 0.5, 0.6, 0.7, 0.1, 0.3]
    X = pd.DataFrame({"a": range(8)}, index=range(10, 18))
    result = preferential_sampling(X, y, sensitive_features=sex, ranker=scores)
    # each cell to 2: F- drops .7 (row 5), F+ duplicates row 4, M- duplicates row 3, M+ drops .2 (row 1)
    assert result.indices.tolist() == [0, 2, 3, 3, 4, 4, 6, 7]
    assert result.X["a"].tolist() == result.indices.tolist() and result.X.index.tolist() == list(range(8))
    assert isinstance(result.sensitive_features, pd.Series) and result.sensitive_features.name == "sex"
    assert discrimination_score(result.y, sensitive_features=result.sensitive_features, favoured="M") == 0


def test_growing_beyond_double_cycles_through_borderline_rows():
    # group b has 1 positive of 10 rows; group a 9 of 10: b+ must grow from 1 to 5
    y = [1] * 9 + [0] + [1] + [0] * 9
    g = ["a"] * 10 + ["b"] * 10
    result = preferential_sampling(None, y, sensitive_features=g, ranker=np.linspace(0, 1, 20))
    assert np.bincount(result.indices, minlength=20)[10] == 5


def test_uniform_is_reproducible_by_seed(adult_train):
    sex = adult_train.sensitive_features["sex"]
    a = uniform_sampling(adult_train.data, adult_train.target, sensitive_features=sex, random_state=1)
    b = uniform_sampling(adult_train.data, adult_train.target, sensitive_features=sex, random_state=1)
    c = uniform_sampling(adult_train.data, adult_train.target, sensitive_features=sex, random_state=2)
    np.testing.assert_array_equal(a.indices, b.indices)
    assert not np.array_equal(a.indices, c.indices)


def test_adult_label_discrimination_removed(adult_train):
    sex = adult_train.sensitive_features["sex"]
    for result in (
        uniform_sampling(adult_train.data, adult_train.target, sensitive_features=sex, random_state=0),
        preferential_sampling(adult_train.data, adult_train.target, sensitive_features=sex),
    ):
        pd.testing.assert_frame_equal(result.X, adult_train.data.iloc[result.indices].reset_index(drop=True))
        # zero up to the rounding of the four cell sizes: each is off by at most half a row
        assert abs(discrimination_score(result.y, sensitive_features=result.sensitive_features, favoured="Male")) < 1e-3
    first = preferential_sampling(adult_train.data, adult_train.target, sensitive_features=sex)
    second = preferential_sampling(adult_train.data, adult_train.target, sensitive_features=sex)
    np.testing.assert_array_equal(first.indices, second.indices)


@pytest.mark.parametrize("method", ["uniform", "preferential"])
@pytest.mark.parametrize("kwargs, error, match", [
    (dict(sensitive_features=["a"] * 4), ValueError, "has only one group"),
    (dict(y=[1, 0, 2, 1]), ValueError, "y must be binary"),
    (dict(y=[1, 1, 0, 1]), ValueError, "group 'a' has no rows with y = 0"),
    (dict(y=[1, 0, 1]), ValueError, "sensitive_features has 4 rows but the labels have 3"),
    (dict(X=np.zeros((5, 1))), ValueError, "X has 5"),
    (dict(X=None), TypeError, "X is required"),
])
def test_bad_input(method, kwargs, error, match):
    args = dict(X=np.zeros((4, 1)), y=[1, 0, 1, 0], sensitive_features=["a", "a", "b", "b"])
    args.update(kwargs)
    if method == "uniform":
        with pytest.raises(error, match=match):
            uniform_sampling(args.pop("X"), args.pop("y"), random_state=0, **args)
    else:
        with pytest.raises(error, match=match):
            preferential_sampling(args.pop("X"), args.pop("y"), **args)


def test_uniform_bad_random_state():
    with pytest.raises(TypeError, match="random_state must be None"):
        uniform_sampling(np.zeros((4, 1)), [1, 0, 1, 0], sensitive_features=["a", "a", "b", "b"], random_state="x")
