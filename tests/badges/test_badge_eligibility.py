"""Who earns the badge: the curriculum's rule, applied to a self-paced workbook's progress."""

import dataclasses

import pytest

from biaslab.badges import ExerciseResult, eligible, results_from_progress
from biaslab.course import load_curriculum
from biaslab.progress import ProgressStore

CURRICULUM = load_curriculum()
REQUIRED = [e.key for e in CURRICULUM.required_exercises]


def test_the_curriculum_has_required_exercises():
    # the tests below rely on it; if the course changes, they still follow it
    assert len(REQUIRED) >= 2


def test_all_required_passed_earns_the_badge():
    ok, reasons = eligible({key: {"passed": True} for key in REQUIRED})
    assert ok
    assert "required exercises passed" in reasons[0]


def test_one_required_missing_is_named():
    results = {key: {"passed": True} for key in REQUIRED[:-1]}
    ok, reasons = eligible(results)
    assert not ok
    assert len([r for r in reasons if REQUIRED[-1] in r]) == 1
    title = CURRICULUM.exercise(REQUIRED[-1]).title
    assert any(title in r for r in reasons)


def test_optional_exercises_are_not_needed():
    optional = [e.key for e in CURRICULUM.exercises if not e.required]
    results = {key: {"passed": True} for key in REQUIRED}
    results.update({key: {"passed": False} for key in optional})
    assert eligible(results).ok


def test_pass_share_counts_partial_points():
    curriculum = dataclasses.replace(CURRICULUM, pass_share=0.99)
    first = CURRICULUM.exercise(REQUIRED[0])
    results = {key: {"passed": True} for key in REQUIRED}
    # the first required exercise is passed only in name: half its points
    results[first.key] = {"passed": True, "earned": first.points / 2}
    ok, reasons = eligible(results, curriculum)
    assert not ok and "required points earned" in reasons[0] and "99%" in reasons[0]


def test_keys_may_name_modules_by_number_or_package():
    first = CURRICULUM.exercise(REQUIRED[0])
    module = CURRICULUM.module(first.module)
    results = {f"{module.package}.{e.name}": {"passed": True} for e in module.exercises if e.required}
    results.update({key: {"passed": True} for key in REQUIRED if not key.startswith(first.module)})
    assert eligible(results).ok


def test_eligible_checks_its_arguments():
    with pytest.raises(TypeError, match="results"):
        eligible([("q1", True)])
    with pytest.raises(ValueError, match="does not know"):
        eligible({"99_nowhere.q1": {"passed": True}})
    with pytest.raises(TypeError, match="passed"):
        eligible({REQUIRED[0]: {"passed": "yes"}})
    with pytest.raises(ValueError, match="earned"):
        eligible({REQUIRED[0]: {"passed": True, "earned": 1e9}})
    with pytest.raises(ValueError, match="assessment must be one of"):
        eligible({REQUIRED[0]: {"passed": True, "assessment": "peer-reviewed"}})
    with pytest.raises(TypeError, match="curriculum"):
        eligible({}, curriculum="course.yml")


def test_a_curriculum_without_required_exercises_awards_nothing():
    curriculum = dataclasses.replace(CURRICULUM, modules=())
    ok, reasons = eligible({}, curriculum)
    assert not ok and "nothing to pass" in reasons[0]


def test_results_from_progress(tmp_path):
    store = ProgressStore(tmp_path)
    for key in REQUIRED[:-1]:
        store.record(key, "wrong_value")
        store.record(key, "correct")
    store.record(REQUIRED[-1], "wrong_value")
    store.record("99_removed_module.q1", "correct")  # stale entries are ignored
    results = results_from_progress(store)
    assert set(results) == {e.key for e in CURRICULUM.exercises}
    assert all(isinstance(r, ExerciseResult) for r in results.values())
    last = results[REQUIRED[-1]]
    assert not last.passed and last.earned == 0 and "wrong_value" in last.detail
    ok, reasons = eligible(results)
    assert not ok and REQUIRED[-1] in reasons[0] and "wrong_value" in reasons[0]

    store.record(REQUIRED[-1], "correct")
    results = results_from_progress(tmp_path)  # a workbook folder works too
    assert eligible(results).ok
    assert results[REQUIRED[0]].earned == CURRICULUM.exercise(REQUIRED[0]).points


def test_self_paced_results_are_self_assessed_and_reflections_earn_nothing(tmp_path):
    store = ProgressStore(tmp_path)
    for key in REQUIRED:
        store.record(key, "correct")
    reflections = [e for e in CURRICULUM.exercises if e.kind == "reflection"]
    assert reflections and not any(e.required for e in reflections)
    for e in reflections:
        store.record(e.key, "recorded", answer="banana " * 45)
    results = results_from_progress(store)
    assert {r.assessment for r in results.values()} == {"self-assessed"}
    for e in reflections:
        r = results[e.key]
        assert not r.passed and r.earned == 0 and r.detail == "recorded, self-assessed, not scored"
    assert eligible(results).ok  # reflections are optional: the badge does not wait for a grader


def test_results_from_progress_of_an_empty_workbook(tmp_path):
    results = results_from_progress(ProgressStore(tmp_path))
    assert not any(r.passed for r in results.values())
    with pytest.raises(TypeError, match="store"):
        results_from_progress(12)
