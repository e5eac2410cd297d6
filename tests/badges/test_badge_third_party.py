"""Verifiers biaslab did not write accept its badges and reject tampered ones, all offline.

- ``@digitalcredentials/verifier-core`` (npm), the verifier of the Learner Credential Wallet, run by
  node on the ``.json`` and on the credential it reads itself out of the ``.png`` and ``.svg``
  (``js/verify.mjs``). Its JSON-LD document loader is replaced by one that serves only biaslab's
  shipped contexts and did:key documents (``js/hooks.mjs``), and every network request is refused.
- ``jose`` (npm), an independent JOSE library, on the VC-JWT.
- The official 1EdTech JSON Schema of an AchievementCredential (shipped), with ``jsonschema``.
- JSON-LD expansion with pyld, in safe mode: no term dropped, no relative IRI.

Badges come from ``biaslab badge issue``, self-paced and from a gradebook. CI installs node and
npm (.ci/run); the npm packages come from ``js/package-lock.json`` (``npm ci``, about 15 s once).
"""

import base64
import copy
import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from gradebooks import make_gradebook

import biaslab.badges
from biaslab.badges import bake_png, generate_keypair, issue_badge, load_private_key
from biaslab.badges._design import badge_text, render_png, render_svg
from biaslab.badges._linked_data import CONTEXTS, achievement_schema, document_loader, expand_safely
from biaslab.badges._proof import sign_credential
from biaslab.cli import main
from biaslab.course import course_root, load_curriculum
from biaslab.progress import ProgressStore

CURRICULUM = load_curriculum()
JS = Path(__file__).parent / "js"
LD = Path(biaslab.badges.__file__).parent / "ld"
FORMS = ("json", "png", "svg")


# ------------------------------------------------------------------------------------------ the badges


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    """Badges written by `biaslab badge issue`: {"self-paced": {ext: path}, "gradebook": {...}}, and the keys."""
    root = tmp_path_factory.mktemp("issued")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(root / "home"))
        mp.delenv("BIASLAB_WORKBOOK", raising=False)
        workbook = root / "workbook"
        (workbook / ".biaslab").mkdir(parents=True)
        (workbook / ".biaslab" / "workbook.json").write_text(json.dumps({"course": CURRICULUM.id}))
        store = ProgressStore(workbook)
        for ex in CURRICULUM.required_exercises:
            store.record(ex.key, "correct")
        assert main(["badge", "issue", "--workbook", str(workbook), "--name", "Ada Lovelace",
                     "--email", "ada@example.org", "--out", str(root / "self")]) == 0

        course = root / "course"
        course.mkdir()
        shutil.copy(course_root() / "nbgrader_config.py", course)  # graded with biaslab's grader
        gradebook = make_gradebook(course / "gradebook.db")
        keys = generate_keypair(root / "keys")
        assert main(["badge", "issue", "--gradebook", gradebook, "--key", str(keys.private), "--student", "ada",
                     "--issuer-name", "Example University", "--out", str(root / "class")]) == 0
    self_paced = {p.suffix[1:]: p for p in (root / "self").iterdir()}
    class_badge = {p.suffix[1:]: p for p in (root / "class").iterdir()}
    return {"self-paced": self_paced, "gradebook": class_badge, "keys": keys, "root": root}


def _tampered_credential(path):
    credential = json.loads(path.read_text())
    credential["credentialSubject"]["identifier"][-1]["identityHash"] = "Mallory"
    return credential


def _tampered_copies(badge, folder):
    """Each form of the badge with the learner changed after signing (pictures re-baked to agree)."""
    folder.mkdir(exist_ok=True)
    forged = _tampered_credential(badge["json"])
    text = json.dumps(forged)
    paths = {"json": folder / "tampered.json", "png": folder / "tampered.png", "svg": folder / "tampered.svg",
             "jwt": folder / "tampered.jwt"}
    paths["json"].write_text(text)
    paths["png"].write_bytes(bake_png(render_png(badge_text(forged), size=200), text))
    paths["svg"].write_text(render_svg(badge_text(forged), credential=text))
    head, body, sig = badge["jwt"].read_text().strip().split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=="))
    payload["credentialSubject"]["identifier"][-1]["identityHash"] = "Mallory"
    forged_body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    paths["jwt"].write_text(f"{head}.{forged_body}.{sig}\n")
    return paths


