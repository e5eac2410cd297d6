"""The kernel's side of class grading: exercises that only record answers.

While a class is graded, the student's kernel imports these instead of the real checks (the
sandbox mounts a generated ``biaslab/exercises`` over the package's, see :mod:`._sandbox`):
``q1.assert_passed(answer)`` records the answer as plain data in the cell's output and decides
nothing. The references, expected values and answer keys are not in the kernel at all; the
grader (:mod:`._verdicts`) reads the record and decides the points in its own process.
"""

from __future__ import annotations

import os
import pickle

from ..exercises._plain import RECORD_KEY, encode, run_calls_raw

__all__ = ["Recorder", "recorders", "INPUTS_ENV"]

#: the environment variable naming the grader's file of function inputs (visible and hidden cases)
INPUTS_ENV = "BIASLAB_GRADING_INPUTS"
_INPUTS = None


def _inputs() -> dict:
    global _INPUTS
    if _INPUTS is None:
        path = os.environ.get(INPUTS_ENV)
        _INPUTS = {}
        if path and os.path.isfile(path):
            with open(path, "rb") as handle:  # written by the grader, never by the student
                _INPUTS = pickle.load(handle)
    return _INPUTS


class Recorder:
    """Stands in for an exercise while grading: records the answer, shows no verdict."""

    def __init__(self, key: str, takes_function: bool):
        self.key = key
        self.takes_function = takes_function

    def _record(self, answer, variant, context) -> dict:
        record = {"v": 1, "key": self.key, "variant": variant if variant in ("visible", "hidden") else "visible"}
        if answer is Ellipsis or answer is None:
            record["kind"] = "placeholder"
        elif self.takes_function:
            if not callable(answer):
                record.update(kind="not_callable", type=type(answer).__name__[:80])
            else:
                calls = _inputs().get(self.key, {}).get(record["variant"], [])
                record.update(kind="function", outputs=run_calls_raw(answer, calls))
        else:
            record.update(kind="value", answer=encode(answer),
                          context={str(k): encode(v) for k, v in context.items()})
        return record

    def check(self, answer=Ellipsis, variant: str = "visible", **context) -> None:
        """Record ``answer`` for the grader (nothing is decided in this kernel)."""
        record = self._record(answer, variant, context)
        from IPython.display import display

        display({"text/plain": f"[{self.key}] answer recorded for grading"}, raw=True,
                metadata={RECORD_KEY: record})

    assert_passed = check

    def feedback(self, answer=Ellipsis, **context) -> "_Undecided":
        """Nothing is decided in this kernel: ``.passed`` is False, so a notebook takes its fallback path."""
        return _Undecided(self.key)

    def hint(self, n: int = 1) -> None:
        print("Hints are not shown while the class is graded.")

    def solution(self) -> None:
        print("Solutions are not shown while the class is graded.")

    def __repr__(self) -> str:
        return f"<exercise {self.key} (recording for grading)>"


class _Undecided:
    passed = False
    outcome = None

    def __init__(self, key):
        self.exercise = key
        self.message = "recorded for grading; the grader decides"

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"[{self.exercise}] {self.message}"


def recorders(module_id: str, kinds: dict) -> dict:
    """``{name: Recorder}`` for a module's exercises; ``kinds`` maps a name to whether it takes a function."""
    return {name: Recorder(f"{module_id}.{name}", bool(function)) for name, function in kinds.items()}
