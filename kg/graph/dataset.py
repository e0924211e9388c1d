"""The built dataset: named graphs for ontology, asserted and inferred triples; the default graph is their union."""
from __future__ import annotations

from pathlib import Path

from rdflib import Dataset

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


def nquads(ds: Dataset) -> bytes:
    """``ds`` as sorted N-Quads (:func:`sorted_lines`)."""
    return sorted_lines(ds.serialize(format="nquads"))
