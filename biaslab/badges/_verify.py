"""Verify a badge offline: proof, structure, dates, and that what it shows is what was signed.

Follows the OpenBadgeCredential verification of OB 3.0 ("Verification and Validation"). A badge
comes in two forms, and both are checked here:

- the credential with an embedded Data Integrity proof (``eddsa-rdfc-2022``; the ``.json`` file
  and the baked PNG/SVG): the proof is checked over the RDFC-1.0 canonical form of the credential,
  made with the shipped JSON-LD contexts only (:mod:`._proof`);
- the VC-JWT (``.jwt``; section 8.2): the JWS signature (ES256, with the key in its header) and the
  claims ``iss``/``sub``/``jti``/``nbf``/``exp``, which must match the credential; the credential in
  its payload carries the same embedded proof, and that proof is what ties it to the issuer. Older
  biaslab badges, JWTs signed with EdDSA by the issuer's did:key and no embedded proof, still verify.

Then the structure, ``validFrom``/``validUntil``, and optionally the recipient by a known email.

Trust is reported honestly. A proof checked with the key its issuer id names only shows that the
badge is intact and was signed by whoever holds that key: anyone can make such a badge. Only a key
the verifier supplies (``public_key=``, ``--key``) ties the badge to an issuer they trust.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from pathlib import Path

from ._assessment import is_self_assessed
from ._baking import _JWS, BadgeFileError, extract_badge
from ._checks import UTC, check_datetime, check_text, parse_iso
from ._credential import JWT_ALGORITHM, JWT_CLAIMS, VC_CONTEXT, identity_hash, normalise_email
from ._design import badge_text
from ._keys import _public_key_from_did, _public_key_from_jwk, load_public_key, same_key
from ._proof import ProofError, check_proof

__all__ = ["VerificationResult", "verify_badge"]

_ALLOWED_HEADERS = {"alg", "kid", "jwk", "typ"}  # OB 3.0 8.2: "Additional JOSE Headers are NOT allowed"
_LEEWAY = _dt.timedelta(seconds=60)  # clock skew between the issuer's machine and ours
_SHOWN_NAMES = {"badge-course": "the course", "badge-achievement": "the achievement", "badge-learner": "the learner",
                "badge-date": "the date", "badge-assessment": "the assessment line", "Title": "the title",
                "Description": "the description"}


@dataclass(frozen=True)
class VerificationResult:
    """The outcome of :func:`verify_badge`. ``bool(result)`` is ``result.valid``."""

    valid: bool
    reason: str
    format: str | None = None
    issuer: str | None = None
    issuer_id: str | None = None
    learner: str | None = None
    achievement: str | None = None
    issued: str | None = None  # validFrom as an ISO date
    valid_until: str | None = None
    self_assessed: bool | None = None
    key_trusted: bool = False
    trust: str = ""
    recipient_verified: bool | None = None
    credential: dict | None = None

    def __bool__(self) -> bool:
        return self.valid

    def summary(self) -> str:
        """A few lines for people: who issued what to whom, when, how far to trust it, and the verdict."""
        lines = []
        if self.issuer or self.issuer_id:
            who = self.issuer or "(no name)"
            lines.append(f"Issuer:      {who}" + (f"  <{self.issuer_id}>" if self.issuer_id else ""))
        if self.learner:
            lines.append(f"Learner:     {self.learner}")
        if self.achievement:
            lines.append(f"Achievement: {self.achievement}")
        if self.issued:
            until = f" (valid until {self.valid_until})" if self.valid_until else ""
            lines.append(f"Issued:      {self.issued}{until}")
        if self.self_assessed is not None:
            lines.append("Assessment:  " + ("self-assessed: the learner checked their own work" if self.self_assessed
                                             else "assessed by the issuer"))
        if self.recipient_verified is not None:
            lines.append("Recipient:   " + ("matches the email you gave" if self.recipient_verified
                                             else "does NOT match the email you gave"))
        if self.trust:
            lines.append(f"Issuer key:  {self.trust}")
        if not self.valid:
            lines.append(f"INVALID: {self.reason}")
        elif self.key_trusted:
            lines.append("VALID")
        else:
            lines.append("VALID (intact and correctly signed; the issuer's key was not independently trusted)")
        return "\n".join(lines)


def _types(value) -> set:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {v for v in value if isinstance(v, str)}
    return set()


def _structure_problem(c: dict) -> str | None:
    ctx = c.get("@context")
    if not isinstance(ctx, list) or not ctx or ctx[0] != VC_CONTEXT:
        return f"its @context must be a list starting with {VC_CONTEXT} (VC Data Model 2.0)"
    if not any(isinstance(x, str) and x.startswith("https://purl.imsglobal.org/spec/ob/v3p0/context") for x in ctx):
        return "its @context lacks the Open Badges 3.0 context"
    types = _types(c.get("type"))
    if "VerifiableCredential" not in types or not types & {"OpenBadgeCredential", "AchievementCredential"}:
        return "its type must include VerifiableCredential and OpenBadgeCredential"
    if not isinstance(c.get("id"), str) or not c["id"]:
        return "it has no id"
    if not isinstance(c.get("name"), str):
        return "it has no name"
    issuer = c.get("issuer")
    if isinstance(issuer, dict):
        if not isinstance(issuer.get("id"), str) or "Profile" not in _types(issuer.get("type")):
            return "its issuer must be a Profile with an id"
    elif not isinstance(issuer, str):
        return "it has no issuer"
    if parse_iso(c.get("validFrom")) is None:
        return "its validFrom is missing or not a date-time with a time zone"
    if "validUntil" in c and parse_iso(c["validUntil"]) is None:
        return "its validUntil is not a date-time with a time zone"
    subject = c.get("credentialSubject")
    if not isinstance(subject, dict) or "AchievementSubject" not in _types(subject.get("type")):
        return "its credentialSubject must be an AchievementSubject"
    identifiers = subject.get("identifier")
    if "id" not in subject and not identifiers:
        return "its credentialSubject has neither an id nor an identifier"
    if identifiers is not None:
        if not isinstance(identifiers, list):
            return "its credentialSubject.identifier must be a list"
        for ident in identifiers:
            if not (isinstance(ident, dict) and ident.get("type") == "IdentityObject"
                    and isinstance(ident.get("identityHash"), str) and isinstance(ident.get("identityType"), str)
                    and isinstance(ident.get("hashed"), bool)):
                return "an identifier of its credentialSubject is not a complete IdentityObject"
    achievement = subject.get("achievement")
    if not isinstance(achievement, dict) or "Achievement" not in _types(achievement.get("type")):
        return "its credentialSubject has no Achievement"
    for name in ("id", "name", "description"):
        if not isinstance(achievement.get(name), str):
            return f"its achievement has no {name}"
    if not isinstance(achievement.get("criteria"), dict):
        return "its achievement has no criteria"
    return None


def _shows(shown: str, signed: str) -> bool:
    """Whether a picture's text shows the signed value: equal up to spacing, or cut short with an ellipsis."""
    shown, signed = " ".join(shown.split()), " ".join(signed.split())
    if shown == signed:
        return True
    return shown.endswith("\u2026") and len(shown) > 1 and signed.startswith(shown[:-1].rstrip())


