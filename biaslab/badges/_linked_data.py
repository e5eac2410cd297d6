"""JSON-LD for badges, offline: the shipped contexts and schema, safe-mode expansion, RDFC-1.0.

A Data Integrity proof signs the RDF graph a credential stands for, so issuing and verifying need
the JSON-LD contexts it names. biaslab ships them (``ld/``, with their sources and licences in
``ld/SOURCES.md``) and its document loader serves only those: nothing is fetched when a badge is
issued or verified, and a credential naming any other context is refused.

Safe mode: a JSON-LD processor silently drops a term no context defines, and an undefined
``type`` becomes a relative IRI that RDF cannot hold; either way part of the credential would go
unsigned. :func:`expand_safely` refuses both, as jsonld.js's ``safe`` mode does, so what is signed
is everything the credential says.
"""

from __future__ import annotations

import copy
import json
import re
from functools import lru_cache
from importlib import resources

__all__ = ["CONTEXTS", "document_loader", "expand_safely", "canonical_nquads", "achievement_schema"]

_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*|_):\S*$")


@lru_cache(maxsize=None)
def _index() -> dict:
    return json.loads(resources.files(__package__).joinpath("ld", "index.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _shipped(name: str) -> dict:
    return json.loads(resources.files(__package__).joinpath("ld", name).read_text(encoding="utf-8"))


#: URLs of the JSON-LD contexts biaslab ships and serves
CONTEXTS = tuple(_index()["contexts"])


def context_document(url: str) -> dict:
    """The shipped document of a context URL (a deep copy); ``ValueError`` for any other URL."""
    name = _index()["contexts"].get(url)
    if name is None:
        raise ValueError(f"the JSON-LD context {url!r} is not one biaslab ships (it never fetches contexts); "
                         f"known: {', '.join(CONTEXTS)}")
    return copy.deepcopy(_shipped(name))


def document_loader(url, options=None) -> dict:
    """pyld document loader: the shipped contexts only, never the network."""
    from pyld.jsonld import JsonLdError

    try:
        document = context_document(url)
    except ValueError as exc:
        raise JsonLdError(str(exc), "jsonld.LoadDocumentError", {"url": url},
                          code="loading document failed") from None
    return {"contextUrl": None, "documentUrl": url, "document": document}


def achievement_schema() -> dict:
    """The official 1EdTech JSON Schema of an OB 3.0 AchievementCredential (shipped; see ld/SOURCES.md)."""
    (url, name), = _index()["schemas"].items()
    return copy.deepcopy(_shipped(name))


def _relative(iri) -> bool:
    from pyld.jsonld import DEFAULT_BASE_IRI

    # pyld resolves a relative IRI against a made-up base instead of keeping it relative
    return isinstance(iri, str) and (not _ABSOLUTE_IRI.match(iri) or iri.startswith(DEFAULT_BASE_IRI))


def _unsafe(node, problems: list) -> None:
    if isinstance(node, list):
        for item in node:
            _unsafe(item, problems)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@type":
                for t in value if isinstance(value, list) else [value]:
                    if _relative(t):
                        name = t.rsplit("/", 1)[-1]
                        problems.append(f"type {name!r} is not defined by the contexts (a relative IRI)")
            elif key == "@id" and _relative(value):
                problems.append(f"id {value.rsplit('/', 1)[-1]!r} is a relative IRI")
            if key != "@value":
                _unsafe(value, problems)


def expand_safely(document: dict) -> list:
    """Expand ``document`` with the shipped contexts; ``ValueError`` if any term or type would be lost.

    Returns the expanded document. The error lists every term no context defines and every type
    that would be a relative IRI.
    """
    from pyld import jsonld

    if not isinstance(document, dict):
        raise TypeError(f"document must be a JSON object (dict), got {type(document).__name__}.")
    contexts = document.get("@context")
    for url in contexts if isinstance(contexts, list) else [contexts]:
        if isinstance(url, str):
            context_document(url)  # a ValueError naming a context biaslab does not ship
    dropped: list = []
    try:
        expanded = jsonld.expand(document, {"documentLoader": document_loader},
                                 on_property_dropped=lambda term: dropped.append(term))
    except jsonld.JsonLdError as exc:
        raise ValueError(f"the credential is not valid JSON-LD: {_jsonld_reason(exc)}") from None
    problems = [f"term {t!r} is not defined by the contexts" for t in dict.fromkeys(map(str, dropped))]
    _unsafe(expanded, problems)
    if problems:
        raise ValueError("the credential does not expand cleanly in JSON-LD safe mode: " + "; ".join(problems))
    return expanded


def _jsonld_reason(exc) -> str:
    # pyld wraps the real cause (e.g. the loader's refusal) in a chain of JsonLdErrors
    messages = []
    while exc is not None:
        text = str(getattr(exc, "message", "") or "").strip() or str(exc).split("\n")[0]
        if text and text not in messages:
            messages.append(text)
        exc = getattr(exc, "cause", None)
    return messages[-1] if messages else "unknown JSON-LD error"


def canonical_nquads(document: dict) -> str:
    """RDFC-1.0 canonical N-Quads of a safely expanding ``document`` (pyld's URDNA2015, RDFC-1.0's name before W3C)."""
    from pyld import jsonld

    expand_safely(document)
    try:
        return jsonld.normalize(document, {"algorithm": "URDNA2015", "format": "application/n-quads",
                                           "documentLoader": document_loader})
    except jsonld.JsonLdError as exc:
        raise ValueError(f"the credential cannot be canonicalised: {_jsonld_reason(exc)}") from None
