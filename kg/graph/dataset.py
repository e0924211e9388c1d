"""The built dataset: named graphs for ontology, asserted and inferred triples; the default graph is their union."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.plugins.serializers.nt import _quoteLiteral
from rdflib.term import Node

from kg.errors import CrampkgError
from kg.namespaces import BUILD_DIR, DATASET_FILE, bind_prefixes

DATASET_PATH = BUILD_DIR / DATASET_FILE


def load_dataset(path: Path = DATASET_PATH) -> Dataset:
    """An rdflib Dataset over the built N-Quads whose default graph is the union of the named graphs."""
    if not path.exists():
        raise CrampkgError(f"{path}: no built dataset; run `crampkg build` (or `make build`) first")
    ds = Dataset(default_union=True)
    ds.parse(path, format="nquads")
    bind_prefixes(ds)
    return ds


def sorted_lines(text: str) -> bytes:
    """The lines of an N-Triples or N-Quads document, sorted and without duplicates or blank lines: the same graph
    gives the same bytes. Used for the build itself and for the N-Triples / N-Quads exports."""
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def nquads_of_graphs(graphs: Iterable[tuple[URIRef, Graph]]) -> bytes:
    """Sorted N-Quads of named graphs (name, graph), straight from the graphs: the bytes :func:`sorted_lines` gives
    for rdflib's serialisation of a Dataset holding them (each term written by the function rdflib's serializer
    uses), without first copying a corpus of millions of triples into a Dataset, and writing each distinct term
    once rather than once per triple."""
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
    return ("\n".join(sorted(lines)) + "\n").encode("utf-8", "replace")
