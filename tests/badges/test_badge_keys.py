"""Issuer keys: written safely (0600, no overwrite, not in a repository), loaded with clear errors."""

import json
import stat

import pytest

from biaslab.badges import (
    KeyInRepositoryWarning,
    did_key,
    generate_keypair,
    learner_key,
    load_private_key,
    load_public_key,
    public_jwk,
)
from biaslab.badges._keys import _b58decode, _b58encode, jwt_public_jwk, jwt_signing_key, same_key


def test_keypair_files_modes_and_contents(tmp_path):
    files = generate_keypair(tmp_path / "keys")
    assert stat.S_IMODE(files.private.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) & 0o077 == 0
    private = load_private_key(files.private)
    assert same_key(load_public_key(files.public), private)
    jwk = json.loads(files.jwk.read_text())
    assert "d" not in jwk and jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519"
    assert jwk["kid"].startswith(files.did + "#")
    assert same_key(load_public_key(files.jwk), private)
    assert files.did == did_key(private) and files.did.startswith("did:key:z6Mk")
    assert same_key(load_public_key(files.did), private)
    assert public_jwk(private) == {k: jwk[k] for k in ("kty", "crv", "x")}
    # the VC-JWT's ES256 key: derived from the private key, so the same every time, and public only
    es256 = json.loads(files.jwt_jwk.read_text())
    assert es256["kty"] == "EC" and es256["crv"] == "P-256" and "d" not in es256 and es256["alg"] == "ES256"
    assert jwt_public_jwk(jwt_signing_key(private).public_key()) == {k: es256[k] for k in ("kty", "crv", "x", "y")}
    assert jwt_signing_key(files.private).private_numbers() == jwt_signing_key(private).private_numbers()
    other = generate_keypair(tmp_path / "other")
    assert json.loads(other.jwt_jwk.read_text())["x"] != es256["x"]


def test_keypair_never_overwrites(tmp_path):
    first = generate_keypair(tmp_path)
    before = first.private.read_bytes()
    with pytest.raises(FileExistsError, match="never overwrites"):
        generate_keypair(tmp_path)
    assert first.private.read_bytes() == before
    generate_keypair(tmp_path, name="second")  # another name is fine


def test_keypair_refuses_a_git_work_tree(tmp_path):
    (tmp_path / ".git").mkdir()
    with pytest.raises(ValueError, match="git work tree"):
        generate_keypair(tmp_path / "deep" / "keys")
    assert not (tmp_path / "deep").exists()
    with pytest.warns(KeyInRepositoryWarning, match="gitignore"):
        files = generate_keypair(tmp_path / "keys", force=True)
    assert files.private.exists()


def test_keypair_argument_checks(tmp_path):
    with pytest.raises(TypeError, match="folder"):
        generate_keypair(42)
    with pytest.raises(ValueError, match="name"):
        generate_keypair(tmp_path, name="../evil")
    with pytest.raises(TypeError, match="force"):
        generate_keypair(tmp_path, force="yes")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="not a folder"):
        generate_keypair(tmp_path / "file")


def test_loading_keys_explains_mistakes(tmp_path):
    files = generate_keypair(tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_private_key(tmp_path / "missing.pem")
    with pytest.raises(ValueError, match="public key"):
        load_private_key(files.public)
    with pytest.raises(ValueError, match="PRIVATE key"):
        load_public_key(files.private)
    garbage = tmp_path / "garbage.pem"
    garbage.write_bytes(b"not a key at all")
    with pytest.raises(ValueError, match="not a private key"):
        load_private_key(garbage)
    with pytest.raises(ValueError, match="not a public key"):
        load_public_key(garbage)
    leaked = tmp_path / "leaked.json"
    leaked.write_text(json.dumps({"kty": "OKP", "crv": "Ed25519", "x": "abc", "d": "secret"}))
    with pytest.raises(ValueError, match="PRIVATE"):
        load_public_key(leaked)
    with pytest.raises(ValueError, match="did:key"):
        load_public_key("did:key:z6MkNotValid0")
    with pytest.raises(TypeError, match="public_key"):
        load_public_key(3.5)


def test_base58_round_trip_keeps_leading_zeros():
    for data in (b"", b"\0", b"\0\0abc", bytes(range(40))):
        assert _b58decode(_b58encode(data)) == data
    assert _b58encode(b"hello world") == "StV1DL6CwTryKyV"  # the base58 test vector of the multibase draft


def test_learner_key_is_created_once_in_home(tmp_path):
    key1, files = learner_key(home=tmp_path)
    key2, again = learner_key(home=tmp_path)
    assert files.private == tmp_path / ".biaslab" / "keys" / "self-issued_ed25519.pem"
    assert stat.S_IMODE(files.private.stat().st_mode) == 0o600
    assert same_key(key1, key2) and files.did == again.did
