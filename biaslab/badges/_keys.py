"""Ed25519 signing keys for badges: create, store, load, and name them as ``did:key``.

The private key is written once, with file mode 0600, never over an existing file, and not inside
a git work tree (a key committed by mistake lets anyone issue badges in the issuer's name).
The issuer is identified by a ``did:key`` derived from its public key: a verifier can check
offline that the key which signed a badge is the key its issuer id names, with no web server.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

from ._checks import check_flag, check_path

__all__ = [
    "KeyFiles",
    "KeyInRepositoryWarning",
    "generate_keypair",
    "load_private_key",
    "load_public_key",
    "public_jwk",
    "did_key",
    "learner_key",
]

_PRIVATE = "{}_ed25519.pem"
_PUBLIC = "{}_ed25519.pub.pem"
_JWK = "{}_ed25519.pub.jwk.json"
_JWT_JWK = "{}_es256.pub.jwk.json"
# multicodec prefix of an Ed25519 public key (0xed as an unsigned varint), per the did:key method
_ED25519_MULTICODEC = b"\xed\x01"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


class KeyInRepositoryWarning(UserWarning):
    """A private key was written inside a git work tree because ``force=True`` was given."""


@dataclass(frozen=True)
class KeyFiles:
    """Where a key pair was written, and the issuer id (``did:key``) it stands for."""

    private: Path
    public: Path
    jwk: Path
    did: str
    #: the public ES256 key of the VC-JWT form, for JWT verifiers that pin keys (derived from ``private``)
    jwt_jwk: Path | None = None


def _b58encode(data: bytes) -> str:
    # base58btc, as multibase 'z' requires; an encoding, not cryptography
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = _B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def _b58decode(text: str) -> bytes:
    n = 0
    for ch in text:
        i = _B58.find(ch)
        if i < 0:
            raise ValueError(f"{ch!r} is not a base58 character")
        n = n * 58 + i
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def _ed25519():
    from cryptography.hazmat.primitives.asymmetric import ed25519

    return ed25519


def did_key(public_key) -> str:
    """The ``did:key`` identifier of an Ed25519 public key (``did:key:z6Mk...``)."""
    from cryptography.hazmat.primitives import serialization

    public_key = load_public_key(public_key)
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "did:key:z" + _b58encode(_ED25519_MULTICODEC + raw)


def did_key_url(public_key) -> str:
    """The key's verification-method URL inside its DID document: ``did:key:z6Mk...#z6Mk...``."""
    did = did_key(public_key)
    return f"{did}#{did[len('did:key:'):]}"


def _public_key_from_did(did: str):
    did = did.split("#", 1)[0]
    if not did.startswith("did:key:z"):
        raise ValueError(f"{did!r} is not a did:key in base58btc ('did:key:z...').")
    try:
        raw = _b58decode(did[len("did:key:z"):])
    except ValueError as exc:
        raise ValueError(f"{did!r} is not a valid did:key: {exc}.") from None
    if len(raw) != 34 or not raw.startswith(_ED25519_MULTICODEC):
        raise ValueError(f"{did!r} is not the did:key of an Ed25519 public key.")
    return _ed25519().Ed25519PublicKey.from_public_bytes(raw[2:])


def public_jwk(public_key) -> dict:
    """The public key as a JWK (RFC 8037 OKP / Ed25519); it never holds the private part ``d``."""
    from jwt.algorithms import OKPAlgorithm

    jwk = OKPAlgorithm.to_jwk(load_public_key(public_key), as_dict=True)
    return {"kty": jwk["kty"], "crv": jwk["crv"], "x": jwk["x"]}


def jwt_signing_key(private_key):
    """The issuer's ES256 (ECDSA P-256) key for the VC-JWT form, derived from its Ed25519 key.

    OB 3.0 section 8.2 wants RS256 or ES256 in a JWT, while a Data Integrity proof with
    ``eddsa-rdfc-2022`` needs Ed25519. Deriving the P-256 key with HKDF-SHA256 (RFC 5869) from the
    Ed25519 key keeps one private key file for both forms, and issuers' existing key files keep
    working. The scalar is reduced from 384 bits (FIPS 186-5, A.2.1), so it is uniform in [1, n-1].
    """
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    key = load_private_key(private_key)
    seed = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())
    okm = HKDF(algorithm=hashes.SHA256(), length=48, salt=None,
               info=b"biaslab badge VC-JWT signing key, ES256, v1").derive(seed)
    scalar = int.from_bytes(okm, "big") % (_P256_ORDER - 1) + 1
    return ec.derive_private_key(scalar, ec.SECP256R1())


