"""GET /sparql without a query: the SPARQL 1.1 Service Description, the HTML hook, and CORS."""
from __future__ import annotations

import requests
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from kg.namespaces import GRAPHS, SD, VOID

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def description(server, accept: str, rdflib_format: str) -> Graph:
    r = requests.get(f"{server.url}/sparql", headers={"Accept": accept}, timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"].split(";")[0] == accept
    return Graph().parse(data=r.content, format=rdflib_format)


def test_service_description_turtle(live_server):
    g = description(live_server, "text/turtle", "turtle")
    endpoint = URIRef(f"{live_server.url}/sparql")
    assert (endpoint, RDF.type, SD.Service) in g
    assert (endpoint, SD.endpoint, endpoint) in g
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Query) in g
    formats = set(g.objects(endpoint, SD.resultFormat))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    assert URIRef("http://www.w3.org/ns/formats/Turtle") in formats
    names = {str(n) for n in g.objects(None, SD.name)}
    assert names == {str(iri) for iri in GRAPHS.values()}
    sizes = [int(v) for v in g.objects(None, VOID.triples)]
    assert max(sizes) == sum(sizes) - max(sizes)  # the default graph is the union of the named graphs


def test_service_description_json_ld(live_server):
    g = description(live_server, "application/ld+json", "json-ld")
    assert (URIRef(f"{live_server.url}/sparql"), RDF.type, SD.Service) in g


def test_browser_is_sent_to_the_query_page(live_server):
    """A browser asking /sparql with no query is sent (303) to the HTML query page; RDF clients and queries
    are answered as before."""
    r = requests.get(f"{live_server.url}/sparql", headers={"Accept": BROWSER}, timeout=10, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].endswith("/query")
    r = requests.get(f"{live_server.url}/sparql", headers={"Accept": "text/turtle"}, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/turtle")
    r = requests.get(f"{live_server.url}/sparql", params={"query": "ASK {}"}, headers={"Accept": BROWSER}, timeout=10)
    assert r.status_code == 200  # a query is answered, not redirected


def test_cors_simple_request(live_server):
    r = requests.get(f"{live_server.url}/sparql", params={"query": "ASK {}"},
                     headers={"Origin": "https://example.org"}, timeout=10)
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in r.headers


def test_cors_preflight(live_server):
    r = requests.options(f"{live_server.url}/sparql", timeout=10, headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type"})
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in r.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in r.headers


def test_void_triples_match_a_count(live_server):
    g = description(live_server, "text/turtle", "turtle")
    r = requests.get(f"{live_server.url}/sparql", timeout=10,
                     params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"})
    n = int(r.json()["results"]["bindings"][0]["n"]["value"])
    assert Literal(n) in set(g.objects(None, VOID.triples))
