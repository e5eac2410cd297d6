"""The shipped results of module 04 match a fresh recomputation, so they cannot silently go stale."""

import numpy as np
import pandas as pd
import pytest

from biaslab.experiments import hidden_in_plain_sight as hips


def test_shipped_sweep_covers_the_brief():
    sweep = hips.load_rate_sweep(trials=True)
    assert list(sweep.columns) == ["trial", *hips.SWEEP_COLUMNS]
    assert set(sweep["target"]) == {"F", "M", "0-20", "F & 60-80"}
    assert sorted(sweep["rate"].unique()) == list(hips.DEFAULT_RATES)
    assert sorted(sweep["trial"].unique()) == [0, 1, 2, 3, 4]
    assert set(sweep["site"]) == {"internal", "external"}
    assert "SYNTHETIC" in sweep.attrs["data"]


def test_shipped_sweep_matches_a_fresh_run():
    # one target, one rate, one trial: a trial's flips and bootstrap depend on (seed, trial, rate) only
    params = {**hips.SHIPPED_PARAMS, "rates": (0.5,), "n_trials": 1}
    fresh = hips.rate_sweep("0-20", **params, keep_trials=True, n_threads=2)
    shipped = hips.load_rate_sweep("0-20", trials=True)
    shipped = shipped[(shipped["rate"] == 0.5) & (shipped["trial"] == 0)].reset_index(drop=True)
    assert len(fresh) == len(shipped) > 0
    pd.testing.assert_frame_equal(fresh[["target", "site", "group", "n", "n_pos"]],
                                  shipped[["target", "site", "group", "n", "n_pos"]], check_dtype=False)
    for col in ("auroc", "fnr", "for", "threshold"):
        np.testing.assert_allclose(fresh[col].to_numpy(float), shipped[col].to_numpy(float), rtol=0, atol=1e-6,
                                   err_msg=f"shipped {col} differs: rerun scripts/make_hips_results.py")


def test_shipped_audit_features_match_a_fresh_extraction():
    fresh = hips.make_audit_features(limit=64, n_threads=2)
    shipped = hips._audit_cohort()
    for key in ("y", "sex", "age_band", "split"):
        np.testing.assert_array_equal(fresh[key], shipped[key][:64])
    np.testing.assert_allclose(fresh["features"].astype(float), shipped["features"][:64].astype(float),
                               rtol=1e-3, atol=1e-3)


def test_load_rate_sweep_means_equal_the_trial_means():
    trials = hips.load_rate_sweep("F", trials=True)
    mean = hips.load_rate_sweep("F")
    assert list(mean.columns) == list(hips.SWEEP_COLUMNS)
    keys = ["target", "rate", "site", "attribute", "group"]
    expected = trials.groupby(keys, sort=False)["fnr"].mean().reset_index()
    np.testing.assert_allclose(mean["fnr"].to_numpy(), expected["fnr"].to_numpy())


def test_load_rate_sweep_accepts_labels_and_mappings_and_copies():
    by_label = hips.load_rate_sweep("F & 60-80")
    by_mapping = hips.load_rate_sweep({"sex": "F", "age_band": "60-80"})
    pd.testing.assert_frame_equal(by_label, by_mapping)
    by_label.loc[0, "fnr"] = 99.0
    assert hips.load_rate_sweep("F & 60-80").loc[0, "fnr"] != 99.0  # the cache is not changed


@pytest.mark.parametrize("kwargs, error, fragment", [
    (dict(target="80+"), ValueError, "recompute=True"),
    (dict(target="X"), ValueError, "is not a group"),
    (dict(target=[]), ValueError, "empty"),
    (dict(target=3), TypeError, "target"),
    (dict(trials="yes"), TypeError, "trials"),
    (dict(recompute=1), TypeError, "recompute"),
])
def test_load_rate_sweep_validates(kwargs, error, fragment):
    with pytest.raises(error, match=fragment):
        hips.load_rate_sweep(**kwargs)


def test_write_rate_sweep_round_trips(tmp_path):
    sweep = hips.load_rate_sweep("M", trials=True)
    path = hips.write_rate_sweep(sweep, tmp_path / "sweep.csv")
    back = pd.read_csv(path, comment="#", dtype={"group": str, "target": str})
    np.testing.assert_allclose(back["fnr"].to_numpy(), sweep["fnr"].to_numpy(), atol=1e-9, equal_nan=True)
    with pytest.raises(TypeError, match="keep_trials=True"):
        hips.write_rate_sweep(hips.load_rate_sweep("M"), tmp_path / "x.csv")
    with pytest.raises(TypeError, match="path"):
        hips.write_rate_sweep(sweep, 3)


def test_suspect_model_outputs_plants_the_known_attack():
    for seed in (0, 1, 2):
        target, rate = hips._planted_attack(seed)
        assert target in hips.AUDIT_TARGETS and rate in (0.75, 1.0)
        out = hips.suspect_model_outputs(random_state=seed)
        assert list(out.columns) == ["sex", "age_band", "y_true", "y_score", "y_pred"]
        sick = out["y_true"] == 1
        column = "sex" if target in ("F", "M") else "age_band"
        inside = out[column] == target
        fnr_in = (out.loc[inside & sick, "y_pred"] == 0).mean()
        fnr_out = (out.loc[~inside & sick, "y_pred"] == 0).mean()
        assert fnr_in > fnr_out + 0.1
    pd.testing.assert_frame_equal(hips.suspect_model_outputs(5), hips.suspect_model_outputs(5))
    with pytest.raises(TypeError, match="random_state"):
        hips.suspect_model_outputs(random_state="a")


