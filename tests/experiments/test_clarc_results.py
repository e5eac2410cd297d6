"""The shipped ClArC comparison of module 07: its shape, its shape checks, and that it is not stale."""

import numpy as np
import pandas as pd
import pytest
import torch

from biaslab.experiments import from_hope_to_safety as hope


@pytest.fixture(scope="module")
def results():
    return hope.load_clarc_results()


@pytest.mark.parametrize("artifact", list(hope.ARTIFACTS))
def test_shipped_grid_is_complete(artifact):
    results = hope.load_clarc_results(artifact=artifact)
    assert tuple(results.columns) == hope.CLARC_COLUMNS
    counts = results.groupby("method").size()
    n_seeds = len(hope.CLARC_SEEDS)
    assert counts.to_dict() == {"original": n_seeds, "vanilla": n_seeds, "p_clarc": n_seeds, "a_clarc": n_seeds,
                                "rr_clarc": n_seeds * len(hope.CLARC_LAMBDAS)}
    rr = results[results.method == "rr_clarc"]
    assert sorted(rr.lam.unique()) == pytest.approx(sorted(hope.CLARC_LAMBDAS))
    assert results[["clean_acc", "attacked_acc", "tcav_score"]].stack().between(0, 1).all()
    assert (results.tcav_sensitivity >= 0).all()
    assert results.attrs["source"].startswith("shipped") and results.attrs["artifact"] == artifact
    assert hope.CLARC_RESULTS_FILES[artifact] in results.attrs["source"]


@pytest.mark.parametrize("artifact", list(hope.ARTIFACTS))
def test_shipped_numbers_have_the_shape_the_module_states(artifact):
    summary = hope.summarise_clarc(hope.load_clarc_results(artifact=artifact)).set_index(["method", "lam"])
    vanilla = summary.loc[("vanilla", 0.0)]
    rr = summary.loc["rr_clarc"].sort_index()
    # the shortcut: the artifact costs the uncorrected models far more than 10 points
    assert vanilla.clean_acc_mean - vanilla.attacked_acc_mean > 0.2
    # RR-ClArC: a weak penalty is harmless, a strong one lowers TCAV sensitivity
    assert abs(rr.clean_acc_mean.iloc[0] - vanilla.clean_acc_mean) < 0.01
    assert rr.tcav_sensitivity_mean.iloc[-1] < 0.1 * vanilla.tcav_sensitivity_mean
    # P-ClArC moves the activations back along the CAV at test time: zero sensitivity along it by construction
    assert summary.loc[("p_clarc", 0.0)].tcav_sensitivity_mean < 1e-6


def test_shape_table_is_computed_from_the_numbers():
    summary = hope.summarise_clarc(hope.load_clarc_results())
    table = hope.clarc_shape_table(summary)
    assert list(table.columns) == ["claim", "paper", "ours", "holds"] and table["holds"].dtype == bool
    vanilla = summary[summary.method == "vanilla"].iloc[0]
    rr = summary[(summary.method == "rr_clarc") & (summary.clean_acc_mean >= vanilla.clean_acc_mean - 0.01)]
    best = rr.sort_values(["attacked_acc_mean", "lam"], ascending=[False, True]).iloc[0]
    assert table.loc[0, "holds"] == (best.attacked_acc_mean - vanilla.attacked_acc_mean >= 0.10)
    assert f"lambda={best.lam:g}" in table.loc[0, "ours"]
    # flip the data and the verdict follows
    worse = summary.copy()
    worse.loc[worse.method == "rr_clarc", "attacked_acc_mean"] = vanilla.attacked_acc_mean
    assert not hope.clarc_shape_table(worse).loc[0, "holds"]
    dominated = summary.copy()
    dominated.loc[dominated.method == "p_clarc", ["clean_acc_mean", "attacked_acc_mean"]] = 1.0
    assert not hope.clarc_shape_table(dominated).set_index("claim").filter(like="P-ClArC", axis=0)["holds"].item()
    with pytest.raises(TypeError, match="summary"):
        hope.clarc_shape_table(summary[["method"]])


def test_the_shipped_budget_is_the_one_the_held_out_check_picks():
    check = pd.read_csv(hope.RESULTS_DIR / "clarc_budget_check.csv", comment="#")
    assert set(check.artifact) == set(hope.ARTIFACTS) and set(check.budget) == set(range(len(hope.CLARC_BUDGETS)))
    assert hope.CLARC_BUDGETS[hope.chosen_budget(check)] == hope.CLARC_FINE_TUNE
    # the check scores held-out training images, never the test set
    data = hope.attacked_fashion_mnist()
    assert len(data.X_val) == 5000 and not np.array_equal(data.X_val[:10], data.X_test[:10])


def test_filters_and_argument_checks(results):
    part = hope.load_clarc_results("rr_clarc", lambdas=[10.0, 1e3], seeds=0)
    assert set(part.method) == {"rr_clarc"} and sorted(part.lam) == [10.0, 1e3] and set(part.seed) == {0}
    with pytest.raises(ValueError, match="methods"):
        hope.load_clarc_results("retrain")
    with pytest.raises(ValueError, match="recompute=True"):
        hope.load_clarc_results("rr_clarc", lambdas=7.0)
    with pytest.raises(TypeError, match="recompute"):
        hope.load_clarc_results(recompute="yes")
    with pytest.raises(TypeError, match="results"):
        hope.summarise_clarc(results[["method"]])
    with pytest.raises(TypeError, match="results"):
        hope.write_clarc_results(results.drop(columns="seed"), "x.csv")


def test_summary(results):
    summary = hope.summarise_clarc(results)
    assert list(summary.method.unique()) == list(hope.CLARC_ROW_METHODS)
    assert (summary.n_seeds == len(hope.CLARC_SEEDS)).all()
    one = results[(results.method == "rr_clarc") & (results.lam == 1e3)]
    row = summary[(summary.method == "rr_clarc") & (summary.lam == 1e3)].iloc[0]
    assert row.attacked_acc_mean == pytest.approx(one.attacked_acc.mean())
    assert row.attacked_acc_std == pytest.approx(one.attacked_acc.std(ddof=0))
    assert row.label == "RR-ClArC (lambda=1000)"


def test_recomputing_one_setting_matches_the_shipped_file(results, tmp_path):
    """One RR-ClArC lambda and seed, recomputed now: the shipped CSV cannot silently go stale."""
    torch.set_num_threads(2)
    setting = hope._shared_setting("stamp")
    with pytest.raises(ValueError, match="lam must be positive"):
        hope.corrected_model(setting, "rr_clarc", lam=0.0)
    with pytest.raises(TypeError, match="setting"):
        hope.corrected_model({}, "vanilla")
    live = hope.clarc_comparison("rr_clarc", lambdas=[1e3], seeds=[0], setting=setting)
    shipped = results[(results.method == "rr_clarc") & (results.lam == 1e3) & (results.seed == 0)]
    assert len(live) == len(shipped) == 1
    for column in ("clean_acc", "attacked_acc"):  # at most a few of 5,000 images may flip (float noise)
        assert live[column].iloc[0] == pytest.approx(shipped[column].iloc[0], abs=2e-3), column
    for column in ("tcav_sensitivity", "tcav_score"):
        assert live[column].iloc[0] == pytest.approx(shipped[column].iloc[0], rel=2e-2, abs=1e-6), column
    # and the writer round-trips
    path = hope.write_clarc_results(live, tmp_path / "c.csv")
    back = pd.read_csv(path, comment="#")
    np.testing.assert_allclose(back.attacked_acc, live.attacked_acc)
