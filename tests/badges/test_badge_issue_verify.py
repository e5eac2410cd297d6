"""Issue -> verify round trips in every format, and every way a badge can be wrong is rejected."""

import base64
import copy
import dataclasses
import datetime as dt
import hashlib
import io
import json
import xml.etree.ElementTree as ET

import jwt
import pytest
from PIL import Image

from biaslab.badges import (
    bake_png,
    bake_svg,
    extract_badge,
    generate_keypair,
    identity_hash,
    issue_badge,
    load_private_key,
    verify_badge,
)
from biaslab.badges import public_jwk
from biaslab.badges._design import badge_text, render_png, render_svg
from biaslab.badges._keys import jwt_public_jwk, jwt_signing_key
from biaslab.badges._proof import sign_credential
from biaslab.course import load_curriculum

CURRICULUM = load_curriculum()
PASSED = {e.key: {"passed": True} for e in CURRICULUM.required_exercises}
UTC = dt.timezone.utc
OB_NS = "https://purl.imsglobal.org/ob/v3p0"


@pytest.fixture(scope="module")
def issuer(tmp_path_factory):
    return generate_keypair(tmp_path_factory.mktemp("issuer"))


@pytest.fixture(scope="module")
def stranger(tmp_path_factory):
    return generate_keypair(tmp_path_factory.mktemp("stranger"))


def _issue(issuer, **kw):
    args = dict(learner_name="Ada Lovelace", learner_email="Ada@Example.org", results=PASSED,
                issuer_name="Example University", issuer_url="https://example.edu", private_key=issuer.private,
                self_assessed=False, salt="pepper123")
    args.update(kw)
    return issue_badge(**args)


@pytest.fixture(scope="module")
def badge(issuer):
    return _issue(issuer)


@pytest.fixture(scope="module")
def files(badge, tmp_path_factory):
    return badge.write_all(tmp_path_factory.mktemp("badge"), stem="ada")


def _payload(token):
    return json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))


def _with_payload(token, payload):
    """The token with its payload replaced but the old signature kept: a forgery."""
    head, _, sig = token.split(".")
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{head}.{body}.{sig}"


# ------------------------------------------------------------------------------------------ round trips


@pytest.mark.parametrize("fmt", ["jwt", "json", "svg", "png"])
def test_round_trip_in_every_format(files, badge, issuer, fmt):
    result = verify_badge(files[fmt], public_key=issuer.public)
    assert result.valid, result.reason
    assert result.format == fmt
    assert result.issuer == "Example University" and result.issuer_id == issuer.did
    assert result.learner == "Ada Lovelace"
    assert result.achievement == CURRICULUM.badge_name
    assert result.issued == badge.credential["validFrom"][:10]
    assert result.self_assessed is False and result.key_trusted
    assert bool(result)


def test_bytes_and_token_strings_verify_too(files, badge):
    assert verify_badge(files["png"].read_bytes()).valid
    assert verify_badge(badge.jwt).valid


def test_trust_is_reported_honestly(files, stranger):
    untrusted = verify_badge(files["svg"])
    assert untrusted.valid and not untrusted.key_trusted
    assert "NOT independently trusted" in untrusted.trust and "NOT independently trusted" in untrusted.summary()
    wrong = verify_badge(files["svg"], public_key=stranger.public)
    assert not wrong.valid and "not signed by that issuer" in wrong.reason
    wrong_jwt = verify_badge(files["jwt"], public_key=stranger.public)
    assert not wrong_jwt.valid and "not signed by that issuer" in wrong_jwt.reason


def test_a_self_issued_lookalike_fails_against_the_real_key(issuer, stranger):
    fake = _issue(stranger)  # same issuer name, another key
    assert verify_badge(fake.jwt).valid  # intact, but...
    assert not verify_badge(fake.jwt).key_trusted
    assert not verify_badge(fake.jwt, public_key=issuer.public).valid


