"""Baking: putting a signed badge into a PNG or SVG image and reading it back (OB 3.0, "Baked Badge").

PNG: one ``iTXt`` chunk with keyword ``openbadgecredential``, uncompressed, whose text is the
credential's JSON (a credential with an embedded proof) or a compact JWS (a VC-JWT). SVG: an
``<openbadges:credential>`` element right after ``<svg>``, with
``xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"``, holding the JSON as its text (in CDATA)
or the compact JWS in its ``verify`` attribute. biaslab bakes the JSON credential, as wallets
read it; it reads both. Reading walks the PNG chunks itself
(checking every CRC, so a truncated or damaged file is named as such) and parses SVG with the
standard library, refusing DOCTYPEs and entities outright.
"""

from __future__ import annotations

import io
import json
import re
import zlib
from dataclasses import dataclass, field

from ._design import OB_NS, SVG_NS, TEXT_IDS, credential_element

__all__ = ["BadgeFileError", "bake_png", "bake_svg", "extract_badge"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD = "openbadgecredential"
MAX_BYTES = 20 * 1024 * 1024
_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


class BadgeFileError(ValueError):
    """The file is not a readable badge; the message says why."""


@dataclass
class Extracted:
    """What a badge file holds: its format, the credential (JSON) or the compact JWS, and what it shows."""

    format: str  # "png", "svg", "json" or "jwt"
    token: str | None = None  # a VC-JWT (compact JWS)
    shown: dict = field(default_factory=dict)  # words shown by the picture / metadata, by name
    credential: dict | None = None  # a credential with an embedded proof


def _read_payload(text: str) -> Extracted:
    """A JSON credential or a compact JWS; ``ValueError`` (naming what is wrong) for anything else."""
    text = text.strip()
    if text.startswith("{"):
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"is not valid JSON ({exc})") from None
        if not isinstance(obj, dict) or "@context" not in obj:
            raise ValueError("is not a JSON-LD credential object (with an @context)")
        return Extracted("", credential=obj)
    if _JWS.fullmatch(text):
        return Extracted("", token=text)
    raise ValueError("is neither a JSON credential nor a compact JWS (header.payload.signature)")


def _payload(text: str, where: str) -> Extracted:
    """Read what a picture carries, or say why it cannot be read."""
    try:
        return _read_payload(text)
    except ValueError as exc:
        raise BadgeFileError(f"the credential in {where} {exc}; it may be truncated.") from None


def _check_payload(payload) -> str:
    """The text to bake: a JSON credential or a compact JWS."""
    if not isinstance(payload, str):
        raise TypeError(f"credential must be a str (JSON text or a compact JWS), got {type(payload).__name__}.")
    try:
        _read_payload(payload)
    except ValueError as exc:
        raise ValueError(f"credential {exc}; give a JSON credential or a compact JWS.") from None
    return payload.strip()


# ------------------------------------------------------------------------------------------------ PNG


def _png_chunks(data: bytes):
    if not data.startswith(PNG_SIGNATURE):
        raise BadgeFileError("not a PNG file (it lacks the 8-byte PNG header); the file may be truncated.")
    pos = len(PNG_SIGNATURE)
    first = True
    while True:
        if pos + 8 > len(data):
            raise BadgeFileError("the PNG is truncated: it ends before its final IEND chunk.")
        length = int.from_bytes(data[pos:pos + 4], "big")
        ctype = data[pos + 4:pos + 8]
        if length > 2**31 - 1 or not re.fullmatch(rb"[A-Za-z]{4}", ctype):
            raise BadgeFileError(f"the PNG is damaged: bad chunk header at byte {pos}.")
        end = pos + 12 + length
        if end > len(data):
            raise BadgeFileError(f"the PNG is truncated: its {ctype.decode()} chunk is cut short.")
        body = data[pos + 8:pos + 8 + length]
        if zlib.crc32(ctype + body) != int.from_bytes(data[end - 4:end], "big"):
            raise BadgeFileError(f"the PNG is damaged: its {ctype.decode()} chunk fails its CRC check.")
        if first and ctype != b"IHDR":
            raise BadgeFileError("the PNG is damaged: it does not start with an IHDR chunk.")
        first = False
        yield ctype, body
        pos = end
        if ctype == b"IEND":
            return


