"""poison_labels flips exactly floor(rate * n) of the target group's positives, and nothing else."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_curve

from biaslab.attacks import poison_labels, youden_threshold


def cohort(n=500, seed=0):
    rng = np.random.default_rng(seed)
    sf = pd.DataFrame({"sex": rng.choice(["F", "M"], n), "age_band": rng.choice(["0-20", "20-40", "60-80"], n)})
    y = rng.integers(0, 2, n)
    return y, sf


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), rate=st.sampled_from([0, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0]),
       intersection=st.booleans())
def test_exact_count_only_target_positives(seed, rate, intersection):
    y, sf = cohort(seed=seed)
    target = {"sex": "F", "age_band": "60-80"} if intersection else {"sex": "F"}
    mask = (sf["sex"] == "F").to_numpy() & ((sf["age_band"] == "60-80").to_numpy() if intersection else True)
    eligible = mask & (y == 1)
    new, changed = poison_labels(y, sensitive_features=sf, target=target, rate=rate, random_state=seed)
    assert changed.sum() == math.floor(rate * eligible.sum() + 1e-9)
    assert not (changed & ~eligible).any(), "only the target group's positives may change"
    assert (new[changed] == 0).all() and (new[~changed] == y[~changed]).all()


def test_rates_are_floored_exactly():
    y = np.ones(30, dtype=int)
    sex = ["F"] * 30
    for rate, expected in [(0.1, 3), (0.05, 1), (0.25, 7), (0.5, 15), (1.0, 30), (0.0, 0)]:
        _, changed = poison_labels(y, sensitive_features=sex, target="F", rate=rate, random_state=0)
        assert changed.sum() == expected, rate


def test_deterministic_and_seed_dependent():
    y, sf = cohort()
    a = poison_labels(y, sensitive_features=sf, target={"sex": "M"}, rate=0.5, random_state=1)[1]
    b = poison_labels(y, sensitive_features=sf, target={"sex": "M"}, rate=0.5, random_state=1)[1]
    c = poison_labels(y, sensitive_features=sf, target={"sex": "M"}, rate=0.5, random_state=2)[1]
    assert (a == b).all() and not (a == c).all()


def test_series_keeps_index_and_input_is_not_modified():
    y, sf = cohort(50)
    series = pd.Series(y, index=np.arange(100, 150), name="disease")
    before = series.copy()
    new, _ = poison_labels(series, sensitive_features=sf["sex"], target="F", rate=1.0, random_state=0)
    assert isinstance(new, pd.Series) and (new.index == series.index).all() and new.name == "disease"
    pd.testing.assert_series_equal(series, before)
    assert new[(sf["sex"] == "F").to_numpy()].sum() == 0


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(target="X"), ValueError, r"target='X' is not a group"),
    (dict(target={"race": "w"}), ValueError, "target names the column 'race'"),
    (dict(rate=1.5), ValueError, "rate must be between 0 and 1"),
    (dict(rate="half"), TypeError, "rate must be a number"),
    (dict(random_state=1.5), TypeError, "random_state must be None"),
    (dict(y=[1, 0, 2]), ValueError, "y must be binary"),
    (dict(y=[1, 0]), ValueError, "sensitive_features has 3 rows but the labels have 2"),
])
def test_bad_input(kwargs, error, match):
    args = dict(y=[1, 0, 1], sensitive_features=pd.Series(["F", "M", "F"], name="sex"), target="F", rate=0.5,
                random_state=0)
    args.update(kwargs)
    with pytest.raises(error, match=match):
        poison_labels(args.pop("y"), **args)


def test_youden_threshold_hand_computed():
    # thresholds 0.8 (TPR .5, FPR 0), 0.6 (TPR 1, FPR 0): J is largest at 0.6
    assert youden_threshold([0, 0, 1, 1], [0.1, 0.2, 0.6, 0.8]) == 0.6
    # a tie in J: the higher threshold wins
    assert youden_threshold([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.8


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_youden_threshold_maximises_j(seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 200)
    y[:2] = [0, 1]
    s = rng.random(200) + 0.5 * y
    t = youden_threshold(y, s)
    pred = s >= t
    j = pred[y == 1].mean() - pred[y == 0].mean()
    fpr, tpr, _ = roc_curve(y, s)
    assert j == pytest.approx(np.max(tpr - fpr))


def test_youden_threshold_needs_both_classes():
    with pytest.raises(ValueError, match="both classes"):
        youden_threshold([1, 1], [0.2, 0.3])
    with pytest.raises(ValueError, match="scores must be finite"):
        youden_threshold([0, 1], [0.2, np.nan])
