"""Class grading you can trust: answers recorded in the kernel, verdicts decided outside it.

The pieces, each in one place:

- :mod:`biaslab.exercises._plain` -- answers as plain data (:func:`encode` / :func:`decode`) and function answers
  run in a short-lived child process (:func:`run_calls`);
- :mod:`._recorder` -- the kernel's side while grading: exercises that only record;
- :mod:`._sandbox` -- the bubblewrap sandbox the student's notebook runs in (with ``_launch``
  for resource limits and ``_kernel`` for the kernel's start);
- :mod:`._secret` -- the course secret and the hidden cases' seeds;
- :mod:`._verdicts` -- nbgrader's preprocessors: restore locked cells, execute sandboxed, decide;
- :mod:`._parallel` -- a whole class in parallel over one gradebook (``biaslab grade``).

The learner's instant feedback (``q1.check``) still runs in the kernel; the grade never does.
"""

from ..exercises._plain import Opaque, Raised, Returned, decode, encode, run_calls
from ._parallel import ClassGrading, StudentGrade, grade_class
from ._secret import course_secret, hidden_seed

__all__ = ["Opaque", "Raised", "Returned", "decode", "encode", "run_calls", "course_secret", "hidden_seed",
           "grade_class", "ClassGrading", "StudentGrade",
           "configure"]


def configure(c) -> None:
    """Set up nbgrader's autograding in a course's ``nbgrader_config.py``: ``configure(c)``."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearOutput, DeduplicateIds,
                                        IgnorePattern, LimitOutput, OverwriteKernelspec, SaveAutoGrades)

    from ._verdicts import DecideVerdicts, RestoreLockedCells, SandboxedExecute

    c.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateIds, OverwriteKernelspec, RestoreLockedCells,
                                          CheckCellMetadata]
    c.Autograde.autograde_preprocessors = [SandboxedExecute, DecideVerdicts, IgnorePattern, ClearMetadataPreprocessor,
                                           LimitOutput, SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]
