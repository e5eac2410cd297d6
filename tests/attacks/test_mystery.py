"""Mystery datasets: decided by the seed, every kind reachable, and each kind diagnosable from the data."""

import numpy as np
import pandas as pd
import pytest

from biaslab.attacks import (
    BIAS_KINDS,
    MEASURED_COLUMNS,
    MYSTERY_GROUPS,
    MYSTERY_STRENGTHS,
    mystery_dataset,
    planted_bias,
)
from biaslab.datasets import load_adult


@pytest.fixture(scope="module")
def adult():
    return load_adult()


def member(data, group):
    (column, value), = group.items()
    return (data.sensitive_features[column] == value).to_numpy()


def fingerprints(data, group, reference):
    """The four numbers a learner compares with the clean data (module 03, exercise q3)."""

    def raw(d):
        g = member(d, group)
        y = np.asarray(d.target)
        spread = np.mean([d.data[c][g].std() / d.data[c][~g].std() for c in MEASURED_COLUMNS])
        return g.mean(), y[g].mean(), spread

    share, rate, spread = raw(data)
    ref_share, ref_rate, ref_spread = raw(reference)
    g = member(data, group)
    return {
        "share": share / ref_share,
        "label_rate": rate / ref_rate,
        "spread": spread / ref_spread,
        "district": float(np.corrcoef(data.data["district"].to_numpy(float), g.astype(float))[0, 1]),
    }


def diagnose(data, reference):
    f = fingerprints(data, data.group, reference)
    if f["share"] < 0.5:
        return "representation"
    if f["district"] > 0.3:
        return "proxy"
    if f["label_rate"] < 0.6:
        return "historical_label"
    if f["spread"] > 1.15:
        return "measurement"
    return "none"


def test_deterministic_by_seed():
    a, b, c = mystery_dataset(5), mystery_dataset(5), mystery_dataset(6)
    pd.testing.assert_frame_equal(a.data, b.data)
    pd.testing.assert_series_equal(a.target, b.target)
    assert planted_bias(5) == planted_bias(5)
    assert not (len(a.data) == len(c.data) and a.data.equals(c.data))


def test_planted_bias_is_within_its_ranges_and_every_kind_and_group_is_reachable():
    planted = [planted_bias(seed) for seed in range(60)]
    assert {p.kind for p in planted} == set(BIAS_KINDS)
    assert {tuple(p.group.items()) for p in planted} == {tuple(g.items()) for g in MYSTERY_GROUPS}
    for p in planted:
        low, high = MYSTERY_STRENGTHS[p.kind]
        assert low <= p.strength <= high
    # the exercise's visible seeds show every kind (its hidden mysteries are planted explicitly, see below)
    from biaslab.exercises.m03 import VISIBLE_MYSTERIES

    assert {planted_bias(s).kind for s in VISIBLE_MYSTERIES} == set(BIAS_KINDS)
    # every stack of eight plants each kind against each group exactly once
    pairs = {(kind, tuple(g.items())) for kind in BIAS_KINDS for g in MYSTERY_GROUPS}
    for start in (0, 8, 800):
        stack = [planted_bias(seed) for seed in range(start, start + 8)]
        assert {(p.kind, tuple(p.group.items())) for p in stack} == pairs
    assert [planted_bias(s).kind for s in range(8)] != [planted_bias(s).kind for s in range(8, 16)]


def test_the_answer_is_not_in_the_dataset():
    mystery = mystery_dataset(0)
    text = " ".join(map(str, [*mystery.keys(), *mystery.data.columns, mystery.DESCR, mystery.name]))
    for kind in BIAS_KINDS:
        assert kind not in text.replace("representing", "")
    assert mystery.group in [dict(g) for g in MYSTERY_GROUPS]


def test_shape_and_columns(adult):
    for seed in range(4):
        mystery, planted = mystery_dataset(seed), planted_bias(seed)
        assert list(mystery.data.columns) == [*adult.data.columns, "district"]
        assert set(mystery.data["district"].unique()) <= {0, 1}
        assert len(mystery.data) == len(mystery.target) == len(mystery.sensitive_features)
        assert (len(mystery.data) == 6000) == (planted.kind != "representation")
        # measured values stay whole numbers in the real range, whatever was planted
        for col in MEASURED_COLUMNS:
            assert mystery.data[col].dtype == adult.data[col].dtype
            assert adult.data[col].min() <= mystery.data[col].min() <= mystery.data[col].max() <= adult.data[col].max()
        # the rows are real Adult rows: sex in the features agrees with the sensitive features
        assert (mystery.data["sex"].astype(str) == mystery.sensitive_features["sex"].astype(str)).all()


