"""Rewrite datasets/SHA256SUMS from the files under datasets/ (run after changing shipped data).

    python scripts/update_sha256sums.py          # rewrite
    python scripts/update_sha256sums.py --check  # exit 1 if SHA256SUMS is out of date
"""

import argparse
import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "datasets"
SUMS = ROOT / "SHA256SUMS"


def compute() -> str:
    lines = ["# sha256 of every shipped data file; the loaders refuse a file that differs"]
    for path in sorted(p for p in ROOT.rglob("*") if p.is_file()):
        rel = path.relative_to(ROOT).as_posix()
        if rel == "SHA256SUMS" or "__pycache__" in rel or rel.endswith(".pyc"):
            continue
        lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {rel}")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="only check, do not write")
    args = parser.parse_args()
    text = compute()
    if args.check:
        if not SUMS.is_file() or SUMS.read_text() != text:
            print("datasets/SHA256SUMS is out of date: run python scripts/update_sha256sums.py")
            return 1
        print("datasets/SHA256SUMS is up to date")
        return 0
    SUMS.write_text(text)
    print(f"wrote {SUMS} ({text.count(chr(10)) - 1} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
