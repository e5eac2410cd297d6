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
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    text = path.read_text().strip()
    if len(text) < 32:
        raise ValueError(f"the course secret in {path} is too short (at least 32 characters); delete it to make a new one.")
    return text.encode()


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
