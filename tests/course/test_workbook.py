"""The self-paced workbook: built from the source, runs top to bottom, records progress."""

import json
import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from biaslab.course import build_workbook, load_curriculum, source_dir
from biaslab.progress import REFLECTION_STATUS, ProgressStore, progress_table

MODULE = load_curriculum().module("01")


def run(path, env_folder):
    nb = nbformat.read(path, as_version=4)
    old = os.environ.get("BIASLAB_WORKBOOK")
    os.environ["BIASLAB_WORKBOOK"] = str(env_folder)
    try:
        NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        if old is None:
            os.environ.pop("BIASLAB_WORKBOOK")
        else:
            os.environ["BIASLAB_WORKBOOK"] = old
    return nb


def outputs_text(nb):
    texts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            texts.append(out.get("text", ""))
            texts.extend(str(v) for v in out.get("data", {}).values())
    return "\n".join(texts)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    folder = tmp_path_factory.mktemp("workbook")
    written = build_workbook(folder)
    assert folder / MODULE.notebook in written
    return folder


def test_workbook_hides_solutions_and_hidden_tests_and_never_raises(workbook):
    text = (workbook / MODULE.notebook).read_text()
    for marker in ["BEGIN SOLUTION", "BEGIN HIDDEN TESTS", 'variant="hidden"', "assert_passed("]:
        assert marker not in text
    nb = nbformat.read(workbook / MODULE.notebook, as_version=4)
    checks = [c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")
              and not c.metadata.nbgrader.get("solution")]  # a reflection's answer cell is graded by hand
    assert checks and all(".check(" in s for s in checks)
    solutions = json.loads((workbook / ".biaslab" / "solutions.json").read_text())
    assert set(solutions) == {e.key for m in WITH_NOTEBOOKS for e in m.exercises}
    assert "def disparate_impact" in solutions[f"{MODULE.id}.q3"]


WITH_NOTEBOOKS = [m for m in load_curriculum().modules if (source_dir() / m.notebook).is_file()]


@pytest.mark.parametrize("module", WITH_NOTEBOOKS, ids=lambda m: m.id)
def test_untouched_workbook_runs_and_reports_not_attempted(workbook, module):
    """What a learner gets runs top to bottom before they answer anything; every check says so."""
    nb = run(workbook / module.notebook, workbook)  # raises on the first cell that fails
    text = outputs_text(nb)
    assert text.count("Not attempted") >= len(module.exercises)
    results = ProgressStore(workbook).results()
    mine = {k: v["best"] for k, v in results.items() if k.startswith(f"{module.id}.")}
    assert mine == {e.key: "not_attempted" for e in module.exercises}


def test_solved_workbook_records_correct_answers(workbook, tmp_path):
    source = nbformat.read(source_dir() / MODULE.notebook, as_version=4)
    solved = {c.metadata.nbgrader.grade_id: c.source for c in source.cells
              if c.metadata.get("nbgrader", {}).get("solution")}
    path = workbook / MODULE.notebook
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in solved:
            cell.source = solved[grade_id]
    solved_path = path.with_name("solved.ipynb")
    nbformat.write(nb, solved_path)
    executed = run(solved_path, workbook)
    text = outputs_text(executed)
    assert text.count("Correct") + text.count("Recorded") >= len(MODULE.exercises)
    table = progress_table(ProgressStore(workbook))
    part = table[table["module"] == MODULE.id]
    auto = part["kind"] == "auto"
    assert (part[auto]["best"] == "correct").all()
    # a reflection is recorded, never scored by the workbook
    assert (part[~auto]["best"] == "recorded").all() and (part[~auto]["status"] == REFLECTION_STATUS).all()
    assert part["earned"].sum() == sum(e.points for e in MODULE.exercises if e.kind == "auto")


def test_rebuilding_keeps_the_learners_work(workbook):
    path = workbook / MODULE.notebook
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source += "\n\nMy own note."
    nbformat.write(nb, path)
    assert build_workbook(workbook) == []
    assert "My own note." in path.read_text()
    assert build_workbook(workbook, force=True, modules=[MODULE.id]) == [path]
    backups = list(path.parent.glob("*.backup-*.ipynb"))
    assert len(backups) == 1 and "My own note." in backups[0].read_text()
    assert "My own note." not in path.read_text()


def test_solution_only_in_the_workbook(workbook, monkeypatch, capsys):
    from biaslab.exercises.m01 import q1

    monkeypatch.setenv("BIASLAB_WORKBOOK", str(workbook))
    q1.solution()
    assert "discrimination_score" in capsys.readouterr().out
    monkeypatch.delenv("BIASLAB_WORKBOOK")
    monkeypatch.chdir(workbook.parent)
    q1.solution()
    out = capsys.readouterr().out
    assert "not available here" in out and "discrimination_score" not in out


def test_build_workbook_bad_input(tmp_path):
    with pytest.raises(TypeError, match="dest must be a folder path"):
        build_workbook(42)
    with pytest.raises(TypeError, match="force must be True or False"):
        build_workbook(tmp_path / "wb", force="yes")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        build_workbook(tmp_path / "wb", source=tmp_path / "nowhere")
    with pytest.raises(TypeError, match="modules must be a list"):
        build_workbook(tmp_path / "wb", modules="01")
    with pytest.raises(ValueError, match="not in the curriculum"):
        build_workbook(tmp_path / "wb", modules=["42"])


def test_build_workbook_of_some_modules(tmp_path, capsys):
    written = build_workbook(tmp_path / "wb", modules=["01"])
    assert written == [tmp_path / "wb" / MODULE.notebook]
    from biaslab.cli import main

    assert main(["workbook", "--dest", str(tmp_path / "cli"), "--modules", "00", "01"]) == 0
    assert sorted(p.name for p in (tmp_path / "cli").rglob("*.ipynb")) == ["00_welcome.ipynb", Path(MODULE.notebook).name]
    assert "2 notebook(s) new or rewritten" in capsys.readouterr().out


def test_release_course_bad_modules(tmp_path):
    import shutil

    from biaslab.course import course_root, release_course

    shutil.copy(course_root() / "nbgrader_config.py", tmp_path)
    (tmp_path / "source").mkdir()
    with pytest.raises(TypeError, match="modules must be a list"):
        release_course(tmp_path, "01_bias_in_bias_out")
    with pytest.raises(ValueError, match="have no source notebook"):
        release_course(tmp_path, ["01_bias_in_bias_out"])
    with pytest.raises(FileNotFoundError, match="not an nbgrader course root"):
        release_course(tmp_path / "source")
