"""Any SPARQL endpoint as an engine, through SPARQLWrapper: ``crampkg query --endpoint``, ``crampkg serve
--endpoint``.

The same guards as the embedded engines, enforced here rather than trusted to the store:

- read-only and no ``SERVICE``: :func:`kg.query.text.shape` refuses them before anything is sent;
- crampkg's graphs by name: without ``FROM`` in the query or a dataset in the request, the query is sent with
  ``default-graph-uri`` and ``named-graph-uri`` set to crampkg's graphs, so it sees the same dataset as on
  the embedded engine whatever the store's default graph is (Virtuoso's holds its own system graphs, the
  Oxigraph server's is empty unless told otherwise);
- a row cap, applied to what the store sends;
- a time limit, enforced on our side (:func:`kg.store.client.within`) and also passed to the store where it takes
  one per query (Virtuoso's ``timeout``, which would otherwise return partial results silently: those are
  refused as a timeout).

A store that cannot answer raises :class:`~kg.errors.StoreError` (502) or :class:`~kg.errors.StoreTimeout`
(504) naming the store; the next query tries again, so the server recovers when the store does.
"""
from __future__ import annotations

import hashlib
import json
import re

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from SPARQLWrapper import DIGEST, JSON, N3, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException, Unauthorized

from kg.errors import QueryError, StoreRefused, StoreTimeout, StoreUnavailable
from kg.namespaces import GRAPHS
from kg.query.engines.base import DatasetSpec
from kg.query.formats import Result
from kg.query.text import shape, with_values
from kg.store.client import Credentials, Store, detail, http_failure, within

CRAMPKG_GRAPHS = tuple(str(g) for g in GRAPHS.values())
# Seconds to wait for a remote endpoint: longer than the local time limit, as the network adds its own delay.
REMOTE_TIMEOUT = 30.0
# The share of the time limit given to a store that takes a per-query limit: Virtuoso overshoots its own
# limit (a 1 s limit stopped a query after 2 s in our tests), and it should stop before we stop waiting.
STORE_SHARE = 0.5
VIRTUOSO_ASK = "__ASK_RETVAL"
_BNODE_LABEL = re.compile(r"[A-Za-z0-9_]+")
_PLAIN = {str(XSD.string), str(RDF.langString)}


def blank(label: str) -> BNode:
    """A blank node for a store's label; labels that are not valid in N-Triples or Turtle (Virtuoso's
    ``nodeID://b10000``) get a stable stand-in, so the same node keeps one label in and across answers."""
    if _BNODE_LABEL.fullmatch(label):
        return BNode(label)
    return BNode("x" + hashlib.sha256(label.encode("utf-8")).hexdigest()[:24])


def term_from_json(cell: dict | None):
    if cell is None:
        return None
    kind = cell["type"]
    if kind == "uri":
        return URIRef(cell["value"])
    if kind == "bnode":
        return blank(cell["value"])
    if "xml:lang" in cell:
        return Literal(cell["value"], lang=cell["xml:lang"])
    if cell.get("datatype") and cell["datatype"] not in _PLAIN:
        return Literal(cell["value"], datatype=URIRef(cell["datatype"]), normalize=False)
    return Literal(cell["value"])


