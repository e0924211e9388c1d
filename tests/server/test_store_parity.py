"""The same answers on the embedded engine, over the Oxigraph server and over Virtuoso (`crampkg serve
--endpoint`): every canned query with its defaults and its examples, /api/paths, /api/explain, the query
editor's completions, every entity page (its facts and its HTML), every export; and two front ends over one
Virtuoso answer alike.

Compared modulo order where a query has no ORDER BY, and modulo the stores' true differences, each applied
by :func:`same_term` and listed in the README ("What differs between stores"):

- Oxigraph stores xsd:nonNegativeInteger (the evidence offsets) as xsd:integer;
- Virtuoso writes xsd:boolean as "1"/"0" (and EXISTS/true/false in results as xsd:integer 1/0), and
  xsd:decimal in its shortest form ("100" for "100.0").
"""
from __future__ import annotations

import json
import urllib.parse
import urllib.request
from decimal import Decimal

import pytest
from conftest import start_server, stop_server
from rdflib import BNode, Dataset, Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import XSD
from stores import get

from kg.export import FORMATS, context_document
from kg.namespaces import GRAPH_INFERRED, ID
from kg.query.catalogue import Catalogue

pytestmark = pytest.mark.external

INTEGERS = {XSD.integer, XSD.nonNegativeInteger, XSD.positiveInteger, XSD.int, XSD.long, XSD.short,
            XSD.nonPositiveInteger, XSD.negativeInteger, XSD.unsignedInt, XSD.unsignedLong}
PAIRS = [("vitamin-d", "leg-cramp"), ("diuretic", "leg-cramp"), ("vitamin-b6", "peripheral-neuropathy"),
         ("hydration", "leg-cramp"), ("magnesium", "muscle-hyperexcitability"), ("leg-cramp", "vitamin-d")]


def same_term(term):
    """A term with the stores' documented literal differences folded away (see the module docstring)."""
    if not isinstance(term, Literal):
        return term
    if term.datatype in INTEGERS or term.datatype == XSD.boolean:
        text = str(term).strip().lower()
        return ("number", int({"true": 1, "false": 0}.get(text, text)))
    if term.datatype in (XSD.decimal, XSD.double, XSD.float):
        return ("number", Decimal(str(term)).normalize())
    return term


def json_term(cell: dict | None):
    if cell is None:
        return None
    if cell["type"] == "uri":
        return ("uri", cell["value"])
    if cell["type"] == "bnode":
        return ("bnode",)
    dt = cell.get("datatype")
    lit = Literal(cell["value"], lang=cell.get("xml:lang"), datatype=dt if dt else None)
    return same_term(lit)


def normal_graph(graph) -> Graph:
    out = Graph()
    for s, p, o in graph:
        folded = same_term(o)
        if isinstance(folded, tuple):
            folded = Literal(str(folded[1]), datatype=XSD.decimal)
        out.add((s, p, folded))
    return out


@pytest.fixture(scope="module")
def servers(live_server, oxigraph_store, virtuoso_store):
    over = {"oxigraph": start_server(["--endpoint", oxigraph_store.query_url]),
            "virtuoso": start_server(["--endpoint", virtuoso_store.query_url])}
    yield {"embedded": live_server, **over}
    for s in over.values():
        stop_server(s)


def canned_requests() -> list[tuple[str, str]]:
    out = []
    for q in Catalogue.load():
        out.append((q.name, ""))
        examples = {p.name: p.example for p in q.parameters if p.example}
        if examples:
            out.append((q.name, urllib.parse.urlencode(examples)))
    return out


@pytest.mark.parametrize("name,params", canned_requests(), ids=lambda v: v or "defaults")
def test_canned_queries_agree(servers, name, params):
    query = Catalogue.load().get(name)
    graph_form = query.form in ("CONSTRUCT", "DESCRIBE")
    answers = {}
    for kind, server in servers.items():
        status, body = get(server, f"/api/queries/{name}?{params}",
                           "application/n-triples" if graph_form else "application/sparql-results+json")
        assert status == 200, (kind, body[:300])
        if graph_form:
            answers[kind] = normal_graph(Graph().parse(data=body, format="nt"))
            continue
        doc = json.loads(body)
        if "boolean" in doc:
            answers[kind] = doc["boolean"]
            continue
        names = doc["head"]["vars"]
        rows = [tuple(json_term(b.get(v)) for v in names) for b in doc["results"]["bindings"]]
        answers[kind] = rows if "ORDER BY" in query.text.upper() else sorted(rows, key=repr)
    reference = answers.pop("embedded")
    for kind, answer in answers.items():
        if graph_form:
            assert isomorphic(answer, reference), kind
        else:
            assert answer == reference, kind


@pytest.mark.parametrize("source,target", PAIRS)
def test_paths_agree(servers, source, target):
    bodies = {kind: get(s, f"/api/paths?from={source}&to={target}") for kind, s in servers.items()}
    assert bodies["embedded"][0] == 200
    assert bodies["oxigraph"] == bodies["embedded"] and bodies["virtuoso"] == bodies["embedded"]