def test_a_stolen_issuer_id_with_another_key_is_rejected(badge, issuer, stranger):
    mallory = load_private_key(stranger.private)
    unsecured = {k: v for k, v in copy.deepcopy(badge.credential).items() if k != "proof"}
    unsecured["credentialSubject"]["identifier"][-1]["identityHash"] = "Mallory"
    forged = sign_credential(unsecured, mallory, created=dt.datetime.now(UTC))
    result = verify_badge(json.dumps(forged).encode())
    assert not result.valid and "not the one the issuer id names" in result.reason
    # the same in a JWT that mallory signs too
    jwt_key = jwt_signing_key(mallory)
    token = jwt.encode({**_payload(badge.jwt), **forged}, jwt_key, algorithm="ES256",
                       headers={"jwk": jwt_public_jwk(jwt_key.public_key())})
    result = verify_badge(token)
    assert not result.valid and "not the one the issuer id names" in result.reason
    # and an older biaslab badge (EdDSA JWT, no embedded proof) signed with another key
    legacy = {k: v for k, v in _payload(badge.jwt).items() if k != "proof"}
    token = jwt.encode(legacy, mallory, algorithm="EdDSA", headers={"jwk": public_jwk(mallory)})
    result = verify_badge(token)
    assert not result.valid and "not the one its issuer id names" in result.reason


# ------------------------------------------------------------------------------------------ the credential


