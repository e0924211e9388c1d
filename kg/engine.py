"""The query engines behind every interface, one module each, chosen by name.

An engine answers a SPARQL query over crampkg's dataset with an engine-neutral :class:`~kg.formats.Result`:

- ``oxigraph`` (:mod:`kg.engine_oxigraph`): pyoxigraph's in-memory Rust store, the serving default;
- ``rdflib`` (:mod:`kg.engine_rdflib`): rdflib's own evaluator over the built :class:`rdflib.Dataset`, the
  reference the differential test compares against;
- ``remote`` (:mod:`kg.engine_remote`): any SPARQL endpoint through SPARQLWrapper (``--endpoint URL``).

The two local engines see the same dataset: the union of the named graphs as default graph unless the query
(``FROM``) or the protocol (``default-graph-uri`` / ``named-graph-uri``) says otherwise; a graph name that is
not in the dataset is simply empty and is never dereferenced.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .errors import QueryError
from .formats import Result

ENGINES = ("oxigraph", "rdflib")


class QuerySyntaxError(QueryError):
    """The query does not parse; the message names line and column where the engine gives them."""


@dataclass(frozen=True)
class DatasetSpec:
    """The protocol's dataset: graph IRIs for the default graph and the named graphs (None: not given)."""

    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None

    @property
    def given(self) -> bool:
        return self.default_graphs is not None or self.named_graphs is not None


class Engine(Protocol):
    name: str

    def query(self, text: str, *, dataset: DatasetSpec | None = None, bindings: dict | None = None,
              max_rows: int | None = None, base_iri: str | None = None) -> Result:
        """Evaluate ``text``; ``bindings`` maps variable names to rdflib terms bound before evaluation.

        ``base_iri`` is the IRI relative IRIs in the query resolve against (SPARQL 1.1 Query §4.1.1), unless
        the query declares its own BASE: the endpoint's URL when the query came over the protocol."""

    def graph_sizes(self) -> dict[str, int]:
        """Triples per named graph."""


def open_engine(name: str, dataset_path: Path, *, dataset=None) -> Engine:
    """The named engine over the build; `dataset`, an rdflib Dataset of it already loaded, spares the rdflib
    engine a second parse."""
    if name == "oxigraph":
        from .engine_oxigraph import OxigraphEngine

        return OxigraphEngine.from_file(dataset_path)
    if name == "rdflib":
        from .engine_rdflib import RdflibEngine

        return RdflibEngine(dataset) if dataset is not None else RdflibEngine.from_file(dataset_path)
    raise QueryError(f"unknown engine `{name}`; choose one of {', '.join(ENGINES)}")


def cap(iterable, max_rows: int | None) -> tuple[list, bool]:
    """At most ``max_rows`` items, and whether more were there."""
    out = []
    for item in iterable:
        if max_rows is not None and len(out) >= max_rows:
            return out, True
        out.append(item)
    return out, False
