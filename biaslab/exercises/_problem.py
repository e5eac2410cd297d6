"""Exercise problems: one check gives the learner's feedback and the instructor's grade.

A problem object (``q1``) offers

- ``q1.check(answer)``: friendly feedback shown in the notebook; records the outcome in the
  learner's progress; never raises.
- ``q1.assert_passed(answer)``: the same check, raising ``AssertionError`` with the same message
  when the answer is not correct. nbgrader's graded test cells call this.
- ``q1.hint()`` / ``q1.hint(2)``: numbered hints.
- ``q1.solution()``: the solution, in the self-paced workbook only (read from the workbook, which
  took it from the source notebook; solutions never ship inside the package).

A check tells apart *not attempted* (the placeholder ``...`` is still there, or a function still
returns ``None``), *wrong type or shape*, *wrong value* (with a diagnosis of the usual mistakes)
and *correct*, and never shows the expected value.
"""

from __future__ import annotations

import enum
import html
import json
import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._keys import answer_key
from ._plain import DecodeError, Raised, decode, decode_output, run_calls
from ..progress import ProgressStore, find_workbook

__all__ = ["Outcome", "Feedback", "Problem", "NumberProblem", "FunctionProblem", "ReflectionProblem", "KeyedProblem",
           "Mistake", "is_placeholder", "case_seed", "fingerprint"]


class Outcome(str, enum.Enum):
    NOT_ATTEMPTED = "not_attempted"
    WRONG_TYPE = "wrong_type"
    WRONG_VALUE = "wrong_value"
    #: a reflection's answer: kept, never scored by code (a person grades it in a class)
    RECORDED = "recorded"
    CORRECT = "correct"


_STYLE = {
    Outcome.CORRECT: ("Correct", "#1b7f3b", "#e8f5ec"),
    Outcome.RECORDED: ("Recorded, not scored", "#1a56a8", "#e8f0fe"),
    Outcome.WRONG_VALUE: ("Not yet", "#b3261e", "#fdecea"),
    Outcome.WRONG_TYPE: ("Not yet", "#b3261e", "#fdecea"),
    Outcome.NOT_ATTEMPTED: ("Not attempted", "#5f6368", "#f1f3f4"),
}


@dataclass(frozen=True)
class Feedback:
    """The result of a check: an outcome and a message for the learner."""

    exercise: str
    outcome: Outcome
    message: str
    label: str = ""  # shown instead of the outcome's usual label ("Recorded" for a reflection)

    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.CORRECT

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        label = self.label or _STYLE[self.outcome][0]
        return f"[{self.exercise}] {label}: {self.message}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        label, fg, bg = _STYLE[self.outcome]
        label = self.label or label
        return (
            f'<div style="border-left:4px solid {fg};background:{bg};padding:6px 10px;margin:4px 0;'
            f'font-family:sans-serif;color:#202124"><b style="color:{fg}">{html.escape(label)}</b> '
            f'<span style="color:#5f6368">({html.escape(self.exercise)})</span>: {html.escape(self.message)}</div>'
        )


def case_seed(variant: str, visible: int, hidden: int, seed=None) -> int:
    """The random seed of a problem's test cases.

    ``visible`` for the cases a learner's check uses; for ``variant="hidden"`` the grader's
    ``seed`` (a class's grader derives it from the course secret, see
    :func:`biaslab.grading.hidden_seed`), or ``hidden`` when none is given (the package's tests).
    """
    if variant == "visible":
        return visible
    if variant != "hidden":
        raise ValueError(f"variant must be 'visible' or 'hidden', got {variant!r}.")
    return hidden if seed is None else seed


def is_placeholder(answer) -> bool:
    """True for the untouched placeholder ``...`` (and ``None``, what an empty function returns)."""
    return answer is Ellipsis or answer is None


