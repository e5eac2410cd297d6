"""The shipped ClArC comparison of module 07: its shape, its shape checks, and that it is not stale."""

import numpy as np
import pandas as pd
import pytest
import torch

from biaslab.experiments import from_hope_to_safety as hope


@pytest.fixture(scope="module")
def results():
    return hope.load_clarc_results()


def test_shipped_grid_is_complete(results):
    assert tuple(results.columns) == hope.CLARC_COLUMNS
    counts = results.groupby("method").size()
    n_seeds = len(hope.CLARC_SEEDS)
    assert counts.to_dict() == {"original": n_seeds, "vanilla": n_seeds, "p_clarc": n_seeds, "a_clarc": n_seeds,
                                "rr_clarc": n_seeds * len(hope.CLARC_LAMBDAS)}
    rr = results[results.method == "rr_clarc"]
    assert sorted(rr.lam.unique()) == pytest.approx(sorted(hope.CLARC_LAMBDAS))
    assert results[["clean_acc", "attacked_acc", "tcav_score"]].stack().between(0, 1).all()
    assert (results.tcav_sensitivity >= 0).all()
    assert results.attrs["source"].startswith("shipped")


def test_shipped_numbers_have_the_expected_shape(results):
    summary = hope.summarise_clarc(results).set_index(["method", "lam"])
    vanilla = summary.loc[("vanilla", 0.0)]
    rr = summary.loc["rr_clarc"].sort_index()
    # the shortcut: the stamp costs the uncorrected models far more than 10 points
    assert vanilla.clean_acc_mean - vanilla.attacked_acc_mean > 0.2
    # RR-ClArC: a weak penalty is harmless, a strong one raises attacked accuracy and lowers TCAV sensitivity
    assert abs(rr.clean_acc_mean.iloc[0] - vanilla.clean_acc_mean) < 0.01
    assert rr.attacked_acc_mean.iloc[-1] > vanilla.attacked_acc_mean + 0.15
    assert rr.tcav_sensitivity_mean.iloc[-1] < 0.7 * vanilla.tcav_sensitivity_mean
    # P-ClArC removes the direction at test time: zero sensitivity along the CAV by construction
    assert summary.loc[("p_clarc", 0.0)].tcav_sensitivity_mean < 1e-6


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
    setting = hope.clarc_setting()
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