def jwt_public_jwk(public_key) -> dict:
    """An ES256 (P-256) public key as a JWK, without ``d``."""
    from jwt.algorithms import ECAlgorithm

    jwk = ECAlgorithm.to_jwk(public_key, as_dict=True)
    return {"kty": "EC", "crv": "P-256", "x": jwk["x"], "y": jwk["y"]}


def _public_key_from_jwk(data, where: str):
    if not isinstance(data, dict):
        raise ValueError(f"{where} is not a JWK object.")
    if "d" in data:
        raise ValueError(f"{where} holds a PRIVATE key (it has 'd'); give the public key instead.")
    if data.get("kty") != "OKP" or data.get("crv") != "Ed25519" or not isinstance(data.get("x"), str):
        raise ValueError(f"{where} is not an Ed25519 public JWK (kty 'OKP', crv 'Ed25519', x).")
    import jwt

    try:
        return jwt.PyJWK({"kty": "OKP", "crv": "Ed25519", "x": data["x"]}, algorithm="EdDSA").key
    except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError) as exc:
        raise ValueError(f"{where} is not a valid Ed25519 public JWK: {exc}") from None


def _git_work_tree(folder: Path) -> Path | None:
    folder = folder.resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def _write_new(path: Path, data: bytes, mode: int) -> None:
    # O_EXCL: never replace an existing file, even if one appears between our check and the write
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.fchmod(fd, mode)  # the umask may have removed bits; set exactly what we mean
        os.write(fd, data)
    finally:
        os.close(fd)


def generate_keypair(folder, *, name: str = "issuer", force: bool = False) -> KeyFiles:
    """Create an Ed25519 key pair in ``folder`` and return where it went.

    Writes ``<name>_ed25519.pem`` (the private key, PKCS#8 PEM, mode 0600; it signs both forms of a
    badge, see :func:`jwt_signing_key`), ``<name>_ed25519.pub.pem`` and ``<name>_ed25519.pub.jwk.json``
    (the public key, to give to verifiers), and ``<name>_es256.pub.jwk.json`` (the public key of the
    VC-JWT form, for JWT-only verifiers). Refuses to overwrite any of them and refuses a folder inside a git work tree
    unless ``force=True`` (then warns with :class:`KeyInRepositoryWarning`).

    Examples
    --------
    >>> import stat, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     files = generate_keypair(folder)
    ...     print(oct(stat.S_IMODE(files.private.stat().st_mode)), files.did[:12])
    0o600 did:key:z6Mk
    """
    from cryptography.hazmat.primitives import serialization

    folder = check_path(folder, "folder")
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", name):
        raise ValueError(f"name must be letters, digits, '.', '_' or '-' (at most 64), got {name!r}.")
    check_flag(force, "force")
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"folder {folder} exists and is not a folder.")
    existing = folder if folder.exists() else next((p for p in folder.resolve().parents if p.exists()), None)
    repo = _git_work_tree(existing) if existing is not None else None
    if repo is not None:
        message = (f"{folder} is inside the git work tree {repo}: a private key there is one `git add` away "
                   "from being published, and anyone holding it can issue badges in your name.")
        if not force:
            raise ValueError(message + " Choose a folder outside the repository (e.g. ~/.biaslab/keys), "
                             "or pass force=True (--force) if you really mean it.")
        warnings.warn(message + " Written anyway because force=True; add it to .gitignore.",
                      KeyInRepositoryWarning, stacklevel=2)
    paths = [folder / pattern.format(name) for pattern in (_PRIVATE, _PUBLIC, _JWK, _JWT_JWK)]
    for path in paths:
        if path.exists():
            raise FileExistsError(
                f"{path} already exists; biaslab never overwrites a key (badges signed with the old key "
                "would lose their issuer). Move it away or choose another folder.")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    private_key = _ed25519().Ed25519PrivateKey.generate()
    public_key = private_key.public_key()
    _write_new(paths[0], private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()), 0o600)
    _write_new(paths[1], public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo), 0o644)
    jwk = {**public_jwk(public_key), "kid": did_key_url(public_key), "alg": "EdDSA", "use": "sig"}
    _write_new(paths[2], (json.dumps(jwk, indent=2) + "\n").encode(), 0o644)
    jwt_public = jwt_signing_key(private_key).public_key()
    _write_new(paths[3], (json.dumps({**jwt_public_jwk(jwt_public), "alg": "ES256", "use": "sig"}, indent=2)
                          + "\n").encode(), 0o644)
    return KeyFiles(private=paths[0], public=paths[1], jwk=paths[2], did=did_key(public_key), jwt_jwk=paths[3])


