"""Sorted N-Quads of the build's named graphs, straight from the graphs.

The bytes are those rdflib's N-Quads serializer gives for a Dataset holding the same graphs (each line
written by its own row function), sorted and without duplicates, so the output is the same for the same
triples. Going straight from the graphs skips copying a corpus of millions of triples into a Dataset first.
"""
from __future__ import annotations

from collections.abc import Iterable

from rdflib import Graph, URIRef
from rdflib.plugins.serializers.nquads import _nq_row


def nquads_bytes(graphs: Iterable[tuple[URIRef, Graph]]) -> bytes:
    """One sorted line per distinct quad of `graphs` (name, graph), UTF-8, ending with a newline."""
    lines: set[str] = set()
    for name, graph in graphs:
        lines.update(_nq_row(t, name).rstrip("\n") for t in graph)
    ordered = sorted(lines)
    return ("\n".join(ordered) + "\n").encode("utf-8", "replace")
