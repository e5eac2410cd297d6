"""nbgrader's autograding, made trustworthy: run the notebook sandboxed, decide each grade outside it.

Configured in the course's ``nbgrader_config.py`` (see :func:`biaslab.grading.configure`):

1. :class:`RestoreLockedCells` (sanitizing): every locked cell of the released notebook (all
   code that is not an answer, the graded test cells, the text) is put back as the instructor
   wrote it, in its place; a changed or deleted cell is named in the log and in a note at the top
   of the student's feedback. A test cell whose hidden tests were only removed for the release is
   not reported (nbgrader's false "checksum has changed", its issue 1961).
2. :class:`SandboxedExecute`: runs the notebook in the sandbox of :mod:`._sandbox`, with
   recording-only exercises and the grader's inputs for function answers (hidden cases from the
   course secret).
3. :class:`DecideVerdicts`: for each graded test cell, reads the records the kernel left in the
   cell's output (plain data), decides in this process with the real checks and replaces the
   cell's output by the verdict: a feedback box for a right answer, an ``AssertionError`` with the
   diagnosis otherwise. nbgrader's score (no error output: full points) then follows the verdict,
   whatever the student's code printed, patched or raised.
"""

from __future__ import annotations

import functools
import importlib
import json
import pickle
import re
import shutil
import tempfile
from pathlib import Path

from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader import utils
from nbgrader.preprocessors import Execute, NbGraderPreprocessor, OverwriteCells

from ..course._answer_keys import parse_key, strip_keys
from ..exercises._plain import RECORD_KEY
from ._sandbox import SandboxedKernelManager, sandbox_mode
from ._secret import course_secret, hidden_seed

__all__ = ["RestoreLockedCells", "SandboxedExecute", "DecideVerdicts", "MissingAnswerKey", "exercise_module"]

_HIDDEN = re.compile(r"variant\s*=\s*['\"]hidden['\"]")


def exercise_module(notebook_id: str):
    """The real problems of a module's notebook (``biaslab.exercises.mNN``), or None for other notebooks."""
    from ..course import load_curriculum

    try:
        module = load_curriculum().module(notebook_id)
    except (KeyError, ValueError):
        return None
    return importlib.import_module(f"biaslab.exercises.{module.package}")


def _problems(notebook_id: str) -> dict:
    from ..exercises import Problem

    mod = exercise_module(notebook_id)
    if mod is None:
        return {}
    return {name: value for name, value in vars(mod).items() if isinstance(value, Problem)}


def _course_root(config) -> Path:
    root = config.CourseDirectory.get("root") if "CourseDirectory" in config else None
    return Path(root or ".").resolve()


# ---------------------------------------------------------------------------------- 1. cells

class RestoreLockedCells(OverwriteCells):
    """nbgrader's OverwriteCells, plus: deleted locked cells come back in place, changes are named,
    and hidden-test cells are compared with their released form."""

    def preprocess(self, nb, resources):
        self.changed = []
        self.add_missing_cells = True  # nbgrader calls add_missing_grade_cells while the gradebook is open
        notebook_id, assignment_id = resources["nbgrader"]["notebook"], resources["nbgrader"]["assignment"]
        nb, resources = super().preprocess(nb, resources)
        if self.changed:
            names = ", ".join(f"{name} ({how})" for name, how in self.changed)
            self.log.warning("%s/%s: cells changed or deleted by the student and restored: %s",
                             assignment_id, notebook_id, names)
            note = from_dict({"cell_type": "markdown", "metadata": {"biaslab": {"grading_note": True}},
                              "source": "**Grading note.** These cells of the released notebook were changed or "
                                        f"deleted in your submission and were restored before grading: {names}."})
            nb.cells.insert(0, note)
        return nb, resources

    def report_change(self, name, attr, old, new):
        how = "changed" if attr == "checksum" else f"{attr} changed"
        if (name, how) not in self.changed:
            self.changed.append((name, how))

    def preprocess_cell(self, cell, resources, cell_index):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is not None and utils.is_locked(cell):
            try:
                source = self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id)
            except Exception:
                source = None
            if source is not None and source.source != cell.source and _released(source.source) == cell.source:
                cell.source = source.source  # only the hidden tests were removed for the release
        return super().preprocess_cell(cell, resources, cell_index)

    def add_missing_grade_cells(self, nb, resources):
        return self._restore_missing(nb, self.notebook_id, self.assignment_id), resources

    def _restore_missing(self, nb, notebook_id, assignment_id):
        source_nb = self.gradebook.find_notebook(notebook_id, assignment_id)
        by_name = {c.name: c for c in source_nb.source_cells}
        order = _source_order(self.config, assignment_id, notebook_id) or list(by_name)
        present = {c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells}
        missing = [name for name in order if name in by_name and name not in present and by_name[name].locked]
        if not missing:
            return nb
        position = {name: i for i, name in enumerate(order)}
        cells, done = [], set()

        def restore_before(limit):
            for name in missing:
                if name not in done and position[name] < limit:
                    cells.append(_cell_from_source(by_name[name], source_nb))
                    self.changed.append((name, "deleted"))
                    done.add(name)

        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in position:
                restore_before(position[grade_id])
            cells.append(cell)
        restore_before(len(order) + 1)
        nb.cells = cells
        return nb


