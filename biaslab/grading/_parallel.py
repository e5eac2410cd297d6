"""Parallel autograding of a whole class: N long-lived worker processes over one gradebook.

``grade_class(root, assignment, workers=N)`` autogrades every submission of one assignment
(``<root>/submitted/<student>/<assignment>/``) with nbgrader. Each worker is a process of a
``ProcessPoolExecutor`` (``spawn``) that builds nbgrader's API **once** (nbgrader and its
imports take seconds to start) and then autogrades student after student; the students are
split between the workers as they become free, so a slow notebook does not hold up a chunk of
waiting students. Each student's notebook still runs in a fresh kernel, as with ``nbgrader
autograde``.

One gradebook, several writers
------------------------------
nbgrader's ``Autograde`` writes the SQLite gradebook in short transactions (the submission
before the notebook runs, the scores after it), never while a notebook executes. SQLite lets
one writer in at a time; a second writer waits for the lock (SQLite's busy timeout, 5 s by
default in Python). The workers raise that wait to ``busy_timeout`` seconds (the ``timeout``
parameter of the SQLite URL) and, should a write still fail with "database is locked", grade
that student again (``retries``). The students are added to the gradebook by the calling
process before the workers start, so no two processes ever insert into the same table row.
``tests/grading/test_parallel.py`` checks that two workers give exactly the grades of one.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from .._validation import check_bool, check_positive_int
from ._secret import course_secret

__all__ = ["StudentGrade", "ClassGrading", "grade_class"]

#: the text of SQLite's lock error, in nbgrader's captured log
LOCKED = "database is locked"

# environment variables the grading kernels must not inherit: a learner's workbook would
# record every student's answers as the instructor's own progress
_DROPPED_ENV = ("BIASLAB_WORKBOOK",)


@dataclass(frozen=True)
class StudentGrade:
    """One student's autograding: ``success``, the gradebook ``score`` out of ``max_score``
    (``None`` when grading failed), wall ``seconds`` in the worker, ``attempts`` (more than 1
    after a locked gradebook), the worker's ``pid`` and, on failure, ``error``."""

    student: str
    success: bool
    score: float | None
    max_score: float | None
    seconds: float
    attempts: int
    pid: int | None
    error: str = ""


@dataclass
class ClassGrading:
    """The result of :func:`grade_class`: one :class:`StudentGrade` per student and the total
    wall time."""

    assignment: str
    workers: int
    seconds: float
    results: dict = field(default_factory=dict)

    @property
    def failed(self) -> list[str]:
        """Students whose autograding failed."""
        return [s for s, r in self.results.items() if not r.success]

    @property
    def scores(self) -> dict:
        """``{student: score}`` from the gradebook."""
        return {s: r.score for s, r in self.results.items()}


# ------------------------------------------------------------------ the worker processes

_API = None  # nbgrader's API, built once per worker process


def _with_busy_timeout(db_url: str, seconds: float) -> str:
    """The gradebook's URL with SQLite's busy timeout (other databases: unchanged)."""
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    if not url.drivername.startswith("sqlite") or "timeout" in url.query:
        return db_url
    return url.update_query_dict({"timeout": f"{seconds:g}"}).render_as_string(hide_password=False)


def _init_worker(root: str, busy_timeout: float) -> None:
    global _API
    for name in _DROPPED_ENV:
        os.environ.pop(name, None)
    # nbgrader 0.9 adds gradebook objects in a way SQLAlchemy 2.1 warns about; it works
    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)
    from ..course._nbgrader import nbgrader_api

    _API = nbgrader_api(root)
    _API.coursedir.db_url = _with_busy_timeout(_API.coursedir.db_url, busy_timeout)


def _summary(result: dict) -> str:
    text = (result.get("error") or "").strip() or (result.get("log") or "").strip()
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return "\n".join(lines[-12:])


def _grade_one(assignment: str, student: str, force: bool, retries: int) -> tuple:
    """Autograde one student in this worker; returns (student, success, seconds, attempts, pid, error)."""
    start = time.perf_counter()
    attempts = 0
    while True:
        attempts += 1
        try:
            result = _API.autograde(assignment, student, force=force, create=True)
        except Exception as exc:  # capture_log catches nbgrader's errors; this is a last resort
            result = {"success": False, "error": f"{type(exc).__name__}: {exc}"}
        text = (result.get("log") or "") + (result.get("error") or "")
        if result.get("success") or attempts > retries or LOCKED not in text:
            break
        time.sleep(random.uniform(0.5, 2.0))  # let the other writer finish, then grade again
    error = "" if result.get("success") else _summary(result)
    return student, bool(result.get("success")), time.perf_counter() - start, attempts, os.getpid(), error


