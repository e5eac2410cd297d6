"""The capstone's last step: is the Learner badge earned, and if so, issue it into the workbook."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["BadgeStatus", "finish_course"]

_SELF_ISSUER = "Self-issued by the learner (Bias In, Bias Out self-paced workbook)"


@dataclass(frozen=True)
class BadgeStatus:
    """What :func:`finish_course` found or did.

    Attributes
    ----------
    eligible : bool
        Whether the progress earns the badge.
    reasons : list of str
        Why (every required exercise passed) or why not (what is missing).
    files : dict
        The badge files written (``png``, ``svg``, ``json``, ``jwt``); empty if none.
    message : str
        What to tell the learner.
    """

    eligible: bool
    reasons: list
    files: dict = field(default_factory=dict)
    message: str = ""

    @property
    def issued(self) -> bool:
        return bool(self.files)

    def __str__(self) -> str:
        lines = [self.message] + [f"  - {r}" for r in self.reasons]
        lines += [f"  {kind}: {p}" for kind, p in self.files.items()]
        return "\n".join(lines)

    __repr__ = __str__


def finish_course(name=None, *, email=None, workbook=None, out=None, key_home=None) -> BadgeStatus:
    """Check the Learner badge from the workbook's progress and, when earned, issue it.

    The badge is *self-assessed*: the workbook's checks were run by the learner, and the badge
    says so. It is signed with the learner's own key (``~/.biaslab/keys``, made on first use),
    like ``biaslab badge issue --workbook DIR --name NAME``. Nothing is issued outside a workbook
    (an nbgrader class version, a test run): there the instructor issues badges from the gradebook.

    Parameters
    ----------
    name : str, optional
        Your name as it should appear on the badge. Needed (or ``email``) to issue.
    email : str, optional
        Stored on the badge only as a salted hash.
    workbook : path, optional
        The workbook folder (default: the one this notebook runs in, if any).
    out : path, optional
        Where to write the badge files (default: ``<workbook>/badge``).
    key_home : path, optional
        The home folder holding ``.biaslab/keys`` (default: your home folder).

    Returns
    -------
    BadgeStatus

    Examples
    --------
    >>> import tempfile
    >>> status = finish_course(workbook=tempfile.mkdtemp())  # an empty folder: nothing passed yet
    >>> status.eligible, status.issued
    (False, False)
    """
    from ..badges import eligible, issue_badge, learner_key, results_from_progress
    from ..course import load_curriculum
    from ..progress import ProgressStore, find_workbook

    for label, value in (("name", name), ("email", email)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise TypeError(f"{label} must be a non-empty string or None, got {value!r}.")
    for label, value in (("workbook", workbook), ("out", out), ("key_home", key_home)):
        if value is not None and not isinstance(value, (str, Path)):
            raise TypeError(f"{label} must be a folder path or None, got {type(value).__name__}.")
    folder = Path(workbook) if workbook is not None else find_workbook()
    store = ProgressStore(folder)
    results = results_from_progress(store)
    ok, reasons = eligible(results)
    if not ok:
        return BadgeStatus(False, list(reasons), message=f"Not eligible yet: {len(reasons)} thing(s) missing. "
                           "Pass them in their modules (run their checks), then run this cell again.")
    if folder is None:
        return BadgeStatus(True, list(reasons), message="Eligible, but this notebook is not in a self-paced "
                           "workbook; in a class, your instructor issues the badge from the gradebook.")
    if name is None and email is None:
        return BadgeStatus(True, list(reasons), message="Eligible! Give your name to issue the badge: "
                           "finish_course(name='Your Name').")
    key, _ = learner_key(key_home)
    learner_id = store.load().get("learner_id")
    try:
        subject_id = f"urn:uuid:{uuid.UUID(hex=learner_id)}" if learner_id else None
    except (ValueError, TypeError, AttributeError):
        subject_id = None
    badge = issue_badge(learner_name=name, learner_email=email, results=results, issuer_name=_SELF_ISSUER,
                        private_key=key, self_assessed=True, subject_id=subject_id)
    target = Path(out) if out is not None else folder / "badge"
    paths = badge.write_all(target, stem=f"{load_curriculum().id}-badge", overwrite=True)
    return BadgeStatus(True, list(reasons), files={k: str(v) for k, v in paths.items()},
                       message=f"Badge issued to {name or 'you'} (self-assessed). Check it with: "
                       f"biaslab badge verify {paths['png']}")
