"""Who has earned the badge: exercise results from a self-paced workbook or an nbgrader gradebook.

Both sources give the same thing: one :class:`ExerciseResult` per exercise of the curriculum.
:func:`eligible` then applies the curriculum's rule: every required exercise passed, and at least
``pass_share`` of the required exercises' points earned.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from ._checks import check_path, check_text

__all__ = ["ExerciseResult", "Eligibility", "eligible", "results_from_progress", "results_from_gradebook"]


@dataclass(frozen=True)
class ExerciseResult:
    """The outcome of one exercise, in the curriculum's points."""

    key: str  # "01_bias_in_bias_out.q1"
    module: str
    name: str
    title: str
    points: float  # what the exercise is worth in the curriculum
    earned: float
    passed: bool
    required: bool
    detail: str = ""  # where the outcome came from, e.g. "best check: correct" or "score 1/2"


class Eligibility(NamedTuple):
    """``(ok, reasons)``: whether the badge is earned, and why (or why not), in plain words."""

    ok: bool
    reasons: list


def _curriculum(curriculum):
    from ..course import Curriculum, load_curriculum

    if curriculum is None:
        return load_curriculum()
    if not isinstance(curriculum, Curriculum):
        raise TypeError(f"curriculum must be a Curriculum (from biaslab.course.load_curriculum()) or None, "
                        f"got {type(curriculum).__name__}.")
    return curriculum


def _normalise(results, curriculum) -> dict:
    """Results keyed by the canonical exercise key, as ExerciseResult; unknown keys are an error."""
    if not isinstance(results, Mapping):
        raise TypeError(f"results must be a mapping of exercise key -> result, got {type(results).__name__}.")
    out = {}
    for key, value in results.items():
        if not isinstance(key, str):
            raise TypeError(f"results keys must be exercise keys such as '01_bias_in_bias_out.q1', got {key!r}.")
        try:
            ex = curriculum.exercise(key)
        except ValueError as exc:
            raise ValueError(f"results has an exercise the curriculum does not know: {exc}") from None
        if isinstance(value, ExerciseResult):
            passed, earned, detail = value.passed, value.earned, value.detail
        elif isinstance(value, Mapping) and isinstance(value.get("passed"), bool):
            passed, detail = value["passed"], str(value.get("detail", ""))
            earned = value.get("earned", ex.points if passed else 0.0)
        else:
            raise TypeError(f"results[{key!r}] must be an ExerciseResult or a mapping with a boolean 'passed', "
                            f"got {value!r}.")
        if isinstance(earned, bool) or not isinstance(earned, (int, float)) or not math.isfinite(earned) \
                or not 0 <= earned <= ex.points + 1e-9:
            raise ValueError(f"results[{key!r}] earned must be a number between 0 and {ex.points:g}, got {earned!r}.")
        out[ex.key] = ExerciseResult(key=ex.key, module=ex.module, name=ex.name, title=ex.title, points=ex.points,
                                     earned=float(earned), passed=passed, required=ex.required, detail=detail)
    for ex in curriculum.exercises:
        if ex.key not in out:
            out[ex.key] = ExerciseResult(key=ex.key, module=ex.module, name=ex.name, title=ex.title,
                                         points=ex.points, earned=0.0, passed=False, required=ex.required,
                                         detail="no result")
    return {ex.key: out[ex.key] for ex in curriculum.exercises}


def eligible(results, curriculum=None) -> Eligibility:
    """Whether ``results`` earn the badge: ``(ok, reasons)``.

    Every required exercise must be passed, and the points earned on required exercises must
    reach ``curriculum.pass_share`` of their total.

    Examples
    --------
    >>> ok, reasons = eligible({})
    >>> ok
    False
    >>> reasons[0].startswith("01_bias_in_bias_out.q1")
    True
    """
    curriculum = _curriculum(curriculum)
    normal = _normalise(results, curriculum)
    required = [normal[ex.key] for ex in curriculum.required_exercises]
    if not required:
        return Eligibility(False, ["the curriculum marks no exercise as required, so there is nothing to pass"])
    reasons = []
    for r in required:
        if not r.passed:
            detail = f" ({r.detail})" if r.detail else ""
            reasons.append(f"{r.key} \u201c{r.title}\u201d is not passed{detail}")
    total = sum(r.points for r in required)
    earned = sum(r.earned for r in required)
    if earned < curriculum.pass_share * total - 1e-9:
        reasons.append(f"{earned:g} of {total:g} required points earned ({earned / total:.0%}); "
                       f"the badge needs {curriculum.pass_share:.0%}")
    if reasons:
        return Eligibility(False, reasons)
    return Eligibility(True, [f"all {len(required)} required exercises passed; "
                              f"{earned:g} of {total:g} required points earned"])


