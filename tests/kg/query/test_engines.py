"""Serving with the rdflib engine (`crampkg serve --engine rdflib`), and the engines' shared rules."""
from __future__ import annotations

import pytest
import requests
from conftest import start_server, stop_server

from kg.errors import QueryError, QuerySyntaxError, RemoteRefused, UpdateRefused
from kg.graph.dataset import DATASET_PATH
from kg.namespaces import GRAPH_ONTOLOGY
from kg.query.engines import open_engine
from kg.query.engines.base import DatasetSpec


@pytest.fixture(scope="module")
def rdflib_server(built):
    server = start_server(["--engine", "rdflib", "--cache", "0"])
    yield server
    stop_server(server)


def test_rdflib_engine_serves_the_same_answers(rdflib_server, live_server):
    q = "PREFIX ck: <https://w3id.org/crampkg/ontology#> SELECT ?x WHERE { ?x ck:causes ?y } ORDER BY ?x"
    a = requests.get(f"{rdflib_server.url}/sparql", params={"query": q}, timeout=30).json()
    b = requests.get(f"{live_server.url}/sparql", params={"query": q}, timeout=30).json()
    assert a == b and a["results"]["bindings"]


def test_rdflib_engine_keeps_the_protocol_rules(rdflib_server):
    url = f"{rdflib_server.url}/sparql"
    assert requests.get(url, params={"query": "SELECT * {"}, timeout=30).status_code == 400
    assert requests.get(url, params={"query": "CLEAR ALL"}, timeout=30).status_code == 403
    r = requests.get(url, timeout=30, params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                                             "default-graph-uri": str(GRAPH_ONTOLOGY)})
    assert r.json()["results"]["bindings"][0]["n"]["value"] == "353"


@pytest.mark.parametrize("name", ["oxigraph", "rdflib"])
def test_engine_errors(built, name):
    """Tried on each engine: a syntax error, an update, SERVICE, and an unknown engine name."""
    engine = open_engine(name, DATASET_PATH)
    with pytest.raises(QuerySyntaxError, match="line 2, column"):
        engine.query("SELECT *\nWHERE { ?s ?p }")
    with pytest.raises(UpdateRefused):
        engine.query("DELETE WHERE { ?s ?p ?o }")
    with pytest.raises(RemoteRefused):
        engine.query("SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")
    with pytest.raises(QueryError):
        open_engine("virtuoso", DATASET_PATH)


@pytest.mark.parametrize("name", ["oxigraph", "rdflib"])
def test_engine_dataset_spec(built, name):
    engine = open_engine(name, DATASET_PATH)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    only = engine.query(count, dataset=DatasetSpec((str(GRAPH_ONTOLOGY),), ()))
    nothing = engine.query(count, dataset=DatasetSpec(("https://example.org/none",), ()))
    assert int(only.rows[0][0]) == 353 and int(nothing.rows[0][0]) == 0


def test_rdflib_preparation_failure_is_not_called_a_syntax_error(built):
    """Tried: an undeclared prefix, which rdflib's parser accepts and its preparation refuses."""
    engine = open_engine("rdflib", DATASET_PATH)
    with pytest.raises(QueryError, match="rdflib cannot prepare the query: Unknown namespace prefix : nope") as caught:
        engine.query("SELECT * WHERE { ?s nope:p ?o }")
    assert not isinstance(caught.value, QuerySyntaxError)
