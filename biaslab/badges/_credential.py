"""Issue an Open Badges 3.0 ``OpenBadgeCredential`` for the course, in the two proof formats of OB 3.0.

The badge itself is the credential with an embedded Data Integrity proof (OB 3.0 section 8.3,
"Linked Data Proof Format"): a ``DataIntegrityProof`` with the ``eddsa-rdfc-2022`` cryptosuite,
made by the issuer's Ed25519 key, whose ``did:key`` is the issuer id (:mod:`._proof`). This is what
wallets and verifiers such as the Learner Credential Wallet read; the ``.json`` file is exactly this
credential, and the baked PNG and SVG carry the same JSON.

The second form is a VC-JWT (section 8.2, "JSON Web Token Proof Format") for verifiers that want one:
the payload is the credential (with its embedded proof, which the spec says comes first) plus the
registered claims ``iss`` = issuer.id, ``jti`` = id, ``sub`` = credentialSubject.id, ``nbf`` =
validFrom and ``exp`` = validUntil when there is one; the JOSE header holds only ``alg`` = ES256,
``jwk`` (the public key, never ``d``) and ``typ`` = JWT. The ES256 key is derived from the Ed25519 key
(:func:`._keys.jwt_signing_key`), so one private key file signs both forms.

Privacy: the learner's email is never written in clear. It becomes an IdentityObject whose
``identityHash`` is ``"sha256$" + hex(SHA-256(email + salt))`` (OB 3.0 IdentityHash), with the salt
beside it so that someone who already knows the email can check it. The learner's name is shown in
clear only when the caller passes it and ``show_name`` is true (the default when a name is given):
the badge is meant to be shown, and a learner who types their name onto it chooses that.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ._assessment import ISSUER_ASSESSED_GENRE, SELF_ASSESSED, SELF_ASSESSED_GENRE
from ._baking import bake_png
from ._checks import UTC, check_datetime, check_flag, check_path, check_text, iso_z
from ._design import badge_text, render_png, render_svg
from ._keys import did_key, jwt_public_jwk, jwt_signing_key, load_private_key
from ._proof import sign_credential

__all__ = ["IssuedBadge", "issue_badge", "identity_hash", "VC_CONTEXT", "OB_CONTEXT"]

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
#: the type of a JSON Schema in VC Data Model 2.0's context (OB's "1EdTechJsonSchemaValidator2019" is in
#: no context, so JSON-LD would make it a relative IRI and a Data Integrity proof could not sign it)
SCHEMA_TYPE = "JsonSchema"
JWT_ALGORITHM = "ES256"
#: JWT registered claims that OB 3.0 section 8.2 adds to the credential in the payload
JWT_CLAIMS = ("iss", "sub", "jti", "nbf", "exp")
_ACHIEVEMENT_NS = uuid.UUID("5b0f8a51-4c1e-4b7e-9d35-6a0c2f9b1e77")  # fixed: one course, one achievement id


def identity_hash(value: str, salt: str) -> str:
    """OB 3.0 IdentityHash: ``"sha256$"`` + hex SHA-256 of the UTF-8 of ``value + salt``.

    Examples
    --------
    >>> identity_hash("a@example.com", "Kosher")  # the example in the OB 3.0 data model
    'sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399'
    """
    if not isinstance(value, str) or not isinstance(salt, str):
        raise TypeError("identity_hash needs a string value and a string salt.")
    return "sha256$" + hashlib.sha256((value + salt).encode("utf-8")).hexdigest()


def normalise_email(email: str) -> str:
    """Emails are hashed trimmed and in lower case, so that a verifier's typing matches."""
    return email.strip().lower()


def _fmt(points: float) -> str:
    return f"{points:g}"


def _pts(points: float) -> str:
    return f"{points:g} point" + ("" if points == 1 else "s")


def _criteria(curriculum) -> str:
    share = f"{curriculum.pass_share:.0%}"
    lines = [f"Awarded for completing *{curriculum.title}*: every required exercise passed with full marks, "
             f"and at least {share} of the points of the required exercises earned.", "", "Modules:"]
    for m in curriculum.modules:
        req = [f"{e.name} \u201c{e.title}\u201d ({_pts(e.points)})" for e in m.exercises if e.required]
        opt = [f"{e.name} \u201c{e.title}\u201d ({_pts(e.points)})" for e in m.exercises if not e.required]
        detail = ""
        if req:
            detail += "; required: " + ", ".join(req)
        if opt:
            detail += "; optional: " + ", ".join(opt)
        lines.append(f"- {m.number} {m.title}{detail}")
    return "\n".join(lines)


