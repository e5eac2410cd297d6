"""The environment self-test: is this machine ready for the course, and if not, what to do.

``check_environment()`` runs a few quick checks a learner can act on and returns an
:class:`EnvironmentReport`, a table with one row per check (status ``ok``, ``warning`` or
``missing``) and a plain fix for every row that is not ``ok``:

- the Python version, against biaslab's ``Requires-Python``;
- every package biaslab requires (read from the installed distribution's metadata, so the list
  is never out of date): installed, in a suitable version, importable;
- torch: importable, and how many CPU threads it will use;
- every shipped dataset: each file present and its sha256 equal to ``SHA256SUMS``;
- the workbook folder: found, and writable (progress and the badge are saved there);
- ipywidgets and its JupyterLab extension (the course's knobs and progress bars);
- CPU cores and free memory.

Statuses: ``ok``; ``warning`` (the course runs, but something is off: progress not saved, a
version the course was not tested with, few cores or little memory); ``missing`` (something the
course needs is missing or broken). ``report.ok`` is True when nothing is ``missing``.
"""

from __future__ import annotations

import html
import importlib
import importlib.util
import os
import platform
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from ._workbook import find_workbook

__all__ = ["EnvironmentCheck", "EnvironmentReport", "check_environment", "STATUSES"]

#: Statuses of a check, from best to worst.
STATUSES = ("ok", "warning", "missing")

_DISTRIBUTION = "biaslab"
_REINSTALL = "Run `make lab` again (it reinstalls the exact versions), or"
_MIN_MEMORY_GB = 2.0  # what we advise for the image modules (04, 06, 07)
_MIN_CORES = 2  # the course's time budget is measured on 2 cores


@dataclass(frozen=True)
class EnvironmentCheck:
    """One row of the report: what was checked, its status, what was found, and the fix."""

    name: str
    status: str
    detail: str
    fix: str = ""

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}.")


