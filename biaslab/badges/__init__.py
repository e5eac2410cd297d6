"""Verifiable Open Badges 3.0 for the course: who earned one, issuing it, baking it, verifying it.

- :func:`eligible`, :func:`results_from_progress` (self-paced workbook),
  :func:`results_from_gradebook` (nbgrader): who has earned the badge, and why not.
- :func:`generate_keypair`, :func:`load_private_key`, :func:`load_public_key`: Ed25519 issuer keys.
- :func:`issue_badge`: an ``OpenBadgeCredential`` with an embedded Data Integrity proof
  (``eddsa-rdfc-2022``) and the same credential as a VC-JWT (ES256), returned as an
  :class:`IssuedBadge` that writes ``.json`` (the credential), baked ``.svg``/``.png`` and ``.jwt``.
- :func:`verify_badge`: offline verification of any of those files, with an honest word on trust.

JSON-LD contexts and the 1EdTech JSON Schema ship in ``ld/`` (see ``ld/SOURCES.md``); nothing is fetched.
See docs/BADGES.md for which wallets and validators accept the badge.

The command line is ``biaslab badge keygen | issue | verify``. Heavy libraries (nbgrader,
matplotlib, Pillow) are imported only by the functions that need them.
"""

from ._baking import BadgeFileError, bake_png, bake_svg, extract_badge
from ._credential import IssuedBadge, identity_hash, issue_badge
from ._keys import (
    KeyFiles,
    KeyInRepositoryWarning,
    did_key,
    generate_keypair,
    learner_key,
    load_private_key,
    load_public_key,
    public_jwk,
)
from ._results import Eligibility, ExerciseResult, eligible, results_from_gradebook, results_from_progress
from ._verify import VerificationResult, verify_badge

__all__ = [
    "BadgeFileError",
    "Eligibility",
    "ExerciseResult",
    "IssuedBadge",
    "KeyFiles",
    "KeyInRepositoryWarning",
    "VerificationResult",
    "bake_png",
    "bake_svg",
    "did_key",
    "eligible",
    "extract_badge",
    "generate_keypair",
    "identity_hash",
    "issue_badge",
    "learner_key",
    "load_private_key",
    "load_public_key",
    "public_jwk",
    "results_from_gradebook",
    "results_from_progress",
    "verify_badge",
]
