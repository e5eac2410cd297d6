"""Module 09's report pictures show the numbers they are given, and reject bad arguments clearly."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from biaslab.plots._audit import plot_fnr_screen, plot_mitigation_cost, plot_proxy_strength

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


SCREEN = pd.DataFrame({"fnr_gap": [0.45, 0.1, -0.2], "flagged": [True, False, False]},
                      index=pd.MultiIndex.from_tuples([("sex", "F"), ("age", "<25"), ("sex", "M")]))


def test_fnr_screen_bars_labels_and_colours():
    ax = plot_fnr_screen(SCREEN, threshold=0.1)
    widths = [p.get_width() for p in ax.patches]
    np.testing.assert_allclose(widths, [-0.2, 0.1, 0.45])  # largest gap on top
    assert [t.get_text() for t in ax.get_yticklabels()] == ["sex = M", "age = <25", "sex = F"]
    colours = [matplotlib.colors.to_hex(p.get_facecolor()) for p in ax.patches]
    assert colours[2] != colours[0] and colours[0] == colours[1]
    assert any(np.allclose(line.get_xdata(), 0.1) for line in ax.get_lines())
    assert ax.get_title() and ax.get_xlabel()


def test_proxy_strength_bars():
    ax = plot_proxy_strength(pd.Series({"relationship": 0.86, "age": 0.55, "hours": 0.66}), attribute="sex")
    np.testing.assert_allclose([p.get_width() for p in ax.patches], [0.55, 0.66, 0.86])
    assert "sex" in ax.get_title()


def test_mitigation_cost_bars():
    table = pd.DataFrame({"accuracy": [0.82, 0.81], "fnr_gap": [0.48, -0.04]}, index=["audited model", "mitigated"])
    ax = plot_mitigation_cost(table)
    np.testing.assert_allclose([p.get_height() for p in ax.patches], [0.82, 0.48, 0.81, -0.04])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["audited model", "mitigated"]
    assert ax.get_ylim()[0] < -0.04


def test_bad_arguments():
    with pytest.raises(TypeError, match="attack_screen"):
        plot_fnr_screen(pd.DataFrame({"gap": [1]}))
    with pytest.raises(ValueError, match="empty"):
        plot_fnr_screen(SCREEN.iloc[:0])
    with pytest.raises(TypeError, match="Series"):
        plot_proxy_strength({"a": 0.7})
    with pytest.raises(TypeError, match="mitigation"):
        plot_mitigation_cost(pd.DataFrame({"accuracy": [1.0]}))
    with pytest.raises(TypeError, match="ax"):
        plot_proxy_strength(pd.Series({"a": 0.7}), ax="axes")
