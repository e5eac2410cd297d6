"""The threshold widget of module 02: moving the knob changes what is shown, quickly."""

import time

import matplotlib
import numpy as np
import pandas as pd
import pytest

from biaslab.metrics import group_metrics
from biaslab.widgets._fairness import threshold_explorer

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(1)
    n = 2000
    groups = pd.Series(rng.choice(["a", "b"], n), name="group")
    y = (rng.random(n) < 0.45).astype(int)
    score = np.clip(np.rint(rng.normal(5 + 2 * y + (groups == "a"), 2)), 1, 10)
    return y, score, groups


def bar_heights(widget):
    return [p.get_height() for p in widget.figure.axes[0].patches]


def test_the_shown_rates_are_those_of_the_threshold(data):
    y, score, groups = data
    widget = threshold_explorer(y, score, sensitive_features=groups)
    assert widget.slider.options == tuple(float(v) for v in np.unique(score))
    for threshold in (3, 8):
        widget.update(threshold)
        expected = group_metrics(y, (score >= threshold).astype(int), sensitive_features=groups,
                                 metrics=["false_positive_rate", "false_negative_rate", "precision"]).by_group
        pd.testing.assert_frame_equal(widget.shown, expected)
        np.testing.assert_allclose(bar_heights(widget), expected.to_numpy().ravel())
        assert f"≥ <b>{threshold:g}</b>" in widget.children[1].value


def test_moving_the_slider_redraws_fast(data):
    y, score, groups = data
    widget = threshold_explorer(y, score, sensitive_features=groups, thresholds=[4, 6, 8],
                                metrics=["false_positive_rate"])
    before = bar_heights(widget)
    start = time.perf_counter()
    widget.slider.value = 8
    assert time.perf_counter() - start < 0.5
    after = bar_heights(widget)
    assert all(a < b for a, b in zip(after, before))  # a higher threshold flags fewer negatives
    assert widget.rates.index.names == ["threshold", "group"]
    assert len(widget.rates) == 3 * 2


def test_undefined_rates_do_not_warn(data):
    y, score, groups = data
    widget = threshold_explorer(y, score, sensitive_features=groups, thresholds=[11], metrics=["precision"])
    assert widget.shown["precision"].isna().all()  # nobody predicted positive


@pytest.mark.parametrize("kwargs, error, fragment", [
    ({"metrics": ["accuracy_score"]}, ValueError, "unknown or unsupported"),
    ({"metrics": []}, ValueError, "metrics is empty"),
    ({"thresholds": []}, ValueError, "thresholds"),
    ({"score_name": 3}, TypeError, "score_name must be a str"),
])
def test_bad_arguments(data, kwargs, error, fragment):
    y, score, groups = data
    with pytest.raises(error, match=fragment):
        threshold_explorer(y, score, sensitive_features=groups, **kwargs)


def test_bad_data_and_bad_threshold(data):
    y, score, groups = data
    with pytest.raises(ValueError, match="y_true"):
        threshold_explorer(score, score, sensitive_features=groups)
    with pytest.raises(ValueError, match="scores"):
        threshold_explorer(y, score[:10], sensitive_features=groups)
    widget = threshold_explorer(y, score, sensitive_features=groups, thresholds=[4, 6])
    with pytest.raises(ValueError, match="one of the slider's values"):
        widget.update(5)
