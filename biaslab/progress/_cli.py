"""``biaslab progress``: the learner's progress as a table."""

from __future__ import annotations

from pathlib import Path

from . import REFLECTION_STATUS, ProgressStore, find_workbook, progress_table, scored_points


def add_parser(sub) -> None:
    p = sub.add_parser("progress", help="show a learner's progress through the course")
    p.add_argument("workbook", nargs="?", help="the workbook folder (default: found from the current folder)")
    p.set_defaults(func=run)


def run(args) -> int:
    if args.workbook and not Path(args.workbook).is_dir():
        raise ValueError(f"no workbook found at {args.workbook}: the folder does not exist.")
    folder = find_workbook(Path(args.workbook)) if args.workbook else find_workbook()
    if folder is None:
        where = args.workbook or "the current folder"
        raise ValueError(f"no workbook found at {where} (no folder there or above it has .biaslab/workbook.json). "
                         "Run it inside your workbook folder, or give the folder: `biaslab progress PATH/TO/workbook` "
                         "(the folder `biaslab workbook --dest` made; `make lab` makes ./workbook).")
    table = progress_table(ProgressStore(folder))
    earned, total = scored_points(table)
    shown = table[["module", "exercise", "title", "points", "required", "status", "attempts"]]
    reflections = table["kind"] == "reflection"
    print(f"Progress in {folder}")
    print(shown.to_string(index=False))
    print(f"\n{earned:g} of {total:g} points; required exercises passed: "
          f"{int(((table['best'] == 'correct') & table['required']).sum())} of {int(table['required'].sum())}")
    print(f"reflections: {int((table['status'] == REFLECTION_STATUS).sum())} of {int(reflections.sum())} recorded "
          f"({REFLECTION_STATUS}: they add no points here; in a class a person grades them)")
    return 0