def _display(rich, plain: str | None = None) -> None:
    """Show ``rich`` in a notebook, or print ``plain`` (default ``str(rich)``) anywhere else."""
    try:
        from IPython import get_ipython
        from IPython.display import display

        if get_ipython() is not None:
            display(rich)
            return
    except ImportError:  # pragma: no cover - IPython is a dependency
        pass
    print(str(rich) if plain is None else plain)


class _Verdict(Exception):
    """Raised inside a diagnosis to end it with an outcome and a message."""

    def __init__(self, outcome: Outcome, message: str, label: str = ""):
        super().__init__(message)
        self.outcome = outcome
        self.message = message
        self.label = label


_LOOKUP = object()  # Problem.feedback(key=...) not given: look the key up


class Problem:
    """Base class of an exercise. Subclasses implement :meth:`diagnose`.

    Parameters
    ----------
    hints : sequence of str
        Numbered hints, from gentle to nearly complete.
    """

    #: set when the problem is registered by :func:`register` in a module's problem file
    module_id: str = ""
    name: str = ""

    def __init__(self, *, title: str, hints=()):
        self.title = title
        self.hints = tuple(hints)

    # --- to implement ------------------------------------------------------------------------
    def diagnose(self, answer, **variant) -> str:
        """Return the message for a correct answer, or raise ``self.wrong(...)``."""
        raise NotImplementedError

    # --- helpers for subclasses ---------------------------------------------------------------
    @staticmethod
    def wrong(message: str) -> _Verdict:
        return _Verdict(Outcome.WRONG_VALUE, message)

    @staticmethod
    def wrong_type(message: str) -> _Verdict:
        return _Verdict(Outcome.WRONG_TYPE, message)

    @staticmethod
    def not_attempted(message: str) -> _Verdict:
        return _Verdict(Outcome.NOT_ATTEMPTED, message)

    # --- public API --------------------------------------------------------------------------
    @property
    def key(self) -> str:
        return f"{self.module_id}.{self.name}"

    def feedback(self, answer=Ellipsis, *, key=_LOOKUP, **variant) -> Feedback:
        """Check ``answer`` and return the :class:`Feedback` without recording or showing it.

        ``key``: the answer key of a judgement exercise (:class:`KeyedProblem`); by default it is
        looked up (:func:`biaslab.exercises._keys.answer_key`). Other exercises ignore it.
        """
        if is_placeholder(answer):
            return Feedback(self.key, Outcome.NOT_ATTEMPTED,
                            "Replace the placeholder ... with your answer, then run the cell again.")
        if self.needs_key:
            variant["key"] = answer_key(self.key) if key is _LOOKUP else key
        try:
            message = self.diagnose(answer, **variant)
            return Feedback(self.key, Outcome.CORRECT, message or "Well done.")
        except _Verdict as verdict:
            return Feedback(self.key, verdict.outcome, verdict.message, verdict.label)

    #: whether the learner's answer itself is kept in the progress file (reflections)
    keeps_answer = False
    #: whether the answer is a function (then the grader sees its outputs on :meth:`calls`, never the function)
    takes_function = False
    #: whether the answer is decided against an answer key the package does not hold (:class:`KeyedProblem`)
    needs_key = False

    # --- the grader's side: a verdict from plain data only ------------------------------------
    def decide(self, record: dict, *, seed=None, key=None) -> Feedback:
        """The verdict on a record made in the student's kernel (see :mod:`biaslab.grading`).

        ``record`` is plain data (the answer, or a function's outputs on this problem's cases);
        nothing in it is executed. ``seed`` chooses the hidden cases (the grader derives it from
        the course secret). ``key`` is a judgement exercise's answer key, which the grader reads
        from the test cell's hidden region in the gradebook; only the key given here counts
        (without one, such an answer is only recorded).
        """
        try:
            return self._decide(record, seed, key)
        except DecodeError as exc:
            return Feedback(self.key, Outcome.WRONG_TYPE, f"Your answer could not be read as plain data: {exc}.")

    def _decide(self, record, seed, key=None) -> Feedback:
        if not isinstance(record, dict):
            raise DecodeError("the record is not a dict")
        kind = record.get("kind")
        if kind == "placeholder":
            return self.feedback(Ellipsis)
        if self.takes_function:
            if kind == "not_callable":
                name = record.get("type") if isinstance(record.get("type"), str) else "object"
                return Feedback(self.key, Outcome.WRONG_TYPE,
                                f"Pass your function itself (its name, without parentheses), not a {name[:80]}.")
            outputs = record.get("outputs")
            if kind != "function" or not isinstance(outputs, list):
                raise DecodeError("a function's outputs were expected")
            variant = record.get("variant", "visible")
            if variant not in ("visible", "hidden"):
                raise DecodeError("unknown variant")
            decoded = [decode_output(o) for o in outputs]
            try:
                return Feedback(self.key, Outcome.CORRECT, self.judge(decoded, variant=variant, seed=seed) or "Well done.")
            except _Verdict as verdict:
                return Feedback(self.key, verdict.outcome, verdict.message)
        if kind != "value":
            raise DecodeError("an answer was expected")
        context = record.get("context") or {}
        if not isinstance(context, dict):
            raise DecodeError("the context is not a dict")
        allowed = self.context_names()
        context = {k: decode(v) for k, v in context.items() if isinstance(k, str) and k in allowed}
        context.update(self.grading_context())  # what the locked cells make, not what the kernel claims
        variant = record.get("variant", "visible")
        if variant not in ("visible", "hidden"):
            raise DecodeError("unknown variant")
        if variant == "hidden":  # a value checked on hidden data (e.g. thresholds on unseen rows)
            import inspect

            params = inspect.signature(self.diagnose).parameters
            if "variant" not in params:
                raise DecodeError("this exercise has no hidden variant")
            context["variant"] = "hidden"
            if "seed" in params:
                context["seed"] = seed
        return self.feedback(decode(record.get("answer")), key=key, **context)

    def grading_context(self) -> dict:
        """Context the grader computes itself instead of reading it from the record.

        A check that takes the notebook's own objects (the model a locked cell trains, its
        predictions) gets them from here when the grader decides: an answer cell could have
        replaced them in the kernel (all-zero predictions make a discrimination score of 0 right).
        """
        return {}

    def context_names(self) -> set:
        """Keyword arguments of :meth:`diagnose` a record may fill (e.g. the learner's predictions)."""
        import inspect

        params = inspect.signature(self.diagnose).parameters.values()
        return {p.name for p in params if p.kind is p.KEYWORD_ONLY or p.kind is p.POSITIONAL_OR_KEYWORD} \
            - {"answer", "variant", "seed", "key"}  # a key never comes from the student's record

    # --- function answers ---------------------------------------------------------------------
    def calls(self, variant: str = "visible", seed=None) -> list:
        """The inputs ``[(args, kwargs), ...]`` a function answer is called on (function problems)."""
        raise NotImplementedError

    def judge(self, outputs, variant: str = "visible", seed=None) -> str:
        """The verdict on a function's ``outputs`` (one :class:`Returned`/:class:`Raised` per call)."""
        raise NotImplementedError

    def _judge_function(self, answer, variant, seed) -> str:
        if not callable(answer):
            raise self.wrong_type(f"Pass your function itself (its name, without parentheses), not a {type(answer).__name__}.")
        return self.judge(run_calls(answer, self.calls(variant, seed)), variant=variant, seed=seed)

    def returned(self, output, where: str = ""):
        """The value a function returned on one call, or the verdict for an error or ``None``."""
        if isinstance(output, Raised):
            if output.name == "NotImplementedError":
                raise self.not_attempted("Your function is not written yet (it raises NotImplementedError).")
            raise self.wrong_type(f"Your function raised {output.name}{where}: {output.message}")
        if output.value is None:
            raise self.not_attempted("Your function returns None: write its body and return the result "
                                     "(printing it is not enough).")
        return output.value

    def _record(self, feedback: Feedback, answer=None) -> None:
        kept = answer if self.keeps_answer and isinstance(answer, str) else None
        try:
            ProgressStore.current().record(self.key, feedback.outcome.value, feedback.message, answer=kept)
        except OSError:
            pass  # a read-only folder must not break the exercise

    def check(self, answer=Ellipsis, **variant) -> None:
        """Show feedback on ``answer`` and record it in your progress. Never raises."""
        feedback = self.feedback(answer, **variant)
        self._record(feedback, answer)
        _display(feedback)

    def assert_passed(self, answer=Ellipsis, **variant) -> None:
        """The same check as :meth:`check`, raising ``AssertionError`` unless the answer is correct."""
        feedback = self.feedback(answer, **variant)
        self._record(feedback, answer)
        if self._fails(feedback):
            raise AssertionError(str(feedback))
        _display(feedback)

    def _fails(self, feedback: Feedback) -> bool:
        """Whether :meth:`assert_passed` raises on ``feedback``."""
        return not feedback.passed

    def hint(self, n: int = 1) -> None:
        """Show hint number ``n`` (1 is the gentlest)."""
        if not self.hints:
            print(f"{self.key} has no hints.")
            return
        if isinstance(n, bool) or not isinstance(n, numbers.Integral):
            raise TypeError(f"n must be a hint number (an int from 1 to {len(self.hints)}), got {type(n).__name__}.")
        if not 1 <= n <= len(self.hints):
            raise ValueError(f"n must be between 1 and {len(self.hints)}: {self.key} has {len(self.hints)} hint(s).")
        more = f" (hint {n} of {len(self.hints)}; next: .hint({n + 1}))" if n < len(self.hints) else f" (hint {n} of {n})"
        print(f"Hint{more}: {self.hints[n - 1]}")

    def solution(self) -> None:
        """Show the solution (self-paced workbook only)."""
        folder = find_workbook()
        text = None
        if folder is not None:
            path = folder / ".biaslab" / "solutions.json"
            if path.is_file():
                text = json.loads(path.read_text(encoding="utf-8")).get(self.key)
        if text is None:
            print(f"The solution of {self.key} is not available here. In a class, ask your instructor; "
                  "in the self-paced workbook (make lab) it is shown on request.")
            return
        from IPython.display import Markdown

        _display(Markdown(f"Solution of {self.key}:\n\n```python\n{text}\n```"), f"Solution of {self.key}:\n{text}")

    def __repr__(self) -> str:
        return f"<exercise {self.key}: {self.title}; .check(answer), .hint(), .solution()>"


