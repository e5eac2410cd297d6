"""How a badge's work was assessed: the words the credential's evidence uses, and reading them back.

Both the issuer (:mod:`._credential`, which writes the evidence) and the picture and verifier
(:mod:`._design`, :mod:`._verify`, which read it) use these words, so they live here, below all three.
"""

from __future__ import annotations

__all__ = ["SELF_ASSESSED_GENRE", "ISSUER_ASSESSED_GENRE", "is_self_assessed"]

#: Evidence ``genre`` of a badge whose learner checked their own work (self-paced workbook)
SELF_ASSESSED_GENRE = "Self-assessment"
#: Evidence ``genre`` of a badge whose work the issuer (the course's instructors) graded
ISSUER_ASSESSED_GENRE = "Instructor assessment"


def is_self_assessed(credential) -> bool:
    """Whether a credential's evidence says that the learner checked their own work."""
    evidence = credential.get("evidence") if isinstance(credential, dict) else None
    return any(isinstance(e, dict) and e.get("genre") == SELF_ASSESSED_GENRE
               for e in (evidence if isinstance(evidence, list) else []))