def _released(source: str) -> str:
    """A test cell's source as released: without its hidden-test region."""
    from nbgrader.preprocessors import ClearHiddenTests

    cell = from_dict({"cell_type": "code", "source": source, "metadata": {}})
    ClearHiddenTests()._remove_hidden_test_region(cell)
    return cell.source


def _source_order(config, assignment_id, notebook_id) -> list:
    path = _course_root(config) / "source" / assignment_id / f"{notebook_id}.ipynb"
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return []
    return [c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in cells
            if c.get("metadata", {}).get("nbgrader", {}).get("grade_id")]


def _cell_from_source(source_cell, source_nb) -> NotebookNode:
    grade = {c.name: c for c in source_nb.grade_cells}.get(source_cell.name)
    solution = source_cell.name in {c.name for c in source_nb.solution_cells}
    meta = {"grade": grade is not None, "grade_id": source_cell.name, "locked": bool(source_cell.locked),
            "solution": solution, "task": False, "schema_version": 3, "checksum": source_cell.checksum}
    if grade is not None:
        meta["points"] = float(grade.max_score)
    cell = {"cell_type": source_cell.cell_type, "source": source_cell.source,
            "metadata": {"editable": False, "deletable": False, "nbgrader": meta}}
    if source_cell.cell_type == "code":
        cell.update(outputs=[], execution_count=None)
    return from_dict(cell)


# ------------------------------------------------------------------------------- 2. execution

@functools.lru_cache(maxsize=8)
def _inputs_pickle(notebook_id: str, secret: bytes) -> bytes:
    """The inputs of every function problem of a notebook (visible cases, hidden cases from the secret)."""
    inputs = {}
    for problem in _problems(notebook_id).values():
        if problem.takes_function:
            inputs[problem.key] = {"visible": problem.calls("visible"),
                                   "hidden": problem.calls("hidden", hidden_seed(secret, problem.key))}
    return pickle.dumps(inputs, protocol=pickle.HIGHEST_PROTOCOL)


def _write_stubs(folder: Path, notebook_id: str) -> None:
    folder.mkdir()
    (folder / "__init__.py").write_text('"""Exercises while a class is graded: recording only (the checks are with the '
                                        'grader)."""\n')
    from ..exercises import _plain

    shutil.copy(_plain.__file__, folder / "_plain.py")  # the plain-data codec: no checks, no keys
    problems = _problems(notebook_id)
    if not problems:
        return
    from ..course import load_curriculum

    module = load_curriculum().module(notebook_id)
    kinds = {name: problem.takes_function for name, problem in problems.items()}
    stub = (f'"""Module {module.id} while the class is graded: answers are recorded, the grader decides."""\n'
            "from biaslab.grading._recorder import recorders as _recorders\n\n"
            f"globals().update(_recorders({module.id!r}, {kinds!r}))\n"
            f"__all__ = {sorted(kinds)!r}\n"
            + "".join(f"{name} = {text}\n" for name, text in _public_constants(exercise_module(notebook_id)).items()))
    (folder / f"{module.package}.py").write_text(stub)


def _public_constants(module) -> dict:
    """The module's public constants that notebooks import (``N_TEST``, the options a learner chooses
    from), as Python literals: UPPERCASE names of plain data only (answer keys are private names)."""
    import ast

    out = {}
    for name, value in vars(module).items():
        if not name.isupper() or name.startswith("_"):
            continue
        text = repr(value)
        try:
            if ast.literal_eval(text) == value:
                out[name] = text
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
    return out


def _copy_font_cache(folder: Path) -> None:
    folder.mkdir()
    try:
        import matplotlib

        for path in Path(matplotlib.get_cachedir()).glob("fontlist-*.json"):
            shutil.copy(path, folder / path.name)
    except Exception:  # a missing cache only costs the kernel a few seconds
        pass


