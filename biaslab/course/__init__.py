"""The curriculum: modules in order, their exercises, points and what the badge requires.

Read from ``curriculum.yml`` beside this file, the single source that the README, the tests,
the progress tracker and the badge all use.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

import yaml

__all__ = ["EXERCISE_KINDS", "Exercise", "Module", "Curriculum", "load_curriculum"]

#: how an exercise is graded: by code, or (a reflection in words) by a person
EXERCISE_KINDS = ("auto", "reflection")


@dataclass(frozen=True)
class Exercise:
    module: str  # module id, e.g. "01_bias_in_bias_out"
    name: str  # "q1"
    title: str
    points: float
    required: bool
    #: "auto" (checked by code) or "reflection" (an answer in words: graded by a person in a
    #: class, recorded in the self-paced workbook)
    kind: str = "auto"

    @property
    def key(self) -> str:
        """Unique key of the exercise in the course, e.g. ``"01_bias_in_bias_out.q1"``."""
        return f"{self.module}.{self.name}"

    @property
    def grade_cell(self) -> str:
        """The nbgrader grade cell holding the points: the test cell ``q1``, or for a reflection
        the manually graded answer cell ``q1_answer``."""
        return f"{self.name}_answer" if self.kind == "reflection" else self.name


@dataclass(frozen=True)
class Module:
    id: str
    package: str  # biaslab.exercises.<package>
    title: str
    minutes: int
    exercises: tuple[Exercise, ...]

    @property
    def number(self) -> str:
        return self.id.split("_", 1)[0]

    @property
    def points(self) -> float:
        return sum(e.points for e in self.exercises)

    @property
    def notebook(self) -> str:
        """Path of the module's notebook inside a course folder (``source/``, ``release/``, workbook)."""
        return f"{self.id}/{self.id}.ipynb"


@dataclass(frozen=True)
class Curriculum:
    id: str
    title: str
    description: str
    badge_name: str
    badge_description: str
    pass_share: float
    modules: tuple[Module, ...]

    @property
    def exercises(self) -> tuple[Exercise, ...]:
        return tuple(e for m in self.modules for e in m.exercises)

    @property
    def required_exercises(self) -> tuple[Exercise, ...]:
        return tuple(e for e in self.exercises if e.required)

    def module(self, key: str) -> Module:
        """A module by id (``"01_bias_in_bias_out"``), number (``"01"``) or package (``"m01"``)."""
        for m in self.modules:
            if key in (m.id, m.number, m.package):
                return m
        raise ValueError(f"module {key!r} is not in the curriculum; its modules are {[m.id for m in self.modules]}.")

    def exercise(self, key: str) -> Exercise:
        """An exercise by key ``"<module>.<name>"``, with the module given as id, number or package."""
        if not isinstance(key, str) or "." not in key:
            raise ValueError(f"exercise key must look like '01_bias_in_bias_out.q1' or 'm01.q1', got {key!r}.")
        module_key, name = key.rsplit(".", 1)
        module = self.module(module_key)
        for e in module.exercises:
            if e.name == name:
                return e
        raise ValueError(f"module {module.id} has no exercise {name!r}; it has {[e.name for e in module.exercises]}.")

    def markdown_table(self) -> str:
        """The course's table of contents in Markdown (used by the README)."""
        lines = ["| # | module | time | exercises (points; * required for the badge; r reflection) |",
                 "|---|---|---|---|"]
        for m in self.modules:
            ex = ", ".join(f"{e.name} ({e.points:g}{'*' if e.required else ''}{' r' if e.kind == 'reflection' else ''})"
                           for e in m.exercises) or "-"
            lines.append(f"| {m.number} | {m.title} | {m.minutes} min | {ex} |")
        return "\n".join(lines)


def _require(mapping, key, where):
    if key not in mapping:
        raise ValueError(f"curriculum.yml: {where} lacks {key!r}.")
    return mapping[key]


@functools.cache
def load_curriculum() -> Curriculum:
    """The course's curriculum, parsed and checked (ids unique, points positive)."""
    text = resources.files(__package__).joinpath("curriculum.yml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    course = _require(raw, "course", "the file")
    badge = _require(course, "badge", "course")
    modules = []
    seen = set()
    for i, m in enumerate(_require(raw, "modules", "the file")):
        mid = _require(m, "id", f"module {i}")
        if mid in seen:
            raise ValueError(f"curriculum.yml: module id {mid!r} appears twice.")
        seen.add(mid)
        exercises = []
        for e in m.get("exercises") or []:
            points = float(_require(e, "points", f"an exercise of {mid}"))
            if points <= 0:
                raise ValueError(f"curriculum.yml: {mid}.{e.get('name')} must have positive points.")
            kind = e.get("kind", "auto")
            if kind not in EXERCISE_KINDS:
                raise ValueError(f"curriculum.yml: {mid}.{e.get('name')} has kind {kind!r}; "
                                 f"expected one of {EXERCISE_KINDS}.")
            exercises.append(
                Exercise(module=mid, name=_require(e, "name", f"an exercise of {mid}"),
                         title=_require(e, "title", f"{mid}.{e['name']}"), points=points,
                         required=bool(e.get("required", True)), kind=kind)
            )
        if len({e.name for e in exercises}) != len(exercises):
            raise ValueError(f"curriculum.yml: exercise names repeat in module {mid}.")
        modules.append(Module(id=mid, package=_require(m, "package", mid), title=_require(m, "title", mid),
                              minutes=int(_require(m, "minutes", mid)), exercises=tuple(exercises)))
    return Curriculum(
        id=_require(course, "id", "course"), title=_require(course, "title", "course"),
        description=course.get("description", ""), badge_name=_require(badge, "name", "badge"),
        badge_description=badge.get("description", ""), pass_share=float(badge.get("pass_share", 1.0)),
        modules=tuple(modules),
    )


from ._nbgrader import course_root, nbgrader_api, release_course  # noqa: E402
from ._workbook import CODE_STUB, TEXT_STUB, build_workbook, find_workbook, source_dir  # noqa: E402
from ._environment import EnvironmentCheck, EnvironmentReport, check_environment  # noqa: E402
from ._workshop import build_workshop  # noqa: E402

__all__ += ["CODE_STUB", "TEXT_STUB", "build_workbook", "find_workbook", "course_root", "nbgrader_api",
            "release_course", "source_dir", "EnvironmentCheck", "EnvironmentReport", "check_environment",
            "build_workshop"]
