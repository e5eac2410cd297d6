"""The curriculum file is the one source: notebooks, problem modules and README agree with it."""

import importlib
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from biaslab.course import load_curriculum, source_dir
from biaslab.exercises import Problem

ROOT = Path(__file__).resolve().parents[2]
CURRICULUM = load_curriculum()
WITH_EXERCISES = [m for m in CURRICULUM.modules if m.exercises]


def test_modules_are_in_order_and_unique():
    numbers = [m.number for m in CURRICULUM.modules]
    assert numbers == [f"{i:02d}" for i in range(len(numbers))]
    assert len({m.package for m in CURRICULUM.modules}) == len(CURRICULUM.modules)


@pytest.mark.parametrize("module", WITH_EXERCISES, ids=lambda m: m.id)
def test_problem_module_matches_the_curriculum(module):
    problems = importlib.import_module(f"biaslab.exercises.{module.package}")
    assert sorted(problems.__all__) == sorted(e.name for e in module.exercises)
    for exercise in module.exercises:
        problem = getattr(problems, exercise.name)
        assert isinstance(problem, Problem)
        assert problem.key == exercise.key and problem.points == exercise.points
        # the progress box's tooltip shows the curriculum's title, the check the problem's: one title
        assert problem.title == exercise.title, exercise.key
        assert problem.hints, f"{exercise.key} has no hints"


@pytest.mark.parametrize("module", WITH_EXERCISES, ids=lambda m: m.id)
def test_notebook_graded_cells_match_the_curriculum(module):
    nb = nbformat.read(source_dir() / module.notebook, as_version=4)
    graded = {c.metadata.nbgrader.grade_id: c for c in nb.cells
              if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"}
    answers = {c.metadata.nbgrader.grade_id for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")}
    sources = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for exercise in module.exercises:
        cell = graded[exercise.grade_cell]
        assert cell.metadata.nbgrader.points == exercise.points
        assert f"{exercise.name}_answer" in answers
        if exercise.kind == "reflection":  # graded by a person; the check only records it
            assert cell.metadata.nbgrader.solution and not cell.metadata.nbgrader.locked
            assert f"{exercise.name}.check({exercise.name}_answer)" in sources
        else:
            assert cell.metadata.nbgrader.locked
            assert f"{exercise.name}.assert_passed(" in cell.source
    assert set(graded) == {e.grade_cell for e in module.exercises}
    assert sum(c.metadata.nbgrader.points for c in graded.values()) == module.points


def test_source_notebooks_have_no_outputs():
    for path in source_dir().rglob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), path


def test_readme_table_of_contents_is_generated_from_the_curriculum():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "update_readme.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_lookup_errors_name_what_exists():
    with pytest.raises(ValueError, match="module 'm99' is not in the curriculum"):
        CURRICULUM.module("m99")
    with pytest.raises(ValueError, match="has no exercise 'q9'"):
        CURRICULUM.exercise("m01.q9")
    with pytest.raises(ValueError, match="exercise key must look like"):
        CURRICULUM.exercise("q1")
    assert CURRICULUM.exercise("01.q1").key == "01_bias_in_bias_out.q1"


def test_exercise_kinds_and_grade_cells():
    for exercise in CURRICULUM.exercises:
        assert exercise.kind in ("auto", "reflection")
        assert exercise.grade_cell == (f"{exercise.name}_answer" if exercise.kind == "reflection" else exercise.name)


def test_a_problem_of_the_wrong_kind_fails_at_import(monkeypatch):
    from biaslab.exercises import ReflectionProblem
    from biaslab.exercises._registry import register

    module = next(m for m in CURRICULUM.modules if m.exercises)
    namespace = {e.name: ReflectionProblem(title=e.title) for e in module.exercises}
    auto = [e.name for e in module.exercises if e.kind == "auto"]
    with pytest.raises(RuntimeError, match=f"{auto[0]} is a ReflectionProblem"):
        register(f"biaslab.exercises.{module.package}", namespace)