def test_credential_follows_ob3_and_vc2(badge, issuer):
    c = badge.credential
    assert c["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert c["@context"][1].startswith("https://purl.imsglobal.org/spec/ob/v3p0/context")
    assert c["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert c["issuer"] == {"id": issuer.did, "type": ["Profile"], "name": "Example University",
                           "url": "https://example.edu"}
    subject = c["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    achievement = subject["achievement"]
    assert achievement["name"] == CURRICULUM.badge_name
    for module in CURRICULUM.modules:
        assert module.title in achievement["criteria"]["narrative"]
    for ex in CURRICULUM.required_exercises:
        assert ex.title in achievement["criteria"]["narrative"]
    assert len(subject["result"]) == len(CURRICULUM.exercises)
    described = {d["id"] for d in achievement["resultDescription"]}
    assert all(r["resultDescription"] in described for r in subject["result"])
    assert c["evidence"][0]["genre"] == "Instructor assessment"


def test_jwt_claims_and_header_follow_section_8_2(badge, issuer):
    header = jwt.get_unverified_header(badge.jwt)
    assert header["alg"] == "ES256" and header["typ"] == "JWT"  # 8.2.3: RS256 at least; 1EdTech also takes ES256
    assert set(header) <= {"alg", "kid", "jwk", "typ"}
    assert header["jwk"]["kty"] == "EC" and header["jwk"]["crv"] == "P-256" and "d" not in header["jwk"]
    derived = jwt_signing_key(load_private_key(issuer.private))
    assert header["jwk"] == jwt_public_jwk(derived.public_key())
    payload = _payload(badge.jwt)
    c = badge.credential
    assert "vc" not in payload  # VC 2.0 style: the payload is the credential itself
    assert payload["iss"] == c["issuer"]["id"] and payload["jti"] == c["id"]
    assert payload["sub"] == c["credentialSubject"]["id"]
    assert dt.datetime.fromtimestamp(payload["nbf"], UTC).strftime("%Y-%m-%dT%H:%M:%SZ") == c["validFrom"]
    assert "exp" not in payload and "validUntil" not in c
    # the credential with its embedded proof, which OB 3.0 says comes before the JWT
    assert {k: v for k, v in payload.items() if k not in ("iss", "jti", "sub", "nbf")} == c and "proof" in c


def test_identity_is_a_salted_hash_and_the_email_never_appears(badge, files):
    ids = badge.credential["credentialSubject"]["identifier"]
    email_id = next(i for i in ids if i["identityType"] == "emailAddress")
    expected = "sha256$" + hashlib.sha256(("ada@example.org" + "pepper123").encode("utf-8")).hexdigest()
    assert email_id == {"type": "IdentityObject", "identityHash": expected, "identityType": "emailAddress",
                        "hashed": True, "salt": "pepper123"}
    assert identity_hash("ada@example.org", "pepper123") == expected
    for path in files.values():
        data = path.read_bytes()
        assert b"example.org" not in data.lower()
        if path.suffix in (".jwt", ".json"):
            assert b"example.org" not in base64.urlsafe_b64decode(badge.jwt.split(".")[1] + "==").lower()
    assert verify_badge(files["jwt"], email="ada@EXAMPLE.org ").recipient_verified
    other = verify_badge(files["jwt"], email="eve@example.org")
    assert not other.valid and "not issued to eve@example.org" in other.reason


def test_names_stay_out_unless_shown(issuer):
    hidden = _issue(issuer, show_name=False)
    assert "Ada" not in json.dumps(hidden.credential)
    assert verify_badge(hidden.jwt).learner.startswith("hashed emailAddress")
    assert badge_text(hidden.credential).learner == "Learner"
    name_only = _issue(issuer, learner_email=None, show_name=False)
    (ident,) = name_only.credential["credentialSubject"]["identifier"]
    assert ident["identityType"] == "name" and ident["hashed"] is True


def test_evidence_says_how_each_exercise_was_assessed(issuer):
    kinds = {e.key: "machine-checked" if e.kind == "auto" else "human-graded" for e in CURRICULUM.required_exercises}
    results = {key: {"passed": True, "assessment": kind} for key, kind in kinds.items()}
    (evidence,) = _issue(issuer, results=results).credential["evidence"]
    assert "| module | exercise | points | passed | assessed |" in evidence["narrative"]
    assert "machine-checked" in evidence["description"] and "human-graded" in evidence["description"]
    rows = [line for line in evidence["narrative"].splitlines() if line.startswith("| 0")]
    assert len(rows) == len(CURRICULUM.exercises)
    assert sum(row.endswith("| machine-checked |") for row in rows) == len(CURRICULUM.required_exercises)
    # results that do not say how they were assessed are not given a kind they may not have had
    assert all(row.endswith("| not stated by the issuer |") for row in rows if "(optional)" in row)


def test_self_assessed_is_said_everywhere(issuer):
    own = _issue(issuer, self_assessed=True)
    assert own.credential["evidence"][0]["genre"] == "Self-assessment"
    narrative = own.credential["evidence"][0]["narrative"]
    assert narrative.count("| self-assessed |") == len(CURRICULUM.exercises)
    assert "reflections (answers in words) were recorded, not scored" in narrative
    assert "Self-assessed" in own.credential["description"]
    assert "SELF-ASSESSED" in own.svg()
    result = verify_badge(own.jwt)
    assert result.valid and result.self_assessed and "self-assessed" in result.summary()


def test_issue_refuses_results_that_do_not_earn_the_badge(issuer):
    missing = dict(list(PASSED.items())[:-1])
    with pytest.raises(ValueError, match="do not earn the badge") as err:
        _issue(issuer, results=missing)
    assert list(PASSED)[-1] in str(err.value)


@pytest.mark.parametrize("change, error, match", [
    ({"learner_name": None, "learner_email": None}, ValueError, "identify its learner"),
    ({"learner_email": "not-an-email"}, ValueError, "learner_email"),
    ({"learner_name": 7}, TypeError, "learner_name"),
    ({"issuer_name": ""}, ValueError, "issuer_name"),
    ({"issuer_url": "ftp://x"}, ValueError, "issuer_url"),
    ({"self_assessed": "no"}, TypeError, "self_assessed"),
    ({"issued_on": dt.datetime(2026, 1, 1)}, ValueError, "timezone-aware"),
    ({"issued_on": "2026-01-01"}, TypeError, "issued_on"),
    ({"valid_until": dt.date(2000, 1, 1)}, ValueError, "after issued_on"),
    ({"results": [1, 2]}, TypeError, "results"),
    ({"subject_id": "no-colon"}, ValueError, "subject_id"),
    ({"private_key": "/nonexistent/key.pem"}, FileNotFoundError, "does not exist"),
])
def test_issue_checks_its_arguments(issuer, change, error, match):
    with pytest.raises(error, match=match):
        _issue(issuer, **change)


# ------------------------------------------------------------------------------------------ images


def test_svg_is_xml_with_one_credential_element(files, badge):
    root = ET.fromstring(files["svg"].read_bytes())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    creds = root.findall(f"{{{OB_NS}}}credential")
    assert len(creds) == 1 and creds[0].get("verify") is None
    assert json.loads(creds[0].text) == badge.credential  # the signed JSON itself, as OB 3.0 bakes it
    assert list(root)[0] is creds[0]  # directly after <svg>, as OB 3.0 "Baked Badge" asks
    assert root.find("{http://www.w3.org/2000/svg}title").text.startswith(CURRICULUM.badge_name)
    assert root.get("role") == "img"


def test_png_opens_and_carries_the_itxt_chunk(files, badge):
    with Image.open(files["png"]) as im:
        im.load()
        assert im.size == (600, 600) and im.mode == "RGBA"
        assert json.loads(im.text["openbadgecredential"]) == badge.credential
        # opaque badge in the middle, transparent corners
        assert im.getpixel((300, 300))[3] == 255 and im.getpixel((2, 2))[3] == 0
    data = files["png"].read_bytes()
    assert b"iTXtopenbadgecredential\0\0\0" in data  # keyword, then compression flag 0 and method 0


@pytest.mark.parametrize("form", ["json", "jwt"])
def test_baking_someone_elses_picture(badge, form):
    payload = badge.to_json() if form == "json" else badge.jwt
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'
    baked = bake_svg(svg, payload)
    extracted = extract_badge(baked.encode())
    assert (extracted.credential == badge.credential) if form == "json" else (extracted.token == badge.jwt)
    assert verify_badge(baked.encode()).valid
    with pytest.raises(ValueError, match="already holds"):
        bake_svg(baked, payload)
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buf, format="PNG")
    png = bake_png(buf.getvalue(), payload)
    assert verify_badge(png).valid
    with pytest.raises(ValueError, match="already holds"):
        bake_png(png, payload)
    with pytest.raises(ValueError, match="JSON credential or a compact JWS"):
        bake_png(buf.getvalue(), "not a token")
    with pytest.raises(TypeError, match="credential must be a str"):
        bake_svg(svg, badge.credential)


def test_a_name_that_closes_cdata_is_baked_safely(issuer):
    odd = _issue(issuer, learner_name="Ada ]]> <script>")
    assert "]]]]><![CDATA[>" in odd.svg()
    assert verify_badge(odd.svg().encode()).valid


# ------------------------------------------------------------------------------------------ rejections


def _tampered_token(badge):
    payload = _payload(badge.jwt)
    payload["credentialSubject"]["identifier"][-1]["identityHash"] = "Mallory"
    return _with_payload(badge.jwt, payload)


def _tampered_credential(badge):
    credential = copy.deepcopy(badge.credential)
    credential["credentialSubject"]["identifier"][-1]["identityHash"] = "Mallory"
    return credential


def test_tampered_jwt_is_rejected(badge):
    result = verify_badge(_tampered_token(badge))
    assert not result.valid and "changed after it was signed" in result.reason


def test_tampered_json_is_rejected(files, badge, tmp_path):
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(_tampered_credential(badge)))
    result = verify_badge(edited)
    assert not result.valid and "changed after it was signed" in result.reason
    # a change JSON-LD would drop (an undefined term) cannot slip past the proof either
    extra = {**badge.credential, "grade": "A+"}
    result = verify_badge(json.dumps(extra).encode())
    assert not result.valid and "'grade' is not defined by the contexts" in result.reason
    # the proof itself edited
    proof = copy.deepcopy(badge.credential)
    proof["proof"][0]["created"] = "2001-01-01T00:00:00Z"
    assert "changed after it was signed" in verify_badge(json.dumps(proof).encode()).reason
    proof["proof"][0]["proofValue"] = "z" + "1" * 80
    assert not verify_badge(json.dumps(proof).encode()).valid
    unsigned = {k: v for k, v in badge.credential.items() if k != "proof"}
    assert "not signed" in verify_badge(json.dumps(unsigned).encode()).reason


