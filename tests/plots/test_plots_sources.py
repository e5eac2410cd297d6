"""Module 03's pictures draw the numbers they are given, and refuse what they cannot draw."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from biaslab.attacks import BIAS_KINDS
from biaslab.plots import plot_bias_response, plot_fingerprints, plot_group_metrics_at


def fake_sweep():
    rows = []
    for i, kind in enumerate(BIAS_KINDS):
        for s in [0.0, 0.5, 1.0]:
            row = {"kind": kind, "strength": s, "discrimination": 0.1 + i * 0.01 + s / 10, "accuracy": 0.8 - s / 20,
                   "train_share_Female": 0.33 - (kind == "representation") * s * 0.33,
                   "train_label_rate_Female": 0.11, "train_spread_ratio": 1 + s / 3, "train_proxy_correlation": s}
            for g, off in [("Female", 0.0), ("Male", 0.05)]:
                for m in ["accuracy", "selection_rate", "fnr", "fpr", "auroc"]:
                    row[f"{m}_{g}"] = round(0.2 + off + s / 5 + len(m) / 100, 4)
            rows.append(row)
    return pd.DataFrame(rows)


@pytest.fixture(autouse=True)
def close():
    yield
    plt.close("all")


def test_response_lines_show_the_sweep():
    sweep = fake_sweep()
    ax = plot_bias_response(sweep, "proxy", metrics=["discrimination", "fnr_Female"], strength=0.5)
    lines = {line.get_label(): line for line in ax.get_lines()}
    rows = sweep[sweep["kind"] == "proxy"]
    np.testing.assert_allclose(lines["discrimination (men - women)"].get_ydata(), rows["discrimination"])
    np.testing.assert_allclose(lines["false negative rate, women"].get_xdata(), rows["strength"])
    markers = [line for line in ax.get_lines() if list(line.get_xdata()) == [0.5]]
    assert len(markers) == 2  # one dot per metric at the current strength
    assert "proxy" in ax.get_title() and ax.get_xlabel().startswith("strength")


def test_group_bars_show_the_row_and_the_baseline():
    sweep = fake_sweep()
    row, base = sweep.iloc[2], sweep.iloc[0]
    ax = plot_group_metrics_at(row, baseline=base, metrics=["selection_rate", "fnr"])
    heights = [p.get_height() for p in ax.patches]
    assert heights == pytest.approx([row["selection_rate_Female"], row["fnr_Female"],
                                     row["selection_rate_Male"], row["fnr_Male"]])
    ticks = [seg[0][1] for coll in ax.collections for seg in coll.get_segments()]
    assert ticks == pytest.approx([base["selection_rate_Female"], base["fnr_Female"],
                                   base["selection_rate_Male"], base["fnr_Male"]])
    texts = [t.get_text() for t in ax.texts]
    assert f"{row['fnr_Male']:.2f}" in texts


def test_fingerprints_one_panel_each_one_line_per_kind():
    sweep = fake_sweep()
    axes = plot_fingerprints(sweep)
    assert len(axes) == 4
    last = {line.get_label(): line.get_ydata() for line in axes[3].get_lines()}
    assert set(last) == {"representation", "historical label", "measurement", "proxy"}
    np.testing.assert_allclose(last["proxy"], [0.0, 0.5, 1.0])


def test_bad_arguments():
    sweep = fake_sweep()
    with pytest.raises(TypeError, match="sweep must be a DataFrame"):
        plot_bias_response([1, 2], "proxy")
    with pytest.raises(ValueError, match="kind='noise' is not in the sweep"):
        plot_bias_response(sweep, "noise")
    with pytest.raises(ValueError, match="no column 'nothing'"):
        plot_bias_response(sweep, "proxy", metrics=["nothing"])
    with pytest.raises(ValueError, match="one row of the sweep"):
        plot_group_metrics_at(sweep)
    with pytest.raises(TypeError, match="row must be a row"):
        plot_group_metrics_at({"a": 1})
    with pytest.raises(ValueError, match="axes must hold 4 Axes"):
        plot_fingerprints(sweep, axes=[plt.subplots()[1]])
