"""Turtle files read by pyoxigraph's Rust parser into rdflib graphs: the same terms rdflib's own parser makes,
about ten times faster, which matters for a corpus of a thousand claims files.

Terms are built the way rdflib's parser builds them (a plain string literal has no datatype; other literals go
through rdflib's Literal and its normalisation), so a graph read here equals one read by rdflib. A file
pyoxigraph rejects is parsed again by rdflib, so a syntax error reads exactly as it always has; a file rdflib
takes but pyoxigraph rejects (an escape such as \\uD800 that encodes no character, which rdflib would carry
into the build and its writer turn into "?") is refused with pyoxigraph's reason, never built.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyoxigraph
from rdflib import Graph
from rdflib.term import Node

from kg.errors import BuildError
from kg.graph.terms import from_oxigraph


def converter() -> Callable[[object], Node]:
    """kg.graph.terms.from_oxigraph, each distinct term converted once: a claims file repeats its terms, and the
    files of a corpus share theirs (one converter for all of them makes one object of each term, so the asserted
    graph holds one copy and its index lookups stay on the identity fast path)."""
    cache: dict[object, Node] = {}

    def convert(term) -> Node:
        node = cache.get(term)
        if node is None:
            node = cache[term] = from_oxigraph(term)
        return node

    return convert


def read_turtle(path: Path, fallback: Callable[[Path], Graph],
                convert: Callable[[object], Node] | None = None) -> Graph:
    """The triples of a Turtle file; `fallback` (rdflib's parser) explains a file pyoxigraph rejects, or reads
    a file pyoxigraph cannot open (a missing file). `convert` (a :func:`converter`) may be shared by the files
    of one build."""
    convert = convert or converter()
    try:
        triples = [(convert(t.subject), convert(t.predicate), convert(t.object))
                   for t in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)]
    except (SyntaxError, ValueError) as exc:
        fallback(path)  # rdflib's words for the error, when it sees one too
        raise BuildError(f"{path.name}: Turtle syntax error: {exc}") from None
    except OSError:
        return fallback(path)
    g = Graph(store="SimpleMemory")
    g.addN((s, p, o, g) for s, p, o in triples)
    return g
