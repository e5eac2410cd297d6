"""Where the shipped data lives, how it is verified, and the Bunch every loader returns."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from sklearn.utils import Bunch

__all__ = ["Bunch", "data_dir", "data_file", "read_descr", "DataIntegrityError", "DatasetHarmWarning"]

_HERE = Path(__file__).resolve()


class DataIntegrityError(RuntimeError):
    """A shipped data file is missing or its sha256 differs from ``SHA256SUMS``."""


class DatasetHarmWarning(UserWarning):
    """The dataset carries known harms; read its datasheet before drawing conclusions from it."""


@functools.cache
def data_dir() -> Path:
    """The folder holding the shipped data and ``SHA256SUMS``.

    A wheel installs it as ``biaslab/_data``; a source checkout (and an editable install) has it
    as the top-level ``datasets/`` folder.
    """
    for candidate in (_HERE.parents[1] / "_data", _HERE.parents[2] / "datasets"):
        if (candidate / "SHA256SUMS").is_file():
            return candidate
    raise DataIntegrityError(
        "biaslab's shipped data was not found (no SHA256SUMS beside the package or in the "
        "checkout's datasets/ folder). Reinstall biaslab."
    )


@functools.cache
def _checksums() -> dict[str, str]:
    sums = {}
    for line in (data_dir() / "SHA256SUMS").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        digest, rel = line.split(maxsplit=1)
        sums[rel.lstrip("*")] = digest
    return sums


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@functools.cache
def _verified(rel: str, mtime_ns: int, size: int) -> Path:
    # cached per (file, mtime, size): verify once per process, again if the file changes
    path = data_dir() / rel
    expected = _checksums().get(rel)
    if expected is None:
        raise DataIntegrityError(f"{rel} is not listed in {data_dir() / 'SHA256SUMS'}.")
    actual = _sha256(path)
    if actual != expected:
        raise DataIntegrityError(
            f"{path} is damaged or was changed: its sha256 is {actual}, SHA256SUMS expects {expected}. "
            "Restore it from the repository (git checkout -- datasets/) or reinstall biaslab."
        )
    return path


def data_file(rel: str) -> Path:
    """Path of a shipped file (relative to the data folder), verified against ``SHA256SUMS``."""
    path = data_dir() / rel
    if not path.is_file():
        raise DataIntegrityError(f"The shipped data file {path} is missing. Reinstall biaslab.")
    stat = path.stat()
    return _verified(rel, stat.st_mtime_ns, stat.st_size)


def read_descr(rel: str) -> str:
    """The datasheet text (Markdown) of a dataset, used as the Bunch's ``DESCR``."""
    return data_file(rel).read_text(encoding="utf-8")
