"""Verify a badge offline: signature, structure, dates, and that what it shows is what was signed.

Follows the OpenBadgeCredential verification of OB 3.0 ("Verification and Validation"):
the proof (VC-JWT, section 8.2: ``iss``/``sub``/``jti``/``nbf``/``exp`` must match the credential),
the structure, ``validFrom``/``validUntil``, and optionally the recipient by a known email.

Trust is reported honestly. A signature checked with the key *inside* the badge only shows that the
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
from ._credential import JWT_CLAIMS, VC_CONTEXT, identity_hash, normalise_email
from ._design import badge_text
from ._keys import _public_key_from_did, _public_key_from_jwk, load_public_key, same_key

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


def _first_difference(a, b, path="") -> str | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            if key not in a or key not in b:
                return f"{path}.{key}".lstrip(".")
            diff = _first_difference(a[key], b[key], f"{path}.{key}")
            if diff:
                return diff
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return path or "(top)"
        for i, (x, y) in enumerate(zip(a, b)):
            diff = _first_difference(x, y, f"{path}[{i}]")
            if diff:
                return diff
        return None
    return None if a == b and type(a) is type(b) else (path.lstrip(".") or "(top)")


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


def verify_badge(source, *, public_key=None, email=None, now=None) -> VerificationResult:
    """Verify a badge file offline and say who issued what to whom, and whether to believe it.

    Parameters
    ----------
    source : path, bytes or str
        A ``.png`` or ``.svg`` baked badge, a biaslab ``.json``, a ``.jwt`` file, or their bytes.
    public_key : optional
        The issuer's public key (PEM or JWK file, ``did:key``, or key object). Without it the
        signature is checked with the key inside the badge, and ``key_trusted`` is False.
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
    import jwt

    try:
        header = jwt.get_unverified_header(extracted.token)
    except jwt.PyJWTError as exc:
        return invalid(f"the signed token is malformed ({exc}); the file may be truncated or damaged", format=fmt)
    if header.get("alg") != "EdDSA":
        return invalid(f"the token is signed with {header.get('alg')!r}; biaslab verifies EdDSA (Ed25519) badges",
                       format=fmt)
    extra = sorted(set(header) - _ALLOWED_HEADERS)
    if extra:
        return invalid(f"the JOSE header has fields OB 3.0 does not allow: {', '.join(extra)}", format=fmt)
    if "typ" in header and header["typ"] != "JWT":
        return invalid(f"the JOSE header's typ is {header['typ']!r}; OB 3.0 requires 'JWT'", format=fmt)
    header_key = None
    try:
        if "jwk" in header:
            header_key = _public_key_from_jwk(header["jwk"], "the key in the badge's header")
        elif isinstance(header.get("kid"), str) and header["kid"].startswith("did:key:"):
            header_key = _public_key_from_did(header["kid"])
    except ValueError as exc:
        return invalid(str(exc).rstrip("."), format=fmt)
    key = trusted_key or header_key
    if key is None:
        return invalid(f"the badge names its key only by kid {header.get('kid')!r}, which needs a network "
                       "lookup; pass the issuer's public key (--key)", format=fmt)
    try:
        payload = jwt.decode(extracted.token, key, algorithms=["EdDSA"], options={
            "verify_signature": True, "verify_exp": False, "verify_nbf": False, "verify_iat": False,
            "verify_aud": False, "verify_iss": False, "verify_sub": False, "verify_jti": False, "require": []})
    except jwt.InvalidSignatureError:
        if trusted_key is not None:
            return invalid("the signature does not verify with the key you supplied: this badge was not signed "
                           "by that issuer, or it was changed after signing", format=fmt)
        return invalid("the signature does not match the content: the badge was changed after it was signed",
                       format=fmt)
    except jwt.PyJWTError as exc:
        return invalid(f"the signed token is malformed ({exc}); the file may be truncated or damaged", format=fmt)
    if "vc" in payload:
        return invalid("the token uses the VC 1.1 'vc' claim; biaslab verifies OB 3.0 / VC 2.0 badges", format=fmt)

    credential = {k: v for k, v in payload.items() if k not in JWT_CLAIMS}
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

    if header_key is not None and not same_key(header_key, key):
        return invalid("the key in the badge's header is not the key you supplied", **facts)
    if isinstance(issuer_id, str) and issuer_id.startswith("did:key:"):
        try:
            issuer_key = _public_key_from_did(issuer_id)
        except ValueError as exc:
            return invalid(f"the issuer id is not a valid did:key: {exc}", **facts)
        if not same_key(issuer_key, key):
            return invalid("the badge was signed with a key that is not the one its issuer id names", **facts)
        if isinstance(header.get("kid"), str) and header["kid"].split("#", 1)[0] != issuer_id:
            return invalid("the header's kid names a different key than the issuer id", **facts)

    if trusted_key is not None:
        trust = "trusted: the signature checks out with the public key you supplied"
    elif isinstance(issuer_id, str) and issuer_id.startswith("did:key:"):
        trust = ("NOT independently trusted: the signature was checked with the key inside the badge, which "
                 "matches its issuer id; anyone can make such a badge. Pass the issuer's public key (--key) "
                 "to check it came from them.")
    else:
        trust = ("NOT independently trusted: the signature was checked with the key inside the badge; pass the "
                 "issuer's public key (--key) to check it came from them.")
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
    if extracted.readable is not None:
        where = _first_difference(extracted.readable, credential)
        if where is not None:
            return invalid(f"the readable credential in the JSON differs from the signed one at {where}: "
                           "the file was edited after signing", **facts)

    if email is not None:
        matched = _recipient_matches(credential, email)
        facts["recipient_verified"] = matched
        if not matched:
            return invalid(f"the badge was not issued to {email} (no identifier matches it)", **facts)
    return VerificationResult(valid=True, reason="signature, structure and dates check out", **facts)
