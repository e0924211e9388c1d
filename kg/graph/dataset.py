"""The built dataset: named graphs for ontology, asserted and inferred triples; the default graph is their union."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from itertools import groupby
from operator import itemgetter
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.plugins.serializers.nt import _quoteLiteral
from rdflib.term import Node

from kg.errors import CrampkgError
from kg.namespaces import BUILD_DIR, DATASET_FILE, SUMMARY_FILE, bind_prefixes

DATASET_PATH = BUILD_DIR / DATASET_FILE


def dataset_sha256(data: bytes) -> str:
    """The hash a build records for the N-Quads it writes (summary.json's dataset_sha256), checked by damage()."""
    return hashlib.sha256(data).hexdigest()


def damage(path: Path, data: bytes | None = None) -> str | None:
    """Why the built dataset at ``path`` cannot be trusted, or None when it hashes as its build recorded.

    A build records the SHA-256 of the N-Quads it wrote in the summary beside them; a file truncated by a full
    disk, cut short by a crash or edited by hand no longer matches, and is rebuilt rather than served.
    `data`, the file's bytes already read, spares a second read.
    """
    summary = path.parent / SUMMARY_FILE
    if not summary.exists():
        return None  # not a build (a file written by hand or by a test): nothing was recorded to check against
    try:
        recorded = json.loads(summary.read_text()).get("dataset_sha256")
    except (OSError, ValueError, AttributeError):
        return f"{summary} is unreadable"
    if not recorded:
        return f"{summary} records no dataset_sha256"
    if dataset_sha256(path.read_bytes() if data is None else data) != recorded:
        return f"{path} does not match the SHA-256 its build recorded (truncated or changed since)"
    return None


def load_dataset(path: Path = DATASET_PATH) -> Dataset:
    """An rdflib Dataset over the built N-Quads whose default graph is the union of the named graphs; refuses a
    file that does not hash as its build recorded."""
    if not path.exists():
        raise CrampkgError(f"{path}: no built dataset; run `crampkg build` (or `make build`) first")
    data = path.read_bytes()  # read once: the bytes checked are the bytes parsed
    problem = damage(path, data)
    if problem:
        raise CrampkgError(f"{problem}; run `crampkg build --force` to rebuild it")
    ds = Dataset(default_union=True)
    ds.parse(data=data, format="nquads")
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
    once rather than once per triple.

    Each line is encoded on its own and the bytes are sorted: UTF-8 orders bytes as Unicode orders code points, so
    the order is the one sorting the text gives, but no text of the whole dataset is ever made. One character
    outside Latin-1 anywhere made that text four times the file's size (a corpus of 1,000 articles: 1 GB of text
    for 0.5 GB of N-Quads), copied once more to add the last newline and once more to encode it."""
    written: dict[Node, str] = {}

    def term(node: Node) -> str:
        text = written.get(node)
        if text is None:
            text = written[node] = _quoteLiteral(node) if isinstance(node, Literal) else node.n3()
        return text

    lines: list[bytes] = []
    for name, graph in graphs:
        suffix = f" {name.n3()} ."
        lines += [f"{term(s)} {term(p)} {term(o)}{suffix}".encode("utf-8", "replace") for s, p, o in graph]
    lines.sort()
    # distinct terms that write the same text would give one line twice: kept once, as a set of lines keeps it
    lines = list(map(itemgetter(0), groupby(lines)))
    lines.append(b"")  # the last line's newline, without copying the whole dataset to add it
    return b"\n".join(lines) if len(lines) > 1 else b"\n"