def results_from_progress(store, *, curriculum=None) -> dict:
    """Results of a self-paced learner from their workbook's progress file.

    ``store`` is a :class:`biaslab.progress.ProgressStore` or a workbook folder. An exercise is
    passed when its best check was ``"correct"``; the learner ran those checks themselves.
    """
    from ..progress import ProgressStore

    if not isinstance(store, ProgressStore):
        store = ProgressStore(check_path(store, "store"))
    curriculum = _curriculum(curriculum)
    raw = store.results()
    by_key = {}
    for key, entry in raw.items():
        try:
            ex = curriculum.exercise(key)
        except ValueError:
            continue  # an exercise since removed from the course
        if isinstance(entry, Mapping):
            by_key[ex.key] = entry
    out = {}
    for ex in curriculum.exercises:
        best = by_key.get(ex.key, {}).get("best", "not_attempted")
        passed = best == "correct"
        out[ex.key] = ExerciseResult(key=ex.key, module=ex.module, name=ex.name, title=ex.title, points=ex.points,
                                     earned=ex.points if passed else 0.0, passed=passed, required=ex.required,
                                     detail=f"best check: {best}")
    return out


def _gradebook_url(gradebook) -> tuple[str, str]:
    """(SQLAlchemy URL, how to name it in messages). A missing SQLite file is an error, not a new gradebook."""
    if isinstance(gradebook, str) and "://" in gradebook:
        if gradebook.startswith("sqlite:///"):
            path = Path(gradebook[len("sqlite:///"):].split("?", 1)[0])
            if not path.is_file():
                raise FileNotFoundError(f"gradebook {path} does not exist (nbgrader writes gradebook.db "
                                        "in the course folder).")
        return gradebook, gradebook
    path = check_path(gradebook, "gradebook")
    if not path.is_file():
        raise FileNotFoundError(f"gradebook {path} does not exist (nbgrader writes gradebook.db in the course folder).")
    return f"sqlite:///{path.resolve()}", str(path)


@dataclass(frozen=True)
class GradebookStudent:
    id: str
    first_name: str | None
    last_name: str | None
    email: str | None

    @property
    def name(self) -> str | None:
        name = " ".join(p.strip() for p in (self.first_name, self.last_name) if p and p.strip())
        return name or None


def gradebook_results(gradebook, student_ids=None, *, curriculum=None, course_id: str = "") -> dict:
    """``{student_id: (GradebookStudent, results)}`` for the given students (default: all).

    Exercise ``q1`` of module ``01_bias_in_bias_out`` is the grade cell ``q1`` of the notebook
    ``01_bias_in_bias_out`` in the assignment ``01_bias_in_bias_out`` (for a reflection, the manually
    graded answer cell ``q1_answer``). It is passed with full marks;
    partial marks earn the same share of the curriculum's points.
    """
    curriculum = _curriculum(curriculum)
    url, where = _gradebook_url(gradebook)
    if not isinstance(course_id, str):
        raise TypeError(f"course_id must be a string, got {type(course_id).__name__}.")
    from nbgrader.api import Gradebook, MissingEntry
    from sqlalchemy.exc import SAWarning, SQLAlchemyError

    out = {}
    try:
        with warnings.catch_warnings():
            # nbgrader 0.9 trips SQLAlchemy 2.x session warnings; they concern nbgrader, not these reads
            warnings.simplefilter("ignore", SAWarning)
            # course_id "" (nbgrader's own default) keeps Gradebook from inserting a course row
            with Gradebook(url, course_id=course_id) as gb:
                known = {s.id: s for s in gb.students}
                wanted = sorted(known) if student_ids is None else list(student_ids)
                for sid in wanted:
                    if sid not in known:
                        listing = ", ".join(sorted(known)[:10]) or "none"
                        raise ValueError(f"student {sid!r} is not in the gradebook {where}; its students: {listing}.")
                    s = known[sid]
                    student = GradebookStudent(id=s.id, first_name=s.first_name, last_name=s.last_name,
                                               email=s.email)
                    results = {}
                    for module in curriculum.modules:
                        for ex in module.exercises:
                            try:
                                grade = gb.find_grade(ex.grade_cell, module.id, module.id, sid)
                                score, max_score = grade.score, grade.max_score
                                # nbgrader scores a reflection 0 until the instructor grades it
                                waiting = ex.kind == "reflection" and grade.manual_score is None \
                                    and bool(grade.needs_manual_grade)
                            except MissingEntry:
                                score, max_score, waiting = None, None, False
                            if score is None or not max_score or waiting:
                                passed, earned = False, 0.0
                                detail = ("not graded by the instructor yet" if waiting else
                                          "no graded submission" if max_score is None else "grade cell has no points")
                            else:
                                share = min(max(float(score) / float(max_score), 0.0), 1.0)
                                passed = float(score) >= float(max_score) - 1e-9
                                earned = ex.points * share
                                detail = f"score {float(score):g}/{float(max_score):g}"
                            results[ex.key] = ExerciseResult(
                                key=ex.key, module=ex.module, name=ex.name, title=ex.title, points=ex.points,
                                earned=earned, passed=passed, required=ex.required, detail=detail)
                    out[sid] = (student, results)
    except SQLAlchemyError as exc:
        raise ValueError(f"could not read the gradebook {where}: {exc.__class__.__name__}: {exc}") from None
    return out


def results_from_gradebook(gradebook, student_id, *, curriculum=None, course_id: str = "") -> dict:
    """Results of one student from an nbgrader gradebook (a ``gradebook.db`` path or a database URL)."""
    student_id = check_text(student_id, "student_id")
    return gradebook_results(gradebook, [student_id], curriculum=curriculum, course_id=course_id)[student_id][1]
