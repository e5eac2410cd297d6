"""``biaslab workbook`` (self-paced) and ``biaslab release`` (class version, nbgrader).

The instructor's commands (``biaslab release``, ``biaslab grade``) follow nbgrader's convention:
they work on the course folder they are run in, the one holding ``nbgrader_config.py``
(:func:`course_folder`), or on the one ``--root`` names.
"""

from __future__ import annotations

from pathlib import Path

#: the ``--root`` help of the instructor's commands
ROOT_HELP = "the nbgrader course folder (default: the current folder, which must hold nbgrader_config.py)"


def course_folder(root=None) -> Path:
    """The course folder an instructor's command works on: ``root`` if given, else the current folder.

    Without ``root`` the current folder must be an nbgrader course folder (it holds
    ``nbgrader_config.py``); otherwise a ``ValueError`` says to ``cd`` there or pass ``--root``.
    """
    if root is not None:
        return Path(root)
    here = Path.cwd()
    if not (here / "nbgrader_config.py").is_file():
        raise ValueError(f"{here} is not an nbgrader course folder (it has no nbgrader_config.py): "
                         "cd into the course folder (the one with nbgrader_config.py and source/, "
                         "e.g. notebooks/ in a checkout) or pass --root FOLDER.")
    return here


def add_parser(sub) -> None:
    p = sub.add_parser("workbook", help="create or complete the self-paced workbook")
    p.add_argument("--dest", default="workbook", help="the workbook folder (default: ./workbook)")
    p.add_argument("--source", default=None, help="the nbgrader source folder (default: the checkout's)")
    p.add_argument("--force", action="store_true",
                   help="rewrite notebooks that exist (your copy is kept as a dated backup)")
    p.add_argument("--modules", nargs="+", default=None, metavar="MODULE",
                   help="only these modules, by id or number (e.g. --modules 00 02); default: every module")
    p.set_defaults(func=_workbook)

    r = sub.add_parser("release", help="generate the class version of every module with nbgrader")
    r.add_argument("--root", default=None, help=ROOT_HELP)
    r.add_argument("modules", nargs="*", help="module ids (default: every module with a source notebook)")
    r.set_defaults(func=_release)


def _workbook(args) -> int:
    from ._workbook import build_workbook

    written = build_workbook(Path(args.dest), source=args.source, force=args.force, modules=args.modules)
    for path in written:
        print(f"wrote {path}")
    print(f"workbook ready in {Path(args.dest).resolve()} ({len(written)} notebook(s) new or rewritten)")
    return 0


def _release(args) -> int:
    from ._nbgrader import release_course

    done = release_course(course_folder(args.root), args.modules or None)
    print(f"generated the class version of {len(done)} module(s): {', '.join(done)}")
    return 0
