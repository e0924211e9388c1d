"""Serving with the rdflib engine (`crampkg serve --engine rdflib`), and the engines' shared rules."""
from __future__ import annotations

import os
import subprocess
import sys

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


def test_rdflib_engine_keeps_the_protocol_rules(rdflib_server, dataset):
    url = f"{rdflib_server.url}/sparql"
    assert requests.get(url, params={"query": "SELECT * {"}, timeout=30).status_code == 400
    assert requests.get(url, params={"query": "CLEAR ALL"}, timeout=30).status_code == 400  # not a query
    assert requests.get(url, params={"update": "CLEAR ALL"}, timeout=30).status_code == 403
    r = requests.post(url, data="CONSTRUCT { <s> <p> 1 } WHERE {}", timeout=30,
                      headers={"Content-Type": "application/sparql-query", "Accept": "application/n-triples"})
    assert r.status_code == 200 and r.text.strip() == (f"<{rdflib_server.url}/s> <{rdflib_server.url}/p> "
                                                       '"1"^^<http://www.w3.org/2001/XMLSchema#integer> .')
    r = requests.get(url, timeout=30, params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                                             "default-graph-uri": str(GRAPH_ONTOLOGY)})
    assert r.json()["results"]["bindings"][0]["n"]["value"] == str(len(dataset.graph(GRAPH_ONTOLOGY)))


@pytest.mark.parametrize("name", ["oxigraph", "rdflib"])
def test_engine_errors(built, name):
    """Tried on each engine: a syntax error, an update, SERVICE, 3000 nested groups, and an unknown engine name."""
    engine = open_engine(name, DATASET_PATH)
    with pytest.raises(QuerySyntaxError, match="line 2, column"):
        engine.query("SELECT *\nWHERE { ?s ?p }")
    with pytest.raises(UpdateRefused):
        engine.query("DELETE WHERE { ?s ?p ?o }")
    with pytest.raises(RemoteRefused):
        engine.query("SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")
    with pytest.raises(QueryError, match="deep"):  # before the engine's own recursive parser sees it
        engine.query("SELECT * WHERE " + "{" * 3000 + " ?s ?p ?o " + "}" * 3000)
    with pytest.raises(QueryError):
        open_engine("virtuoso", DATASET_PATH)


@pytest.mark.parametrize("name", ["oxigraph", "rdflib"])
def test_engine_dataset_spec(built, dataset, name):
    engine = open_engine(name, DATASET_PATH)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    only = engine.query(count, dataset=DatasetSpec((str(GRAPH_ONTOLOGY),), ()))
    nothing = engine.query(count, dataset=DatasetSpec(("https://example.org/none",), ()))
    assert int(only.rows[0][0]) == len(dataset.graph(GRAPH_ONTOLOGY)) > 300 and int(nothing.rows[0][0]) == 0


@pytest.mark.parametrize("name", ["oxigraph", "rdflib"])
def test_relative_iris_resolve_against_the_base(built, name):
    """SPARQL 1.1 Query §4.1.1: relative IRIs resolve against the base; a BASE in the query wins."""
    engine = open_engine(name, DATASET_PATH)
    base = "http://127.0.0.1:8000/sparql"
    r = engine.query("CONSTRUCT { <s> <p> 1 } WHERE {}", base_iri=base)
    assert [(str(s), str(p), int(o)) for s, p, o in r.triples] == [
        ("http://127.0.0.1:8000/s", "http://127.0.0.1:8000/p", 1)]
    r = engine.query("BASE <http://example.org/x/> SELECT (<s> AS ?s) {}", base_iri=base)
    assert [str(row[0]) for row in r.rows] == ["http://example.org/x/s"]


def test_rdflib_preparation_failure_is_not_called_a_syntax_error(built):
    """Tried: an undeclared prefix, which rdflib's parser accepts and its preparation refuses."""
    engine = open_engine("rdflib", DATASET_PATH)
    with pytest.raises(QueryError, match="rdflib cannot prepare the query: Unknown namespace prefix : nope") as caught:
        engine.query("SELECT * WHERE { ?s nope:p ?o }")
    assert not isinstance(caught.value, QuerySyntaxError)


STAR_COLUMNS = """
import sys
from kg.graph.dataset import DATASET_PATH
from kg.query.engines import open_engine
result = open_engine(sys.argv[1], DATASET_PATH).query(
    "SELECT * WHERE { ?s ?p ?o OPTIONAL { ?o <urn:x:none> ?unbound } FILTER(isIRI(?s) && !isBlank(?o)) } "
    "ORDER BY ?s ?p ?o LIMIT 3")
print(",".join(result.vars), [[str(t) for t in row] for row in result.rows])
"""


def test_select_star_columns_are_the_same_in_every_process_and_engine(built):
    """rdflib gathers SELECT *'s variables in a set, so its columns came in a new order per process (o,s,p, then
    p,s,o); the engine orders them by name as Oxigraph does. Five processes with different hash seeds each."""
    answers = set()
    for name in ("oxigraph", "rdflib"):
        for seed in range(5 if name == "rdflib" else 1):
            done = subprocess.run([sys.executable, "-c", STAR_COLUMNS, name], capture_output=True, text=True,
                                  env={**os.environ, "PYTHONHASHSEED": str(seed)}, timeout=120, check=True)
            answers.add(done.stdout)
    assert len(answers) == 1, answers
    assert answers.pop().startswith("o,p,s,unbound [[")
    explicit = open_engine("rdflib", DATASET_PATH).query("SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 1")
    assert explicit.vars == ["s", "p", "o"]  # a projection the query spells out keeps its order