# --- numbers -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Mistake:
    """A wrong answer learners often give: how to compute it, and what to tell them.

    ``value`` takes no arguments, or any of: ``expected`` (the key's value), ``key`` (the whole
    key) and the check's context (e.g. ``predictions``), by name.
    """

    value: Callable[..., float]
    message: str


def _as_number(answer, what: str):
    if isinstance(answer, (bool, np.bool_)):
        raise Problem.wrong_type(f"{what} should be a number, but you gave True/False.")
    if isinstance(answer, np.ndarray) and answer.size == 1:
        answer = answer.reshape(-1)[0]
    if hasattr(answer, "item") and getattr(answer, "shape", None) == ():
        answer = answer.item()
    if not isinstance(answer, numbers.Real):
        kind = type(answer).__name__
        extra = " (one number, not a table: pick the value you need)" if hasattr(answer, "shape") else ""
        raise Problem.wrong_type(f"{what} should be a single number, but you gave a {kind}{extra}.")
    value = float(answer)
    if math.isnan(value):
        raise Problem.wrong_type(f"{what} is NaN: a division by zero or missing values on the way?")
    return value


class FunctionProblem(Problem):
    """An exercise whose answer is a function, run on test cases.

    Parameters
    ----------
    cases : callable
        ``cases(variant) -> list of (args, kwargs)``: inputs to call the learner's function on.
        ``variant="hidden"`` gives other inputs, used by the hidden tests of the class version.
    reference : callable
        The reference implementation, with the same signature.
    compare : callable
        ``compare(got, expected, args, kwargs)``: return ``None`` if equal, else raise
        ``Problem.wrong(...)`` / ``Problem.wrong_type(...)`` with a diagnosis.
    """

    takes_function = True

    def __init__(self, *, title, cases, reference, compare, hints=(), correct_message=""):
        super().__init__(title=title, hints=hints)
        self.cases = cases
        self._reference = reference
        self.compare = compare
        self.correct_message = correct_message

    def calls(self, variant: str = "visible", seed=None) -> list:
        return self.cases(variant, seed)

    def diagnose(self, answer, variant: str = "visible", seed=None) -> str:
        return self._judge_function(answer, variant, seed)

    def judge(self, outputs, variant: str = "visible", seed=None) -> str:
        cases = self.calls(variant, seed)
        for i, (args, kwargs) in enumerate(cases):
            if i >= len(outputs):
                raise self.wrong_type(f"No result of your function was recorded for test case {i + 1}.")
            got = self.returned(outputs[i], where=f" on test case {i + 1} ({_describe_arguments(args, kwargs)})")
            self.compare(got, self._reference(*args, **kwargs), args, kwargs)
        return self.correct_message or f"Your function gives the right result on all {len(cases)} test cases."


