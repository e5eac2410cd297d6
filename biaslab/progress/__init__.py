"""A learner's progress: the outcome of every exercise check, saved in the workbook folder.

The file is ``<workbook>/.biaslab/progress.json``. Writes go to a temporary file in the same
folder that then replaces the old one (``os.replace`` is atomic), so a crash mid-write leaves
the previous progress intact. The workbook folder is found from ``$BIASLAB_WORKBOOK`` or by
walking up from the current folder to one that holds ``.biaslab/workbook.json`` (written when the
workbook is built). Outside a workbook (an nbgrader class version, a test run) nothing is saved.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from ..course import find_workbook, load_curriculum

__all__ = ["ProgressStore", "find_workbook", "progress_table", "scored_points", "OUTCOMES", "REFLECTION_STATUS"]

#: Outcomes of a check, from worst to best. ``recorded`` is a reflection's (an answer in words):
#: its text is kept, but code never scores it.
OUTCOMES = ("not_attempted", "wrong_type", "wrong_value", "recorded", "correct")
#: What the workbook says of an answered reflection: nobody grades it there, and it earns no points.
REFLECTION_STATUS = "recorded, self-assessed, not scored"
_FILE = Path(".biaslab") / "progress.json"


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


def _atomic_write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass
class ProgressStore:
    """The progress file of one workbook (``folder=None``: kept in memory only)."""

    folder: Path | None = None

    @classmethod
    def current(cls) -> "ProgressStore":
        return cls(find_workbook())

    @property
    def path(self) -> Path | None:
        return None if self.folder is None else Path(self.folder) / _FILE

    def load(self) -> dict:
        empty = {"version": 1, "learner_id": None, "results": {}}
        if self.path is None or not self.path.is_file():
            return empty
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            # a damaged file is kept aside, never silently overwritten
            backup = self.path.with_suffix(f".damaged-{uuid.uuid4().hex[:8]}.json")
            self.path.replace(backup)
            return empty
        if not isinstance(data, dict) or not isinstance(data.get("results"), dict):
            return empty
        return data

    def record(self, key: str, outcome: str, message: str = "", answer: str | None = None) -> dict | None:
        """Record one check of exercise ``key``; the best outcome so far is kept as ``best``.

        ``answer`` keeps the learner's own text (a reflection), so the workbook holds what they wrote.
        """
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {OUTCOMES}, got {outcome!r}.")
        if self.path is None:
            return None
        data = self.load()
        if not data.get("learner_id"):
            data["learner_id"] = uuid.uuid4().hex
        entry = data["results"].get(key, {"attempts": 0, "best": "not_attempted"})
        if outcome != "not_attempted":
            entry["attempts"] = entry.get("attempts", 0) + 1
        entry["last"] = outcome
        entry["last_message"] = message
        if answer is not None:
            if not isinstance(answer, str):
                raise TypeError(f"answer must be the learner's text (a str) or None, got {type(answer).__name__}.")
            entry["answer"] = answer
        entry["last_time"] = _now()
        if OUTCOMES.index(outcome) > OUTCOMES.index(entry.get("best", "not_attempted")):
            entry["best"] = outcome
            if outcome == "correct":
                entry["first_correct_time"] = entry["last_time"]
        data["results"][key] = entry
        _atomic_write_json(self.path, data)
        return entry

    def results(self) -> dict[str, dict]:
        return self.load()["results"]

    def passed(self, key: str) -> bool:
        return self.results().get(key, {}).get("best") == "correct"


def _status(exercise, best: str) -> str:
    # "correct" for a reflection comes from a progress file written before reflections were only recorded
    if exercise.kind == "reflection" and best in ("recorded", "correct"):
        return REFLECTION_STATUS
    return best.replace("_", " ")


def progress_table(store: ProgressStore | None = None):
    """A DataFrame of every exercise in the curriculum with its best outcome, status and attempts.

    ``earned`` counts the points of exercises the checks passed; a reflection earns none here (its
    ``status`` is ``"recorded, self-assessed, not scored"`` once answered): only a person can grade
    one, which happens in a class.
    """
    import pandas as pd

    store = store or ProgressStore.current()
    results = store.results()
    rows = []
    for module in load_curriculum().modules:
        for ex in module.exercises:
            r = results.get(ex.key, {})
            best = r.get("best", "not_attempted")
            scored = ex.kind != "reflection"
            rows.append({
                "module": module.id, "exercise": ex.name, "title": ex.title, "kind": ex.kind, "points": ex.points,
                "required": ex.required, "best": best, "status": _status(ex, best),
                "attempts": r.get("attempts", 0), "earned": ex.points if scored and best == "correct" else 0.0,
            })
    return pd.DataFrame(rows)


def scored_points(table) -> tuple[float, float]:
    """``(earned, total)`` points of the exercises in ``table`` that the workbook's checks score
    (every exercise but the reflections)."""
    scored = table[table["kind"] != "reflection"]
    return float(scored["earned"].sum()), float(scored["points"].sum())


#: colours of the exercises' names in the widget, by status (else red once attempted, grey before)
_COLORS = {"correct": "#1b7f3b", REFLECTION_STATUS: "#1a56a8"}


def show_progress(module: str | None = None, store: ProgressStore | None = None):
    """A small widget with the learner's progress: one bar per module (or just ``module``).

    Returns an ``ipywidgets.VBox`` (displayed when it is the last line of a cell).
    """
    import html

    import ipywidgets as widgets

    table = progress_table(store)
    curriculum = load_curriculum()
    modules = [curriculum.module(module)] if module is not None else [m for m in curriculum.modules if m.exercises]
    rows = []
    for m in modules:
        part = table[table["module"] == m.id]
        done, total = int(part["status"].isin(["correct", REFLECTION_STATUS]).sum()), len(part)
        bar = widgets.IntProgress(value=done, min=0, max=max(total, 1), bar_style="success" if done == total else "info",
                                  layout=widgets.Layout(width="220px"), tooltip=f"module {m.number}: {done} of {total} done")
        # the status in words (title, for screen readers) and as a sign, not only as a colour
        marks = " ".join(
            f"<span title='{html.escape(r.title)}: {r.status}' aria-label='{r.exercise}: {r.status}' style='color:"
            f"{_COLORS.get(r.status, '#b3261e' if r.attempts else '#6b6b6b')}'>{r.exercise}"
            f"{'✓' if r.status in ('correct', REFLECTION_STATUS) else ('✗' if r.attempts else '')}</span>"
            for r in part.itertuples()
        )
        label = widgets.HTML(f"<b>{m.number}</b> {html.escape(m.title)}: {done} of {total} exercises done &nbsp; {marks}")
        rows.append(widgets.HBox([bar, label]))
    saved = "saved in your workbook" if (store or ProgressStore.current()).path else "not saved (not in a workbook)"
    earned, total_points = scored_points(table)
    course = f"{earned:g} of {total_points:g} points in the course"
    if module is not None:
        earned, total_points = scored_points(table[table["module"] == modules[0].id])
        course = f"{earned:g} of {total_points:g} points in module {modules[0].number}; {course}"
    header = widgets.HTML(f"<b>Your progress</b>: {course}, from the exercises the checks score ({saved}). "
                          f"Reflections are {REFLECTION_STATUS}: their points count only when a person grades them.")

    class ProgressBox(widgets.VBox):
        def _repr_mimebundle_(self, **kwargs):
            bundle = super()._repr_mimebundle_(**kwargs)
            # shown where the live widget cannot be (no kernel, an untrusted saved notebook)
            bundle["text/html"] = "<div class='biaslab-progress-static'>" + "<br>".join(
                [header.value, *(row.children[1].value for row in rows)]) + "</div>"
            return bundle

    return ProgressBox([header, *rows])


__all__ += ["show_progress"]
