"""Build the self-paced workbook from the nbgrader source notebooks.

The source notebook of a module (``notebooks/source/<id>/<id>.ipynb``) is written once, with
nbgrader markup. The workbook copy is made with nbgrader's own preprocessors, so it hides exactly
what the class version hides:

- solution regions become the same stub as in the class version (``ClearSolutions``); the
  removed code is kept in ``<workbook>/.biaslab/solutions.json`` for ``q1.solution()``;
- hidden tests are removed (``ClearHiddenTests``); the answer keys written there for the
  judgement exercises (``# answer key: ...``, see :mod:`biaslab.exercises._keys`) are kept in
  ``<workbook>/.biaslab/keys.json``, which the workbook's checks read (the workbook is self-assessed);
- graded test cells call ``check`` (never raises: "Run all" goes on) instead of ``assert_passed``.

A learner's notebook is never overwritten: building again only adds what is missing, unless
``force=True``, which keeps a dated backup of the learner's copy.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import shutil
from pathlib import Path

from .. import __version__
from . import load_curriculum

__all__ = ["build_workbook", "find_workbook", "source_dir", "CODE_STUB", "TEXT_STUB"]

#: What replaces a solution region, in the class version (nbgrader_config.py) and the workbook.
CODE_STUB = "# YOUR CODE HERE"
TEXT_STUB = "YOUR ANSWER HERE"

#: The file that marks a folder as a workbook: written by :func:`build_workbook`, looked for by :func:`find_workbook`.
WORKBOOK_MARKER = Path(".biaslab") / "workbook.json"

_BEGIN = re.compile(r"^\s*### BEGIN SOLUTION\s*$")
_END = re.compile(r"^\s*### END SOLUTION\s*$")


def find_workbook(start: Path | str | None = None) -> Path | None:
    """The workbook folder for ``start`` (default: the current folder), or ``None``.

    ``$BIASLAB_WORKBOOK`` names it outright; otherwise it is the nearest folder, ``start`` or one
    above it, that holds ``.biaslab/workbook.json``.
    """
    env = os.environ.get("BIASLAB_WORKBOOK")
    if env:
        path = Path(env).expanduser()
        return path if (path / WORKBOOK_MARKER).is_file() else None
    here = Path(start or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / WORKBOOK_MARKER).is_file():
            return folder
    return None


def source_dir() -> Path:
    """The course's ``notebooks/source`` folder in this checkout."""
    path = Path(__file__).resolve().parents[2] / "notebooks" / "source"
    if not path.is_dir():
        raise FileNotFoundError(
            f"The course's source notebooks were not found at {path}; the workbook is built from a "
            "checkout of the course repository."
        )
    return path


_PLACEHOLDER = re.compile(r"^\s*[\w.\[\]'\"]+\s*=\s*\.\.\.\s*(#.*)?$")


def _solution_text(source: str) -> str:
    """The solved cell as a learner would write it: without the markers and the placeholder lines."""
    kept = [
        line for line in source.splitlines()
        if not (_BEGIN.match(line) or _END.match(line) or _PLACEHOLDER.match(line))
    ]
    return "\n".join(kept).strip("\n")


def _workbook_notebook(path: Path):
    """The workbook version of one source notebook, and its solutions by exercise name."""
    import nbformat
    from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

    nb = nbformat.read(path, as_version=4)
    solutions = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            grade_id = meta.get("grade_id", "")
            solutions[grade_id.removesuffix("_answer")] = _solution_text(cell.source)
    nb, _ = ClearSolutions(code_stub={"python": CODE_STUB}, text_stub=TEXT_STUB).preprocess(nb, {})
    nb, _ = ClearHiddenTests().preprocess(nb, {})
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and cell.cell_type == "code":
            cell.source = cell.source.replace(".assert_passed(", ".check(")
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb, solutions


def build_workbook(dest, *, source=None, force: bool = False, modules=None) -> list[Path]:
    """Create or complete the self-paced workbook in ``dest``; returns the notebooks written.

    Parameters
    ----------
    dest : path
        The learner's workbook folder (created if missing).
    source : path, optional
        The nbgrader ``source`` folder (default: this checkout's ``notebooks/source``).
    force : bool
        Rewrite notebooks that exist already (the learner's copy is kept as a dated backup).
    modules : list of str, optional
        Only these modules (ids, packages or numbers such as ``["01", "m02"]``); default all.
    """
    import nbformat

    from ._answer_keys import KEYS_FILE, notebook_keys

    if not isinstance(dest, (str, Path)):
        raise TypeError(f"dest must be a folder path, got {type(dest).__name__}.")
    if not isinstance(force, bool):
        raise TypeError(f"force must be True or False, got {type(force).__name__}.")
    source = Path(source) if source is not None else source_dir()
    if not source.is_dir():
        raise FileNotFoundError(f"source folder {source} does not exist.")
    curriculum = load_curriculum()
    selected = curriculum.modules
    if modules is not None:
        if isinstance(modules, str) or not isinstance(modules, (list, tuple)) \
                or not all(isinstance(m, str) for m in modules):
            raise TypeError(f"modules must be a list of module ids or numbers such as ['01'], got {modules!r}.")
        selected = [curriculum.module(m) for m in modules]
    dest = Path(dest)
    meta = dest / ".biaslab"
    meta.mkdir(parents=True, exist_ok=True)
    solutions_path = meta / "solutions.json"
    solutions = json.loads(solutions_path.read_text()) if solutions_path.is_file() else {}
    keys_path = dest / KEYS_FILE
    keys = json.loads(keys_path.read_text()) if keys_path.is_file() else {}
    written = []
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for module in selected:
        src = source / module.notebook
        if not src.is_file():
            continue
        nb, found = _workbook_notebook(src)
        solutions.update({f"{module.id}.{name}": text for name, text in found.items()})
        keys.update(notebook_keys(src, module.id))
        target = dest / module.notebook
        target.parent.mkdir(parents=True, exist_ok=True)
        # files that travel with the notebook (pictures, small data), never the learner's own
        for extra in src.parent.iterdir():
            if extra.name != src.name and extra.is_file() and not (target.parent / extra.name).exists():
                shutil.copy2(extra, target.parent / extra.name)
        if target.exists():
            if not force:
                continue
            shutil.copy2(target, target.with_name(f"{target.stem}.backup-{stamp}.ipynb"))
        nbformat.write(nb, target)
        written.append(target)
    solutions_path.write_text(json.dumps(solutions, indent=1, sort_keys=True))
    keys_path.write_text(json.dumps(keys, indent=1, sort_keys=True, ensure_ascii=False), encoding="utf-8")
    (dest / WORKBOOK_MARKER).write_text(json.dumps(
        {"course": load_curriculum().id, "biaslab": __version__,
         "built": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()}, indent=1))
    return written
