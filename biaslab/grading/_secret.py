"""The course secret: the instructor's key from which the hidden cases of a class are derived.

It lives only with the grader, in ``<course root>/.biaslab/course_secret`` (made on first use, readable
by its owner only) or in the environment variable ``BIASLAB_COURSE_SECRET``. A student's kernel
never sees it: the grader derives each problem's hidden seed with an HMAC and hands the kernel
only the inputs of the hidden cases, never their truths.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tempfile
from pathlib import Path

__all__ = ["course_secret", "hidden_seed", "SECRET_ENV"]

SECRET_ENV = "BIASLAB_COURSE_SECRET"


def course_secret(root) -> bytes:
    """The course secret of the nbgrader course folder ``root`` (created there if missing)."""
    if not isinstance(root, (str, os.PathLike)):
        raise TypeError(f"root must be the course folder (a str or Path), got {type(root).__name__}.")
    value = os.environ.get(SECRET_ENV)
    if value:
        return value.encode()
    path = Path(root) / ".biaslab" / "course_secret"
    if not path.is_file():
        _create(path)
    text = path.read_text().strip()
    if len(text) < 32:
        raise ValueError(f"the course secret in {path} is too short (at least 32 characters); delete it to make a new one.")
    return text.encode()


def _create(path: Path) -> None:
    """Write a new secret to ``path`` atomically: several grading workers may start at once, and
    none may read a half-written file or replace a secret another one already made."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    fd, temp = tempfile.mkstemp(prefix=".course_secret.", dir=path.parent)  # mode 600
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        try:
            os.link(temp, path)  # appears complete, and only if no other process made one first
        except FileExistsError:
            pass
    finally:
        os.unlink(temp)


def hidden_seed(secret: bytes, key: str) -> int:
    """The seed of problem ``key``'s hidden cases: an HMAC-SHA256 of the key under the course secret.

    >>> hidden_seed(b"x" * 32, "02_measuring_fairness.q1") == hidden_seed(b"x" * 32, "02_measuring_fairness.q1")
    True
    >>> hidden_seed(b"x" * 32, "a.q1") != hidden_seed(b"y" * 32, "a.q1")
    True
    """
    if not isinstance(secret, bytes) or not isinstance(key, str):
        raise TypeError("secret must be bytes and key a str.")
    digest = hmac.new(secret, f"biaslab-hidden-cases:{key}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> 1  # numpy seeds are non-negative