# ------------------------------------------------------------------ the calling process

def _gradebook(db_url):
    from nbgrader.api import Gradebook

    return Gradebook(db_url)


def _check_students(students, submitted: Path, assignment: str) -> list[str]:
    found = sorted(p.parent.name for p in submitted.glob(f"*/{assignment}") if p.is_dir()) \
        if submitted.is_dir() else []
    if students is None:
        if not found:
            raise ValueError(f"no submissions of {assignment!r} in {submitted} "
                             f"(expected {submitted}/<student>/{assignment}/); collect them first.")
        return found
    if isinstance(students, str) or not isinstance(students, (list, tuple)) \
            or not all(isinstance(s, str) and s for s in students):
        raise TypeError(f"students must be a list of student ids such as ['ada', 'bob'], or None; got {students!r}.")
    if not students:
        raise ValueError("students is empty: give at least one student id, or None for every submission.")
    if len(set(students)) != len(students):
        raise ValueError(f"students lists a student twice: {sorted(s for s in set(students) if students.count(s) > 1)}.")
    missing = [s for s in students if s not in found]
    if missing:
        raise ValueError(f"students {missing} have no submission of {assignment!r} in {submitted}.")
    return list(students)


def grade_class(root=None, assignment=None, *, students=None, workers: int = 2, force: bool = True,
                retries: int = 2, busy_timeout: float = 60.0, log=None) -> ClassGrading:
    """Autograde every submission of one assignment with ``workers`` processes over one gradebook.

    Parameters
    ----------
    root : path, optional
        The nbgrader course root (a folder with ``nbgrader_config.py``); default this checkout's
        ``notebooks/``.
    assignment : str
        The assignment (module id, e.g. ``"02_measuring_fairness"``); it must have been
        generated (``biaslab release``) so that the gradebook knows it.
    students : list of str, optional
        Only these students; default everyone with a folder ``submitted/<student>/<assignment>/``.
    workers : int
        Worker processes (at most one per student). Each builds nbgrader once and grades many
        students; more workers than CPU cores only makes them compete.
    force : bool
        Grade submissions that have been autograded already again (default), as ``nbgrader
        autograde --force`` does; ``False`` skips them.
    retries : int
        How many times a student is graded again after a "database is locked" error.
    busy_timeout : float
        Seconds a worker waits for another worker's gradebook write (SQLite only).
    log : callable, optional
        Called with one line of text per graded student (the CLI prints them).

    Returns
    -------
    ClassGrading
        ``results`` (student -> :class:`StudentGrade`: success, score, max_score, seconds,
        attempts), ``seconds`` (wall time of the whole class), ``failed``, ``scores``.

    Examples
    --------
    >>> grade_class("notebooks", 2)
    Traceback (most recent call last):
    ...
    TypeError: assignment must be an assignment id such as '02_measuring_fairness', got int.
    >>> grade_class("notebooks", "02_measuring_fairness", workers=0)
    Traceback (most recent call last):
    ...
    ValueError: workers must be at least 1, got 0.
    """
    if not isinstance(assignment, str):
        raise TypeError(f"assignment must be an assignment id such as '02_measuring_fairness', "
                        f"got {type(assignment).__name__}.")
    if not assignment.strip() or os.sep in assignment or assignment in (".", ".."):
        raise ValueError(f"assignment must be an assignment id such as '02_measuring_fairness', got {assignment!r}.")
    workers = check_positive_int(workers, "workers")
    force = check_bool(force, "force")
    retries = check_positive_int(retries, "retries", minimum=0)
    if isinstance(busy_timeout, bool) or not isinstance(busy_timeout, (int, float)):
        raise TypeError(f"busy_timeout must be a number of seconds, got {type(busy_timeout).__name__}.")
    if not busy_timeout > 0:
        raise ValueError(f"busy_timeout must be a positive number of seconds, got {busy_timeout}.")
    if log is not None and not callable(log):
        raise TypeError(f"log must be a function taking one line of text, or None; got {type(log).__name__}.")
    if root is not None and not isinstance(root, (str, os.PathLike)):
        raise TypeError(f"root must be a folder path (str or Path) or None, got {type(root).__name__}.")
    say = log or (lambda line: None)

    from sqlalchemy.exc import SAWarning

    from nbgrader.api import MissingEntry

    from ..course._nbgrader import course_root, nbgrader_api

    root = Path(root if root is not None else course_root()).resolve()
    if not (root / "nbgrader_config.py").is_file():
        raise ValueError(f"root {root} is not an nbgrader course root: it has no nbgrader_config.py.")
    api = nbgrader_api(root)
    coursedir = api.coursedir
    students = _check_students(students, Path(coursedir.root) / coursedir.submitted_directory, assignment)
    db_url = coursedir.db_url
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)
        with _gradebook(db_url) as gb:
            try:
                gb.find_assignment(assignment)
            except MissingEntry:
                raise ValueError(f"the gradebook knows no assignment {assignment!r}: generate it first "
                                 f"(biaslab release --root {root} {assignment}).") from None
            for student in students:  # added here, by one writer, before the workers start
                try:
                    gb.find_student(student)
                except MissingEntry:
                    gb.add_student(student)

    course_secret(root)  # made here, once, before the workers could race to make it

    workers = min(workers, len(students))
    say(f"grading {len(students)} submission(s) of {assignment} with {workers} worker(s)")
    start = time.perf_counter()
    graded = {}
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker, initargs=(str(root), float(busy_timeout)))
    try:
        futures = {pool.submit(_grade_one, assignment, s, force, retries): s for s in students}
        for future in as_completed(futures):
            student = futures[future]
            try:
                graded[student] = future.result()
            except Exception as exc:  # a worker died (out of memory, killed): its students fail
                graded[student] = (student, False, 0.0, 1, None, f"{type(exc).__name__}: {exc}")
            _, ok, seconds, attempts, _, error = graded[student]
            say(f"{student}: {'graded' if ok else 'FAILED'} in {seconds:.1f} s"
                + (f" ({attempts} attempts)" if attempts > 1 else "")
                + ("" if ok else f": {error.splitlines()[-1] if error else 'no log'}"))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    total = time.perf_counter() - start

    results = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)
        with _gradebook(db_url) as gb:
            for student in students:
                _, ok, seconds, attempts, pid, error = graded[student]
                score = max_score = None
                if ok:
                    try:
                        submission = gb.find_submission(assignment, student)
                        score, max_score = float(submission.score), float(submission.max_score)
                    except MissingEntry:
                        ok, error = False, "graded, but the gradebook has no submission"
                results[student] = StudentGrade(student=student, success=ok, score=score, max_score=max_score,
                                                seconds=round(seconds, 3), attempts=attempts, pid=pid, error=error)
    return ClassGrading(assignment=assignment, workers=workers, seconds=round(total, 3), results=results)


