"""``python -m biaslab.grading._launch --memory-gib N ... -- CMD``: set resource limits, then run CMD.

The limits are inherited by everything CMD starts (bubblewrap, then the kernel)."""

from __future__ import annotations

import argparse
import os
import resource
import sys


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="biaslab.grading._launch")
    parser.add_argument("--memory-gib", type=float, required=True)
    parser.add_argument("--cpu-seconds", type=float, required=True)
    parser.add_argument("--file-mib", type=float, required=True)
    parser.add_argument("--processes", type=float, required=True)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")
    limits = [(resource.RLIMIT_AS, int(args.memory_gib * 2**30)), (resource.RLIMIT_CPU, int(args.cpu_seconds)),
              (resource.RLIMIT_FSIZE, int(args.file_mib * 2**20)), (resource.RLIMIT_CORE, 0)]
    if os.getuid() != 0:  # root's process count is not limited by RLIMIT_NPROC anyway
        limits.append((resource.RLIMIT_NPROC, int(args.processes)))
    for which, value in limits:
        soft, hard = resource.getrlimit(which)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (value, value))
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
