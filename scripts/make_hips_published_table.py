"""Rebuild datasets/hidden_in_plain_sight/densenet_published.csv from the authors' results.

Kulkarni et al. publish, for every target group, poisoning rate and trial, the per-group
metrics of their DenseNet121 (repository UM2ii/HiddenInPlainSight, MIT licence,
``results/densenet/rsna_summary.csv`` for the internal RSNA test set and ``cxpt_summary.csv`` for
the external CheXpert set). Module 04 draws their curves beside ours; it needs only the targets
the course sweeps (F, M, 0-20 and F & 60-80), the groups it draws (overall, F, M, 0-20, 60-80
and F & 60-80) and AUROC, FNR, FOR with the confusion counts. This script takes that subset,
unchanged apart from the column names, and checks the source files' sha256 first.

    git clone https://github.com/UM2ii/HiddenInPlainSight /tmp/hips   # commit below
    python scripts/make_hips_published_table.py --repo /tmp/hips
    python scripts/make_hips_published_table.py --repo /tmp/hips --check   # exit 1 if it differs

Run ``python scripts/update_sha256sums.py`` after rewriting the table.
"""

import argparse
import hashlib
import sys
from pathlib import Path

import pandas as pd

COMMIT = "3f97e8fa41bb85c1fd65dc7004e45c166349f252"
SOURCES = {  # site -> (file in the authors' repository, its sha256 at COMMIT)
    "internal": ("results/densenet/rsna_summary.csv", "7b16e2bbcfda82dfb400f408b89285e9c719d84422cd277fc43935526104b2cc"),
    "external": ("results/densenet/cxpt_summary.csv", "80972b0661aae888629c44680fede332c6bc2fdcc534ce92c40a7ff731243103"),
}
TARGETS = {"F": ("F", None), "M": ("M", None), "0-20": (None, "0-20"), "F & 60-80": ("F", "60-80")}
GROUPS = {"overall": (None, None), "F": ("F", None), "M": ("M", None), "0-20": (None, "0-20"),
          "60-80": (None, "60-80"), "F & 60-80": ("F", "60-80")}
COLUMNS = ["site", "target", "trial", "rate", "group", "auroc", "fnr", "for", "tp", "fn", "tn", "fp"]
OUT = Path(__file__).resolve().parents[1] / "datasets" / "hidden_in_plain_sight" / "densenet_published.csv"


def _match(frame, sex_col, age_col, sex, age):
    mask = frame[sex_col].isna() if sex is None else frame[sex_col] == sex
    return mask & (frame[age_col].isna() if age is None else frame[age_col] == age)


def build(repo: Path) -> str:
    parts = []
    for site, (rel, digest) in SOURCES.items():
        data = (repo / rel).read_bytes()
        actual = hashlib.sha256(data).hexdigest()
        if actual != digest:
            raise SystemExit(f"{rel}: sha256 {actual}, expected {digest} (commit {COMMIT})")
        frame = pd.read_csv(repo / rel, keep_default_na=False, na_values=[""])
        for target, (t_sex, t_age) in TARGETS.items():
            rows = frame[_match(frame, "target_sex", "target_age", t_sex, t_age)]
            for group, (g_sex, g_age) in GROUPS.items():
                part = rows[_match(rows, "dem_sex", "dem_age", g_sex, g_age)]
                part = part.assign(site=site, target=target, group=group).rename(columns={"fomr": "for"})
                parts.append(part[COLUMNS])
    table = pd.concat(parts, ignore_index=True).sort_values(["site", "target", "group", "rate", "trial"], kind="stable")
    header = (f"# source: github.com/UM2ii/HiddenInPlainSight@{COMMIT} results/densenet/{{rsna,cxpt}}_summary.csv "
              "(MIT licence); made by scripts/make_hips_published_table.py\n")
    return header + table.to_csv(index=False, float_format="%.6g", lineterminator="\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", type=Path, required=True, help="a checkout of UM2ii/HiddenInPlainSight")
    parser.add_argument("--check", action="store_true", help="only compare with the shipped table")
    args = parser.parse_args()
    text = build(args.repo)
    if args.check:
        same = OUT.is_file() and OUT.read_text(encoding="utf-8") == text
        print(f"{OUT} is {'up to date' if same else 'out of date'}")
        return 0 if same else 1
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({text.count(chr(10)) - 2} rows, {len(text.encode()) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
