"""Progress is saved atomically in the workbook and read back as a table and a widget."""

import json
import os

import pytest

from biaslab.cli import main
from biaslab.course import load_curriculum
from biaslab.progress import REFLECTION_STATUS, ProgressStore, find_workbook, progress_table, show_progress

KEY = "01_bias_in_bias_out.q1"
REFLECTION = "01_bias_in_bias_out.q4"


@pytest.fixture
def workbook(tmp_path):
    (tmp_path / ".biaslab").mkdir()
    (tmp_path / ".biaslab" / "workbook.json").write_text("{}")
    return tmp_path


def test_best_outcome_and_attempts_are_kept(workbook):
    store = ProgressStore(workbook)
    store.record(KEY, "not_attempted")
    store.record(KEY, "wrong_value", "sign flipped")
    store.record(KEY, "correct")
    entry = store.record(KEY, "wrong_type")
    assert entry["best"] == "correct" and entry["last"] == "wrong_type" and entry["attempts"] == 3
    assert store.passed(KEY)
    assert "first_correct_time" in store.results()[KEY]


def test_a_crash_mid_write_keeps_the_old_progress(workbook, monkeypatch):
    store = ProgressStore(workbook)
    store.record(KEY, "correct")
    before = store.path.read_text()

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(json, "dump", crash)
    with pytest.raises(OSError):
        store.record("01_bias_in_bias_out.q2", "correct")
    assert store.path.read_text() == before
    assert [p.name for p in store.path.parent.iterdir() if p.suffix == ".tmp"] == []


def test_a_damaged_file_is_kept_aside(workbook):
    store = ProgressStore(workbook)
    store.path.write_text("{not json")
    store.record(KEY, "correct")
    assert store.passed(KEY)
    assert len(list(store.path.parent.glob("progress.damaged-*.json"))) == 1


def test_outside_a_workbook_nothing_is_saved(tmp_path, monkeypatch):
    monkeypatch.delenv("BIASLAB_WORKBOOK", raising=False)
    monkeypatch.chdir(tmp_path)
    assert find_workbook() is None
    assert ProgressStore.current().record(KEY, "correct") is None


def test_workbook_is_found_from_a_subfolder_or_the_environment(workbook, monkeypatch):
    monkeypatch.delenv("BIASLAB_WORKBOOK", raising=False)
    sub = workbook / "01_bias_in_bias_out"
    sub.mkdir()
    monkeypatch.chdir(sub)
    assert find_workbook() == workbook
    monkeypatch.setenv("BIASLAB_WORKBOOK", str(workbook))
    monkeypatch.chdir(os.sep)
    assert find_workbook() == workbook


def test_bad_outcome_is_rejected(workbook):
    with pytest.raises(ValueError, match="outcome must be one of"):
        ProgressStore(workbook).record(KEY, "passed")


def test_table_widget_and_command(workbook, capsys, monkeypatch, tmp_path_factory):
    store = ProgressStore(workbook)
    store.record(KEY, "correct")
    table = progress_table(store)
    row = table[(table["module"] == "01_bias_in_bias_out") & (table["exercise"] == "q1")].iloc[0]
    assert row["best"] == "correct" and row["earned"] == 2
    widget = show_progress("01", store)
    module_points = sum(e.points for e in load_curriculum().module("01").exercises if e.kind == "auto")
    assert f"2 of {module_points:g} points in module 01" in widget.children[0].value
    assert "1 of 4 exercises done" in widget.children[1].children[1].value
    assert main(["progress", str(workbook)]) == 0
    out = capsys.readouterr().out
    required = len(load_curriculum().required_exercises)
    assert "Disparate impact" in out and f"required exercises passed: 1 of {required}" in out
    assert main(["progress", str(workbook / "nowhere")]) == 2
    assert "no workbook found" in capsys.readouterr().err
    # outside a workbook: how to name one, for a learner who built it with `biaslab workbook` too
    monkeypatch.delenv("BIASLAB_WORKBOOK", raising=False)
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    assert main(["progress"]) == 2
    err = capsys.readouterr().err
    assert "no workbook found at the current folder" in err and "biaslab progress PATH/TO/workbook" in err


@pytest.mark.parametrize("best", ["recorded", "correct"], ids=["recorded", "correct-in-an-older-file"])
def test_a_reflection_is_recorded_self_assessed_not_scored(workbook, capsys, best):
    curriculum = load_curriculum()
    assert curriculum.exercise(REFLECTION).kind == "reflection"
    store = ProgressStore(workbook)
    store.record(KEY, "correct")
    store.record(REFLECTION, best, answer="banana " * 45)
    table = progress_table(store)
    row = table[(table["module"] == "01_bias_in_bias_out") & (table["exercise"] == "q4")].iloc[0]
    assert row["status"] == REFLECTION_STATUS and row["earned"] == 0
    assert table["earned"].sum() == 2  # q1's points only

    widget = show_progress("01", store)
    header, module_row = widget.children[0].value, widget.children[1].children[1].value
    auto = sum(e.points for e in curriculum.module("01").exercises if e.kind == "auto")
    assert f"2 of {auto:g} points in module 01" in header and REFLECTION_STATUS in header
    assert f"{REFLECTION_STATUS}'" in module_row  # the reflection's mark says so
    assert "2 of 4 exercises done" in module_row  # q1 checked and q4 answered, of four

    assert main(["progress", str(workbook)]) == 0
    out = capsys.readouterr().out
    total = sum(e.points for e in curriculum.exercises if e.kind == "auto")
    reflections = sum(e.kind == "reflection" for e in curriculum.exercises)
    assert f"2 of {total:g} points;" in out and REFLECTION_STATUS in out
    assert f"reflections: 1 of {reflections} recorded" in out