def _upper_first(phrase: str) -> str:
    """The phrase with only its first letter raised: "the share pulled to 'Shirt'" keeps its 'Shirt'
    (``str.capitalize`` would lower every other letter)."""
    return phrase[:1].upper() + phrase[1:]


def _describe_arguments(args, kwargs) -> str:
    """What a test case hands the function, by kind and shape, never by value: "arguments: an array of
    shape (3, 2), a list of 4 values"."""
    def one(value) -> str:
        shape = getattr(value, "shape", None)
        if isinstance(shape, tuple):
            kind = {"ndarray": "numpy array", "Tensor": "torch tensor"}.get(type(value).__name__, type(value).__name__)
            return f"{'an' if kind[0].lower() in 'aeiou' else 'a'} {kind} of shape {shape}"
        if isinstance(value, (list, tuple)):
            return f"a {type(value).__name__} of {len(value)} values"
        return f"a {type(value).__name__}"

    parts = [one(v) for v in args] + [f"{k}={one(v)}" for k, v in kwargs.items()]
    return "arguments: " + ", ".join(parts) if parts else "no arguments"


# --- answers in words --------------------------------------------------------------------------

class ReflectionProblem(Problem):
    """An exercise answered in words: graded by a person in a class, recorded in the workbook.

    Code cannot judge an explanation, so the check never calls one correct and never scores it:
    an answer of at least ``min_words`` words is ``Outcome.RECORDED``. The check keeps the text in
    the learner's progress and shows ``points_to_cover``, the points a good answer makes, for the
    learner to compare with their own. In nbgrader the answer cell is a manually graded cell: its
    points count once the instructor has graded it. In the self-paced workbook nobody grades it: it
    stays recorded, self-assessed, not scored.

    Parameters
    ----------
    min_words : int
        Fewest words that count as an answer.
    points_to_cover : sequence of str
        What a good answer addresses; shown after the answer is recorded (a self-check list, the
        same list the instructor grades against).
    """

    keeps_answer = True

    def __init__(self, *, title, min_words=30, points_to_cover=(), hints=()):
        super().__init__(title=title, hints=hints)
        if isinstance(min_words, bool) or not isinstance(min_words, numbers.Integral) or min_words < 1:
            raise ValueError(f"min_words must be a positive int, got {min_words!r}.")
        if isinstance(points_to_cover, str) or not all(isinstance(p, str) for p in points_to_cover):
            raise TypeError("points_to_cover must be a list of strings.")
        self.min_words = int(min_words)
        self.points_to_cover = tuple(points_to_cover)

    def diagnose(self, answer) -> str:
        if not isinstance(answer, str):
            raise self.wrong_type(f"Write your answer as text between triple quotes (a str), not a {type(answer).__name__}.")
        words = len(answer.split())
        if words == 0:
            raise self.not_attempted("Your answer is empty: write a few sentences between the quotes.")
        if words < self.min_words:
            raise self.wrong(f"Your answer has {words} words; explain a little more (at least {self.min_words} words): "
                             "say what you found, why, and what follows from it.")
        covered = "; ".join(self.points_to_cover)
        raise _Verdict(Outcome.RECORDED,
                       f"{words} words (kept in your progress when you work in the workbook). A person grades this "
                       "one, not the code: your instructor in a class; in the self-paced workbook it earns no "
                       "points and you assess it yourself. "
                       + (f"Compare your answer with what a good answer covers: {covered}." if covered else ""))


