"""Argument checks for the badge functions (no numpy/pandas here, so ``import biaslab.badges`` stays fast)."""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

UTC = _dt.timezone.utc


def check_text(value, name: str, *, allow_none: bool = False, max_length: int = 500) -> str | None:
    """A non-empty string (surrounding whitespace removed), or ``None`` when allowed."""
    if value is None and allow_none:
        return None
    if not isinstance(value, str):
        expected = "a string or None" if allow_none else "a string"
        raise TypeError(f"{name} must be {expected}, got {type(value).__name__}.")
    value = value.strip()
    if not value:
        raise ValueError(f"{name} must not be empty.")
    if len(value) > max_length:
        raise ValueError(f"{name} is {len(value)} characters long; at most {max_length} are allowed.")
    if any(ord(c) < 32 for c in value):
        raise ValueError(f"{name} must not contain control characters such as newlines or tabs.")
    return value


def check_flag(value, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}.")
    return value


def check_path(value, name: str) -> Path:
    if isinstance(value, bool) or not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or pathlib.Path), got {type(value).__name__}.")
    if str(value) == "":
        raise ValueError(f"{name} must not be an empty path.")
    return Path(value).expanduser()


def check_datetime(value, name: str, *, allow_none: bool = False) -> _dt.datetime | None:
    """A timezone-aware UTC datetime with whole seconds (JWT NumericDates are whole seconds).

    A ``date`` means midnight UTC; a naive ``datetime`` is rejected, since guessing its zone would
    shift the badge's dates.
    """
    if value is None and allow_none:
        return None
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"{name} must be timezone-aware, e.g. datetime.now(timezone.utc); got a naive datetime {value}."
            )
        return value.astimezone(UTC).replace(microsecond=0)
    if isinstance(value, _dt.date):
        return _dt.datetime(value.year, value.month, value.day, tzinfo=UTC)
    expected = "a datetime, a date or None" if allow_none else "a datetime or a date"
    raise TypeError(f"{name} must be {expected}, got {type(value).__name__}.")


def iso_z(moment: _dt.datetime) -> str:
    """``2026-03-15T09:30:00Z``: the DateTimeZ form of the VC data model."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value) -> _dt.datetime | None:
    """Parse an ISO 8601 date-time with a zone; ``None`` when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        moment = _dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(UTC)