def _parse_itxt(body: bytes):
    try:
        keyword, rest = body.split(b"\0", 1)
        comp_flag, comp_method, rest = rest[0], rest[1], rest[2:]
        lang, rest = rest.split(b"\0", 1)
        _translated, text = rest.split(b"\0", 1)
    except (ValueError, IndexError):
        raise BadgeFileError("the PNG has a malformed iTXt chunk.") from None
    return keyword.decode("latin-1"), comp_flag, comp_method, text


def _png_extract(data: bytes) -> Extracted:
    payloads, shown = [], {}
    for ctype, body in _png_chunks(data):
        if ctype == b"iTXt":
            keyword, comp_flag, _method, text = _parse_itxt(body)
            if keyword == PNG_KEYWORD:
                if comp_flag != 0:
                    raise BadgeFileError("the PNG's openbadgecredential chunk is compressed, which OB 3.0 forbids.")
                try:
                    payloads.append(text.decode("utf-8"))
                except UnicodeDecodeError:
                    raise BadgeFileError("the PNG's openbadgecredential chunk is not UTF-8 text.") from None
            elif keyword in ("Title", "Description") and comp_flag == 0:
                shown[keyword] = text.decode("utf-8", errors="replace")
        elif ctype == b"tEXt" and b"\0" in body:
            keyword, text = body.split(b"\0", 1)
            if keyword in (b"Title", b"Description"):
                shown[keyword.decode()] = text.decode("latin-1")
            elif keyword == b"openbadges":
                raise BadgeFileError("this PNG carries an Open Badges 1.x/2.0 'openbadges' chunk; "
                                     "biaslab verifies Open Badges 3.0 credentials.")
    if not payloads:
        raise BadgeFileError("the PNG has no 'openbadgecredential' iTXt chunk: it is a picture, not a baked badge.")
    if len(payloads) > 1:
        raise BadgeFileError("the PNG has more than one 'openbadgecredential' chunk, which OB 3.0 forbids.")
    extracted = _payload(payloads[0], "the PNG's openbadgecredential chunk")
    extracted.format, extracted.shown = "png", shown
    return extracted


def bake_png(png: bytes, credential: str, *, info: dict | None = None) -> bytes:
    """Return ``png`` with ``credential`` (JSON text or a compact JWS) in an uncompressed ``openbadgecredential`` iTXt chunk.

    ``info`` adds text chunks (e.g. Title, Description). A PNG that already holds a credential is
    refused rather than silently re-baked.
    """
    from PIL import Image, PngImagePlugin

    if not isinstance(png, (bytes, bytearray)):
        raise TypeError(f"png must be bytes, got {type(png).__name__}.")
    credential = _check_payload(credential)
    png = bytes(png)
    try:
        _png_extract(png)
    except BadgeFileError as exc:
        if "no 'openbadgecredential'" not in str(exc):
            raise ValueError(f"cannot bake this PNG: {exc}") from None
    else:
        raise ValueError("this PNG already holds a badge credential; bake a fresh picture instead.")
    meta = PngImagePlugin.PngInfo()
    for key, value in (info or {}).items():
        meta.add_text(key, value)  # Pillow switches to iTXt by itself for non-Latin-1 text
    meta.add_itxt(PNG_KEYWORD, credential, lang="", tkey="", zip=False)
    with Image.open(io.BytesIO(png)) as image:
        out = io.BytesIO()
        image.save(out, format="PNG", pnginfo=meta)
    return out.getvalue()


# ------------------------------------------------------------------------------------------------ SVG


def bake_svg(svg: str, credential: str) -> str:
    """Return ``svg`` with ``<openbadges:credential>`` holding ``credential`` right after its ``<svg>`` tag.

    ``credential`` is the JSON text of a credential with an embedded proof (baked as the element's
    text) or a compact JWS (baked in its ``verify`` attribute).
    """
    if not isinstance(svg, str):
        raise TypeError(f"svg must be a string, got {type(svg).__name__}.")
    credential = _check_payload(credential)
    if "openbadges:credential" in svg:
        raise ValueError("this SVG already holds a badge credential; bake a fresh picture instead.")
    match = re.search(r"<svg\b[^>]*>", svg)
    if match is None:
        raise ValueError("svg has no <svg> element.")
    tag = match.group(0)
    if "xmlns:openbadges" not in tag:
        tag = tag[:-1].rstrip("/") + f' xmlns:openbadges="{OB_NS}">'
    element = "\n" + credential_element(credential)
    return svg[:match.start()] + tag + element + svg[match.end():]