def _result_description_id(achievement_id: str, key: str) -> str:
    # a urn:uuid of its own (a suffix on the achievement's urn:uuid would not be a valid UUID URN)
    return f"urn:uuid:{uuid.uuid5(_ACHIEVEMENT_NS, achievement_id + '#' + key)}"


def _achievement(curriculum) -> dict:
    achievement_id = f"urn:uuid:{uuid.uuid5(_ACHIEVEMENT_NS, curriculum.id)}"
    descriptions = []
    for m in curriculum.modules:
        for e in m.exercises:
            descriptions.append({
                "id": _result_description_id(achievement_id, e.key),
                "type": ["ResultDescription"],
                "name": f"{m.number} {m.title} \u00b7 {e.name} {e.title}" + ("" if e.required else " (optional)"),
                "resultType": "RawScore",
                "valueMin": "0",
                "valueMax": _fmt(e.points),
                "requiredValue": _fmt(e.points),
            })
    achievement = {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "Badge",
        "name": curriculum.badge_name,
        "description": curriculum.badge_description or curriculum.description,
        "criteria": {"narrative": _criteria(curriculum)},
        "fieldOfStudy": "Fairness in machine learning",
        "humanCode": curriculum.id,
        "tag": ["fairness", "machine learning", "bias", "responsible AI"],
    }
    if descriptions:
        achievement["resultDescription"] = descriptions
    return achievement


def _evidence(results, curriculum, self_assessed: bool) -> dict:
    if self_assessed:
        how = ("Self-assessed: the learner checked their own answers with the automatic checks of the "
               "self-paced workbook, run in their own Python kernel; their reflections (answers in words) were "
               "recorded, not scored. No instructor reviewed the work.")
    else:
        how = ("Assessed by the issuer: answers in code were autograded by the course's grader (machine-checked), "
               "reflections (answers in words) were graded by an instructor (human-graded).")
    how += " Each exercise's row says how it was assessed."
    rows = ["| module | exercise | points | passed | assessed |", "|---|---|---|---|---|"]
    for m in curriculum.modules:
        for e in m.exercises:
            r = results[e.key]
            # the whole of a self-assessed badge is the learner's own checking, whatever the results say
            assessed = SELF_ASSESSED if self_assessed else r.assessment or "not stated by the issuer"
            rows.append(f"| {m.number} {m.title} | {e.name} {e.title}{'' if e.required else ' (optional)'} | "
                        f"{_fmt(round(r.earned, 2))}/{_fmt(e.points)} | {'yes' if r.passed else 'no'} | {assessed} |")
    return {
        "type": ["Evidence"],
        "name": "Exercise results",
        "genre": SELF_ASSESSED_GENRE if self_assessed else ISSUER_ASSESSED_GENRE,
        "description": how,
        "narrative": how + "\n\n" + "\n".join(rows),
    }


def _identifiers(name, email, username, salt, show_name) -> list:
    ids = []
    if email is not None:
        ids.append({"type": "IdentityObject", "identityHash": identity_hash(normalise_email(email), salt),
                    "identityType": "emailAddress", "hashed": True, "salt": salt})
    if username is not None:
        ids.append({"type": "IdentityObject", "identityHash": identity_hash(username, salt),
                    "identityType": "userName", "hashed": True, "salt": salt})
    if name is not None:
        if show_name:
            ids.append({"type": "IdentityObject", "identityHash": name, "identityType": "name", "hashed": False})
        elif not ids:
            ids.append({"type": "IdentityObject", "identityHash": identity_hash(name, salt),
                        "identityType": "name", "hashed": True, "salt": salt})
    return ids