def test_heart_disease_poisoning_shape_and_honest_intervals():
    res = hips.heart_disease_poisoning(rates=(0.0, 1.0), n_repeats=3, n_boot=300, random_state=0)
    assert list(res["group"].unique()) == ["overall", "Female", "Male"]
    women = res[res.group == "Female"].set_index("rate")
    assert women.loc[1.0, "fnr"] > women.loc[0.0, "fnr"] + 0.3
    assert (res["fnr_low"] <= res["fnr"]).all() and (res["fnr"] <= res["fnr_high"]).all()
    # 25 sick women: the women's interval is wider than the men's (114 sick men)
    men = res[res.group == "Male"].set_index("rate")
    width = lambda t: (t["fnr_high"] - t["fnr_low"]).loc[0.0]  # noqa: E731
    assert width(women) > width(men)
    assert women["n_pos"].iloc[0] == 25
    again = hips.heart_disease_poisoning(rates=(0.0, 1.0), n_repeats=3, n_boot=300, random_state=0)
    pd.testing.assert_frame_equal(res, again)


@pytest.mark.parametrize("kwargs, error, fragment", [
    (dict(target="F"), ValueError, "target"),
    (dict(rates=()), TypeError, "rates"),
    (dict(rates=(1.5,)), ValueError, "rates"),
    (dict(n_splits=1), ValueError, "n_splits"),
    (dict(ci=1.0), ValueError, "ci"),
    (dict(random_state=None), TypeError, "random_state"),
])
def test_heart_disease_poisoning_validates(kwargs, error, fragment):
    with pytest.raises(error, match=fragment):
        hips.heart_disease_poisoning(**kwargs)


def test_recompute_runs_the_shipped_recipe(monkeypatch):
    calls = []

    def fake_sweep(targets, **kwargs):
        calls.append((targets, kwargs))
        return pd.DataFrame({"target": ["F & 80+"]})

    monkeypatch.setattr(hips, "rate_sweep", fake_sweep)
    out = hips.load_rate_sweep("F & 80+", recompute=True, n_threads=2)
    (targets, kwargs), = calls
    assert targets == [{"sex": "F", "age_band": "80+"}]
    assert {k: kwargs[k] for k in hips.SHIPPED_PARAMS} == hips.SHIPPED_PARAMS
    assert kwargs["n_threads"] == 2 and kwargs["keep_trials"] is False
    assert "recomputed" in out.attrs["source"]
    assert out.attrs["data"] == hips.load_rate_sweep().attrs["data"]  # the notebook prints it


def test_replace_targets_keeps_attrs_the_workshop_switch_prints():
    """Module 04's RECOMPUTE_TARGET cell: pd.concat dropped attrs (KeyError 'data' in the notebook)."""
    shipped = hips.load_rate_sweep()
    live = hips.load_rate_sweep("F")
    live.attrs["source"] = "recomputed live (rate_sweep with SHIPPED_PARAMS)"
    mixed = hips.replace_targets(shipped, live)
    assert len(mixed) == len(shipped)
    assert mixed.attrs["data"] == shipped.attrs["data"] and mixed.attrs["model"] == shipped.attrs["model"]
    assert "target(s) F: recomputed live" in mixed.attrs["source"]
    assert list(dict.fromkeys(mixed["target"])) == ["M", "0-20", "F & 60-80", "F"]
    new = live.assign(target="F & 80+")
    assert len(hips.replace_targets(shipped, new)) == len(shipped) + len(new)
    with pytest.raises(TypeError, match="live"):
        hips.replace_targets(shipped, live[["target"]])


def test_published_results_are_the_authors_numbers():
    paper = hips.load_published_results()
    assert len(paper) == 2 * 4 * 6 * 7 * 5
    assert set(paper["site"]) == {"internal", "external"} and set(paper["target"]) == {"F", "M", "0-20", "F & 60-80"}
    means = hips.trial_spread(paper, metrics=("auroc", "fnr")).set_index(["target", "site", "group", "rate", "metric"])
    # every anchor number of the paper's text (PAPER_RESULTS) is the mean of the published trials
    for rec in hips.PAPER_RESULTS.itertuples(index=False):
        if rec.metric not in ("auroc", "fnr"):
            continue
        assert means.loc[(rec.target, rec.site, rec.group, rec.rate, rec.metric), "mean"] == pytest.approx(
            rec.value, abs=6e-4), rec
    assert (means["n_trials"] == 5).all()


def test_detectability_is_a_welch_test_against_clean_retrainings():
    from scipy import stats

    paper = hips.load_published_results()
    table = hips.detectability(paper).set_index(["target", "rate"])
    part = paper[(paper.site == "internal") & (paper.group == "overall") & (paper.target == "F")]
    clean, half = part[part.rate == 0].auroc, part[part.rate == 0.5].auroc
    t, p = stats.ttest_ind(half, clean, equal_var=False)
    row = table.loc[("F", 0.5)]
    assert row.p_value == pytest.approx(p) and row.change == pytest.approx(half.mean() - clean.mean())
    assert row.detected == (p < 0.05)
    ours = hips.detectability(hips.load_rate_sweep(trials=True))
    assert set(ours["target"]) == {"F", "M", "0-20", "F & 60-80"} and len(ours) == 4 * 6
    with pytest.raises(ValueError, match="no trials"):
        hips.detectability(paper, group="nobody")


def test_detectability_rejects_bad_input():
    from biaslab.experiments.hidden_in_plain_sight import detectability, load_published_results

    with pytest.raises(TypeError, match="trials must be a DataFrame"):
        detectability("trials")
    with pytest.raises(ValueError, match="alpha must be a number between 0 and 1"):
        detectability(load_published_results(), alpha=2)
