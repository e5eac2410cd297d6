"""The class version of the course, through nbgrader's Python API (one process for all modules)."""

from __future__ import annotations

from pathlib import Path

from . import load_curriculum

__all__ = ["course_root", "nbgrader_api", "release_course"]


def course_root() -> Path:
    """The nbgrader course root of this checkout (``notebooks/``)."""
    return Path(__file__).resolve().parents[2] / "notebooks"


def nbgrader_api(root=None):
    """An ``NbGraderAPI`` on a course root, configured by its ``nbgrader_config.py``."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config, PyFileConfigLoader

    root = Path(root or course_root()).resolve()
    config_file = root / "nbgrader_config.py"
    if not config_file.is_file():
        raise FileNotFoundError(f"{root} is not an nbgrader course root: it has no nbgrader_config.py.")
    config = Config()
    config.merge(PyFileConfigLoader(config_file.name, path=str(root)).load_config())
    config.CourseDirectory.root = str(root)
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def release_course(root=None, modules=None) -> dict[str, bool]:
    """Generate the class version (``release/``) of every module that has a source notebook.

    Returns ``{module id: success}``; the reasons of failures are in nbgrader's log.
    """
    api = nbgrader_api(root)
    source = Path(api.coursedir.root) / api.coursedir.source_directory
    wanted = [m.id for m in load_curriculum().modules if (source / m.notebook).is_file()]
    if modules is not None:
        if isinstance(modules, str) or not all(isinstance(m, str) for m in modules):
            raise TypeError("modules must be a list of module ids such as ['01_bias_in_bias_out'].")
        unknown = set(modules) - set(wanted)
        if unknown:
            raise ValueError(f"modules {sorted(unknown)} have no source notebook; available: {wanted}.")
        wanted = [m for m in wanted if m in modules]
    results = {}
    for module_id in wanted:
        result = api.generate_assignment(module_id, force=True, create=True)
        if not result["success"]:
            raise RuntimeError(f"nbgrader could not generate {module_id}:\n{result.get('log', '')}{result.get('error', '')}")
        results[module_id] = True
    return results