def _learner(credential) -> str | None:
    identifiers = credential.get("credentialSubject", {}).get("identifier") or []
    for ident in identifiers:
        if ident.get("identityType") == "name" and ident.get("hashed") is False:
            return ident["identityHash"]
    for ident in identifiers:
        h = ident["identityHash"]
        return f"hashed {ident['identityType']} ({h[:20]}\u2026)" if ident.get("hashed") else h
    subject_id = credential.get("credentialSubject", {}).get("id")
    return str(subject_id) if subject_id else None


def _recipient_matches(credential, email: str) -> bool:
    known = normalise_email(email)
    for ident in credential["credentialSubject"].get("identifier") or []:
        if ident["identityType"] != "emailAddress":
            continue
        if ident["hashed"]:
            if identity_hash(known, str(ident.get("salt", ""))).lower() == ident["identityHash"].lower():
                return True
        elif normalise_email(ident["identityHash"]) == known:
            return True
    return False


def _read(source) -> bytes:
    if isinstance(source, (bytes, bytearray)):
        return bytes(source)
    if isinstance(source, str) and _JWS.fullmatch(source.strip()) and not os.path.exists(source):
        return source.strip().encode()
    if isinstance(source, bool) or not isinstance(source, (str, os.PathLike)):
        raise TypeError(f"source must be a file path, the file's bytes or a compact JWS, got {type(source).__name__}.")
    path = Path(source).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"badge file {path} does not exist.")
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder; give a badge file (.png, .svg, .json or .jwt).")
    return path.read_bytes()


