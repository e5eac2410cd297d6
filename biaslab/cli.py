"""The ``biaslab`` command: ``biaslab doctor``, ``biaslab progress``, ``biaslab workbook``, ``biaslab workshop``,
``biaslab grade``, ``biaslab badge ...``.

Each subcommand lives beside the code it drives and registers itself through an
``add_parser(subparsers)`` function listed in ``_COMMANDS``; this file only wires them up.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# module path -> its add_parser() adds one subcommand and sets `func` on the parsed args
_COMMANDS = (
    "biaslab.course._cli",
    "biaslab.course._environment",
    "biaslab.course._workshop",
    "biaslab.grading._parallel",
    "biaslab.progress._cli",
    "biaslab.badges._cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="biaslab", description="Bias In, Bias Out: course tools.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in _COMMANDS:
        importlib.import_module(name).add_parser(sub)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (ValueError, TypeError, OSError) as exc:
        # a user's mistake (bad path, bad value): one clear line, not a traceback
        print(f"biaslab {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
