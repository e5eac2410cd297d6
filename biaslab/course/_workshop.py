"""Workshop mode for live presenters: every module executed once, its saved state kept.

``build_workshop(dest)`` runs each module's source notebook (with its solutions) top to bottom in
a fresh kernel, exactly as a presenter would on stage (shipped checkpoints and precomputed results
load by default, nothing retrains), and saves the executed copy, with all its outputs, as
``<dest>/<id>/<id>.ipynb``. That copy is the module's *saved state*: when a live cell fails, the
presenter opens it and goes on from there. ``<dest>/timings.json`` records how long each module
took and its slowest cell, for the presenter guide (``docs/PRESENTER.md``).

- A saved state is never overwritten unless ``force=True`` (a presenter may have annotated it).
- The kernel starts in the source notebook's folder, without ``$BIASLAB_WORKBOOK`` (so no
  learner's progress records the solved exercises) and without ``$MPLBACKEND`` (so the pictures
  are kept inline, as in JupyterLab).
- A module whose notebook fails is reported (``summary["failed"]``) and gets no saved state; the
  other modules are still built.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

from .. import __version__
from .._validation import check_bool, check_positive_int
from . import load_curriculum
from ._workbook import source_dir

__all__ = ["build_workshop", "TIMINGS_FILE"]

#: The file in ``dest`` with each module's measured time.
TIMINGS_FILE = "timings.json"

#: COURSE.md's speed budget (2 CPU cores): flagged in the summary, not enforced.
BUDGET_MODULE_S = 60.0
BUDGET_CELL_S = 10.0

# environment variables the kernel must not inherit (see the module docstring)
_DROPPED_ENV = ("BIASLAB_WORKBOOK", "MPLBACKEND")


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


def _cell_seconds(cell) -> float | None:
    """Seconds a cell took, from nbclient's ``record_timing`` metadata."""
    timing = cell.get("metadata", {}).get("execution", {})
    try:
        begin = _dt.datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
        end = _dt.datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
    except (KeyError, ValueError, AttributeError):
        return None
    return (end - begin).total_seconds()


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            return line.strip()
    return ""


def _timing(nb, total: float) -> dict:
    """The timing entry of one executed notebook."""
    cells = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            seconds = _cell_seconds(cell)
            if seconds is not None:
                cells.append((seconds, index, _first_line(cell.source)))
    seconds, index, line = max(cells, default=(0.0, None, ""))
    return {
        "seconds": round(total, 2),
        "code_cells": len(cells),
        "kernel_and_overhead_seconds": round(total - sum(c[0] for c in cells), 2),
        "slowest_cell": {"index": index, "seconds": round(seconds, 2), "first_line": line},
        "cells_over_budget": [{"index": i, "seconds": round(s, 2), "first_line": ln}
                              for s, i, ln in cells if s > BUDGET_CELL_S],
        "within_budget": total <= BUDGET_MODULE_S and seconds <= BUDGET_CELL_S,
        "built": _now(),
    }


def _machine() -> dict:
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):  # not on every platform
        load = None
    return {"cpu_count": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
            "load_average_at_start": load}


def _execute(path: Path, timeout: int):
    """Run one notebook top to bottom in a fresh kernel; returns (notebook, wall seconds)."""
    import nbformat
    from nbclient import NotebookClient

    from ._answer_keys import KEYS_ENV, notebook_keys

    nb = nbformat.read(path, as_version=4)
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
    with tempfile.TemporaryDirectory(prefix="biaslab-workshop-") as tmp:
        # the presenter's run checks the judgement exercises against the source's keys, as the workbook does
        keys = Path(tmp) / "keys.json"
        keys.write_text(json.dumps(notebook_keys(nb, path.stem)), encoding="utf-8")
        env[KEYS_ENV] = str(keys)
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=True,
                                resources={"metadata": {"path": str(path.parent)}})
        start = time.perf_counter()
        client.execute(env=env)
        return nb, time.perf_counter() - start


