"""Ties a module's problem objects to the curriculum: their keys, titles and points come from it."""

from __future__ import annotations

from ..course import load_curriculum
from ._problem import Problem, ReflectionProblem


def register(module_name: str, namespace: dict) -> None:
    """Name the problems ``q1, q2, ...`` of ``biaslab.exercises.<package>`` after the curriculum.

    Fails loudly (at import, so in the tests) when the module and the curriculum disagree.
    """
    from ..course._interrupt import quiet_keyboard_interrupt

    quiet_keyboard_interrupt()  # every module's notebook imports its problems in its first cell
    package = module_name.rsplit(".", 1)[-1]
    module = load_curriculum().module(package)
    defined = {k: v for k, v in namespace.items() if isinstance(v, Problem)}
    listed = {e.name: e for e in module.exercises}
    if set(defined) != set(listed):
        raise RuntimeError(
            f"{module_name} defines {sorted(defined)} but curriculum.yml lists {sorted(listed)} for {module.id}."
        )
    for name, problem in defined.items():
        is_reflection = isinstance(problem, ReflectionProblem)
        if is_reflection != (listed[name].kind == "reflection"):
            raise RuntimeError(f"{module_name}.{name} is {'a' if is_reflection else 'not a'} ReflectionProblem, but "
                               f"curriculum.yml gives {module.id}.{name} kind {listed[name].kind!r}.")
        problem.module_id = module.id
        problem.name = name
        problem.points = listed[name].points
        problem.required = listed[name].required
