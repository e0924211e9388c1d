"""The engine protocol and the types every engine shares; each engine module imports these, never the
registry in :mod:`kg.query.engines`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from kg.query.formats import Result


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


def cap(iterable, max_rows: int | None) -> tuple[list, bool]:
    """At most ``max_rows`` items, and whether more were there."""
    out = []
    for item in iterable:
        if max_rows is not None and len(out) >= max_rows:
            return out, True
        out.append(item)
    return out, False
