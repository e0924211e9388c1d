"""SPARQLWrapper, a real SPARQL client, against the real server."""
from __future__ import annotations

import pytest
from rdflib import Graph
from SPARQLWrapper import CSV, JSON, POST, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from kg.namespaces import GRAPH_ONTOLOGY

CAUSES = """PREFIX ck: <https://w3id.org/crampkg/ontology#>
SELECT ?x WHERE { ?x ck:causes <https://w3id.org/crampkg/id/leg-cramp> } ORDER BY ?x"""


def client(server, query: str, fmt=JSON, method=None) -> SPARQLWrapper:
    c = SPARQLWrapper(f"{server.url}/sparql")
    c.setQuery(query)
    c.setReturnFormat(fmt)
    if method:
        c.setMethod(method)
    return c


@pytest.mark.parametrize("method", [None, POST])
def test_select_json(live_server, method):
    doc = client(live_server, CAUSES, method=method).queryAndConvert()
    xs = [b["x"]["value"] for b in doc["results"]["bindings"]]
    assert "https://w3id.org/crampkg/id/electrolyte-imbalance" in xs and xs == sorted(xs)


def test_select_xml(live_server):
    dom = client(live_server, CAUSES, XML).queryAndConvert()
    assert len(dom.getElementsByTagName("result")) >= 5


def test_select_csv_and_tsv(live_server):
    csv_text = client(live_server, CAUSES, CSV).queryAndConvert().decode()
    tsv_text = client(live_server, CAUSES, TSV).queryAndConvert().decode()
    assert csv_text.splitlines()[0] == "x" and tsv_text.splitlines()[0] == "?x"
    assert len(csv_text.splitlines()) == len(tsv_text.splitlines())


def test_ask(live_server):
    assert client(live_server, "ASK { ?s ?p ?o }").queryAndConvert()["boolean"] is True


def test_construct_turtle(live_server):
    q = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/crampkg/graph/ontology> { ?s ?p ?o } }"
    data = client(live_server, q, TURTLE).queryAndConvert()
    assert len(Graph().parse(data=data, format="turtle")) > 100


def test_describe(live_server):
    c = client(live_server, "DESCRIBE <https://w3id.org/crampkg/id/hypercalcemia>", TURTLE)
    g = Graph().parse(data=c.queryAndConvert(), format="turtle")
    assert len(g) > 3


def test_default_graph_through_the_client(live_server):
    c = client(live_server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    c.addDefaultGraph(str(GRAPH_ONTOLOGY))
    ontology = int(c.queryAndConvert()["results"]["bindings"][0]["n"]["value"])
    whole = int(client(live_server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
                .queryAndConvert()["results"]["bindings"][0]["n"]["value"])
    assert 0 < ontology < whole


def test_syntax_error_reaches_the_client(live_server):
    with pytest.raises(QueryBadFormed) as info:
        client(live_server, "SELECT * WHERE { ?s ?p }").queryAndConvert()
    assert "line 1, column" in str(info.value)