# ---------------------------------------------------------------- ``biaslab grade``

def add_parser(sub) -> None:
    from ..course._cli import ROOT_HELP

    p = sub.add_parser(
        "grade", help="autograde a whole class's submissions of one module with N worker processes",
        description="Autograde every submission in ROOT/submitted/<student>/ASSIGNMENT/ with nbgrader "
                    "(ROOT: the course folder, by default the current one), "
                    "split between N long-lived worker processes that share one gradebook. Then "
                    "generate feedback and export grades with nbgrader as usual.")
    p.add_argument("assignment", metavar="ASSIGNMENT", help="the module id, e.g. 02_measuring_fairness")
    p.add_argument("--root", default=None, help=ROOT_HELP)
    p.add_argument("--workers", type=int, default=2, help="worker processes (default 2; about one per core)")
    p.add_argument("--student", dest="students", action="extend", nargs="+", metavar="ID", default=None,
                   help="only these students (default: every submission)")
    p.add_argument("--no-force", dest="force", action="store_false",
                   help="skip submissions that have been autograded already")
    p.set_defaults(func=_run)


def _run(args) -> int:
    from ..course._cli import course_folder

    report = grade_class(course_folder(args.root), args.assignment, students=args.students, workers=args.workers,
                         force=args.force, log=lambda line: print(line, flush=True))
    print(f"\n{'student':<24} {'score':>12} {'seconds':>8}")
    for student, r in report.results.items():
        score = f"{r.score:g} / {r.max_score:g}" if r.success else "FAILED"
        print(f"{student:<24} {score:>12} {r.seconds:>8.1f}")
    n = len(report.results)
    print(f"\n{n - len(report.failed)} of {n} submission(s) graded in {report.seconds:.1f} s "
          f"with {report.workers} worker(s)" + (f"; FAILED: {', '.join(report.failed)}" if report.failed else ""))
    return 1 if report.failed else 0
