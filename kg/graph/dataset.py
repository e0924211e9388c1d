"""The built dataset: named graphs for ontology, asserted and inferred triples; the default graph is their union."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rdflib import Dataset

from kg.errors import CrampkgError
from kg.namespaces import BUILD_DIR, bind_prefixes

DATASET_PATH = BUILD_DIR / "crampkg.nq"


def load_dataset(path: Path = DATASET_PATH) -> Dataset:
    """An rdflib Dataset over the built N-Quads whose default graph is the union of the named graphs."""
    if not path.exists():
        raise CrampkgError(f"{path}: no built dataset; run `crampkg build` (or `make build`) first")
    ds = Dataset(default_union=True)
    ds.parse(path, format="nquads")
    bind_prefixes(ds)
    return ds


@lru_cache(maxsize=2)
def cached_dataset(path: Path = DATASET_PATH) -> Dataset:
    return load_dataset(path)