# --- choices, decided against an answer key ----------------------------------------------------

class KeyedProblem(Problem):
    """An exercise decided against an answer key: a judgement exercise whose answer is a choice, or
    one number (:class:`NumberProblem`).

    The key (the right choice, and any diagnosis that would give it away) is not in the package:
    the instructor's source notebook holds it, in the test cell's hidden region (see
    :mod:`biaslab.exercises._keys`). The self-paced workbook's checks read it from the workbook;
    a class's grader reads it from the gradebook and hands it to :meth:`Problem.decide`. Without
    a key (a class student's own server) the check validates the answer's form, says that it is
    recorded and that the grader decides, and ``assert_passed`` does not raise.

    Subclasses implement :meth:`form` and :meth:`against`.
    """

    needs_key = True

    def form(self, answer):
        """The answer, normalised; or raise ``self.wrong_type(...)`` / ``self.not_attempted(...)``."""
        raise NotImplementedError

    def against(self, answer, key) -> str:
        """The message for a right ``answer``, or raise ``self.wrong(...)`` (never naming the key)."""
        raise NotImplementedError

    @staticmethod
    def recorded() -> _Verdict:
        """The verdict without a key: the form is right, the grader decides."""
        return _Verdict(Outcome.RECORDED,
                        "Your answer has the right form and is recorded; your instructor's grader decides whether "
                        "it is right (the answer key is not on this computer).", label="Recorded")

    def diagnose(self, answer, key=None) -> str:
        answer = self.form(answer)
        if key is None:
            raise self.recorded()
        try:
            return self.against(answer, key)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            from ._keys import AnswerKeyError

            raise AnswerKeyError(f"The answer key of {self.key} does not fit the exercise "
                                 f"({type(exc).__name__}: {exc}); fix it in the source notebook.") from exc

    def _fails(self, feedback: Feedback) -> bool:
        return not feedback.passed and feedback.outcome is not Outcome.RECORDED


