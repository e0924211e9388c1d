"""RDF exports: Turtle, N-Triples, RDF/XML (one graph: the union of the selected graphs), N-Quads, TriG and
JSON-LD (the named graphs kept apart). Blank nodes carry canonical labels and lines are sorted where the
syntax allows, so the same graph gives the same bytes."""
from __future__ import annotations

import json
from functools import lru_cache
from urllib.parse import urlsplit

from rdflib import Graph

from ..errors import CrampkgError
from ..graph.dataset import sorted_lines
from ..namespaces import CONTEXT_PATH, bind_prefixes
from .selection import Selection

EMBEDDED = "embedded"


def turtle(sel: Selection) -> bytes:
    return sel.union.serialize(format="turtle", encoding="utf-8")


def ntriples(sel: Selection) -> bytes:
    return sorted_lines(sel.union.serialize(format="nt", encoding="utf-8").decode("utf-8"))


def nquads(sel: Selection) -> bytes:
    return sorted_lines(sel.dataset.serialize(format="nquads", encoding="utf-8").decode("utf-8"))


def trig(sel: Selection) -> bytes:
    """TriG: each named graph written as sorted Turtle inside `<graph> { … }`, in a fixed graph order
    (rdflib's own TriG writer orders graphs by hash, so its bytes change between runs)."""
    prefixes: set[str] = set()
    blocks = []
    for name in sel.graph_names:
        g = Graph()
        bind_prefixes(g)
        for s, p, o, q in sel.quads:
            if q == name:
                g.add((s, p, o))
        # Lines are kept as they are (no indentation): a long literal may span several lines.
        text = g.serialize(format="turtle", encoding="utf-8").decode("utf-8")
        head, _, body = text.partition("\n\n") if text.startswith("@prefix ") else ("", "", text)
        prefixes.update(line for line in head.splitlines() if line.startswith("@prefix "))
        blocks.append(f"{name.n3()} {{\n{body.strip()}\n}}\n")
    return ("\n".join(sorted(prefixes)) + "\n\n" + "\n".join(blocks)).encode("utf-8")


class _SortedGraph(Graph):
    """A graph that lists subjects and predicate-objects in sorted order, for rdflib's RDF/XML writer
    (whose output otherwise follows the store's set order, which changes between runs)."""

    def subjects(self, predicate=None, object=None, unique=False):
        return iter(sorted(set(super().subjects(predicate, object)), key=lambda t: t.n3()))

    def predicate_objects(self, subject=None, unique=False):
        return iter(sorted(set(super().predicate_objects(subject)), key=lambda po: (po[0].n3(), po[1].n3())))

    def predicates(self, subject=None, object=None, unique=False):
        return iter(sorted(set(super().predicates(subject, object)), key=lambda t: t.n3()))


def rdfxml(sel: Selection) -> bytes:
    g = _SortedGraph()
    bind_prefixes(g)
    for t in sel.union:
        g.add(t)
    return g.serialize(format="xml", encoding="utf-8")


@lru_cache(maxsize=1)
def context_document() -> dict:
    """The shipped JSON-LD context (kg/context.jsonld): what JSON-LD exports embed and /context.jsonld serves."""
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


def check_context(context: str) -> str:
    """``embedded``, or the absolute http(s) URL of a copy of the shipped context that the document will name."""
    if context == EMBEDDED:
        return context
    try:
        parts = urlsplit(context)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc or any(
            c.isspace() or c in '<>"{}|\\^`' for c in context):
        raise CrampkgError(f"JSON-LD context {context[:200]!r}: give `embedded` (the default: the context inside "
                           "the document) or the http(s) URL where kg/context.jsonld is served, such as "
                           "http://127.0.0.1:8000/context.jsonld")
    return context


def jsonld(sel: Selection, *, context: str = EMBEDDED) -> bytes:
    """JSON-LD compacted with the shipped context; one @graph per named graph.

    The context is embedded by default, so every JSON-LD reader (rdflib, Jena, pyld, the playground) reads the
    document as it is, fetching nothing. `context` may instead be the URL of a served copy of the same context
    (crampkg serves one at ``/context.jsonld``); the document then names that URL, as shared contexts do."""
    context = check_context(context)
    terms = context_document()["@context"]
    text = sel.dataset.serialize(format="json-ld", context=terms, encoding="utf-8").decode("utf-8")
    doc = json.loads(text)
    if isinstance(doc, list):
        doc = {"@graph": doc}
    doc.pop("@context", None)
    body = _normalise(doc)
    out = {"@context": terms if context == EMBEDDED else context, **body}
    return (json.dumps(out, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