def test_every_path_agrees(servers):
    """/api/paths between every two entities (the pairs above are each one case; this is every answer)."""
    status, body = get(servers["embedded"], "/api/entities")
    assert status == 200
    slugs = [e["iri"][len(str(ID)):] for e in json.loads(body)["entities"]]
    found = 0
    for source in slugs:
        for target in slugs:
            if source == target:
                continue
            path = "/api/paths?" + urllib.parse.urlencode({"from": source, "to": target})
            bodies = {kind: get(s, path) for kind, s in servers.items()}
            found += bodies["embedded"][0] == 200 and bool(json.loads(bodies["embedded"][1]).get("chains"))
            assert bodies["oxigraph"] == bodies["embedded"] and bodies["virtuoso"] == bodies["embedded"], path
    assert found > 50  # pairs joined by at least one chain: the comparison is not of empty answers only


@pytest.mark.parametrize("query", ["kind=entity&q=thiam", "kind=entity&q=leg+cramp", "kind=property&q=",
                                   "kind=class&q=&limit=100", "kind=prefix&q=&limit=100"])
def test_completions_agree(servers, query):
    bodies = {kind: get(s, f"/api/complete?{query}") for kind, s in servers.items()}
    assert bodies["embedded"][0] == 200
    assert bodies["oxigraph"] == bodies["embedded"] and bodies["virtuoso"] == bodies["embedded"]


def test_every_explanation_agrees(servers, dataset):
    inferred = sorted(dataset.graph(GRAPH_INFERRED), key=lambda t: tuple(map(str, t)))
    triples = [t for t in inferred if not any(isinstance(x, BNode | Literal) for x in t)]
    explained = 0
    for s, p, o in triples:
        path = "/api/explain?" + urllib.parse.urlencode({"s": str(s), "p": str(p), "o": str(o)})
        bodies = {kind: get(server, path) for kind, server in servers.items()}
        explained += bodies["embedded"][0] == 200  # the others name no entity (claims): 404 everywhere
        assert bodies["oxigraph"] == bodies["embedded"] and bodies["virtuoso"] == bodies["embedded"], path
    assert explained > 100


def test_every_entity_page_agrees(servers):
    status, body = get(servers["embedded"], "/api/entities")
    entities = [e["iri"] for e in json.loads(body)["entities"]]
    assert len(entities) > 50
    for iri in [*entities, str(ID["claim/vitamin-d-excess-causes-hypercalcemia"])]:
        path = "/id/" + iri[len(str(ID)):]
        facts = {}
        pages = {}
        for kind, server in servers.items():
            status, body = get(server, path + "?format=ntriples", "application/n-triples")
            assert status == 200, (kind, path)
            facts[kind] = normal_graph(Graph().parse(data=body, format="nt"))
            pages[kind] = get(server, path, "text/html")
        for kind in ("oxigraph", "virtuoso"):
            assert isomorphic(facts[kind], facts["embedded"]), (kind, path)
            assert pages[kind] == pages["embedded"], (kind, path)  # numbers and yes/no read the same


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_export_agrees(servers, fmt):
    bodies = {kind: get(server, f"/export/{fmt}") for kind, server in servers.items()}
    assert bodies["embedded"][0] == 200
    if FORMATS[fmt].family != "rdf":  # the property-graph and diagram writers read values, not lexical forms
        assert bodies["oxigraph"] == bodies["embedded"] and bodies["virtuoso"] == bodies["embedded"]
        return
    syntax = {"turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "trig": "trig", "jsonld": "json-ld",
              "rdfxml": "xml"}[fmt]

    def parsed(body: bytes) -> Graph:
        text = body.decode("utf-8")
        if fmt == "jsonld":  # the context by value: a test never fetches its IRI
            doc = json.loads(text)
            doc["@context"] = context_document()["@context"]
            text = json.dumps(doc)
        ds = Dataset(default_union=True)
        ds.parse(data=text, format=syntax)
        return normal_graph(ds.triples((None, None, None)))

    reference = parsed(bodies["embedded"][1])
    assert len(reference) > 3000
    for kind in ("oxigraph", "virtuoso"):
        assert bodies[kind][0] == 200 and isomorphic(parsed(bodies[kind][1]), reference), kind


def test_two_front_ends_over_one_virtuoso_answer_the_same(servers, virtuoso_store):
    second = start_server(["--endpoint", virtuoso_store.query_url])
    try:
        paths = ["/api/queries/upper-limits", "/api/queries/leads-to-leg-cramps",
                 "/api/paths?from=vitamin-d&to=leg-cramp", "/id/vitamin-d", "/export/nquads", "/export/neo4j",
                 "/sparql?query=" + urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"), "/"]
        for path in paths:
            # pages as HTML: rdflib's JSON-LD of a page follows set order, which differs between any two processes
            accept = "text/html" if path in ("/", "/id/vitamin-d") else "application/json"
            first_answer, second_answer = get(servers["virtuoso"], path, accept), get(second, path, accept)
            assert first_answer[0] == 200 and first_answer == second_answer, path
    finally:
        stop_server(second)
