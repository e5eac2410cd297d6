"""How a badge's work was assessed: the words the credential's evidence uses, and reading them back.

Both the issuer (:mod:`._credential`, which writes the evidence), the results it is written from
(:mod:`._results`) and the picture and verifier (:mod:`._design`, :mod:`._verify`, which read it)
use these words, so they live here, below them all.
"""

from __future__ import annotations

__all__ = ["SELF_ASSESSED_GENRE", "ISSUER_ASSESSED_GENRE", "is_self_assessed", "MACHINE_CHECKED", "HUMAN_GRADED",
           "SELF_ASSESSED", "NOT_ASSESSED", "ASSESSMENTS"]

#: Evidence ``genre`` of a badge whose learner checked their own work (self-paced workbook)
SELF_ASSESSED_GENRE = "Self-assessment"
#: Evidence ``genre`` of a badge whose work the issuer (the course's instructors) graded
ISSUER_ASSESSED_GENRE = "Instructor assessment"

# How one exercise was assessed, as the evidence states it exercise by exercise
#: autograded in a class, by the course's grader on the instructors' side
MACHINE_CHECKED = "machine-checked"
#: graded by an instructor (a reflection, or a score an instructor set by hand)
HUMAN_GRADED = "human-graded"
#: the self-paced workbook: the learner's own run of the checks in their own kernel; a reflection
#: there is recorded and not scored
SELF_ASSESSED = "self-assessed"
#: no grade (yet): no graded submission, or a reflection waiting for the instructor
NOT_ASSESSED = "not assessed"
ASSESSMENTS = (MACHINE_CHECKED, HUMAN_GRADED, SELF_ASSESSED, NOT_ASSESSED)


def is_self_assessed(credential) -> bool:
    """Whether a credential's evidence says that the learner checked their own work."""
    evidence = credential.get("evidence") if isinstance(credential, dict) else None
    return any(isinstance(e, dict) and e.get("genre") == SELF_ASSESSED_GENRE
               for e in (evidence if isinstance(evidence, list) else []))