def load_private_key(source):
    """An Ed25519 private key from a PEM file (unencrypted PKCS#8), or the key object itself."""
    ed25519 = _ed25519()
    if isinstance(source, ed25519.Ed25519PrivateKey):
        return source
    path = check_path(source, "private_key")
    if not path.is_file():
        raise FileNotFoundError(f"private key file {path} does not exist (create one with `biaslab badge keygen`).")
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    data = path.read_bytes()
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise ValueError(f"{path} is password-protected; biaslab needs an unencrypted key file.") from None
    except (ValueError, UnsupportedAlgorithm) as exc:
        hint = " (that is a public key)" if b"PUBLIC KEY" in data else ""
        raise ValueError(f"{path} is not a private key in PEM format{hint}: {exc}") from None
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise ValueError(f"{path} holds a {type(key).__name__}; badges are signed with Ed25519 keys "
                         "(create one with `biaslab badge keygen`).")
    return key


def load_public_key(source):
    """An Ed25519 public key from a PEM or JWK file, a ``did:key`` string, or a key object.

    A private key object is accepted (its public half is used); a private key *file* is refused,
    since handing it to a verifier is a mistake worth stopping.
    """
    ed25519 = _ed25519()
    if isinstance(source, ed25519.Ed25519PublicKey):
        return source
    if isinstance(source, ed25519.Ed25519PrivateKey):
        return source.public_key()
    if isinstance(source, str) and source.startswith("did:key:"):
        return _public_key_from_did(source)
    path = check_path(source, "public_key")
    if not path.is_file():
        raise FileNotFoundError(f"public key file {path} does not exist.")
    data = path.read_bytes()
    text = data.lstrip()
    if text.startswith(b"{"):
        try:
            obj = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"{path} is not valid JSON: {exc}") from None
        return _public_key_from_jwk(obj, str(path))
    if b"PRIVATE KEY" in text:
        raise ValueError(f"{path} is a PRIVATE key; give verifiers the public key (the .pub.pem file).")
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise ValueError(f"{path} is not a public key in PEM or JWK format: {exc}") from None
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise ValueError(f"{path} holds a {type(key).__name__}, not an Ed25519 public key.")
    return key


def same_key(a, b) -> bool:
    from cryptography.hazmat.primitives import serialization

    raw = (serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return load_public_key(a).public_bytes(*raw) == load_public_key(b).public_bytes(*raw)


def learner_key(home=None):
    """The self-paced learner's own signing key in ``~/.biaslab/keys``, created on first use.

    Returns ``(private_key, KeyFiles)``. Badges signed with it are self-issued: they show that
    whoever holds this key made them, nothing more.
    """
    folder = (check_path(home, "home") if home is not None else Path.home()) / ".biaslab" / "keys"
    name = "self-issued"
    files = KeyFiles(private=folder / _PRIVATE.format(name), public=folder / _PUBLIC.format(name),
                     jwk=folder / _JWK.format(name), did="")
    if not files.private.exists():
        files = generate_keypair(folder, name=name)
    key = load_private_key(files.private)
    jwt_jwk = folder / _JWT_JWK.format(name)
    return key, KeyFiles(private=files.private, public=files.public, jwk=files.jwk, did=did_key(key),
                         jwt_jwk=jwt_jwk if jwt_jwk.exists() else None)
