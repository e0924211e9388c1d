"""RDF exports: Turtle, N-Triples, RDF/XML (one graph: the union of the selected graphs), N-Quads, TriG and
JSON-LD (the named graphs kept apart). Blank nodes carry canonical labels and lines are sorted where the
syntax allows, so the same graph gives the same bytes."""
from __future__ import annotations

import json
from functools import lru_cache

from ..namespaces import CONTEXT_PATH, CONTEXT_URL
from .selection import Selection


def _sorted_lines(text: str) -> bytes:
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def turtle(sel: Selection) -> bytes:
    return sel.union.serialize(format="turtle", encoding="utf-8")


def ntriples(sel: Selection) -> bytes:
    return _sorted_lines(sel.union.serialize(format="nt", encoding="utf-8").decode("utf-8"))


def nquads(sel: Selection) -> bytes:
    return _sorted_lines(sel.dataset.serialize(format="nquads", encoding="utf-8").decode("utf-8"))


def trig(sel: Selection) -> bytes:
    return sel.dataset.serialize(format="trig", encoding="utf-8")


def rdfxml(sel: Selection) -> bytes:
    return sel.union.serialize(format="xml", encoding="utf-8")


@lru_cache(maxsize=1)
def context_document() -> dict:
    """The shipped JSON-LD context (kg/context.jsonld): what /context.jsonld serves and CONTEXT_URL names."""
    return json.loads(CONTEXT_PATH.read_text(encoding="utf-8"))


def _normalise(value, key: str | None = None):
    """Sort JSON-LD arrays (but never an @list, whose order is data) and objects, for stable bytes."""
    if isinstance(value, dict):
        return {k: _normalise(v, k) for k, v in sorted(value.items())}
    if isinstance(value, list):
        items = [_normalise(v) for v in value]
        if key == "@list":
            return items
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def jsonld(sel: Selection) -> bytes:
    """JSON-LD, compacted with the shipped context and referring to it by CONTEXT_URL; one @graph per named graph."""
    context = context_document()["@context"]
    text = sel.dataset.serialize(format="json-ld", context=context, encoding="utf-8").decode("utf-8")
    doc = json.loads(text)
    if isinstance(doc, list):
        doc = {"@graph": doc}
    doc.pop("@context", None)
    body = _normalise(doc)
    out = {"@context": CONTEXT_URL, **body}
    return (json.dumps(out, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
