"""rdflib's own SPARQL evaluator over the built Dataset: the reference engine of the differential test."""
from __future__ import annotations

from pathlib import Path

import rdflib.plugins.sparql
from pyparsing import ParseException
from rdflib import Dataset, URIRef
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery

from kg.errors import QueryError, QuerySyntaxError
from kg.graph.dataset import load_dataset
from kg.namespaces import PREFIXES
from kg.query.engines.base import DatasetSpec, cap
from kg.query.formats import Result
from kg.query.text import shape, with_values

# FROM <x> must never fetch x: with this off, rdflib only uses graphs already in the dataset.
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False


class RdflibEngine:
    name = "rdflib"

    def __init__(self, ds: Dataset) -> None:
        self.ds = ds

    @classmethod
    def from_file(cls, path: Path) -> RdflibEngine:
        return cls(load_dataset(path))

    def graph_sizes(self) -> dict[str, int]:
        return {str(g.identifier): len(g) for g in self.ds.graphs() if len(g)}

    def _view(self, dataset: DatasetSpec) -> Dataset:
        """A dataset holding only the requested graphs (names not in the dataset are empty)."""
        view = Dataset(default_union=False)
        known = {str(g.identifier): g for g in self.ds.graphs()}
        default = view.default_graph if hasattr(view, "default_graph") else view.default_context
        for name in dataset.default_graphs or ():
            if name in known:
                for t in known[name]:
                    default.add(t)
        for name in dataset.named_graphs or ():
            g = view.graph(URIRef(name))
            if name in known:
                for t in known[name]:
                    g.add(t)
        return view

    def query(self, text: str, *, dataset: DatasetSpec | None = None, bindings: dict | None = None,
              max_rows: int | None = None, base_iri: str | None = None) -> Result:
        form = shape(text)  # refuses updates and SERVICE before the engine sees them
        if bindings:
            text = with_values(text, bindings)
        try:
            parsed = parseQuery(text)
        except ParseException as exc:
            raise QuerySyntaxError(f"syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}") from None
        # SELECT * projects the query's variables, which rdflib collects in a set: their order would change from
        # one process to the next. Ordered by name, as Oxigraph orders them, the columns are stable and the same.
        star = parsed[1].name == "SelectQuery" and parsed[1].projection is None
        try:
            prepared = translateQuery(parsed, base_iri, PREFIXES)
        except Exception as exc:  # rdflib raises bare Exceptions for e.g. an unknown prefix: the query's fault
            raise QueryError(f"rdflib cannot prepare the query: {exc}") from None
        target = self._view(dataset) if dataset is not None and dataset.given else self.ds
        try:
            answer = target.query(prepared)
            if answer.type == "ASK":
                return Result("ASK", boolean=bool(answer.askAnswer))
            if answer.type == "SELECT":
                names = [str(v) for v in answer.vars]
                columns = sorted(range(len(names)), key=names.__getitem__) if star else range(len(names))
                rows, truncated = cap(answer, max_rows)
                return Result("SELECT", vars=[names[i] for i in columns],
                              rows=[tuple(row[i] for i in columns) for row in rows],
                              truncated=truncated, max_rows=max_rows)
            triples, truncated = cap(answer.graph, max_rows)
            return Result(form.form, triples=list(triples), truncated=truncated, max_rows=max_rows)
        except QueryError:
            raise
        except Exception as exc:
            raise QueryError(f"query failed: {exc}") from None