def _svg_extract(data: bytes) -> Extracted:
    import xml.etree.ElementTree as ET

    head = data.upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise BadgeFileError("the SVG declares a DOCTYPE or entities, which a badge never needs; not accepted.")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise BadgeFileError(f"the SVG is not well-formed XML ({exc}); the file may be truncated.") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise BadgeFileError("the XML file is not an SVG image.")
    found = [el for el in root.iter() if el.tag == f"{{{OB_NS}}}credential"]
    if not found:
        if any(el.tag.endswith("}assertion") for el in root.iter()):
            raise BadgeFileError("this SVG carries an Open Badges 2.0 assertion; biaslab verifies "
                                 "Open Badges 3.0 credentials.")
        raise BadgeFileError(f"the SVG has no <openbadges:credential> element (namespace {OB_NS}): "
                             "it is a picture, not a baked badge.")
    if len(found) > 1:
        raise BadgeFileError("the SVG has more than one <openbadges:credential> element, which OB 3.0 forbids.")
    token = found[0].get("verify")
    body = "".join(found[0].itertext()).strip()
    if token is not None and body:
        raise BadgeFileError("the SVG's <openbadges:credential> holds both a 'verify' token and a JSON credential.")
    if token is None and not body:
        raise BadgeFileError("the SVG's <openbadges:credential> element is empty.")
    extracted = _payload(token if token is not None else body, "the SVG's <openbadges:credential>")
    shown = {}
    for el in root.iter():
        # a long field is drawn on two lines: badge-learner, then badge-learner-2
        field_id = re.sub(r"-\d+$", "", el.get("id") or "")
        if field_id in TEXT_IDS:
            line = "".join(el.itertext())
            shown[field_id] = f"{shown[field_id]} {line}" if field_id in shown else line
    for name in ("title", "desc"):
        el = root.find(f"{{{SVG_NS}}}{name}")
        if el is not None:
            shown[{"title": "Title", "desc": "Description"}[name]] = "".join(el.itertext())
    extracted.format, extracted.shown = "svg", shown
    return extracted


# ------------------------------------------------------------------------------------------------ any


def extract_badge(data: bytes) -> Extracted:
    """Find the signed credential in a badge file's bytes (PNG, SVG, JSON credential or compact JWS).

    The format is recognised from the content, not the file name. Raises :class:`BadgeFileError`
    with the reason when the bytes hold no badge.
    """
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"data must be bytes, got {type(data).__name__}.")
    data = bytes(data)
    if not data.strip():
        raise BadgeFileError("the file is empty.")
    if len(data) > MAX_BYTES:
        raise BadgeFileError(f"the file is {len(data) / 2**20:.0f} MiB, far too large to be a badge.")
    if data.startswith(PNG_SIGNATURE[:4]):
        return _png_extract(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadgeFileError("the file is binary data but not a PNG image: not a badge.") from None
    stripped = text.strip()
    if stripped.startswith("<"):
        return _svg_extract(stripped.encode("utf-8"))
    if stripped.startswith("{"):
        try:
            obj = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise BadgeFileError(f"the JSON is not valid ({exc}); the file may be truncated.") from None
        if isinstance(obj, dict) and "@context" in obj:
            return Extracted("json", credential=obj)
        if isinstance(obj, dict) and isinstance(obj.get("jwt"), str):
            raise BadgeFileError("this is a badge file of an older biaslab ({credential, jwt}); its .jwt file, "
                                 "or a badge issued again, can be verified.")
        raise BadgeFileError("the JSON is not a credential (it has no @context).")
    if _JWS.fullmatch(stripped):
        return Extracted("jwt", token=stripped)
    if stripped.startswith("eyJ") and re.fullmatch(r"[A-Za-z0-9_.-]+", stripped):
        raise BadgeFileError("the token is incomplete (a compact JWS has three parts separated by dots); "
                             "the file may be truncated.")
    raise BadgeFileError("not a badge: the file is neither a PNG, an SVG, a JSON credential nor a compact JWS.")