def test_tampered_svg_is_rejected(files, badge):
    svg = files["svg"].read_text()
    shown = svg.replace(">Ada Lovelace</text>", ">Mallory</text>")
    assert shown != svg
    result = verify_badge(shown.encode())
    assert not result.valid and "shows the learner as 'Mallory'" in result.reason
    forged = _tampered_credential(badge)
    signed = render_svg(badge_text(forged), credential=json.dumps(forged))  # picture and JSON agree
    assert "changed after it was signed" in verify_badge(signed.encode()).reason
    title = svg.replace("awarded to Ada Lovelace", "awarded to Mallory")
    assert "shows the title" in verify_badge(title.encode()).reason


def test_tampered_png_is_rejected(files, badge):
    data = files["png"].read_bytes()
    # edit the credential inside the chunk: the chunk's CRC no longer matches
    i = data.index(badge.credential["proof"][0]["proofValue"].encode()) + 40
    flipped = data[:i] + (b"A" if data[i:i + 1] != b"A" else b"B") + data[i + 1:]
    result = verify_badge(flipped)
    assert not result.valid and "CRC" in result.reason
    # a well-formed PNG carrying a forged token
    text = badge_text(badge.credential)
    forged = bake_png(render_png(text, size=200), json.dumps(_tampered_credential(badge)))
    assert "changed after it was signed" in verify_badge(forged).reason