def _error_message(exc: Exception) -> str:
    # nbclient's CellExecutionError holds the failing cell and the whole traceback; keep it short
    name = getattr(exc, "ename", None) or type(exc).__name__
    value = getattr(exc, "evalue", None)
    if value is None:
        lines = [ln for ln in str(exc).strip().splitlines() if ln.strip()]
        value = lines[-1] if lines else ""
    return f"{name}: {value}".strip()


def _write_json(path: Path, data) -> None:
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build_workshop(dest="workshop", *, modules=None, force: bool = False, source=None,
                   timeout: int = 600, log=None) -> dict:
    """Execute each module's source notebook and keep the executed copy as its saved state.

    Parameters
    ----------
    dest : path
        The workshop folder (created if missing); each module goes to ``dest/<id>/<id>.ipynb``
        with the files beside its source notebook, and the times to ``dest/timings.json``.
    modules : list of str, optional
        Only these modules (ids, packages or numbers such as ``["01", "m08"]``); default every
        module with a source notebook.
    force : bool
        Execute and rewrite modules whose saved state exists already (default: keep them).
    source : path, optional
        The nbgrader ``source`` folder (default: this checkout's ``notebooks/source``).
    timeout : int
        Seconds a single cell may take before the module counts as failed.
    log : callable, optional
        Called with one line of text per module as it is built (the CLI prints them).

    Returns
    -------
    dict
        ``{"dest", "built", "kept", "failed", "timings"}``: the modules executed now, those whose
        saved state was kept, those that failed (id -> error, no saved state written) and the
        timing of every module in ``timings.json`` (id -> seconds, slowest cell, ...).

    Examples
    --------
    >>> build_workshop(123)
    Traceback (most recent call last):
    ...
    TypeError: dest must be a folder path (str or Path), got int.
    >>> build_workshop("workshop", modules="01")
    Traceback (most recent call last):
    ...
    TypeError: modules must be a list of module ids or numbers such as ['01', '08'], got '01'.
    """
    import nbformat

    if not isinstance(dest, (str, os.PathLike)):
        raise TypeError(f"dest must be a folder path (str or Path), got {type(dest).__name__}.")
    if not str(dest).strip():
        raise ValueError("dest must be a folder path, got an empty string.")
    force = check_bool(force, "force")
    timeout = check_positive_int(timeout, "timeout")
    if log is not None and not callable(log):
        raise TypeError(f"log must be a function taking one line of text, or None; got {type(log).__name__}.")
    if source is not None and not isinstance(source, (str, os.PathLike)):
        raise TypeError(f"source must be a folder path or None, got {type(source).__name__}.")
    source = Path(source) if source is not None else source_dir()
    if not source.is_dir():
        raise FileNotFoundError(f"source folder {source} does not exist.")
    curriculum = load_curriculum()
    if modules is None:
        selected = [m for m in curriculum.modules if (source / m.notebook).is_file()]
    else:
        if isinstance(modules, str) or not isinstance(modules, (list, tuple)) \
                or not all(isinstance(m, str) for m in modules):
            raise TypeError(f"modules must be a list of module ids or numbers such as ['01', '08'], got {modules!r}.")
        if not modules:
            raise ValueError("modules is empty: give at least one module id or number, or None for all.")
        selected = []
        for key in modules:
            module = curriculum.module(key)  # ValueError naming the unknown module
            if not (source / module.notebook).is_file():
                raise ValueError(f"modules: {module.id} has no source notebook at {source / module.notebook}.")
            if module not in selected:
                selected.append(module)
    say = log or (lambda line: None)

    dest = Path(dest)
    if dest.exists() and not dest.is_dir():
        raise ValueError(f"dest {dest} exists and is not a folder.")
    dest.mkdir(parents=True, exist_ok=True)
    timings_path = dest / TIMINGS_FILE
    try:
        recorded = json.loads(timings_path.read_text(encoding="utf-8")) if timings_path.is_file() else {}
    except json.JSONDecodeError:
        recorded = {}
    timings = recorded.get("modules", {}) if isinstance(recorded, dict) else {}
    summary = {"dest": str(dest.resolve()), "built": [], "kept": [], "failed": {}, "timings": timings}
    machine = _machine()

    for module in selected:
        src = source / module.notebook
        target = dest / module.notebook
        if target.exists() and not force:
            summary["kept"].append(module.id)
            say(f"{module.id}: kept the saved state {target} (force=True / --force rebuilds it)")
            continue
        say(f"{module.id}: running {src.name} ...")
        try:
            nb, total = _execute(src, timeout)
        except Exception as exc:  # a failing cell, a dead kernel, a timeout: report it, go on
            summary["failed"][module.id] = _error_message(exc)
            say(f"{module.id}: FAILED ({summary['failed'][module.id]}); no saved state written")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        for extra in src.parent.iterdir():  # files that travel with the notebook (pictures, small data)
            if extra.name != src.name and extra.is_file() and (force or not (target.parent / extra.name).exists()):
                shutil.copy2(extra, target.parent / extra.name)
        nb.metadata["biaslab"] = {"workshop": True, "module": module.id, "executed": _now(),
                                  "biaslab": __version__}
        tmp = target.with_name(f".{target.name}.tmp")
        nbformat.write(nb, tmp)
        os.replace(tmp, target)
        timings[module.id] = _timing(nb, total)
        summary["built"].append(module.id)
        t = timings[module.id]
        say(f"{module.id}: {t['seconds']:.1f} s, slowest cell {t['slowest_cell']['seconds']:.1f} s "
            f"({t['slowest_cell']['first_line'][:60]})")

    order = [m.id for m in curriculum.modules]
    ordered = {k: timings[k] for k in sorted(timings, key=lambda k: order.index(k) if k in order else len(order))}
    summary["timings"] = ordered
    if summary["built"] or not timings_path.exists():
        _write_json(timings_path, {
            "course": curriculum.id, "biaslab": __version__, "updated": _now(),
            "machine": machine if summary["built"] else recorded.get("machine", machine),
            "budget": {"module_seconds": BUDGET_MODULE_S, "cell_seconds": BUDGET_CELL_S},
            "modules": ordered,
        })
    return summary