class RemoteEngine:
    name = "remote"

    def __init__(self, endpoint: str | Store, timeout: float = REMOTE_TIMEOUT) -> None:
        self.store = endpoint if isinstance(endpoint, Store) else Store(endpoint, credentials=Credentials.from_env(),
                                                                        timeout=timeout)
        self.endpoint = self.store.query_url
        self.timeout = self.store.timeout
        self.server = ""  # the store's Server header, once seen (tells whether it takes a per-query timeout)
        self.store_limit = self.timeout * STORE_SHARE  # seconds passed to a store that takes a limit

    @property
    def label(self) -> str:
        return self.store.name

    def graph_sizes(self) -> dict[str, int]:
        r = self.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {str(g): int(n) for g, n in r.rows}

    def client(self, text: str, dataset: DatasetSpec | None, has_dataset: bool) -> SPARQLWrapper:
        client = SPARQLWrapper(self.endpoint)
        client.setMethod(POST)
        client.setTimeout(max(1, int(self.timeout + 1)))
        client.setQuery(text)
        creds = self.store.credentials
        if creds is not None:
            if creds.scheme == "digest":
                client.setHTTPAuth(DIGEST)
            client.setCredentials(creds.user, creds.password)
        if dataset is not None and dataset.given:
            default, named = dataset.default_graphs or (), dataset.named_graphs or ()
        elif not has_dataset:
            default = named = CRAMPKG_GRAPHS
        else:
            default = named = ()
        for g in default:
            client.addDefaultGraph(g)
        for g in named:
            client.addNamedGraph(g)
        if "virtuoso" in self.server.lower():  # milliseconds; its answer then says if it was cut short
            client.addParameter("timeout", str(int(self.store_limit * 1000)))
        return client

    def query(self, text: str, *, dataset: DatasetSpec | None = None, bindings: dict | None = None,
              max_rows: int | None = None, base_iri: str | None = None) -> Result:
        """As :meth:`kg.query.engines.base.Engine.query`; relative IRIs resolve against a ``base_iri`` declared as
        the query's first BASE (so a BASE of the query's own still wins), or else the remote endpoint's base."""
        form = shape(text)  # refuses updates and SERVICE before the store sees them
        if bindings:
            text = with_values(text, bindings)
        if base_iri:
            text = f"BASE <{base_iri}> {text}"
        client = self.client(text, dataset, form.has_dataset)
        client.setReturnFormat(N3 if form.is_graph else JSON)  # N3: SPARQLWrapper asks for Turtle
        body = within(self.timeout, lambda: self._exchange(client), self.label)
        if form.is_graph:
            try:
                g = Graph().parse(data=body, format="turtle")
            except Exception:
                raise StoreUnavailable(f"{self.label} answered something that is not Turtle: {detail(body)}") from None
            triples = list(g)
            return Result(form.form, triples=triples[: max_rows] if max_rows else triples,
                          truncated=bool(max_rows and len(triples) > max_rows), max_rows=max_rows)
        try:
            doc = json.loads(body)
            if "boolean" in doc:
                return Result("ASK", boolean=bool(doc["boolean"]))
            names = doc["head"].get("vars", [])
            rows = [tuple(term_from_json(b.get(v)) for v in names) for b in doc["results"]["bindings"]]
            if form.form == "ASK" and names == [VIRTUOSO_ASK]:  # Virtuoso's answer to an ASK with VALUES
                return Result("ASK", boolean=bool(rows) and str(rows[0][0]) not in ("0", "false"))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise StoreUnavailable(f"{self.label} answered something that is not SPARQL JSON results: "
                                   f"{detail(body)}") from None
        truncated = bool(doc.get("truncated")) or bool(max_rows and len(rows) > max_rows)
        return Result("SELECT", vars=names, rows=rows[: max_rows] if max_rows else rows,
                      truncated=truncated, max_rows=max_rows)

    def _exchange(self, client: SPARQLWrapper) -> bytes:
        """Send the query and read the whole answer (inside the time limit)."""
        try:
            answer = client.query()
            headers = {k.lower(): v for k, v in answer.info().items()}
            body = answer.response.read()
        except QueryBadFormed as exc:
            raise QueryError(f"{self.label} refused the query: {_sparqlwrapper_detail(exc)}") from None
        except Unauthorized:
            raise StoreRefused(f"{self.label} refused our credentials (HTTP 401): check CRAMPKG_STORE_USER, "
                               "CRAMPKG_STORE_PASSWORD and CRAMPKG_STORE_AUTH") from None
        except SPARQLWrapperException as exc:  # not found, internal error, URI too long, …
            raise StoreUnavailable(f"{self.label} failed: {_sparqlwrapper_detail(exc)}") from None
        except (OSError, ValueError) as exc:
            raise http_failure(exc, self.label) from None
        self.server = headers.get("server", self.server)
        if "incomplete" in headers.get("x-sql-message", "").lower() or headers.get("x-sql-state") == "S1TAT":
            raise StoreTimeout(f"{self.label} stopped the query at its {self.store_limit:g} s limit "
                               f"({headers.get('x-sql-message', 'partial result')})")
        return body


def _sparqlwrapper_detail(exc: SPARQLWrapperException) -> str:
    text = " ".join(str(exc).split())
    return text[:400]

