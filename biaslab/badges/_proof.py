"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (W3C VC-DI-EdDSA, section 3.3).

The proof signs the credential's RDF graph, not its JSON text: both the credential (without its
proof) and the proof's options are canonicalised with RDFC-1.0 and hashed with SHA-256, and
Ed25519 signs ``hash(proof options) || hash(credential)``. The signature goes into ``proofValue``
as multibase base58btc (``z...``). The verification method is the issuer's ``did:key``, so the key
can be found offline, and the proof is checked against exactly the key its issuer id names.

Canonicalisation needs the credential's JSON-LD contexts; they come from the files biaslab ships
(:mod:`._linked_data`), never the network.
"""

from __future__ import annotations

import datetime as _dt
import hashlib

from ._checks import iso_z, parse_iso
from ._keys import _b58decode, _b58encode, _public_key_from_did, did_key, did_key_url, same_key
from ._linked_data import canonical_nquads

__all__ = ["ProofError", "sign_credential", "check_proof", "PROOF_TYPE", "CRYPTOSUITE"]

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_PURPOSE = "assertionMethod"


class ProofError(ValueError):
    """A Data Integrity proof is missing, malformed or does not verify; the message says why."""


def _hash_data(credential: dict, proof_options: dict) -> bytes:
    unsecured = {k: v for k, v in credential.items() if k != "proof"}
    config = {"@context": credential["@context"], **{k: v for k, v in proof_options.items() if k != "proofValue"}}
    return (hashlib.sha256(canonical_nquads(config).encode("utf-8")).digest()
            + hashlib.sha256(canonical_nquads(unsecured).encode("utf-8")).digest())


def sign_credential(credential: dict, private_key, *, created: _dt.datetime) -> dict:
    """A copy of ``credential`` with an ``eddsa-rdfc-2022`` DataIntegrityProof made with ``private_key``.

    ``credential`` must expand cleanly in JSON-LD safe mode with the shipped contexts (else
    ``ValueError`` names the terms that would go unsigned).
    """
    if not isinstance(credential, dict):
        raise TypeError(f"credential must be a dict, got {type(credential).__name__}.")
    if "proof" in credential:
        raise ValueError("credential already has a proof; sign the unsecured credential.")
    public_key = private_key.public_key()
    proof = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": iso_z(created),
        "verificationMethod": did_key_url(public_key),
        "proofPurpose": PROOF_PURPOSE,
    }
    signature = private_key.sign(_hash_data(credential, proof))
    # a list of one: 1EdTech's JSON schema of an AchievementCredential wants proof to be an array
    return {**credential, "proof": [{**proof, "proofValue": "z" + _b58encode(signature)}]}


def check_proof(credential: dict, trusted_key=None):
    """Check a credential's ``eddsa-rdfc-2022`` proof; return the Ed25519 public key that made it.

    The proof must be made by the key that the credential's issuer id (a ``did:key``) names, and,
    when ``trusted_key`` is given, by that key. Raises :class:`ProofError` with the reason otherwise.
    """
    from cryptography.exceptions import InvalidSignature

    proof = credential.get("proof")
    if proof is None:
        raise ProofError("the credential has no proof (it is not signed)")
    if isinstance(proof, list):
        if len(proof) != 1:
            raise ProofError(f"the credential has {len(proof)} proofs; a biaslab badge has exactly one")
        proof = proof[0]
    if not isinstance(proof, dict):
        raise ProofError("the credential's proof is not an object")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(f"the proof is of type {proof.get('type')!r} / cryptosuite {proof.get('cryptosuite')!r}; "
                         f"biaslab verifies {PROOF_TYPE} with {CRYPTOSUITE}")
    if proof.get("proofPurpose") != PROOF_PURPOSE:
        raise ProofError(f"the proof's purpose is {proof.get('proofPurpose')!r}, not {PROOF_PURPOSE!r}")
    if "created" in proof and parse_iso(proof["created"]) is None:
        raise ProofError("the proof's created is not a date-time with a time zone")
    method, value = proof.get("verificationMethod"), proof.get("proofValue")
    if not isinstance(method, str) or not method.startswith("did:key:"):
        raise ProofError(f"the proof's verification method {method!r} is not a did:key, which needs a network "
                         "lookup; biaslab verifies offline")
    try:
        key = _public_key_from_did(method)
    except ValueError as exc:
        raise ProofError(f"the proof's verification method is not a valid did:key: {exc}") from None
    did = method.split("#", 1)[0]
    if method != f"{did}#{did[len('did:key:'):]}":
        raise ProofError(f"the verification method {method!r} is not the key of {did}")
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer_id != did_key(key):
        raise ProofError("the proof was made with a key that is not the one the issuer id names")
    if trusted_key is not None and not same_key(trusted_key, key):
        raise ProofError("the proof was not made with the key you supplied: this badge was not signed by that issuer")
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofError("the proof's proofValue is missing or not multibase base58btc ('z...')")
    try:
        signature = _b58decode(value[1:])
    except ValueError:
        raise ProofError("the proof's proofValue is not valid base58btc") from None
    if len(signature) != 64:
        raise ProofError(f"the proof's signature is {len(signature)} bytes long; an Ed25519 signature has 64")
    try:
        data = _hash_data(credential, proof)
    except ValueError as exc:
        raise ProofError(str(exc).rstrip(".")) from None
    try:
        key.verify(signature, data)
    except InvalidSignature:
        raise ProofError("the signature does not match the content: the credential was changed after it was signed") \
            from None
    return key