# ---------------------------------------------------------------- ``biaslab workshop``

def add_parser(sub) -> None:
    p = sub.add_parser(
        "workshop", help="workshop mode: execute every module once and keep its saved state",
        description="Run each module's source notebook top to bottom and save the executed copy "
                    "(all outputs) as DEST/<id>/<id>.ipynb, the saved state a presenter opens when a "
                    "live cell fails; times go to DEST/timings.json. See docs/PRESENTER.md.")
    p.add_argument("--dest", default="workshop", help="the workshop folder (default: ./workshop)")
    p.add_argument("--module", dest="modules", action="extend", nargs="+", metavar="ID", default=None,
                   help="only these modules (ids or numbers, e.g. --module 01 08); default every module")
    p.add_argument("--force", action="store_true", help="rebuild saved states that exist already")
    p.set_defaults(func=_run)


def _run(args) -> int:
    summary = build_workshop(Path(args.dest), modules=args.modules, force=args.force,
                             log=lambda line: print(line, flush=True))
    timings = summary["timings"]
    print(f"\n{'module':<32} {'total s':>8} {'slowest cell s':>15}  slowest cell")
    for mid, t in timings.items():
        flag = "" if t.get("within_budget", True) else "  (over budget)"
        print(f"{mid:<32} {t['seconds']:>8.1f} {t['slowest_cell']['seconds']:>15.1f}  "
              f"{t['slowest_cell']['first_line'][:50]}{flag}")
    print(f"\nsaved states in {summary['dest']}: {len(summary['built'])} built, {len(summary['kept'])} kept"
          + (f", {len(summary['failed'])} FAILED: {', '.join(summary['failed'])}" if summary["failed"] else ""))
    return 1 if summary["failed"] else 0