def test_each_kind_changes_only_what_it_should(adult):
    seeds = {}
    for seed in range(40):
        seeds.setdefault(planted_bias(seed).kind, seed)
    for kind, seed in seeds.items():
        mystery = mystery_dataset(seed)
        f = fingerprints(mystery, mystery.group, adult)
        moved = {
            "share": f["share"] < 0.5,
            "label_rate": f["label_rate"] < 0.6,
            "spread": f["spread"] > 1.15,
            "district": f["district"] > 0.3,
        }
        expected = {"representation": "share", "historical_label": "label_rate", "measurement": "spread",
                    "proxy": "district"}[kind]
        assert moved[expected], (kind, f)
        # representation also shrinks a small group's label count, so only its own fingerprint is checked first
        others = [k for k in moved if k != expected and not (kind == "representation" and k == "label_rate")]
        assert not any(moved[k] for k in others), (kind, f)


def test_the_fingerprints_diagnose_every_mystery(adult):
    """The rule a learner is asked to write (q3) gets 60 mysteries right: the kinds are diagnosable."""
    for seed in range(60):
        assert diagnose(mystery_dataset(seed), adult) == planted_bias(seed).kind, seed


@pytest.mark.parametrize("kind", BIAS_KINDS)
def test_an_explicit_plant_is_what_is_planted_whatever_the_seed(kind, adult):
    """Hidden tests give the kind: the seed then decides only the rows, and the dataset does not carry it."""
    seed = 2**62 + 12345
    for group in MYSTERY_GROUPS:
        mystery = mystery_dataset(seed, kind=kind, group=group, name="hidden mystery 3")
        assert diagnose(mystery, adult) == kind
        assert mystery.group == dict(group) and mystery.name == "hidden mystery 3"
        assert mystery.DESCR.startswith("Hidden mystery 3:")
        text = " ".join(map(str, [*mystery.keys(), *mystery.data.columns, mystery.DESCR, mystery.name]))
        assert str(seed) not in text and kind not in text.replace("representing", "")
    # the same seed, another kind: the same rows before planting; the public truth is not involved
    other = mystery_dataset(seed, kind="proxy" if kind != "proxy" else "measurement", group=MYSTERY_GROUPS[0])
    assert other.name == f"mystery {seed}"
    assert planted_bias(seed) == planted_bias(seed)


def test_an_explicit_plant_is_repeatable_and_its_strength_counts():
    a, b = (mystery_dataset(3, kind="historical_label", group={"race": "Black"}, strength=0.7) for _ in range(2))
    pd.testing.assert_series_equal(a.target, b.target)
    c, d = (mystery_dataset(3, kind="measurement", group={"race": "Black"}) for _ in range(2))  # a default strength
    pd.testing.assert_frame_equal(c.data, d.data)
    weak = mystery_dataset(3, kind="historical_label", group={"race": "Black"}, strength=0.1)
    assert weak.target.sum() > a.target.sum()  # fewer of the group's positive labels flipped


@pytest.mark.parametrize("kwargs, error, match", [
    ({"kind": "noise", "group": {"sex": "Female"}}, ValueError, "kind must be one of"),
    ({"kind": "proxy", "group": {"sex": "Male"}}, ValueError, "group must be one of"),
    ({"kind": "proxy"}, TypeError, "both kind and group"),
    ({"group": {"sex": "Female"}}, TypeError, "both kind and group"),
    ({"kind": "proxy", "group": {"sex": "Female"}, "strength": 1.5}, ValueError, "strength"),
    ({"name": ""}, TypeError, "name"),
])
def test_bad_explicit_plant(kwargs, error, match):
    with pytest.raises(error, match=match):
        mystery_dataset(0, **kwargs)


@pytest.mark.parametrize("bad, error, match", [
    (-1, ValueError, "non-negative int"),
    (1.5, TypeError, "non-negative int"),
    (True, TypeError, "non-negative int"),
    (None, TypeError, "non-negative int"),
])
def test_bad_seed(bad, error, match):
    with pytest.raises(error, match=match):
        planted_bias(bad)
    with pytest.raises(error, match=match):
        mystery_dataset(bad)


def test_bad_n_rows():
    with pytest.raises(ValueError, match="n_rows must be between 2000"):
        mystery_dataset(0, n_rows=10)
    with pytest.raises(TypeError, match="n_rows must be an int"):
        mystery_dataset(0, n_rows="many")
