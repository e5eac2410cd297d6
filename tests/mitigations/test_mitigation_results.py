"""The shipped comparison of module 08 matches a live recomputation, and its helpers check their arguments."""

import numpy as np
import pandas as pd
import pytest

from biaslab.mitigations._comparison import (
    MITIGATION_DATASETS,
    MITIGATION_METHODS,
    evaluate_predictions,
    fit_baseline,
    load_mitigation_results,
    mitigation_data,
    pareto_front,
    run_mitigation,
)

FIGURES = ["accuracy", "discrimination", "tpr_gap", "selection_rate", "train_label_discrimination"]


@pytest.fixture(scope="module")
def shipped():
    return load_mitigation_results()


def test_shipped_table_has_every_method_and_dataset(shipped):
    assert set(shipped["dataset"]) == set(MITIGATION_DATASETS)
    for dataset in MITIGATION_DATASETS:
        rows = shipped[shipped["dataset"] == dataset]
        assert list(dict.fromkeys(rows["method"])) == list(MITIGATION_METHODS)
        assert rows[FIGURES].notna().all().all()
        assert rows["accuracy"].between(0.5, 1).all()
    assert shipped.attrs["source"].startswith("shipped")


@pytest.mark.parametrize("dataset, method", [
    ("adult", "reweighing"),
    ("adult", "group thresholds (equal opportunity)"),
    ("compas", "no mitigation"),
    ("compas", "massaging"),
    ("compas", "preferential sampling"),
])
def test_recomputed_rows_match_the_shipped_ones(shipped, dataset, method):
    live = run_mitigation(method, dataset)
    ship = shipped[(shipped["dataset"] == dataset) & (shipped["method"] == method)]
    assert len(live) == len(ship)
    np.testing.assert_allclose(live[FIGURES].to_numpy(), ship[FIGURES].to_numpy(), atol=1e-6)
    assert live["setting"].tolist() == ship["setting"].tolist()


def test_the_anchor_numbers(shipped):
    adult = shipped[shipped["dataset"] == "adult"].groupby("method").tail(1).set_index("method")
    # Kamiran & Calders: Adult's label discrimination by sex is about 0.19
    assert adult.loc["no mitigation", "train_label_discrimination"] == pytest.approx(0.19, abs=0.01)
    for method in ("reweighing", "massaging", "uniform sampling", "preferential sampling"):
        assert abs(adult.loc[method, "train_label_discrimination"]) < 1e-3
        assert abs(adult.loc[method, "discrimination"]) < adult.loc["no mitigation", "discrimination"]
    assert abs(adult.loc["group thresholds (equal opportunity)", "tpr_gap"]) < 0.03


def test_recompute_replaces_only_the_named_method():
    table = load_mitigation_results("compas", recompute=True, methods="reweighing")
    assert set(table["dataset"]) == {"compas"}
    assert list(dict.fromkeys(table["method"])) == list(MITIGATION_METHODS)
    assert "recomputed live: reweighing" in table.attrs["source"]


def test_splits_are_disjoint_and_deterministic():
    data = mitigation_data("adult")
    assert (len(data.y_train), len(data.y_validation), len(data.y_test)) == (24420, 8141, 16281)
    compas = mitigation_data("compas")
    assert len(compas.y_train) + len(compas.y_validation) + len(compas.y_test) == 5278
    assert set(compas.s_test) == {"African-American", "Caucasian"}
    assert fit_baseline("compas") is fit_baseline("compas")


def test_evaluate_predictions():
    out = evaluate_predictions([1, 1, 0, 1, 1, 0], [1, 1, 1, 1, 0, 0], sensitive_features=list("MMMFFF"),
                               favoured="M", deprived="F")
    assert out == pytest.approx({"accuracy": 4 / 6, "discrimination": 2 / 3, "tpr_gap": 0.5, "selection_rate": 4 / 6})
    with pytest.raises(ValueError, match="group 'X'"):
        evaluate_predictions([1, 0], [1, 0], sensitive_features=["M", "F"], favoured="X", deprived="F")


def test_pareto_front():
    table = pd.DataFrame({"accuracy": [0.85, 0.84, 0.80, 0.83, 0.79],
                          "discrimination": [0.18, 0.08, 0.0, 0.09, -0.01]})
    front = pareto_front(table)
    assert front["accuracy"].tolist() == [0.80, 0.84, 0.85]
    with pytest.raises(ValueError, match="fairness"):
        pareto_front(table, fairness="accuracy")
    with pytest.raises(TypeError, match="results"):
        pareto_front(table.to_numpy())
    with pytest.raises(ValueError, match="tpr_gap"):
        pareto_front(table, fairness="tpr_gap")


def test_bad_arguments():
    with pytest.raises(ValueError, match="dataset"):
        mitigation_data("german")
    with pytest.raises(ValueError, match="method"):
        run_mitigation("magic")
    with pytest.raises(ValueError, match="recompute=True"):
        load_mitigation_results(methods=["reweighing"])
    with pytest.raises(TypeError, match="recompute"):
        load_mitigation_results(recompute="yes")
    with pytest.raises(ValueError, match="methods"):
        load_mitigation_results("adult", recompute=True, methods=[])
