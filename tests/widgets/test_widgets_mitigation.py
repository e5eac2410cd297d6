"""The group threshold widget: moving a slider changes the rates shown and the accuracy."""

import numpy as np
import pytest

from biaslab.widgets._mitigation import group_threshold_explorer


@pytest.fixture
def sample():
    rng = np.random.default_rng(0)
    groups = rng.choice(["a", "b"], 400)
    y = (rng.random(400) < np.where(groups == "a", 0.5, 0.2)).astype(int)
    scores = np.clip(0.5 * y + 0.5 * rng.random(400) - 0.1 * (groups == "b"), 0, 1)
    return y, scores, groups


def rates_at(y, scores, groups, group, t):
    rows = groups == group
    pred = scores[rows] >= t
    return pred[y[rows] == 1].mean(), pred[y[rows] == 0].mean(), pred.mean()


def test_shows_the_rates_of_each_groups_threshold(sample):
    y, scores, groups = sample
    w = group_threshold_explorer(y, scores, sensitive_features=groups)
    assert set(w.sliders) == {"a", "b"}
    assert np.allclose(w.shown.loc["a"].to_numpy(), rates_at(y, scores, groups, "a", 0.5))
    w.update({"b": 0.3})
    assert np.allclose(w.shown.loc["b"].to_numpy(), rates_at(y, scores, groups, "b", 0.3))
    assert np.allclose(w.shown.loc["a"].to_numpy(), rates_at(y, scores, groups, "a", 0.5))
    pred = scores >= np.where(groups == "a", 0.5, 0.3)
    assert w.accuracy == pytest.approx(np.mean(pred == y))
    assert w.gaps["true_positive_rate"] == pytest.approx(abs(w.shown["true_positive_rate"].diff().iloc[-1]))
    # moving a slider directly redraws too
    w.sliders["a"].value = 0.2
    assert np.allclose(w.shown.loc["a"].to_numpy(), rates_at(y, scores, groups, "a", 0.2))
    bars = [p.get_height() for p in w.figure.axes[0].patches]
    assert any(np.isclose(h, w.shown.loc["a", "true_positive_rate"]) for h in bars)


def test_bad_arguments(sample):
    y, scores, groups = sample
    with pytest.raises(ValueError, match="groups"):
        group_threshold_explorer(y, scores, sensitive_features=np.array(["a"] * 400))
    with pytest.raises(ValueError, match="step"):
        group_threshold_explorer(y, scores, sensitive_features=groups, step=0)
    with pytest.raises(ValueError, match="start"):
        group_threshold_explorer(y, scores, sensitive_features=groups, start=2)
    with pytest.raises(ValueError):
        group_threshold_explorer(y[:10], scores, sensitive_features=groups)
    w = group_threshold_explorer(y, scores, sensitive_features=groups)
    with pytest.raises(TypeError, match="dict"):
        w.update(0.3)
    with pytest.raises(ValueError, match="unknown group"):
        w.update({"c": 0.3})
    with pytest.raises(ValueError, match="between 0 and 1"):
        w.update({"a": 3})