@dataclass(frozen=True)
class IssuedBadge:
    """A signed badge: the credential with its embedded proof, its VC-JWT, and writers for every file format."""

    credential: dict
    jwt: str

    @property
    def text(self):
        """The words drawn on the badge (:class:`BadgeText`)."""
        return badge_text(self.credential)

    def to_json(self) -> str:
        """The ``.json`` file: exactly the signed credential (OB 3.0: one OpenBadgeCredential per file)."""
        return json.dumps(self.credential, indent=2, ensure_ascii=False) + "\n"

    def svg(self) -> str:
        """The badge picture as SVG with the signed credential baked in (``<openbadges:credential>``)."""
        return render_svg(self.text, credential=self.to_json())

    def png(self, *, size: int = 600) -> bytes:
        """The badge picture as PNG with the signed credential in an ``openbadgecredential`` iTXt chunk."""
        if isinstance(size, bool) or not isinstance(size, int) or not 120 <= size <= 4000:
            raise ValueError(f"size must be an int between 120 and 4000 pixels, got {size!r}.")
        text = self.text
        return bake_png(render_png(text, size=size), self.to_json(),
                        info={"Title": text.title, "Description": text.description, "Software": "biaslab"})

    def _write(self, path, data, overwrite: bool) -> Path:
        path = check_path(path, "path")
        check_flag(overwrite, "overwrite")
        if path.exists() and not overwrite:
            raise FileExistsError(f"{path} already exists; pass overwrite=True (--overwrite) to replace it.")
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
        return path

    def write_jwt(self, path, *, overwrite: bool = False) -> Path:
        """The VC-JWT as a compact JWS, the file format OB 3.0 ("File Format") gives for JWT badges."""
        return self._write(path, self.jwt + "\n", overwrite)

    def write_json(self, path, *, overwrite: bool = False) -> Path:
        return self._write(path, self.to_json(), overwrite)

    def write_svg(self, path, *, overwrite: bool = False) -> Path:
        return self._write(path, self.svg(), overwrite)

    def write_png(self, path, *, overwrite: bool = False) -> Path:
        return self._write(path, self.png(), overwrite)

    def write_all(self, folder, stem: str = "badge", *, overwrite: bool = False) -> dict:
        """Write ``<stem>.jwt``, ``.json``, ``.svg`` and ``.png`` into ``folder``; returns their paths."""
        folder = check_path(folder, "folder")
        stem = check_text(stem, "stem", max_length=120)
        if "/" in stem or "\\" in stem or stem.startswith("."):
            raise ValueError(f"stem must be a plain file name without folders, got {stem!r}.")
        targets = {ext: folder / f"{stem}.{ext}" for ext in ("jwt", "json", "svg", "png")}
        if not overwrite:
            for path in targets.values():
                if path.exists():
                    raise FileExistsError(f"{path} already exists; pass overwrite=True (--overwrite) to replace it.")
        return {ext: getattr(self, f"write_{ext}")(path, overwrite=True) for ext, path in targets.items()}


