"""The bias-knob sweep: the shipped table is complete, fresh, and shows each bias doing what it should."""

import numpy as np
import pandas as pd
import pytest

from biaslab.attacks import BIAS_KINDS, SWEEP_STRENGTHS, bias_source_sweep, load_bias_source_sweep


@pytest.fixture(scope="module")
def sweep():
    return load_bias_source_sweep()


def test_shipped_sweep_is_complete(sweep):
    assert len(sweep) == len(BIAS_KINDS) * len(SWEEP_STRENGTHS)
    for kind in BIAS_KINDS:
        rows = sweep[sweep["kind"] == kind]
        np.testing.assert_allclose(np.sort(rows["strength"]), SWEEP_STRENGTHS)


def test_shipped_sweep_is_not_stale(sweep):
    """Recompute two settings (two fits) and compare with the shipped file."""
    fresh = bias_source_sweep(["historical_label"], [0.0, 0.5], random_state=0)
    shipped = sweep[(sweep["kind"] == "historical_label") & sweep["strength"].isin([0.0, 0.5])]
    numeric = [c for c in fresh.columns if pd.api.types.is_numeric_dtype(fresh[c])]
    np.testing.assert_allclose(fresh[numeric].to_numpy(float), shipped[numeric].to_numpy(float), rtol=1e-4, atol=1e-5)


def test_each_bias_moves_its_fingerprint_and_the_model(sweep):
    at = {k: sweep[sweep["kind"] == k].set_index("strength") for k in BIAS_KINDS}
    rep, hist, meas, proxy = (at[k] for k in BIAS_KINDS)
    # representation: women vanish from training; the model errs more for them at the end
    assert rep.loc[0.0, "train_share_Female"] > 0.3 and rep.loc[1.0, "train_share_Female"] == 0
    assert rep.loc[1.0, "fnr_Female"] > rep.loc[0.0, "fnr_Female"] + 0.05
    # historical labels: the gap in the predictions grows, women's underdiagnosis soars, accuracy barely moves
    assert hist.loc[1.0, "train_label_rate_Female"] == 0
    assert hist.loc[1.0, "discrimination"] > hist.loc[0.0, "discrimination"] + 0.05
    assert hist.loc[0.5, "fnr_Female"] > hist.loc[0.0, "fnr_Female"] + 0.2
    assert abs(hist.loc[0.5, "accuracy"] - hist.loc[0.0, "accuracy"]) < 0.01
    # measurement: the spread grows; the model ranks women a little worse
    assert meas.loc[1.0, "train_spread_ratio"] > 1.3 * meas.loc[0.0, "train_spread_ratio"]
    assert meas.loc[1.0, "auroc_Female"] < meas.loc[0.0, "auroc_Female"]
    # proxy: the correlation is the strength, and the district brings the gap back
    np.testing.assert_allclose(proxy["train_proxy_correlation"], proxy.index, atol=0.02)
    assert proxy.loc[1.0, "discrimination"] > proxy.loc[0.0, "discrimination"] + 0.05


def test_bad_arguments():
    with pytest.raises(ValueError, match="kinds must be one of"):
        bias_source_sweep(["noise"], [0.5])
    with pytest.raises(ValueError, match="strengths must be between 0 and 1"):
        bias_source_sweep(["proxy"], [1.5])
    with pytest.raises(ValueError, match="strengths is empty"):
        bias_source_sweep(["proxy"], [])
    with pytest.raises(TypeError, match="random_state must be a non-negative int"):
        bias_source_sweep(["proxy"], [0.5], random_state=-1)
    with pytest.raises(TypeError, match="recompute must be True or False"):
        load_bias_source_sweep(recompute="yes")
