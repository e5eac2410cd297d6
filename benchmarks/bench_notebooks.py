"""Time every module of the course: the whole notebook and its slowest cell.

    python benchmarks/bench_notebooks.py [MODULE ...] [--version source|workbook]

Runs each module's notebook top to bottom in a fresh kernel (the source notebook with its
solutions by default, or the learner's workbook version) and prints the total time, the kernel's
start-up, and the slowest cell with its first line. COURSE.md's budget: a module in at most 60 s,
no cell over 10 s, on 2 CPU cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

BUDGET_MODULE_S = 60.0
BUDGET_CELL_S = 10.0


def cell_seconds(cell) -> float | None:
    timing = cell.get("metadata", {}).get("execution", {})
    try:
        begin = dt.datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
        end = dt.datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return None
    return (end - begin).total_seconds()


def run(path: Path):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=True,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    total = time.perf_counter() - start
    cells = [(cell_seconds(c), c.source.strip().splitlines()[0] if c.source.strip() else "")
             for c in nb.cells if c.cell_type == "code"]
    timed = [(s, line) for s, line in cells if s is not None]
    slowest = max(timed, default=(0.0, ""))
    return total, total - sum(s for s, _ in timed), slowest, len(timed)


def main() -> int:
    from biaslab.course import build_workbook, load_curriculum, source_dir

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="*", help="module ids or numbers (default: every module with a notebook)")
    parser.add_argument("--version", choices=["source", "workbook"], default="source")
    args = parser.parse_args()
    curriculum = load_curriculum()
    modules = [curriculum.module(m) for m in args.modules] if args.modules else list(curriculum.modules)
    modules = [m for m in modules if (source_dir() / m.notebook).is_file()]
    with tempfile.TemporaryDirectory() as tmp:
        root = source_dir()
        if args.version == "workbook":
            build_workbook(tmp)
            root = Path(tmp)
        print(f"{'module':<32} {'total s':>8} {'kernel+overhead s':>18} {'cells':>6} {'slowest cell s':>15}  slowest cell")
        over = []
        for m in modules:
            total, overhead, (slow_s, slow_line), n = run(root / m.notebook)
            flag = " !" if total > BUDGET_MODULE_S or slow_s > BUDGET_CELL_S else ""
            print(f"{m.id:<32} {total:>8.1f} {overhead:>18.1f} {n:>6} {slow_s:>15.2f}  {slow_line[:50]}{flag}")
            if flag:
                over.append(m.id)
    print(f"\nbudget: a module <= {BUDGET_MODULE_S:.0f} s, a cell <= {BUDGET_CELL_S:.0f} s (2 CPU cores); "
          + ("over budget: " + ", ".join(over) if over else "all modules within budget"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
