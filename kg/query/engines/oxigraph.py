"""The serving engine: pyoxigraph's in-memory store, loaded from the built N-Quads in milliseconds."""
from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from kg.errors import QueryError, QuerySyntaxError
from kg.namespaces import PREFIXES
from kg.query.engines.base import DatasetSpec, cap
from kg.query.formats import Result
from kg.query.text import shape, with_values

_XSD_STRING = str(XSD.string)
# Oxigraph lists every token it expected; past about two lines of them the message stops helping.
MAX_DETAIL_CHARS = 160


def to_rdflib(term):
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype), normalize=False)
    raise QueryError(f"unsupported term in a result: {term!r}")


def syntax_message(text: str) -> str:
    """Oxigraph's ``error at 4:11: expected one of …`` as a message a person can read."""
    m = re.match(r"error at (\d+):(\d+): (.*)", text, re.DOTALL)
    if not m:
        return f"syntax error: {text}"
    detail = " ".join(m.group(3).split())
    if len(detail) > MAX_DETAIL_CHARS:
        detail = detail[:MAX_DETAIL_CHARS].rsplit(",", 1)[0] + ", …"
    return f"syntax error at line {m.group(1)}, column {m.group(2)}: {detail}"


class OxigraphEngine:
    name = "oxigraph"

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.prefixes = {p: str(ns) for p, ns in PREFIXES.items()}

    @classmethod
    def from_file(cls, path: Path) -> OxigraphEngine:
        store = ox.Store()
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        return cls(store)

    def graph_sizes(self) -> dict[str, int]:
        q = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        return {s["g"].value: int(s["n"].value) for s in self.store.query(q)}

    def query(self, text: str, *, dataset: DatasetSpec | None = None, bindings: dict | None = None,
              max_rows: int | None = None, base_iri: str | None = None) -> Result:
        form = shape(text)  # refuses updates and SERVICE before the engine sees them
        if bindings:
            text = with_values(text, bindings)
        options: dict = {"prefixes": self.prefixes}
        if base_iri:
            options["base_iri"] = base_iri
        if dataset is not None and dataset.given:
            options["default_graph"] = [ox.NamedNode(g) for g in dataset.default_graphs or ()]
            options["named_graphs"] = [ox.NamedNode(g) for g in dataset.named_graphs or ()]
        elif not form.has_dataset:
            options["use_default_graph_as_union"] = True
        try:
            answer = self.store.query(text, **options)
        except SyntaxError as exc:
            raise QuerySyntaxError(syntax_message(str(exc))) from None
        except (OSError, ValueError, TypeError, RuntimeError) as exc:
            raise QueryError(f"query failed: {exc}") from None
        try:
            if isinstance(answer, ox.QueryBoolean):
                return Result("ASK", boolean=bool(answer))
            if isinstance(answer, ox.QuerySolutions):
                names = [v.value for v in answer.variables]
                rows, truncated = cap(answer, max_rows)
                return Result("SELECT", vars=names, rows=[tuple(to_rdflib(s[i]) for i in range(len(names)))
                                                          for s in rows],
                              truncated=truncated, max_rows=max_rows)
            triples, truncated = cap(answer, max_rows)
            return Result(form.form, triples=[(to_rdflib(t.subject), to_rdflib(t.predicate),
                                               to_rdflib(t.object)) for t in triples],
                          truncated=truncated, max_rows=max_rows)
        except (OSError, ValueError, TypeError, RuntimeError) as exc:
            raise QueryError(f"query failed: {exc}") from None
