"""Any SPARQL endpoint as an engine, through SPARQLWrapper (``crampkg query … --endpoint URL``)."""
from __future__ import annotations

import json

from rdflib import BNode, Graph, Literal, URIRef
from SPARQLWrapper import JSON, N3, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from kg.errors import QueryError
from kg.query.engines.base import DatasetSpec
from kg.query.formats import Result
from kg.query.text import shape, with_values

# Seconds to wait for a remote endpoint: longer than the local time limit, as the network adds its own delay.
REMOTE_TIMEOUT = 30.0


def term_from_json(cell: dict | None):
    if cell is None:
        return None
    kind = cell["type"]
    if kind == "uri":
        return URIRef(cell["value"])
    if kind == "bnode":
        return BNode(cell["value"])
    if "xml:lang" in cell:
        return Literal(cell["value"], lang=cell["xml:lang"])
    if cell.get("datatype"):
        return Literal(cell["value"], datatype=URIRef(cell["datatype"]), normalize=False)
    return Literal(cell["value"])


class RemoteEngine:
    name = "remote"

    def __init__(self, endpoint: str, timeout: float = REMOTE_TIMEOUT) -> None:
        self.endpoint = endpoint
        self.timeout = timeout

    def graph_sizes(self) -> dict[str, int]:
        r = self.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {str(g): int(n) for g, n in r.rows}

    def query(self, text: str, *, dataset: DatasetSpec | None = None, bindings: dict | None = None,
              max_rows: int | None = None) -> Result:
        form = shape(text)
        if bindings:
            text = with_values(text, bindings)
        client = SPARQLWrapper(self.endpoint)
        client.setMethod(POST)
        client.setTimeout(int(self.timeout))
        client.setQuery(text)
        for g in (dataset.default_graphs or ()) if dataset else ():
            client.addDefaultGraph(g)
        for g in (dataset.named_graphs or ()) if dataset else ():
            client.addNamedGraph(g)
        try:
            if form.is_graph:
                client.setReturnFormat(N3)  # SPARQLWrapper asks for Turtle
                body = client.query().response.read()
                g = Graph().parse(data=body, format="turtle")
                triples = list(g)[: max_rows] if max_rows else list(g)
                return Result(form.form, triples=triples,
                              truncated=bool(max_rows and len(g) > max_rows), max_rows=max_rows)
            client.setReturnFormat(JSON)
            doc = json.loads(client.query().response.read())
        except SPARQLWrapperException as exc:
            raise QueryError(f"{self.endpoint}: {str(exc).strip()}") from None
        except OSError as exc:
            raise QueryError(f"{self.endpoint}: cannot reach the endpoint ({exc})") from None
        if "boolean" in doc:
            return Result("ASK", boolean=bool(doc["boolean"]))
        names = doc["head"].get("vars", [])
        rows = [tuple(term_from_json(b.get(v)) for v in names) for b in doc["results"]["bindings"]]
        truncated = bool(doc.get("truncated")) or bool(max_rows and len(rows) > max_rows)
        return Result("SELECT", vars=names, rows=rows[: max_rows] if max_rows else rows,
                      truncated=truncated, max_rows=max_rows)
