"""Parallel grading: a class of generated submissions of one module, graded by one worker and by two.

    .venv/bin/python benchmarks/bench_grading.py [--students 100] [--module 02] [--workers 2]

Builds a temporary nbgrader course with the module, generates ``--students`` submissions (a
seeded mix per exercise of the source solution, a wrong answer and the untouched release),
grades them all with ``biaslab.grading.grade_class`` with one worker, then again with
``--workers`` workers over the same gradebook, and checks that both runs give every student
the same score. It prints both times, the ratio, and the overhead per notebook beyond executing
it: the grading time per notebook minus the time nbclient takes to execute the same (graded)
notebook in a fresh kernel, measured on a few of them (goal: at most 2 s). Last, it grades the class
once more without the bubblewrap sandbox (``BIASLAB_SANDBOX=off``) and prints the sandbox's cost per
notebook with both distributions (goal: at most 1 s). It takes several minutes; the tests do not run it.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

# nbgrader runs `alembic` and kernels run `python` by name: take them from this environment
os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")

from biaslab.course import course_root, load_curriculum, release_course  # noqa: E402
from biaslab.grading._parallel import grade_class  # noqa: E402

# wrong answers per module: (grade id, text in the solution, replacement)
WRONG = {
    "02_measuring_fairness": [
        ("q1_answer", 'frame["y_true"] == 0', 'frame["y_true"] == 1'),
        ("q2_answer", 'sensitive_features["age_band"]', 'sensitive_features["race"]'),
        ("q3_answer", 'black, white = rates.loc["African-American"], rates.loc["Caucasian"]',
         'white, black = rates.loc["African-American"], rates.loc["Caucasian"]'),
        ("q4_answer", '"A": "equal opportunity", "B": "predictive parity"',
         '"A": "predictive parity", "B": "equal opportunity"'),
    ],
}


def make_class(root: Path, module, n: int, seed: int = 0) -> dict:
    """Release ``module`` in ``root`` and write ``n`` submissions; returns {student: kinds}."""
    shutil.copy(course_root() / "nbgrader_config.py", root)
    shutil.copytree(course_root() / "source" / module.id, root / "source" / module.id)
    release_course(root, [module.id])
    release = nbformat.read(root / "release" / module.notebook, as_version=4)
    source = nbformat.read(root / "source" / module.notebook, as_version=4)
    right = {c.metadata.nbgrader.grade_id: c.source for c in source.cells
             if c.metadata.get("nbgrader", {}).get("solution")}
    wrong = {}
    for grade_id, old, new in WRONG.get(module.id, []):
        if old not in right[grade_id]:
            raise SystemExit(f"{module.id}: the wrong answer of {grade_id} no longer applies to the solution")
        wrong[grade_id] = right[grade_id].replace(old, new)
    rng = random.Random(seed)
    plan = {}
    for i in range(n):
        student = f"s{i:03d}"
        answers, kinds = {}, {}
        for grade_id in right:
            kind = rng.choices(["right", "wrong", "blank"], weights=[0.6, 0.25, 0.15])[0]
            if kind == "wrong" and grade_id not in wrong:
                kind = "blank"
            kinds[grade_id] = kind
            if kind != "blank":
                answers[grade_id] = right[grade_id] if kind == "right" else wrong[grade_id]
        nb = nbformat.from_dict(release)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in answers:
                cell.source = answers[grade_id]
        folder = root / "submitted" / student / module.id
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{module.id}.ipynb")
        plan[student] = kinds
    return plan


def execution_seconds(path: Path, repeats: int) -> list[float]:
    """nbclient's wall time for the notebook at ``path``, in a fresh kernel each time."""
    from nbclient import NotebookClient

    env = {k: v for k, v in os.environ.items() if k != "BIASLAB_WORKBOOK"}
    times = []
    for _ in range(repeats):
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                                resources={"metadata": {"path": str(path.parent)}})
        start = time.perf_counter()
        client.execute(env=env)
        times.append(time.perf_counter() - start)
    return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--module", default="02")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--samples", type=int, default=3, help="notebooks executed alone with nbclient")
    args = parser.parse_args(argv)
    module = load_curriculum().module(args.module)
    print(f"machine: {os.cpu_count()} CPU cores, load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        plan = make_class(root, module, args.students)
        print(f"{module.id}: {args.students} submissions generated in {time.perf_counter() - start:.1f} s")

        one = grade_class(root, module.id, workers=1)
        print(f"1 worker : {one.seconds:8.1f} s  ({one.seconds / args.students:.2f} s per notebook)"
              f"{'  FAILED: ' + ', '.join(one.failed) if one.failed else ''}", flush=True)
        many = grade_class(root, module.id, workers=args.workers)
        print(f"{many.workers} workers: {many.seconds:8.1f} s  ({many.seconds / args.students:.2f} s per notebook)"
              f"{'  FAILED: ' + ', '.join(many.failed) if many.failed else ''}", flush=True)
        same = one.scores == many.scores
        print(f"ratio (1 worker / {many.workers} workers): {one.seconds / many.seconds:.2f}; "
              f"every score equal in both runs: {same}")
        scores = list(one.scores.values())
        print(f"scores: mean {statistics.mean(s for s in scores if s is not None):.2f} "
              f"of {next(iter(one.results.values())).max_score:g}, "
              f"{sum(1 for s in scores if s == max(scores))} full marks")

        # executing alone: the autograded notebooks (the ones nbgrader ran), in fresh kernels
        samples = sorted(plan)[:: max(1, args.students // args.samples)][: args.samples]
        alone = []
        for student in samples:
            alone += execution_seconds(root / "autograded" / student / module.notebook, 1)
        exec_s = statistics.median(alone)
        per_worker = statistics.median(r.seconds for r in one.results.values())
        print(f"executing one notebook alone (nbclient, fresh kernel, median of {len(alone)}): {exec_s:.2f} s")
        print(f"grading one notebook in a warm worker (median): {per_worker:.2f} s")
        overhead_one = one.seconds / args.students - exec_s
        print(f"overhead per notebook beyond executing it: {per_worker - exec_s:.2f} s inside the worker; "
              f"{overhead_one:.2f} s of the 1-worker wall time per notebook (incl. start-up, gradebook); "
              f"goal at most 2 s: {'met' if overhead_one <= 2 else 'NOT met'}")

        # the sandbox's cost: the same class graded by one worker without bubblewrap (BIASLAB_SANDBOX=off)
        os.environ["BIASLAB_SANDBOX"] = "off"
        try:
            off = grade_class(root, module.id, workers=1)
        finally:
            os.environ.pop("BIASLAB_SANDBOX")
        sand = sorted(r.seconds for r in one.results.values())
        bare = sorted(r.seconds for r in off.results.values())

        def quantiles(xs):
            return f"median {statistics.median(xs):.2f} s, p90 {xs[int(0.9 * (len(xs) - 1))]:.2f} s"

        cost = statistics.median(sand) - statistics.median(bare)
        print(f"per notebook, sandboxed (bubblewrap): {quantiles(sand)}; without the sandbox: {quantiles(bare)}")
        print(f"cost of the sandbox per notebook (difference of medians): {cost:+.2f} s; goal at most 1 s: "
              f"{'met' if cost <= 1 else 'NOT met'}; same scores without it: {off.scores == one.scores}")
        return 0 if same and not one.failed and not many.failed else 1


if __name__ == "__main__":
    sys.exit(main())