def issue_badge(*, learner_name, learner_email=None, results, issuer_name, issuer_url=None, private_key,
                self_assessed, issued_on=None, valid_until=None, salt=None, show_name: bool = True,
                learner_username=None, subject_id=None, curriculum=None) -> IssuedBadge:
    """Issue the course badge to a learner whose ``results`` earn it (see :func:`eligible`).

    Parameters
    ----------
    learner_name : str or None
        Shown on the badge and in the credential when ``show_name`` (otherwise hashed, and only if
        there is no email or username to identify the learner).
    learner_email, learner_username : str, optional
        Identify the learner as salted SHA-256 hashes (never in clear).
    results : mapping
        Exercise key -> :class:`ExerciseResult` (from :func:`results_from_progress` or
        :func:`results_from_gradebook`) or ``{"passed": bool, "earned": float}``.
    issuer_name, issuer_url : str
        The issuer's Profile name and home page (``issuer_url`` may be None).
    private_key : Ed25519 private key or path to its PEM file
    self_assessed : bool
        True for the self-paced workbook: the badge then says, in its evidence, description and
        picture, that the learner checked their own work.
    issued_on, valid_until : datetime or date, optional
        ``validFrom`` (default: now) and ``validUntil`` (default: none). Datetimes must be aware.
    salt : str, optional
        Salt of the identity hashes (default: 16 random bytes in hex).
    subject_id : str, optional
        ``credentialSubject.id`` (default: a fresh ``urn:uuid``; the JWT's ``sub``).

    Raises
    ------
    ValueError
        If the results do not earn the badge (the message lists why), or an argument is invalid.
    """
    from ._results import _curriculum, _normalise, eligible

    curriculum = _curriculum(curriculum)
    learner_name = check_text(learner_name, "learner_name", allow_none=True, max_length=200)
    learner_email = check_text(learner_email, "learner_email", allow_none=True, max_length=320)
    learner_username = check_text(learner_username, "learner_username", allow_none=True, max_length=200)
    if learner_email is not None and ("@" not in learner_email or " " in learner_email):
        raise ValueError(f"learner_email does not look like an email address: {learner_email!r}.")
    if learner_name is None and learner_email is None and learner_username is None:
        raise ValueError("give learner_name, learner_email or learner_username: a badge must identify its learner.")
    issuer_name = check_text(issuer_name, "issuer_name", max_length=200)
    issuer_url = check_text(issuer_url, "issuer_url", allow_none=True, max_length=500)
    if issuer_url is not None and not issuer_url.startswith(("https://", "http://")):
        raise ValueError(f"issuer_url must be an http(s) URL, got {issuer_url!r}.")
    self_assessed = check_flag(self_assessed, "self_assessed")
    show_name = check_flag(show_name, "show_name")
    issued_on = check_datetime(issued_on, "issued_on", allow_none=True) or _dt.datetime.now(UTC).replace(microsecond=0)
    valid_until = check_datetime(valid_until, "valid_until", allow_none=True)
    if valid_until is not None and valid_until <= issued_on:
        raise ValueError(f"valid_until ({iso_z(valid_until)}) must be after issued_on ({iso_z(issued_on)}).")
    salt = secrets.token_hex(16) if salt is None else check_text(salt, "salt", max_length=200)
    subject_id = f"urn:uuid:{uuid.uuid4()}" if subject_id is None else check_text(subject_id, "subject_id")
    if ":" not in subject_id:
        raise ValueError(f"subject_id must be a URI (e.g. 'urn:uuid:...' or a DID), got {subject_id!r}.")
    key = load_private_key(private_key)
    if not isinstance(results, Mapping):
        raise TypeError(f"results must be a mapping of exercise key -> result, got {type(results).__name__}.")
    normal = _normalise(results, curriculum)
    ok, reasons = eligible(normal, curriculum)
    if not ok:
        raise ValueError("these results do not earn the badge: " + "; ".join(reasons) + ".")

    public_key = key.public_key()
    issuer = {"id": did_key(public_key), "type": ["Profile"], "name": issuer_name}
    if issuer_url is not None:
        issuer["url"] = issuer_url
    achievement = _achievement(curriculum)
    subject = {
        "id": subject_id,
        "type": ["AchievementSubject"],
        "identifier": _identifiers(learner_name, learner_email, learner_username, salt, show_name),
        "achievement": achievement,
    }
    if "resultDescription" in achievement:
        subject["result"] = [
            {"type": ["Result"], "resultDescription": _result_description_id(achievement["id"], key_),
             "value": _fmt(round(r.earned, 4)), **({"status": "Completed"} if r.passed else {})}
            for key_, r in normal.items()
        ]
    description = achievement["description"]
    if self_assessed:
        description += (" Self-assessed: the learner checked their own work with the workbook's automatic checks "
                        "(reflections recorded, not scored); no instructor reviewed it.")
    credential = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": curriculum.badge_name,
        "description": description,
        "issuer": issuer,
        "validFrom": iso_z(issued_on),
        "credentialSubject": subject,
        "evidence": [_evidence(normal, curriculum, self_assessed)],
        "credentialSchema": [{"id": OB_SCHEMA, "type": SCHEMA_TYPE}],
    }
    if valid_until is not None:
        credential["validUntil"] = iso_z(valid_until)

    credential = sign_credential(credential, key, created=issued_on)

    import jwt

    # OB 3.0 section 8.2: the payload is the credential (embedded proof included) plus these claims
    payload = {**credential, "iss": issuer["id"], "jti": credential["id"], "sub": subject_id,
               "nbf": int(issued_on.timestamp())}
    if valid_until is not None:
        payload["exp"] = int(valid_until.timestamp())
    # only alg, kid, jwk and typ are allowed in the JOSE header; PyJWT adds alg and typ "JWT"
    jwt_key = jwt_signing_key(key)
    token = jwt.encode(payload, jwt_key, algorithm=JWT_ALGORITHM,
                       headers={"jwk": jwt_public_jwk(jwt_key.public_key())})
    return IssuedBadge(credential=credential, jwt=token)
