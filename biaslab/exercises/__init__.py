"""Exercise checks of the course, one module of problems per course module.

``from biaslab.exercises.m01 import *`` gives that module's ``q1``, ``q2``, ... Each has
``check(answer)``, ``assert_passed(answer)``, ``hint(n)`` and ``solution()``; see
:class:`~biaslab.exercises.Problem`.
"""

from ._problem import (Feedback, FunctionProblem, KeyedProblem, Mistake, NumberProblem, Outcome, Problem,
                       ReflectionProblem, is_placeholder)

__all__ = ["Feedback", "FunctionProblem", "KeyedProblem", "Mistake", "NumberProblem", "Outcome", "Problem",
           "ReflectionProblem", "is_placeholder"]