def _read_jwt(token: str, trusted_key):
    """Check a VC-JWT's header and signature; ``(header, payload, key)`` or the reason it fails."""
    import jwt

    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        return f"the signed token is malformed ({exc}); the file may be truncated or damaged"
    alg = header.get("alg")
    if alg not in (JWT_ALGORITHM, "EdDSA"):
        return f"the token is signed with {alg!r}; biaslab verifies ES256 (and its older EdDSA) badges"
    extra = sorted(set(header) - _ALLOWED_HEADERS)
    if extra:
        return f"the JOSE header has fields OB 3.0 does not allow: {', '.join(extra)}"
    if "typ" in header and header["typ"] != "JWT":
        return f"the JOSE header's typ is {header['typ']!r}; OB 3.0 requires 'JWT'"
    jwk = header.get("jwk")
    if isinstance(jwk, dict) and "d" in jwk:
        return "the key in the JWT's header holds a PRIVATE key ('d'), which OB 3.0 forbids"
    try:
        if alg == JWT_ALGORITHM:
            if not isinstance(jwk, dict) or jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
                return ("the JWT's header has no P-256 public key (jwk); its kid alone would need a network "
                        "lookup, and biaslab verifies offline")
            key = jwt.PyJWK({k: jwk[k] for k in ("kty", "crv", "x", "y") if k in jwk}, algorithm=alg).key
        elif jwk is not None:
            key = _public_key_from_jwk(jwk, "the key in the badge's header")
        elif isinstance(header.get("kid"), str) and header["kid"].startswith("did:key:"):
            key = _public_key_from_did(header["kid"])
        elif trusted_key is not None:
            key = trusted_key
        else:
            return (f"the badge names its key only by kid {header.get('kid')!r}, which needs a network lookup; "
                    "pass the issuer's public key (--key)")
    except (ValueError, TypeError, jwt.PyJWKError, jwt.InvalidKeyError) as exc:
        return f"the key in the JWT's header is not valid: {str(exc).rstrip('.')}"
    try:
        payload = jwt.decode(token, key, algorithms=[alg], options={
            "verify_signature": True, "verify_exp": False, "verify_nbf": False, "verify_iat": False,
            "verify_aud": False, "verify_iss": False, "verify_sub": False, "verify_jti": False, "require": []})
    except jwt.InvalidSignatureError:
        return "the JWT's signature does not match its content: the badge was changed after it was signed"
    except jwt.PyJWTError as exc:
        return f"the signed token is malformed ({exc}); the file may be truncated or damaged"
    if "vc" in payload:
        return "the token uses the VC 1.1 'vc' claim; biaslab verifies OB 3.0 / VC 2.0 badges"
    return header, payload, key


def _legacy_jwt_issuer(header, issuer_id, key) -> str | None:
    """An EdDSA JWT without an embedded proof (biaslab before Data Integrity): its key must be the issuer's did:key."""
    if not (isinstance(issuer_id, str) and issuer_id.startswith("did:key:")):
        return "the JWT's key is not tied to its issuer: no embedded proof and no did:key issuer"
    try:
        issuer_key = _public_key_from_did(issuer_id)
    except ValueError as exc:
        return f"the issuer id is not a valid did:key: {exc}"
    if not same_key(issuer_key, key):
        return "the badge was signed with a key that is not the one its issuer id names"
    if isinstance(header.get("kid"), str) and header["kid"].split("#", 1)[0] != issuer_id:
        return "the header's kid names a different key than the issuer id"
    return None