class EnvironmentReport:
    """The result of :func:`check_environment`: a table of checks.

    Shows as an HTML table in a notebook and as plain text with ``print(report)``. ``ok`` is True
    when no check is ``missing``; ``problems`` lists the checks that are not ``ok``.
    """

    def __init__(self, checks, seconds: float = 0.0):
        self.checks = tuple(checks)
        if not all(isinstance(c, EnvironmentCheck) for c in self.checks):
            raise TypeError("checks must be EnvironmentCheck objects.")
        self.seconds = float(seconds)

    @property
    def ok(self) -> bool:
        return all(c.status != "missing" for c in self.checks)

    @property
    def problems(self) -> tuple[EnvironmentCheck, ...]:
        return tuple(c for c in self.checks if c.status != "ok")

    def __getitem__(self, name: str) -> EnvironmentCheck:
        """The check called ``name`` (e.g. ``report["python"]``)."""
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(f"no check named {name!r}; the checks are {[c.name for c in self.checks]}.")

    def __len__(self) -> int:
        return len(self.checks)

    def __iter__(self):
        return iter(self.checks)

    def to_frame(self):
        """The checks as a pandas DataFrame (columns check, status, detail, fix)."""
        import pandas as pd

        return pd.DataFrame([(c.name, c.status, c.detail, c.fix) for c in self.checks],
                            columns=["check", "status", "detail", "fix"])

    def summary(self) -> str:
        counts = {s: sum(c.status == s for c in self.checks) for s in STATUSES}
        if counts["missing"]:
            head = f"NOT READY: {counts['missing']} check(s) found something missing or broken"
        elif counts["warning"]:
            head = "Ready, with warnings"
        else:
            head = "Ready"
        return (f"{head} ({counts['ok']} ok, {counts['warning']} warning(s), {counts['missing']} missing; "
                f"{len(self.checks)} checks in {self.seconds:.1f} s).")

    def __str__(self) -> str:
        width = max([len(c.name) for c in self.checks] + [5])
        lines = [self.summary(), ""]
        for c in self.checks:
            lines.append(f"{c.status.upper():8} {c.name:{width}}  {c.detail}")
            if c.fix:
                lines.append(f"{'':8} {'':{width}}  fix: {c.fix}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<EnvironmentReport: {self.summary()}>"

    def _repr_html_(self) -> str:
        colours = {"ok": ("#1b7f3b", "#e8f5ec"), "warning": ("#8a5a00", "#fff4e0"), "missing": ("#b3261e", "#fdecea")}
        rows = []
        for c in self.checks:
            fg, bg = colours[c.status]
            rows.append(
                f'<tr style="background:{bg}"><td style="color:{fg};font-weight:bold;text-align:left">'
                f"{html.escape(c.status)}</td><td style='text-align:left'>{html.escape(c.name)}</td>"
                f"<td style='text-align:left'>{html.escape(c.detail)}</td>"
                f"<td style='text-align:left'>{html.escape(c.fix)}</td></tr>"
            )
        fg = colours["ok" if self.ok and not self.problems else "warning" if self.ok else "missing"][0]
        return (
            f'<div style="font-family:sans-serif"><p style="color:{fg};font-weight:bold">'
            f"{html.escape(self.summary())}</p><table><thead><tr><th style='text-align:left'>status</th>"
            "<th style='text-align:left'>check</th><th style='text-align:left'>found</th>"
            f"<th style='text-align:left'>fix</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        )


# --- helpers -----------------------------------------------------------------------------------

def _requirements() -> list[str]:
    """biaslab's requirement strings, from the installed distribution's metadata."""
    return list(metadata.requires(_DISTRIBUTION) or [])


def _requires_python() -> str:
    return metadata.metadata(_DISTRIBUTION).get("Requires-Python") or ""


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def _available_memory_gb() -> float | None:
    try:
        import psutil

        return psutil.virtual_memory().available / 2**30
    except Exception:  # psutil missing or unsupported here: try Linux's own file
        pass
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 2**20
    except (OSError, ValueError, IndexError):
        pass
    return None


def _importable(module_name: str) -> bool:
    if module_name in sys.modules:
        return True
    try:
        return importlib.util.find_spec(module_name) is not None
    except (ImportError, ValueError):
        return False


def _import_name(dist: metadata.Distribution, name: str) -> str:
    """The name to ``import`` for a distribution (scikit-learn -> sklearn, pillow -> PIL)."""
    normalised = re.sub(r"[-_.]+", "_", name).lower()
    if _importable(normalised):
        return normalised
    top = (dist.read_text("top_level.txt") or "").split()
    if not top:
        for f in dist.files or ():
            first = f.parts[0]
            if len(f.parts) == 1 and first.endswith(".py"):
                top.append(first[:-3])
            elif len(f.parts) > 1 and first.isidentifier():
                top.append(first)
    candidates = [t for t in dict.fromkeys(top) if t.isidentifier() and not t.startswith("_")]
    return candidates[0] if candidates else normalised


# --- the checks --------------------------------------------------------------------------------

def _check_python() -> EnvironmentCheck:
    from packaging.specifiers import SpecifierSet

    version = platform.python_version()
    needed = _requires_python()
    if not needed or version in SpecifierSet(needed):
        return EnvironmentCheck("python", "ok", f"Python {version}" + (f" (needs {needed})" if needed else ""))
    return EnvironmentCheck(
        "python", "missing", f"Python {version}, but the course needs {needed}",
        f"Install a Python that matches {needed}, then run `make lab` (it builds the course's environment "
        "with that Python), or `conda env create -f environment.yml`.")


def _check_packages() -> list[EnvironmentCheck]:
    from packaging.requirements import InvalidRequirement, Requirement

    checks = []
    for text in _requirements():
        try:
            req = Requirement(text)
        except InvalidRequirement:
            continue
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue  # an extra (dev tools) or another platform's requirement
        name = f"package {req.name}"
        wanted = f"'{req.name}{req.specifier}'"
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            checks.append(EnvironmentCheck(name, "missing", "not installed",
                                           f"{_REINSTALL} install it: pip install {wanted}"))
            continue
        version = dist.version
        module = _import_name(dist, req.name)
        if not _importable(module):
            checks.append(EnvironmentCheck(
                name, "missing", f"{version} is installed, but `import {module}` finds nothing",
                f"Reinstall it: pip install --force-reinstall {wanted}"))
        elif req.specifier and not req.specifier.contains(version, prereleases=True):
            checks.append(EnvironmentCheck(
                name, "warning", f"{version}, but the course was made for {req.specifier}",
                f"{_REINSTALL} pip install {wanted}"))
        else:
            checks.append(EnvironmentCheck(name, "ok", f"{version}" + (f" (needs {req.specifier})" if req.specifier else "")))
    return checks


def _check_torch() -> EnvironmentCheck:
    if not _importable("torch"):
        return EnvironmentCheck("torch threads", "missing", "torch is not installed",
                                f"{_REINSTALL} see the row 'package torch'.")
    try:
        import torch  # imported once per process; Python caches it
    except Exception as exc:  # a broken install (a missing shared library, ...)
        return EnvironmentCheck("torch threads", "missing", f"`import torch` fails: {type(exc).__name__}: {exc}",
                                "Reinstall torch: pip install --force-reinstall torch (the CPU build is enough).")
    threads, cores = torch.get_num_threads(), _usable_cores()
    detail = f"torch {torch.__version__}, {threads} CPU thread(s) on {cores} usable core(s); no GPU needed"
    if threads > cores:
        return EnvironmentCheck("torch threads", "warning", detail,
                                f"More threads than cores slows training down: torch.set_num_threads({cores}).")
    return EnvironmentCheck("torch threads", "ok", detail)


def _check_datasets() -> list[EnvironmentCheck]:
    # the loaders' own verification (biaslab.datasets._base), applied to every listed file
    from ..datasets import _base

    try:
        folder = _base.data_dir()
        listed = _base._checksums()
    except (_base.DataIntegrityError, OSError) as exc:
        return [EnvironmentCheck("datasets", "missing", str(exc), "Reinstall biaslab: pip install --force-reinstall biaslab "
                                 "(in a checkout: git checkout -- datasets/).")]
    groups: dict[str, list[str]] = {}
    for rel in listed:
        groups.setdefault(rel.split("/", 1)[0] if "/" in rel else "(index)", []).append(rel)
    checks = []
    for group, files in groups.items():
        missing, damaged = [], []
        for rel in files:
            if not (folder / rel).is_file():
                missing.append(rel)
                continue
            try:
                _base.data_file(rel)
            except _base.DataIntegrityError:
                damaged.append(rel)
        name = f"data {group}"
        restore = (f"Restore the shipped files: in a checkout, git checkout -- datasets/{'' if group == '(index)' else group}; "
                   "otherwise reinstall biaslab (pip install --force-reinstall biaslab).")
        if missing or damaged:
            parts = []
            if missing:
                parts.append(f"missing: {', '.join(missing)}")
            if damaged:
                parts.append(f"damaged (sha256 differs from SHA256SUMS): {', '.join(damaged)}")
            checks.append(EnvironmentCheck(name, "missing", "; ".join(parts), restore))
        else:
            checks.append(EnvironmentCheck(name, "ok", f"{len(files)} file(s), sha256 verified"))
    return checks


def _check_workbook() -> EnvironmentCheck:
    folder = find_workbook()
    if folder is None:
        env = os.environ.get("BIASLAB_WORKBOOK")
        detail = (f"BIASLAB_WORKBOOK={env} is not a workbook (no .biaslab/workbook.json there)" if env else
                  "not in a workbook: answers are checked, but progress is not saved")
        return EnvironmentCheck(
            "workbook", "warning", detail,
            "Open the course with `make lab` (it builds the workbook and starts there), or build one with "
            "`biaslab workbook --dest DIR` and open its notebooks. In an nbgrader class this is expected.")
    meta = folder / ".biaslab"
    try:
        fd, probe = tempfile.mkstemp(prefix="write-test", dir=meta)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return EnvironmentCheck(
            "workbook", "missing", f"{folder}: cannot write to {meta} ({exc.strerror or exc})",
            f"Progress and the badge are saved there. Make it writable (chmod -R u+w '{folder}') or build "
            "a workbook in a folder you own: biaslab workbook --dest DIR.")
    return EnvironmentCheck("workbook", "ok", f"{folder} (writable: progress is saved)")


def _check_widgets() -> EnvironmentCheck:
    try:
        import ipywidgets
    except Exception as exc:
        return EnvironmentCheck("widgets", "missing", f"`import ipywidgets` fails: {type(exc).__name__}: {exc}",
                                f"{_REINSTALL} pip install 'ipywidgets>=8.1'")
    try:
        frontend = metadata.version("jupyterlab_widgets")
    except metadata.PackageNotFoundError:
        return EnvironmentCheck(
            "widgets", "warning", f"ipywidgets {ipywidgets.__version__}, but JupyterLab's widget extension "
            "(jupyterlab_widgets) is not installed: sliders would show as text",
            "pip install jupyterlab_widgets, then restart JupyterLab.")
    return EnvironmentCheck("widgets", "ok", f"ipywidgets {ipywidgets.__version__}, JupyterLab extension {frontend}")


def _check_cores() -> EnvironmentCheck:
    cores, total = _usable_cores(), os.cpu_count() or 1
    detail = f"{cores} usable CPU core(s)" + (f" of {total}" if total != cores else "")
    if cores < _MIN_CORES:
        return EnvironmentCheck("cpu cores", "warning", detail,
                                f"Modules are timed on {_MIN_CORES} cores; with fewer, cells take longer. "
                                "Close other programs, or give the container/VM more cores.")
    return EnvironmentCheck("cpu cores", "ok", detail)


def _check_memory() -> EnvironmentCheck:
    free = _available_memory_gb()
    if free is None:
        return EnvironmentCheck("memory", "warning", "free memory could not be measured on this system",
                                f"Make sure about {_MIN_MEMORY_GB:g} GB are free for the image modules (04, 06, 07).")
    detail = f"{free:.1f} GB available"
    if free < _MIN_MEMORY_GB:
        return EnvironmentCheck("memory", "warning", detail,
                                f"The image modules (04, 06, 07) want about {_MIN_MEMORY_GB:g} GB: "
                                "close other programs or browser tabs.")
    return EnvironmentCheck("memory", "ok", detail)


def check_environment() -> EnvironmentReport:
    """Check that this machine is ready for the course; say what to fix if it is not.

    Quick (a few seconds at most, mostly importing torch): datasets are verified by their
    sha256, not loaded. Nothing is installed or changed.

    Returns
    -------
    EnvironmentReport
        One row per check with status ``"ok"``, ``"warning"`` or ``"missing"``, what was found,
        and a fix for every row that is not ok. ``report.ok`` is True when nothing is missing;
        ``report.problems`` lists the rows that are not ok; ``report.to_frame()`` is a DataFrame.
        A notebook shows it as a table; ``print(report)`` gives the same as text.

    Examples
    --------
    >>> from biaslab.course._environment import check_environment
    >>> report = check_environment()
    >>> report["python"].status
    'ok'
    >>> all(c.fix for c in report.problems)
    True
    """
    start = time.perf_counter()
    checks = [_check_python(), *_check_packages(), _check_torch(), *_check_datasets(), _check_workbook(),
              _check_widgets(), _check_cores(), _check_memory()]
    return EnvironmentReport(checks, seconds=time.perf_counter() - start)


# --- `biaslab doctor` --------------------------------------------------------------------------

def add_parser(sub) -> None:
    """Add ``biaslab doctor`` to the ``biaslab`` command (see :mod:`biaslab.cli`)."""
    p = sub.add_parser("doctor", help="check that this machine is ready for the course",
                       description="Check Python, the packages, torch, the shipped datasets, the workbook, "
                                   "widgets, CPU cores and memory; print what to fix. Exit code 0 if nothing "
                                   "is missing, 1 otherwise.")
    p.set_defaults(func=run_doctor)


def run_doctor(args=None) -> int:
    report = check_environment()
    print(report)
    return 0 if report.ok else 1