class SandboxedExecute(Execute):
    """nbgrader's Execute with the kernel in the grading sandbox and recording-only exercises."""

    def __init__(self, *args, **kwargs):
        kwargs["kernel_manager_class"] = SandboxedKernelManager
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources=None, km=None):
        notebook_id = resources["nbgrader"]["notebook"]
        secret = course_secret(_course_root(self.config))
        sandbox_mode()  # a wrong setting fails before anything runs
        with tempfile.TemporaryDirectory(prefix="biaslab-grading-") as tmp:
            tmp = Path(tmp)
            (tmp / "inputs.pickle").write_bytes(_inputs_pickle(notebook_id, secret))
            _write_stubs(tmp / "exercises", notebook_id)
            _copy_font_cache(tmp / "matplotlib")
            (tmp / "conn").mkdir()
            self._grading_dir = tmp
            keyed = [(cell, cell.source) for cell in nb.cells if strip_keys(cell.source) != cell.source]
            for cell, source in keyed:  # the kernel never runs an answer key (DecideVerdicts reads it)
                cell.source = strip_keys(source)
            try:  # nbclient makes the kernel manager (create_kernel_manager), so it also shuts it down
                return super().preprocess(nb, resources)
            finally:
                self._grading_dir = None
                for cell, source in keyed:
                    cell.source = source

    def on_comm_open_jupyter_widget(self, msg):
        """Never stand in for an Output widget while grading.

        nbclient mirrors each ``ipywidgets.Output`` and sends the kernel a ``comm_msg`` on the shell
        channel when the widget captures a display, while it is itself waiting on that channel for
        the cell's reply; jupyter_client's blocking send can then swallow the reply's wake-up, and the
        cell waits out the whole timeout (nbclient issue 312; module 03's knob stalled 3 of 10
        gradings for 120 s). A verdict needs no widget state, so the grader answers no widget.
        """
        return None

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        tmp = self._grading_dir
        km.connection_file = str(tmp / "conn" / "kernel.json")
        km.transport = "ipc"  # Unix sockets in a folder of the sandbox's: it has no network
        km.ip = str(tmp / "conn" / "kernel-ipc")
        km.grading_dir = tmp
        km.course_root = _course_root(self.config)
        return km


# --------------------------------------------------------------------------------- 3. verdicts

def _records(cell) -> list:
    out = []
    for output in cell.get("outputs", []):
        record = output.get("metadata", {}).get(RECORD_KEY) if output.get("output_type") == "display_data" else None
        if record is not None:
            out.append(record)
    return out


def _plain(record):
    """A record as plain JSON data (nbformat hands back NotebookNodes)."""
    return json.loads(json.dumps(record, default=str))


class MissingAnswerKey(RuntimeError):
    """A judgement exercise's test cell has no answer key: grading stops instead of scoring 0."""


class DecideVerdicts(NbGraderPreprocessor):
    """Replace each autograded test cell's output by the verdict decided here, from the records only."""

    def preprocess(self, nb, resources):
        from ..exercises import Feedback, Outcome

        notebook_id = resources["nbgrader"]["notebook"]
        problems = _problems(notebook_id)
        secret = course_secret(_course_root(self.config))
        for cell in nb.cells:
            if cell.cell_type != "code" or not utils.is_grade(cell) or utils.is_solution(cell):
                continue
            name = cell.metadata["nbgrader"]["grade_id"]
            problem = problems.get(name)
            if problem is None:
                continue
            if getattr(problem, "needs_key", False) and parse_key(cell.source) is None:
                # an old source/ (from before the keys left the package) would grade everyone 0 without a word
                raise MissingAnswerKey(
                    f"{notebook_id}: the test cell {name} has no '# answer key:' line in the gradebook's source, so "
                    f"{problem.key} cannot be decided. Copy the current source notebooks into the course's source/ "
                    "folder, generate the assignment again (biaslab release) and grade again.")
            records = [_plain(r) for r in _records(cell)]
            variants = ["visible"] + (["hidden"] if _HIDDEN.search(cell.source) else [])
            verdict = None
            for variant in variants:
                mine = [r for r in records if isinstance(r, dict) and r.get("key") == problem.key
                        and r.get("variant", "visible") == variant]
                if len(mine) != 1:
                    why = ("No answer was recorded: the cell did not run to its end" if not mine else
                           "More than one answer was recorded")
                    feedback = Feedback(problem.key, Outcome.NOT_ATTEMPTED if not mine else Outcome.WRONG_TYPE,
                                        f"{why} ({variant} tests).")
                else:
                    seed = hidden_seed(secret, problem.key) if variant == "hidden" else None
                    feedback = problem.decide(mine[0], seed=seed, key=parse_key(cell.source))
                    if variant == "hidden" and not feedback.passed:
                        feedback = Feedback(feedback.exercise, feedback.outcome,
                                            "Hidden tests: " + feedback.message)
                if verdict is None or not feedback.passed:
                    verdict = feedback
                if not feedback.passed:
                    break
            cell.outputs = [_verdict_output(verdict)]
            self.log.info("%s %s: %s", notebook_id, name, verdict.outcome.value)
        return nb, resources


def _verdict_output(feedback) -> NotebookNode:
    if feedback.passed:
        return from_dict({"output_type": "display_data", "metadata": {},
                          "data": {"text/plain": str(feedback), "text/html": feedback._repr_html_()}})
    return from_dict({"output_type": "error", "ename": "AssertionError", "evalue": str(feedback),
                      "traceback": [f"AssertionError: {feedback}"]})