# --- numbers -----------------------------------------------------------------------------------

def fingerprint(values) -> str:
    """A short digest of an array of labels (int64), to tell whether a learner's predictions are the notebook's."""
    import hashlib

    array = np.ascontiguousarray(np.asarray(values).astype(np.int64).ravel())
    return hashlib.sha256(array.tobytes()).hexdigest()[:16]


class NumberProblem(KeyedProblem):
    """An exercise whose answer is one number, decided against its answer key.

    The right value is not computed by the package (a learner could call that computation): it is
    the key in the instructor's source notebook, ``# answer key: 0.4037`` or ``{"value": 0.4037, ...}``
    (see :mod:`biaslab.exercises._keys`); the project's tests compute it independently and check
    the key. Without a key (a class student's own server) the check validates the number's form and
    range, and the grader decides.

    Parameters
    ----------
    tolerance : float
        Absolute tolerance that fits the quantity (e.g. 1e-3 for a rate read off a table).
    mistakes : sequence of Mistake
        Usual wrong answers, tried in order; the first that matches gives its message (never one
        that equals the right value).
    what : str
        How to name the answer in messages ("the discrimination score").
    bounds : (low, high), optional
        The range every right answer lies in (``high`` may be ``math.inf``); a number outside it is
        diagnosed even without the key, as a percentage when a hundredth of it fits. With the key, a
        percentage of the right value is diagnosed whatever the bounds.
    """

    def __init__(self, *, title, tolerance, what="your answer", mistakes=(), hints=(), correct_message="",
                 bounds=None):
        super().__init__(title=title, hints=hints)
        self.tolerance = float(tolerance)
        self.what = what
        self.mistakes = tuple(mistakes)
        self.correct_message = correct_message
        self.bounds = None if bounds is None else (float(bounds[0]), float(bounds[1]))
        self._cache: dict = {}

    def form(self, answer) -> float:
        return _as_number(answer, _upper_first(self.what))

    def _check_bounds(self, value: float) -> None:
        if self.bounds is None:
            return
        low, high = self.bounds
        if not low <= value <= high:
            span = f"between {low:g} and {high:g}" if math.isfinite(high) else f"of at least {low:g}"
            # without the key a percentage cannot be told from, say, a ratio: name both, claim neither
            maybe = " If it is a percentage, give it as a fraction (not in percent)." \
                if low <= value / 100 <= high and abs(value) > 1 else ""
            raise self.wrong(f"{_upper_first(self.what)} is a number {span}; {value:.4g} cannot be right.{maybe} "
                             f"{self.name}.hint() helps.")

    @staticmethod
    def expected_of(key) -> float:
        """The right value in a key (a number, or a dict with ``"value"``)."""
        value = key["value"] if isinstance(key, dict) else key
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"a number's key is a number or {{\"value\": number}}, got {key!r}")
        return float(value)

    def _mistake_value(self, fn, expected, key, context) -> float:
        import inspect

        params = inspect.signature(fn).parameters
        given = {"expected": expected, "key": key, **context}
        kwargs = {name: given[name] for name in params if name in given}
        if any(name in context for name in kwargs) or "key" in kwargs:
            return float(fn(**kwargs))
        cached = (fn, expected if "expected" in kwargs else None)
        if cached not in self._cache:  # data computations are slow; one per kernel
            self._cache[cached] = float(fn(**kwargs))
        return self._cache[cached]

    def check_context(self, key, **context) -> None:
        """Raise a verdict if the check's context (e.g. the learner's predictions) is not what ``key`` is
        right for: a subclass whose answer is a statistic of the notebook's own objects compares them
        with a fingerprint in the key."""

    def diagnose(self, answer, key=None, **context) -> str:
        value = self.form(answer)
        if key is None:
            self._check_bounds(value)
            raise self.recorded()
        self.check_context(key, **context)
        try:
            expected = self.expected_of(key)
        except (KeyError, TypeError) as exc:
            from ._keys import AnswerKeyError

            raise AnswerKeyError(f"The answer key of {self.key} does not fit the exercise ({exc}); "
                                 "fix it in the source notebook.") from exc
        if abs(value - expected) <= self.tolerance:
            return self.correct_message or f"{_upper_first(self.what)} is right."
        for mistake in self.mistakes:
            wrong = self._mistake_value(mistake.value, expected, key, context)
            if abs(wrong - expected) > self.tolerance and abs(value - wrong) <= self.tolerance:
                raise self.wrong(mistake.message)
        if abs(value) > 1 and abs(value / 100 - expected) <= self.tolerance:  # 33.2 for 0.332, rounded or not
            raise self.wrong(f"Give {self.what} as a fraction, not in percent.")
        if abs(value - expected) <= 10 * self.tolerance and value == round(value, 2):  # 0.33 for 0.3315
            raise self.wrong(f"{_upper_first(self.what)} looks rounded to two decimals, which is not precise enough "
                             "here: give it unrounded (or to at least three decimals).")
        self._check_bounds(value)
        raise self.wrong(
            f"{_upper_first(self.what)} is not right yet ({value:.4g}). Check which rows and which groups you used; "
            f"{self.name}.hint() helps."
        )
