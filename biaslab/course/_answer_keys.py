"""Answer keys of the judgement and number exercises: with the instructor, never in the package.

An exercise whose answer is a choice (which criterion fits a context, which variant meets the
clinic's requirements) or one number (a rate on the course's data) is decided against a key: the
right choice or value, which no student may be able to read, or have the package compute, and type in. The key is written once, in the instructor's source notebook, inside the
graded test cell's hidden-test region, as a comment line that never runs (JSON after the prefix,
on one line)::

    q4.assert_passed(criteria)
    ### BEGIN HIDDEN TESTS
    # answer key: {"answers": {"A": "<the criterion that fits A>", ...}}
    ### END HIDDEN TESTS

nbgrader removes the region from the class release and the self-paced workbook; the gradebook
keeps the full source, so the grader reads the key from the test cell it restores (and runs the
cell without the key line: :func:`strip_keys`). The workbook's builder copies each module's keys
to ``<workbook>/.biaslab/keys.json``, like the solutions: the workbook is self-assessed.

A check finds its key with :func:`answer_key`: keys handed in with :func:`use_keys` (the package's
tests), else the workbook's ``keys.json``. On a class student's own server there is neither: the
check validates the answer's form and records it, and the grader decides.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

__all__ = ["KEY_PREFIX", "KEYS_ENV", "KEYS_FILE", "AnswerKeyError", "parse_keys", "parse_key", "strip_keys", "notebook_keys"]

#: The comment that starts a key line in a test cell.
KEY_PREFIX = "# answer key:"
#: An environment variable naming a keys file (``{"<module id>.<name>": key}``) for a presenter's run
#: of the source notebooks (``biaslab workshop``); a class's grading kernel never has it.
KEYS_ENV = "BIASLAB_ANSWER_KEYS"
#: Where the self-paced workbook keeps its keys (``{"<module id>.<name>": key}``), beside solutions.json.
KEYS_FILE = Path(".biaslab") / "keys.json"

_LINE = re.compile(r"^[ \t]*" + re.escape(KEY_PREFIX) + r"(.*)$", re.MULTILINE)
_WHOLE_LINE = re.compile(r"^[ \t]*" + re.escape(KEY_PREFIX) + r".*(?:\r?\n|\Z)", re.MULTILINE)


class AnswerKeyError(ValueError):
    """A key line that is not one line of JSON, or a cell with more than one key."""


def parse_keys(source: str) -> list:
    """The keys written in a cell's ``source``, in order (each line's JSON, decoded)."""
    keys = []
    for match in _LINE.finditer(source or ""):
        try:
            keys.append(json.loads(match.group(1)))
        except ValueError as exc:
            raise AnswerKeyError(f"An answer key line is not JSON ({exc}): {match.group(0).strip()[:80]}") from None
    return keys


def parse_key(source: str):
    """The one key of a test cell's ``source``, or ``None`` if it has none."""
    keys = parse_keys(source)
    if len(keys) > 1:
        raise AnswerKeyError(f"A test cell has {len(keys)} answer key lines; write one.")
    return keys[0] if keys else None


def strip_keys(source: str) -> str:
    """``source`` without its key lines (what the student's kernel may run)."""
    return _WHOLE_LINE.sub("", source) if source and KEY_PREFIX in source else source


def notebook_keys(notebook, module_id: str) -> dict:
    """``{"<module id>.<grade id>": key}`` of the graded test cells of a source notebook (a path or a notebook)."""
    if isinstance(notebook, (str, Path)):
        notebook = json.loads(Path(notebook).read_text(encoding="utf-8"))
    keys = {}
    for cell in notebook["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") != "code" or not meta.get("grade") or meta.get("solution"):
            continue
        source = cell.get("source", "")
        key = parse_key("".join(source) if isinstance(source, list) else source)
        if key is not None:
            keys[f"{module_id}.{meta['grade_id']}"] = key
    return keys
