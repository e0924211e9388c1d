"""The query engines behind every interface, one module each, chosen by name.

An engine answers a SPARQL query over crampkg's dataset with an engine-neutral :class:`~kg.query.formats.Result`:

- ``oxigraph`` (:mod:`kg.query.engines.oxigraph`): pyoxigraph's in-memory Rust store, the serving default;
- ``rdflib`` (:mod:`kg.query.engines.rdflib`): rdflib's own evaluator over the built :class:`rdflib.Dataset`, the
  reference the differential test compares against;
- ``remote`` (:mod:`kg.query.engines.remote`): any SPARQL endpoint through SPARQLWrapper (``--endpoint URL``).

The two local engines see the same dataset: the union of the named graphs as default graph unless the query
(``FROM``) or the protocol (``default-graph-uri`` / ``named-graph-uri``) says otherwise; a graph name that is
not in the dataset is simply empty and is never dereferenced.
"""
from __future__ import annotations

from pathlib import Path

from kg.errors import QueryError
from kg.query.engines.base import Engine
from kg.query.engines.oxigraph import OxigraphEngine
from kg.query.engines.rdflib import RdflibEngine

ENGINES = ("oxigraph", "rdflib")  # the local engines, by the name the command line and the server use
DEFAULT_ENGINE = ENGINES[0]  # the default of `crampkg query`, `crampkg serve` and the server's configuration


def open_engine(name: str, dataset_path: Path, *, dataset=None) -> Engine:
    """The named engine over the build; `dataset`, an rdflib Dataset of it already loaded, spares the rdflib
    engine a second parse."""
    if name == "oxigraph":
        return OxigraphEngine.from_file(dataset_path)
    if name == "rdflib":
        return RdflibEngine(dataset) if dataset is not None else RdflibEngine.from_file(dataset_path)
    raise QueryError(f"unknown engine `{name}`; choose one of {', '.join(ENGINES)}")
