"""The capstone's case and the badge it ends with: issued into a workbook whose progress earns it."""

import json

import numpy as np
import pytest

from biaslab.audit import CAPSTONE_CANDIDATES, capstone_case, finish_course, fnr_screen
from biaslab.audit._capstone import _plan
from biaslab.badges import verify_badge
from biaslab.course import load_curriculum
from biaslab.progress import ProgressStore

CURRICULUM = load_curriculum()
REQUIRED = [e.key for e in CURRICULUM.required_exercises]


def test_capstone_case_is_reproducible_and_its_attack_is_found():
    case = capstone_case(4)
    assert capstone_case(4) is case  # cached
    (column, group), left_out = _plan(4)
    assert (column, group) in CAPSTONE_CANDIDATES
    assert not set(left_out) & set(case.X_test.columns)
    assert len(case.X_train) == 5000 and len(case.X_val) == 2000 and len(case.X_test) == 3000
    # the attack only flips positives of the target group in the training labels
    pred = case.model.predict(case.X_test)
    screen = fnr_screen(case.y_test, pred, sensitive_features=case.groups_test)
    flagged = screen[screen["flagged"]]
    assert flagged.index[0] == (column, group)
    assert flagged.iloc[0]["fnr_gap"] > 0.2


def test_capstone_case_with_an_explicit_attack_does_not_keep_its_seed():
    seed = 2**62 + 99
    case = capstone_case(seed, target=("age_band", "45-64"), left_out=("relationship",))
    assert case.random_state is None and str(seed) not in repr(case) and repr(case).startswith("CapstoneCase(a ")
    assert "relationship" not in case.X_test.columns and "marital_status" in case.X_test.columns
    screen = fnr_screen(case.y_test, case.model.predict(case.X_test), sensitive_features=case.groups_test)
    assert screen[screen["flagged"]].index[0] == ("age_band", "45-64")
    # the same rows as the seed's own case: only the attack differs
    public = capstone_case(seed)
    assert public.random_state == seed and public.y_test.equals(case.y_test)


def test_capstone_case_rejects_a_bad_attack():
    with pytest.raises(ValueError, match="target must be one of"):
        capstone_case(1, target=("sex", "Male"))
    with pytest.raises(ValueError, match="left_out must be one of"):
        capstone_case(1, target=("sex", "Female"), left_out=("age",))
    with pytest.raises(TypeError, match="left_out only together with target"):
        capstone_case(1, left_out=("relationship",))


def test_capstone_case_rejects_a_bad_seed():
    with pytest.raises(TypeError, match="random_state"):
        capstone_case(-1)
    with pytest.raises(TypeError, match="random_state"):
        capstone_case("nine")


def test_not_eligible_lists_what_is_missing(home, workbook):
    store = ProgressStore(workbook)
    for key in REQUIRED[:-1]:
        store.record(key, "correct")
    status = finish_course(name="Ada Lovelace", workbook=workbook)
    assert not status.eligible and not status.issued
    assert REQUIRED[-1] in status.reasons[0]
    assert "Not eligible yet" in str(status)
    assert not (workbook / "badge").exists()


def test_outside_a_workbook_nothing_is_issued(home, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    status = finish_course(name="Ada Lovelace")
    assert not status.eligible and not status.issued


def test_eligible_without_a_name_asks_for_one(home, workbook):
    store = ProgressStore(workbook)
    for key in REQUIRED:
        store.record(key, "correct")
    status = finish_course(workbook=workbook)
    assert status.eligible and not status.issued and "finish_course(name=" in status.message


def test_issues_a_verifiable_self_assessed_badge_into_the_workbook(home, workbook):
    store = ProgressStore(workbook)
    for key in REQUIRED:
        store.record(key, "correct")
    status = finish_course(name="Ada Lovelace", workbook=workbook, key_home=home)
    assert status.eligible and status.issued
    png = workbook / "badge" / f"{CURRICULUM.id}-badge.png"
    assert status.files["png"] == str(png) and png.is_file()
    assert (home / ".biaslab" / "keys").is_dir()
    result = verify_badge(png)
    assert result.valid
    payload = json.loads((workbook / "badge" / f"{CURRICULUM.id}-badge.json").read_text())
    assert "Ada Lovelace" in json.dumps(payload)
    learner_id = json.loads((workbook / ".biaslab" / "progress.json").read_text())["learner_id"]
    assert learner_id in json.dumps(payload).replace("-", "")


def test_finish_course_validates_its_arguments(home, workbook):
    with pytest.raises(TypeError, match="name"):
        finish_course(name="")
    with pytest.raises(TypeError, match="workbook"):
        finish_course(workbook=3)
    assert np.isfinite(len(REQUIRED))
