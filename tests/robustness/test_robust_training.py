"""Robust training by augmentation, the robustness summary, and the shipped comparison."""

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from biaslab.datasets import load_heart_disease
from biaslab.models import make_tabular_model
from biaslab.robustness import (
    HEART_SETUP,
    TRAINING_VARIANTS,
    AugmentedData,
    compare_robust_training,
    counterfactual_augment,
    counterfactual_flip_rate,
    load_robust_training_results,
    perturbation_augment,
    robustness_summary,
)


@pytest.fixture(autouse=True)
def one_thread():
    with threadpool_limits(1):
        yield


@pytest.fixture(scope="module")
def heart():
    return load_heart_disease()


PATIENTS = pd.DataFrame({
    "age": [40, 50, 60, 70],
    "weight": [60.5, 80.0, 95.2, np.nan],
    "sex": pd.Categorical(["F", "M", "M", "F"]),
}, index=[10, 11, 12, 13])


# ----------------------------------------------------------------------------- perturbation_augment


def test_perturbation_augment_shapes_ranges_and_labels():
    result = perturbation_augment(PATIENTS, [0, 1, 1, 0], deltas={"age": 2, "weight": 1.5}, n_copies=3,
                                  random_state=0)
    assert isinstance(result, AugmentedData)
    X_aug, y_aug = result
    assert len(X_aug) == 16 and list(X_aug.index) == list(range(16))
    assert y_aug.tolist() == [0, 1, 1, 0] * 4
    pd.testing.assert_frame_equal(X_aug.iloc[:4].set_axis(PATIENTS.index), PATIENTS)  # originals first
    age_moves = X_aug["age"].to_numpy() - np.tile(PATIENTS["age"].to_numpy(), 4)
    assert X_aug["age"].dtype == PATIENTS["age"].dtype  # whole years stay whole
    assert set(age_moves) <= {-2, -1, 0, 1, 2} and len(set(age_moves[4:])) > 1
    weight_moves = X_aug["weight"].to_numpy() - np.tile(PATIENTS["weight"].to_numpy(), 4)
    assert np.nanmax(np.abs(weight_moves)) <= 1.5
    assert X_aug["weight"].isna().sum() == 4  # missing stays missing
    assert (X_aug["sex"] == pd.concat([PATIENTS["sex"]] * 4, ignore_index=True)).all()
    assert isinstance(X_aug["sex"].dtype, pd.CategoricalDtype)


def test_perturbation_augment_is_deterministic_and_leaves_inputs_alone():
    before = PATIENTS.copy()
    a = perturbation_augment(PATIENTS, [0, 1, 1, 0], deltas={"age": 3}, n_copies=2, random_state=7)
    b = perturbation_augment(PATIENTS, [0, 1, 1, 0], deltas={"age": 3}, n_copies=2, random_state=7)
    c = perturbation_augment(PATIENTS, [0, 1, 1, 0], deltas={"age": 3}, n_copies=2, random_state=8)
    pd.testing.assert_frame_equal(a.X, b.X)
    assert not a.X.equals(c.X)
    pd.testing.assert_frame_equal(PATIENTS, before)


def test_perturbation_augment_fractional_delta_on_integers_gives_floats():
    X_aug, _ = perturbation_augment(PATIENTS, [0, 1, 1, 0], deltas={"age": 0.5}, n_copies=1, random_state=0)
    assert X_aug["age"].dtype == np.float64
    assert np.all(np.abs(X_aug["age"].to_numpy()[4:] - PATIENTS["age"].to_numpy()) <= 0.5)


@pytest.mark.parametrize("kwargs, error, fragment", [
    ({"deltas": 2}, TypeError, "dict from column name"),
    ({"deltas": {}}, ValueError, "empty"),
    ({"deltas": {"height": 2}}, ValueError, "not a column of X"),
    ({"deltas": {"sex": 1}}, TypeError, "must be numeric"),
    ({"deltas": {"age": -1}}, ValueError, "non-negative"),
    ({"deltas": {"age": 1}, "n_copies": 0}, ValueError, "n_copies"),
    ({"deltas": {"age": 1}, "random_state": "x"}, TypeError, "random_state"),
])
def test_perturbation_augment_validates(kwargs, error, fragment):
    with pytest.raises(error, match=fragment):
        perturbation_augment(PATIENTS, [0, 1, 1, 0], **kwargs)


def test_augment_validates_x_and_y():
    with pytest.raises(TypeError, match="DataFrame"):
        perturbation_augment(PATIENTS.to_numpy(), [0, 1, 1, 0], deltas={"age": 1})
    with pytest.raises(ValueError, match="one label per row"):
        perturbation_augment(PATIENTS, [0, 1], deltas={"age": 1})
    with pytest.raises(TypeError, match="one column of labels"):
        counterfactual_augment(PATIENTS, PATIENTS, column="sex")


# ----------------------------------------------------------------------------- counterfactual_augment