def test_png_without_the_chunk_is_rejected():
    buf = io.BytesIO()
    Image.new("RGBA", (16, 16), (200, 30, 30, 255)).save(buf, format="PNG")
    result = verify_badge(buf.getvalue())
    assert not result.valid and "no 'openbadgecredential' iTXt chunk" in result.reason


@pytest.mark.parametrize("fmt", ["jwt", "json", "svg", "png"])
def test_truncated_files_are_rejected(files, fmt):
    data = files[fmt].read_bytes()
    for cut in (len(data) // 2, len(data) - 5, 7):
        result = verify_badge(data[:cut])
        assert not result.valid and result.reason


@pytest.mark.parametrize("data, match", [
    (b"", "empty"),
    (b"   \n", "empty"),
    (bytes(range(256)) * 4, "binary"),
    (b"\x89PNG\r\n\x1a\ngarbage", "PNG"),
    (b"hello world", "not a badge"),
    (b"{}", "not a credential"),
    (b'{"credential": {}, "jwt": "a.b.c"}', "older biaslab"),
    (b'{"@context": ["x"], "type": "VerifiableCredential"}', "@context"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "no <openbadges:credential>"),
    (b"<html><body/></html>", "not an SVG"),
    (b"<!DOCTYPE svg [<!ENTITY x 'y'>]><svg/>", "DOCTYPE"),
    (b"aaa.bbb.ccc", "malformed"),
])
def test_garbage_is_rejected_with_a_reason(data, match):
    result = verify_badge(data)
    assert not result.valid
    assert match in result.reason


def test_an_svg_with_two_credentials_is_rejected(files):
    svg = files["svg"].read_text()
    element = svg[svg.index("<openbadges:credential"):svg.index("</openbadges:credential>") + 24]
    doubled = svg.replace(element, element + element)
    assert "more than one" in verify_badge(doubled.encode()).reason


def test_expired_and_not_yet_valid(issuer):
    old = _issue(issuer, issued_on=dt.date(2020, 1, 1), valid_until=dt.date(2021, 1, 1))
    result = verify_badge(old.jwt)
    assert not result.valid and "expired on 2021-01-01T00:00:00Z" in result.reason
    assert verify_badge(old.jwt, now=dt.datetime(2020, 6, 1, tzinfo=UTC)).valid
    future = _issue(issuer, issued_on=dt.datetime.now(UTC) + dt.timedelta(days=10))
    result = verify_badge(future.jwt)
    assert not result.valid and "not yet valid" in result.reason
    assert _payload(old.jwt)["exp"] == int(dt.datetime(2021, 1, 1, tzinfo=UTC).timestamp())


def test_claims_that_disagree_with_the_credential_are_rejected(issuer):
    key = jwt_signing_key(load_private_key(issuer.private))
    header = {"jwk": jwt_public_jwk(key.public_key())}
    good = _issue(issuer)
    for claim, value, match in (("jti", "urn:uuid:other", "jti"), ("sub", "urn:uuid:other", "sub"),
                                ("nbf", 0, "nbf"), ("exp", 4102444800, "exp"), ("iss", "did:key:z6Mkx", "iss")):
        payload = {**_payload(good.jwt), claim: value}
        token = jwt.encode(payload, key, algorithm="ES256", headers=header)
        result = verify_badge(token)
        assert not result.valid and match in result.reason
    payload = _payload(good.jwt)
    del payload["credentialSubject"]["achievement"]
    token = jwt.encode(payload, key, algorithm="ES256", headers=header)
    assert "no Achievement" in verify_badge(token).reason
    token = jwt.encode(_payload(good.jwt), key, algorithm="ES256", headers={**header, "x5u": "http://x"})
    assert "does not allow: x5u" in verify_badge(token).reason
    token = jwt.encode(_payload(good.jwt), key, algorithm="ES256", headers={"kid": "https://example.edu/keys#1"})
    assert "network" in verify_badge(token).reason
    leaked = {**header["jwk"], "d": "secret"}
    token = jwt.encode(_payload(good.jwt), key, algorithm="ES256", headers={"jwk": leaked})
    assert "PRIVATE" in verify_badge(token).reason
    hs = jwt.encode(_payload(good.jwt), "secret-secret-secret-secret-32b!", algorithm="HS256")
    assert "'HS256'" in verify_badge(hs).reason


def test_verify_raises_only_for_the_callers_mistakes(tmp_path, files):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        verify_badge(tmp_path / "missing.png")
    with pytest.raises(IsADirectoryError):
        verify_badge(tmp_path)
    with pytest.raises(TypeError, match="source"):
        verify_badge(42)
    with pytest.raises(FileNotFoundError):
        verify_badge(files["jwt"], public_key=tmp_path / "missing.pub.pem")


def test_the_picture_is_a_real_design(badge):
    svg = render_svg(badge_text(badge.credential))
    root = ET.fromstring(svg.encode())
    texts = {el.get("id"): el.text for el in root.iter("{http://www.w3.org/2000/svg}text") if el.get("id")}
    assert texts["badge-course"] == "BIAS IN, BIAS OUT"
    assert texts["badge-learner"] == "Ada Lovelace"
    assert texts["badge-achievement"] == CURRICULUM.badge_name.split(": ")[1].upper()
    assert len(root.findall(".//{http://www.w3.org/2000/svg}path")) > 15
    # a very long name wraps and still verifies as what was signed
    long_text = badge_text({**badge.credential, "credentialSubject": {
        **badge.credential["credentialSubject"],
        "identifier": [{"type": "IdentityObject", "identityType": "name", "hashed": False,
                        "identityHash": "Maximilian Alexander Featherstonehaugh-Wolfeschlegelsteinhausen"}]}})
    assert 'id="badge-learner-2"' in render_svg(long_text)
    # names are text, never mathtext, and scripts the PNG font lacks do not break the PNG
    for name in ("Ca$h $x^2$ Money", "\u674e\u5c0f\u9f8d"):
        png = render_png(dataclasses.replace(long_text, learner=name), size=150)
        assert png.startswith(b"\x89PNG")


def test_a_badge_from_an_older_biaslab_still_verifies(badge, issuer, stranger):
    """Before Data Integrity proofs, biaslab signed only a VC-JWT with EdDSA by the issuer's did:key."""
    key = load_private_key(issuer.private)
    legacy = {k: v for k, v in _payload(badge.jwt).items() if k != "proof"}
    did = badge.credential["issuer"]["id"]
    token = jwt.encode(legacy, key, algorithm="EdDSA",
                       headers={"kid": f"{did}#{did[len('did:key:'):]}", "jwk": public_jwk(key)})
    assert verify_badge(token, public_key=issuer.public).valid
    png = bake_png(render_png(badge_text(legacy), size=150), token)
    assert verify_badge(png).valid
    assert "not signed by that issuer" in verify_badge(token, public_key=stranger.public).reason