def verify_badge(source, *, public_key=None, email=None, now=None) -> VerificationResult:
    """Verify a badge file offline and say who issued what to whom, and whether to believe it.

    Parameters
    ----------
    source : path, bytes or str
        A ``.png`` or ``.svg`` baked badge, a ``.json`` credential, a ``.jwt`` file, or their bytes.
    public_key : optional
        The issuer's Ed25519 public key (PEM or JWK file, ``did:key``, or key object); it checks
        both forms (a JWT through the proof inside it). Without it the proof is checked with the key
        the badge's issuer id names, and ``key_trusted`` is False.
    email : str, optional
        Also check that the badge was issued to this email (it is stored only as a salted hash).
    now : datetime, optional
        The moment to check validity at (default: now).

    Returns
    -------
    VerificationResult
        Never raises for a bad badge: ``valid`` is False and ``reason`` says why. A missing file or
        an unreadable ``public_key`` raise ``OSError``/``ValueError``, since those are the caller's.
    """
    data = _read(source)
    trusted_key = load_public_key(public_key) if public_key is not None else None
    email = check_text(email, "email", allow_none=True, max_length=320)
    now = check_datetime(now, "now", allow_none=True) or _dt.datetime.now(UTC)

    def invalid(reason, **facts):
        return VerificationResult(valid=False, reason=reason, **facts)

    try:
        extracted = extract_badge(data)
    except BadgeFileError as exc:
        return invalid(str(exc).rstrip("."))
    fmt = extracted.format
    payload = header = None
    if extracted.token is not None:
        outcome = _read_jwt(extracted.token, trusted_key)
        if isinstance(outcome, str):
            return invalid(outcome, format=fmt)
        header, payload, jwt_key = outcome
        credential = {k: v for k, v in payload.items() if k not in JWT_CLAIMS}
    else:
        credential = extracted.credential

    problem = _structure_problem(credential)
    if problem:
        return invalid(f"the credential is not a valid OpenBadgeCredential: {problem}", format=fmt)
    issuer = credential["issuer"]
    issuer_id = issuer["id"] if isinstance(issuer, dict) else issuer
    subject = credential["credentialSubject"]
    valid_from = parse_iso(credential["validFrom"])
    valid_until = parse_iso(credential.get("validUntil"))
    facts = dict(format=fmt, issuer=issuer.get("name") if isinstance(issuer, dict) else None, issuer_id=issuer_id,
                 learner=_learner(credential), achievement=subject["achievement"]["name"],
                 issued=valid_from.date().isoformat(),
                 valid_until=valid_until.date().isoformat() if valid_until else None,
                 self_assessed=is_self_assessed(credential), credential=credential)

    if payload is not None:
        # OB 3.0 8.2 "Verify a Credential VC-JWT Signature": the registered claims must match
        if payload.get("iss") != issuer_id:
            return invalid("the JWT's iss claim does not match the credential's issuer.id", **facts)
        if payload.get("jti") != credential["id"]:
            return invalid("the JWT's jti claim does not match the credential's id", **facts)
        if "id" in subject and payload.get("sub") != subject["id"]:
            return invalid("the JWT's sub claim does not match credentialSubject.id", **facts)
        if payload.get("nbf") != int(valid_from.timestamp()):
            return invalid("the JWT's nbf claim does not match validFrom", **facts)
        if ("exp" in payload) != (valid_until is not None) or \
                (valid_until is not None and payload.get("exp") != int(valid_until.timestamp())):
            return invalid("the JWT's exp claim does not match validUntil", **facts)

    if "proof" in credential or header is None or header.get("alg") == JWT_ALGORITHM:
        # the embedded Data Integrity proof: the whole of a .json/.png/.svg badge's signature, and
        # what ties an ES256 JWT (whose key is not the issuer's did:key) to its issuer
        try:
            check_proof(credential, trusted_key)
        except ProofError as exc:
            where = "the credential inside the JWT: " if header is not None else ""
            return invalid(where + str(exc).rstrip("."), **facts)
    else:
        problem = _legacy_jwt_issuer(header, issuer_id, jwt_key)
        if problem is None and trusted_key is not None and not same_key(trusted_key, jwt_key):
            problem = ("the signature does not verify with the key you supplied: this badge was not signed "
                       "by that issuer")
        if problem:
            return invalid(problem, **facts)

    if trusted_key is not None:
        trust = "trusted: the signature checks out with the public key you supplied"
    else:
        trust = ("NOT independently trusted: the proof was checked with the key its issuer id (a did:key) names; "
                 "anyone can make such a badge. Pass the issuer's public key (--key) to check it came from them.")
    facts.update(key_trusted=trusted_key is not None, trust=trust)

    if now + _LEEWAY < valid_from:
        return invalid(f"not yet valid: valid from {credential['validFrom']}", **facts)
    if valid_until is not None and now > valid_until + _LEEWAY:
        return invalid(f"expired on {credential['validUntil']}", **facts)

    # what the file shows beside the signature must be what was signed
    expected = badge_text(credential)
    expected_shown = {**expected.by_id(), "Title": expected.title, "Description": expected.description}
    for name, value in extracted.shown.items():
        if name in expected_shown and not _shows(value, expected_shown[name]):
            return invalid(f"the {fmt.upper()} shows {_SHOWN_NAMES[name]} as {value!r} but the signed credential "
                           f"says {expected_shown[name]!r}: the file was edited after signing", **facts)
    if email is not None:
        matched = _recipient_matches(credential, email)
        facts["recipient_verified"] = matched
        if not matched:
            return invalid(f"the badge was not issued to {email} (no identifier matches it)", **facts)
    return VerificationResult(valid=True, reason="proof, structure and dates check out", **facts)
