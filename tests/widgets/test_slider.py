"""The teaching widgets' slider: SelectionSlider's Python behaviour, a labelled native range input in the browser."""

import pytest
import traitlets

from biaslab.widgets._slider import AccessibleSlider


def test_value_and_index_follow_each_other_and_observers_see_values():
    slider = AccessibleSlider(options=[("low", 0.1), ("high", 0.9)], value=0.9, description="threshold")
    assert (slider.index, slider.value, slider.labels) == (1, 0.9, ["low", "high"])
    seen = []
    slider.observe(lambda change: seen.append(change["new"]), names="value")
    slider.index = 0  # what the browser sends when the learner lets go of the slider
    assert slider.value == 0.1 and seen == [0.1]
    slider.value = 0.9  # what a widget's update() does
    assert slider.index == 1 and seen == [0.1, 0.9]


def test_options_without_labels_and_replaced_options():
    slider = AccessibleSlider(options=[0.25, 0.5, 1.0])
    assert slider.options == (0.25, 0.5, 1.0) and slider.labels == ["0.25", "0.5", "1"] and slider.value == 0.25
    slider.value = 1.0
    slider.options = [("±1", 1.0), ("±2", 2.0)]  # the value survives where it still exists
    assert slider.options == (("±1", 1.0), ("±2", 2.0)) and slider.value == 1.0 and slider.index == 0
    slider.options = [("±5", 5.0)]
    assert slider.value == 5.0 and slider.index == 0


def test_bad_input_names_what_was_expected():
    with pytest.raises(traitlets.TraitError, match="one of the slider's options"):
        AccessibleSlider(options=[1, 2], value=3)
    with pytest.raises(TypeError, match="options must be a list"):
        AccessibleSlider(options="abc")
    with pytest.raises(TypeError, match=r"\(label, value\)"):
        AccessibleSlider(options=[(1, 2)])
    with pytest.raises(ValueError, match="at least one"):
        AccessibleSlider(options=[])
    slider = AccessibleSlider(options=[1, 2])
    slider.index = 7  # out of range from a confused frontend: ignored
    assert slider.index == 0 and slider.value == 1


def test_the_browser_part_is_a_labelled_range_input_that_reports_on_release():
    esm = AccessibleSlider._esm
    assert 'input.type = "range"' in esm and "label.htmlFor = id" in esm and "aria-valuetext" in esm
    # the kernel hears only where a drag ends, as ipywidgets' continuous_update=False did
    assert 'addEventListener("change"' in esm and "save_changes" in esm.split('addEventListener("change"')[1]
    assert "save_changes" not in esm.split('addEventListener("input"')[1].split("\n")[0]
