"""``biaslab workbook`` (self-paced) and ``biaslab release`` (class version, nbgrader)."""

from __future__ import annotations

from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser("workbook", help="create or complete the self-paced workbook")
    p.add_argument("--dest", default="workbook", help="the workbook folder (default: ./workbook)")
    p.add_argument("--source", default=None, help="the nbgrader source folder (default: the checkout's)")
    p.add_argument("--force", action="store_true",
                   help="rewrite notebooks that exist (your copy is kept as a dated backup)")
    p.set_defaults(func=_workbook)

    r = sub.add_parser("release", help="generate the class version of every module with nbgrader")
    r.add_argument("--root", default=None, help="the nbgrader course root (default: the checkout's notebooks/)")
    r.add_argument("modules", nargs="*", help="module ids (default: every module with a source notebook)")
    r.set_defaults(func=_release)


def _workbook(args) -> int:
    from ._workbook import build_workbook

    written = build_workbook(Path(args.dest), source=args.source, force=args.force)
    for path in written:
        print(f"wrote {path}")
    print(f"workbook ready in {Path(args.dest).resolve()} ({len(written)} notebook(s) new or rewritten)")
    return 0


def _release(args) -> int:
    from ._nbgrader import release_course

    done = release_course(args.root, args.modules or None)
    print(f"generated the class version of {len(done)} module(s): {', '.join(done)}")
    return 0
