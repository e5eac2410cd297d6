"""Each module's peak kernel memory, for the class-mode sizing table.

    .venv/bin/python benchmarks/bench_kernel_memory.py [--module 02 08 ...]

Executes each module's source notebook (with its solutions) top to bottom in a fresh kernel with
nbclient, as a learner's "Run All" would, and reports the kernel process's peak resident memory:
``VmHWM`` from ``/proc/<pid>/status`` read just before the kernel shuts down (Linux), plus the
peak RSS of the kernel and its child processes sampled every 0.2 s with psutil while it runs
(a module that starts worker processes shows them there). Memory is in MiB.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

# kernels run `python` by name: take it from this environment
os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")

import nbformat  # noqa: E402
import psutil  # noqa: E402

from biaslab.course import load_curriculum, source_dir  # noqa: E402

MIB = 1024 * 1024


def vm_hwm(pid: int) -> float | None:
    """The peak resident set (VmHWM) of a process in MiB, or None off Linux."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Sampler(threading.Thread):
    """Polls the RSS of a process tree (the kernel and its children) until stopped."""

    def __init__(self, pid: int, every: float = 0.2):
        super().__init__(daemon=True)
        self.proc, self.every, self.peak_tree = psutil.Process(pid), every, 0.0
        self.halt = threading.Event()

    def run(self):
        while not self.halt.is_set():
            try:
                procs = [self.proc] + self.proc.children(recursive=True)
                total = 0
                for p in procs:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
                self.peak_tree = max(self.peak_tree, total / MIB)
            except psutil.Error:
                return
            self.halt.wait(self.every)


def measure(path: Path, timeout: int = 600) -> dict:
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    env = {k: v for k, v in os.environ.items() if k not in ("BIASLAB_WORKBOOK", "MPLBACKEND")}
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    with client.setup_kernel(env=env):
        pid = client.km.provisioner.process.pid
        start_rss = psutil.Process(pid).memory_info().rss / MIB
        sampler = Sampler(pid)
        sampler.start()
        try:
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
        finally:
            sampler.halt.set()
            sampler.join()
            hwm = vm_hwm(pid)
    return {"seconds": time.perf_counter() - start, "start_mib": start_rss, "vmhwm_mib": hwm,
            "peak_tree_mib": sampler.peak_tree}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", dest="modules", nargs="+", default=None, help="ids or numbers (default: all)")
    args = parser.parse_args(argv)
    curriculum = load_curriculum()
    modules = [curriculum.module(m) for m in args.modules] if args.modules else list(curriculum.modules)
    print(f"machine: {os.cpu_count()} CPU cores, {psutil.virtual_memory().total / 2**30:.1f} GiB RAM, "
          f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("| module | kernel at start (MiB) | peak kernel RSS, VmHWM (MiB) | peak kernel + children (MiB) | run time (s) |")
    print("|---|---|---|---|---|")
    failed = 0
    peaks = []
    for module in modules:
        path = source_dir() / module.notebook
        if not path.is_file():
            continue
        try:
            r = measure(path)
        except Exception as exc:  # report and go on
            failed += 1
            print(f"| {module.id} | FAILED: {type(exc).__name__}: {str(exc).strip().splitlines()[-1][:80]} | | | |")
            continue
        peaks.append(r["vmhwm_mib"] or r["peak_tree_mib"])
        hwm = f"{r['vmhwm_mib']:.0f}" if r["vmhwm_mib"] is not None else "n/a"
        print(f"| {module.id} | {r['start_mib']:.0f} | {hwm} | {r['peak_tree_mib']:.0f} | {r['seconds']:.1f} |",
              flush=True)
    if peaks:
        print(f"\nlargest module peak: {max(peaks):.0f} MiB; median {sorted(peaks)[len(peaks) // 2]:.0f} MiB")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
