"""Sorted N-Quads of the build's named graphs, straight from the graphs.

The bytes are those rdflib's N-Quads serializer gives for a Dataset holding the same graphs (each term
written by the same functions it uses), sorted and without duplicates, so the output is the same for the same
triples. Going straight from the graphs skips copying a corpus of millions of triples into a Dataset first, and
each distinct term is written once rather than once per triple it occurs in.
"""
from __future__ import annotations

from collections.abc import Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.plugins.serializers.nt import _quoteLiteral
from rdflib.term import Node


def nquads_bytes(graphs: Iterable[tuple[URIRef, Graph]]) -> bytes:
    """One sorted line per distinct quad of `graphs` (name, graph), UTF-8, ending with a newline."""
    written: dict[Node, str] = {}

    def term(node: Node) -> str:
        text = written.get(node)
        if text is None:
            text = written[node] = _quoteLiteral(node) if isinstance(node, Literal) else node.n3()
        return text

    lines: set[str] = set()
    for name, graph in graphs:
        suffix = f" {name.n3()} ."
        lines.update(f"{term(s)} {term(p)} {term(o)}{suffix}" for s, p, o in graph)
    ordered = sorted(lines)
    return ("\n".join(ordered) + "\n").encode("utf-8", "replace")
