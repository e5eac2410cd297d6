"""Where a check finds its answer key: keys handed in (:func:`use_keys`), else the workbook's ``keys.json``.

The keys themselves live in the instructor's source notebooks; how they are written and read is
:mod:`biaslab.course._answer_keys`.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from ..course._answer_keys import (KEY_PREFIX, KEYS_ENV, KEYS_FILE, AnswerKeyError, notebook_keys, parse_key, parse_keys,
                                   strip_keys)
from ..progress import find_workbook

__all__ = ["KEY_PREFIX", "KEYS_FILE", "AnswerKeyError", "parse_keys", "parse_key", "strip_keys", "notebook_keys",
           "use_keys", "answer_key"]

_HANDED: list[dict] = []  # keys handed in with use_keys, innermost last


@contextlib.contextmanager
def use_keys(keys: dict):
    """Within the block, the checks read their keys from ``keys`` (``{"<module id>.<name>": key}``) first."""
    if not isinstance(keys, dict):
        raise TypeError(f"keys must be a dict exercise key -> answer key, got {type(keys).__name__}.")
    _HANDED.append(dict(keys))
    try:
        yield
    finally:
        _HANDED.pop()


def answer_key(exercise: str):
    """The key of ``exercise`` ("<module id>.<name>"): handed in, else the workbook's; ``None`` when there is none."""
    for keys in reversed(_HANDED):
        if exercise in keys:
            return keys[exercise]
    folder = find_workbook()
    path = folder / KEYS_FILE if folder is not None else None
    if os.environ.get(KEYS_ENV):  # a presenter's run of the source notebooks (biaslab workshop)
        path = Path(os.environ[KEYS_ENV])
    if path is None or not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8")).get(exercise)
    except (OSError, ValueError, AttributeError):
        return None