# ------------------------------------------------------------------------------------------ node


@pytest.fixture(scope="module")
def node_verify():
    """Run js/verify.mjs on files; returns {file name: outcome}, after checking nothing touched the network."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not (node and npm):
        if os.environ.get("BIASLAB_REQUIRE_NODE"):
            pytest.fail("node and npm are required here (apt-get install nodejs npm)")
        pytest.skip("node and npm are needed for the third-party verifiers (apt-get install nodejs npm)")
    installed = JS / "node_modules" / ".package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < (JS / "package-lock.json").stat().st_mtime:
        proc = subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
                              cwd=JS, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr

    def run(*files, jwk=None):
        args = [node, "--import", "./register.mjs", "verify.mjs", *(["--jwk", str(jwk)] if jwk else []),
                *map(str, files)]
        proc = subprocess.run(args, cwd=JS, env={**os.environ, "BIASLAB_LD_DIR": str(LD)},
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        *outcomes, network = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
        assert network["refused"] == []  # no verifier tried to reach the network
        assert {u for u in network["requested"] if not u.startswith("did:key:")} <= set(CONTEXTS)
        assert len(outcomes) == len(files)
        return {o["file"]: o for o in outcomes}

    return run


@pytest.mark.parametrize("source", ["self-paced", "gradebook"])
def test_the_wallets_verifier_accepts_every_form_and_rejects_tampered_ones(issued, node_verify, source, tmp_path):
    badge = issued[source]
    tampered = _tampered_copies(badge, tmp_path)
    outcomes = node_verify(*(badge[f] for f in FORMS), *(tampered[f] for f in FORMS))
    for form in FORMS:
        genuine = outcomes[badge[form].name]
        print(f"verifier-core, {source} .{form}: accepted={genuine['accepted']}: {genuine['message']}")
        assert genuine["verifier"] == "verifier-core" and genuine["accepted"], genuine
        # the signature, the dates, and the 1EdTech schema that verifier-core checks too
        assert "valid_signature=true" in genuine["message"] and "expiration=true" in genuine["message"]
        assert "schema ob_v3p0_achievementcredential_schema.json=true" in genuine["message"]
        forged = outcomes[tampered[form].name]
        print(f"verifier-core, tampered .{form}: accepted={forged['accepted']}: {forged['message']}")
        assert not forged["accepted"] and "signature is not valid" in forged["message"]


def test_the_wallets_verifier_rejects_an_expired_badge_and_another_key(issued, node_verify, tmp_path):
    keys = issued["keys"]
    old = issue_badge(learner_name="Ada", results={e.key: {"passed": True} for e in CURRICULUM.required_exercises},
                      issuer_name="Example University", private_key=keys.private, self_assessed=False,
                      issued_on=dt.date(2020, 1, 1), valid_until=dt.date(2021, 1, 1))
    expired = old.write_all(tmp_path, stem="old")
    # the issuer's id kept, the proof re-made by someone else's key
    stranger = generate_keypair(tmp_path / "stranger")
    credential = json.loads(issued["gradebook"]["json"].read_text())
    unsecured = {k: v for k, v in credential.items() if k != "proof"}
    stolen = tmp_path / "stolen.json"
    stolen.write_text(json.dumps(sign_credential(unsecured, load_private_key(stranger.private),
                                                 created=dt.datetime.now(dt.timezone.utc))))
    outcomes = node_verify(expired["json"], stolen)
    print("verifier-core, expired .json:", outcomes["old.json"]["message"])
    assert not outcomes["old.json"]["accepted"] and "expiration=false" in outcomes["old.json"]["message"]
    print("verifier-core, issuer id with another key's proof:", outcomes["stolen.json"]["message"])
    assert not outcomes["stolen.json"]["accepted"] and "signature is not valid" in outcomes["stolen.json"]["message"]


def test_an_independent_jose_library_accepts_the_jwt_and_rejects_tampered_ones(issued, node_verify, tmp_path):
    badge = issued["gradebook"]
    keys = issued["keys"]
    tampered = _tampered_copies(badge, tmp_path)
    by_header = node_verify(badge["jwt"], tampered["jwt"], issued["self-paced"]["jwt"])
    pinned = node_verify(badge["jwt"], tampered["jwt"], issued["self-paced"]["jwt"], jwk=keys.jwt_jwk)
    for name, outcome in [*by_header.items(), *((f"{k} (pinned key)", v) for k, v in pinned.items())]:
        print(f"jose, {name}: accepted={outcome['accepted']}: {outcome['message']}")
    assert by_header[badge["jwt"].name]["accepted"] and "ES256 signature valid" in by_header[badge["jwt"].name]["message"]
    assert by_header[issued["self-paced"]["jwt"].name]["accepted"]
    assert pinned[badge["jwt"].name]["accepted"]
    assert not by_header["tampered.jwt"]["accepted"] and "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" in \
        by_header["tampered.jwt"]["message"]
    assert not pinned["tampered.jwt"]["accepted"]
    # the self-paced badge was signed by the learner's own key, not this issuer's
    assert not pinned[issued["self-paced"]["jwt"].name]["accepted"]


# ------------------------------------------------------------------------------------------ Python


@pytest.mark.parametrize("source", ["self-paced", "gradebook"])
def test_the_official_1edtech_schema_accepts_the_badge_and_not_a_broken_one(issued, source):
    schema = achievement_schema()
    assert schema["$schema"].startswith("https://json-schema.org/draft/2019-09")
    validator = jsonschema.Draft201909Validator(schema, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER)
    badge = issued[source]
    credential = json.loads(badge["json"].read_text())
    assert list(validator.iter_errors(credential)) == []
    payload = json.loads(base64.urlsafe_b64decode(badge["jwt"].read_text().split(".")[1] + "=="))
    assert list(validator.iter_errors(payload)) == []  # the JWT's payload: the credential plus claims
    for broken, path in (({k: v for k, v in credential.items() if k != "issuer"}, "issuer"),
                         ({**credential, "@context": credential["@context"][:1]}, "@context"),
                         ({**credential, "validFrom": None}, "validFrom")):
        errors = list(validator.iter_errors(broken))
        print(f"1EdTech schema, without a proper {path}:", errors[0].message if errors else "accepted")
        assert errors


@pytest.mark.parametrize("source", ["self-paced", "gradebook"])
def test_the_credential_expands_in_json_ld_safe_mode(issued, source):
    from pyld import jsonld

    credential = json.loads(issued[source]["json"].read_text())
    dropped = []
    expanded = jsonld.expand(credential, {"documentLoader": document_loader}, on_property_dropped=dropped.append)
    assert dropped == []
    text = json.dumps(expanded)
    assert jsonld.DEFAULT_BASE_IRI not in text  # no relative IRI made absolute by a made-up base
    assert "https://w3id.org/security#proof" in text and "eddsa-rdfc-2022" in text
    assert expand_safely(credential) == expanded
    # what safe mode refuses: an undefined term, an undefined type, the JWT's claims
    for change, name in (({"grade": "A"}, "grade"), ({"jti": "urn:x"}, "jti"),
                         ({"type": ["VerifiableCredential", "OpenBadgeCredential", "Diploma"]}, "Diploma")):
        with pytest.raises(ValueError, match=f"'{name}' is not defined by the contexts"):
            expand_safely({**copy.deepcopy(credential), **change})
    with pytest.raises(ValueError, match="not one biaslab ships"):
        expand_safely({**credential, "@context": [*credential["@context"], "https://example.org/ctx.json"]})