def test_counterfactual_augment_swaps_and_keeps_labels():
    X_aug, y_aug = counterfactual_augment(PATIENTS, [1, 0, 1, 0], column="sex")
    assert len(X_aug) == 8
    assert X_aug["sex"].tolist() == ["F", "M", "M", "F", "F", "F", "M", "M"]
    # value "F" first: rows 11 and 12 (men) become women; then "M": rows 10 and 13
    assert X_aug["age"].tolist() == [40, 50, 60, 70, 50, 60, 40, 70]
    assert y_aug.tolist() == [1, 0, 1, 0, 0, 1, 1, 0]
    assert isinstance(X_aug["sex"].dtype, pd.CategoricalDtype)


def test_counterfactual_augment_three_values_and_validation():
    X = pd.DataFrame({"group": ["a", "b", "c"], "x": [1, 2, 3]})
    X_aug, y_aug = counterfactual_augment(X, [0, 1, 0], column="group")
    assert len(X_aug) == 9 and sorted(X_aug.groupby("group").size().tolist()) == [3, 3, 3]
    with pytest.raises(ValueError, match="not a column"):
        counterfactual_augment(X, [0, 1, 0], column="sex")
    with pytest.raises(TypeError, match="single"):
        counterfactual_augment(X, [0, 1, 0], column="group", values="a")


def test_counterfactual_augment_makes_the_model_ignore_sex(heart):
    X_aug, y_aug = counterfactual_augment(heart.data, heart.target, column="sex")
    plain = make_tabular_model("logistic", random_state=0).fit(heart.data, heart.target)
    robust = make_tabular_model("logistic", random_state=0).fit(X_aug, y_aug)
    assert counterfactual_flip_rate(plain, heart.data, column="sex").rate > 0.05
    # each patient and its twin of the other sex have the same label: the sex coefficient is ~0
    assert counterfactual_flip_rate(robust, heart.data, column="sex").rate < 0.01


# ----------------------------------------------------------------------------- robustness_summary


class Over50:
    def predict(self, X):
        return (X["age"] > 50).astype(int).to_numpy()

    def predict_proba(self, X):
        p = np.clip((X["age"].to_numpy() - 20) / 60, 0, 1)
        return np.column_stack([1 - p, p])


def test_robustness_summary_hand_computed():
    X = pd.DataFrame({"age": [30, 49, 50, 51, 52, 60], "sex": ["F", "M", "F", "M", "F", "M"]})
    y = [0, 1, 0, 1, 1, 1]
    row = robustness_summary(Over50(), X, y, counterfactual="sex", deltas={"age": 1}, worst_case_deltas={"age": 2},
                             n_steps=5)
    assert list(row.index) == ["accuracy", "AUROC", "flip rate: sex changed", "flip rate: age ±1",
                               "worst case: age within ±2"]
    assert row["accuracy"] == pytest.approx(5 / 6)
    assert row["AUROC"] == pytest.approx(7 / 8)  # of 4 x 2 pairs, one is ranked wrong: 49 (y=1) below 50 (y=0)
    assert row["flip rate: sex changed"] == 0
    assert row["flip rate: age ±1"] == pytest.approx(2 / 6)
    assert row["worst case: age within ±2"] == pytest.approx(4 / 6)


def test_robustness_summary_validates():
    X = pd.DataFrame({"age": [30, 60]})
    with pytest.raises(TypeError, match="predict"):
        robustness_summary("model", X, [0, 1])
    with pytest.raises(ValueError, match="binary|0 and 1|0/1"):
        robustness_summary(Over50(), X, [0, 2])
    with pytest.raises(ValueError, match="not a column"):
        robustness_summary(Over50(), X, [0, 1], deltas={"weight": 1})


# ----------------------------------------------------------------------------- the shipped comparison


def test_shipped_results_have_the_expected_shape_and_story():
    table = load_robust_training_results()
    assert len(table) == HEART_SETUP["n_splits"] * len(TRAINING_VARIANTS)
    assert "shipped" in table.attrs["source"]
    means = table.groupby("variant").mean(numeric_only=True)
    assert means.loc["sex-swapped copies", "flip rate: sex changed"] == 0
    assert means.loc["both", "flip rate: sex changed"] == 0
    for column in ["flip rate: resting_blood_pressure ±5", "flip rate: cholesterol ±10", "worst case: age within ±5"]:
        assert means.loc["jittered copies", column] < means.loc["standard", column] / 2
    assert 0 < means.loc["standard", "AUROC"] - means.loc["jittered copies", "AUROC"] < 0.03


def test_shipped_results_are_not_stale(heart):
    setup = dict(HEART_SETUP, n_splits=1)
    fresh = compare_robust_training(heart.data, heart.target, **setup)
    shipped = load_robust_training_results()
    shipped = shipped[shipped["split"] == 0].reset_index(drop=True)
    pd.testing.assert_frame_equal(fresh, shipped, check_dtype=False, atol=1e-9)


def test_load_validates():
    with pytest.raises(TypeError, match="recompute"):
        load_robust_training_results(recompute="yes")
