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

from ._assessment import ASSESSMENTS, HUMAN_GRADED, MACHINE_CHECKED, NOT_ASSESSED, SELF_ASSESSED
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
    #: how it was assessed: "machine-checked", "human-graded", "self-assessed", "not assessed"
    #: ("" when the caller did not say)
    assessment: str = ""


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
            passed, earned, detail, assessment = value.passed, value.earned, value.detail, value.assessment
        elif isinstance(value, Mapping) and isinstance(value.get("passed"), bool):
            passed, detail = value["passed"], str(value.get("detail", ""))
            earned = value.get("earned", ex.points if passed else 0.0)
            assessment = value.get("assessment", "")
        else:
            raise TypeError(f"results[{key!r}] must be an ExerciseResult or a mapping with a boolean 'passed', "
                            f"got {value!r}.")
        if assessment not in ("", *ASSESSMENTS):
            raise ValueError(f"results[{key!r}] assessment must be one of {ASSESSMENTS}, got {assessment!r}.")
        if isinstance(earned, bool) or not isinstance(earned, (int, float)) or not math.isfinite(earned) \
                or not 0 <= earned <= ex.points + 1e-9:
            raise ValueError(f"results[{key!r}] earned must be a number between 0 and {ex.points:g}, got {earned!r}.")
        out[ex.key] = _result(ex, float(earned), passed, detail, assessment)
    for ex in curriculum.exercises:
        if ex.key not in out:
            out[ex.key] = _result(ex, 0.0, False, "no result", "")
    return {ex.key: out[ex.key] for ex in curriculum.exercises}


def _result(ex, earned: float, passed: bool, detail: str, assessment: str) -> ExerciseResult:
    return ExerciseResult(key=ex.key, module=ex.module, name=ex.name, title=ex.title, points=ex.points,
                          earned=earned, passed=passed, required=ex.required, detail=detail, assessment=assessment)


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

    ``store`` is a :class:`biaslab.progress.ProgressStore` or a workbook folder. Every exercise is
    self-assessed: the learner ran the checks themselves, in their own kernel. An exercise is
    passed when its best check was ``"correct"``. A reflection is never passed and earns nothing
    here, whatever its text: code cannot judge it and nobody grades it in the workbook.
    """
    from ..progress import REFLECTION_STATUS, ProgressStore

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
        if ex.kind == "reflection":
            # "correct" comes from a progress file written before reflections were only recorded
            answered = best in ("recorded", "correct")
            out[ex.key] = _result(ex, 0.0, False, REFLECTION_STATUS if answered else f"best check: {best}",
                                  SELF_ASSESSED)
        else:
            passed = best == "correct"
            out[ex.key] = _result(ex, ex.points if passed else 0.0, passed, f"best check: {best}", SELF_ASSESSED)
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


def graded_outside_the_kernel(gradebook) -> tuple[bool, str]:
    """Whether the gradebook's course folder autogrades with biaslab's grader, and if not, why.

    Only such grades may become badges: the course's ``nbgrader_config.py`` (beside ``gradebook.db``)
    must run the sandboxed execution and decide the verdicts outside the students' kernels
    (``biaslab.grading.configure(c)``); with nbgrader's own autograding a student's code decides its
    own grade.
    """
    url, where = _gradebook_url(gradebook)
    if not url.startswith("sqlite:///"):
        return False, f"the gradebook {where} is not a file in a course folder, so how it was graded cannot be told"
    folder = Path(url[len("sqlite:///"):].split("?", 1)[0]).resolve().parent
    config = folder / "nbgrader_config.py"
    if not config.is_file():
        return False, f"{folder} (the gradebook's folder) has no nbgrader_config.py, so how it was graded cannot be told"
    from traitlets.config import PyFileConfigLoader

    loaded = PyFileConfigLoader(config.name, path=str(folder)).load_config()
    steps = loaded.Autograde.get("autograde_preprocessors", []) if "Autograde" in loaded else []
    names = {f"{getattr(step, '__module__', '')}.{getattr(step, '__name__', step)}" for step in steps}
    needed = {"biaslab.grading._verdicts.SandboxedExecute", "biaslab.grading._verdicts.DecideVerdicts"}
    if not needed <= names:
        return False, (f"{config} does not grade with biaslab's grader (biaslab.grading.configure(c)): students' "
                       "code could have decided their own grades")
    return True, ""


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
    partial marks earn the same share of the curriculum's points. A reflection counts only once an
    instructor graded it. Each result says how it was assessed: ``"machine-checked"`` (autograded),
    ``"human-graded"`` (a score an instructor gave), or ``"not assessed"`` (no grade yet).
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
                            except MissingEntry:
                                grade = None
                            results[ex.key] = _graded(ex, grade)
                    out[sid] = (student, results)
    except SQLAlchemyError as exc:
        raise ValueError(f"could not read the gradebook {where}: {exc.__class__.__name__}: {exc}") from None
    return out


def _graded(ex, grade) -> ExerciseResult:
    """One exercise's result from its nbgrader grade (``None``: no graded submission).

    A reflection's points count only once a person graded it (nbgrader's ``manual_score``): until
    then it waits for the instructor, or, left blank, nbgrader scored it 0 by itself.
    """
    if grade is None or grade.max_score is None:
        return _result(ex, 0.0, False, "no graded submission", NOT_ASSESSED)
    if not grade.max_score:
        return _result(ex, 0.0, False, "grade cell has no points", NOT_ASSESSED)
    by_person = grade.manual_score is not None
    if ex.kind == "reflection" and not by_person:
        waiting = bool(grade.needs_manual_grade)
        return _result(ex, 0.0, False, "not graded by the instructor yet" if waiting else "left blank",
                       NOT_ASSESSED)
    if grade.score is None:
        return _result(ex, 0.0, False, "no graded submission", NOT_ASSESSED)
    score, max_score = float(grade.score), float(grade.max_score)
    share = min(max(score / max_score, 0.0), 1.0)
    return _result(ex, ex.points * share, score >= max_score - 1e-9, f"score {score:g}/{max_score:g}",
                   HUMAN_GRADED if by_person else MACHINE_CHECKED)


def results_from_gradebook(gradebook, student_id, *, curriculum=None, course_id: str = "") -> dict:
    """Results of one student from an nbgrader gradebook (a ``gradebook.db`` path or a database URL)."""
    student_id = check_text(student_id, "student_id")
    return gradebook_results(gradebook, [student_id], curriculum=curriculum, course_id=course_id)[student_id][1]
