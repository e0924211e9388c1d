"""The SPARQL 1.1 Protocol, query operation, over real HTTP: one test per rule and per error."""
from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
import requests
from rdflib import Graph

from kg.namespaces import GRAPH_INFERRED, GRAPH_ONTOLOGY

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CAUSES = ("PREFIX ck: <https://w3id.org/crampkg/ontology#> "
          "SELECT ?x WHERE { ?x ck:causes <https://w3id.org/crampkg/id/leg-cramp> }")
FORM = "application/x-www-form-urlencoded"


def sparql(server, **kw) -> requests.Response:
    return requests.request(kw.pop("method", "GET"), f"{server.url}/sparql", timeout=30, **kw)


def count(response: requests.Response) -> int:
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


# ----- the three ways to send a query ---------------------------------------------------------------
def test_get_query(live_server):
    r = sparql(live_server, params={"query": CAUSES})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/sparql-results+json"
    names = {b["x"]["value"].rsplit("/", 1)[-1] for b in r.json()["results"]["bindings"]}
    assert {"electrolyte-imbalance", "muscle-hyperexcitability"} <= names


def test_post_form(live_server):
    r = sparql(live_server, method="POST", data={"query": CAUSES})
    assert r.status_code == 200
    assert len(r.json()["results"]["bindings"]) >= 5


def test_post_direct_body(live_server):
    r = sparql(live_server, method="POST", data=CAUSES.encode(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 200
    assert len(r.json()["results"]["bindings"]) >= 5


def test_three_ways_agree(live_server):
    a = sparql(live_server, params={"query": COUNT})
    b = sparql(live_server, method="POST", data={"query": COUNT})
    c = sparql(live_server, method="POST", data=COUNT, headers={"Content-Type": "application/sparql-query"})
    assert count(a) == count(b) == count(c) > 3000


# ----- dataset parameters -------------------------------------------------------------------------
def test_default_graph_uri_selects_one_graph(live_server):
    whole = count(sparql(live_server, params={"query": COUNT}))
    ontology = count(sparql(live_server, params={"query": COUNT, "default-graph-uri": str(GRAPH_ONTOLOGY)}))
    assert 0 < ontology < whole


def test_two_default_graph_uris_merge(live_server):
    one = count(sparql(live_server, params={"query": COUNT, "default-graph-uri": str(GRAPH_ONTOLOGY)}))
    two = count(sparql(live_server, params=[("query", COUNT), ("default-graph-uri", str(GRAPH_ONTOLOGY)),
                                            ("default-graph-uri", str(GRAPH_INFERRED))]))
    assert two > one


def test_named_graph_uri_limits_graph_clause(live_server):
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = sparql(live_server, params={"query": q, "named-graph-uri": str(GRAPH_INFERRED)})
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [str(GRAPH_INFERRED)]
    # only named graphs given: the default graph is empty
    assert count(sparql(live_server, params={"query": COUNT, "named-graph-uri": str(GRAPH_INFERRED)})) == 0


def test_unknown_graph_is_empty(live_server):
    """Tried: a graph name that is not in the dataset, via the protocol and via FROM."""
    r = sparql(live_server, params={"query": COUNT, "default-graph-uri": "https://example.org/not-here"})
    assert count(r) == 0
    nothing = "SELECT (COUNT(*) AS ?n) FROM <https://example.org/nope> WHERE { ?s ?p ?o }"
    r = sparql(live_server, params={"query": nothing})
    assert count(r) == 0


def test_from_names_a_local_graph(live_server):
    q = f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH_ONTOLOGY}> WHERE {{ ?s ?p ?o }}"
    ontology = count(sparql(live_server, params={"query": COUNT, "default-graph-uri": str(GRAPH_ONTOLOGY)}))
    assert count(sparql(live_server, params={"query": q})) == ontology


def test_dataset_parameter_must_be_an_iri(live_server):
    """Tried: `default-graph-uri=not an iri` (spaces, no scheme)."""
    r = sparql(live_server, params={"query": COUNT, "default-graph-uri": "not an iri"})
    assert r.status_code == 400
    assert "default-graph-uri" in r.text


# ----- content negotiation -------------------------------------------------------------------------
def test_select_as_xml(live_server):
    r = sparql(live_server, params={"query": CAUSES}, headers={"Accept": "application/sparql-results+xml"})
    assert r.headers["Content-Type"].startswith("application/sparql-results+xml")
    root = ET.fromstring(r.content)
    assert len(root.findall(".//{http://www.w3.org/2005/sparql-results#}result")) >= 5


def test_select_as_csv(live_server):
    r = sparql(live_server, params={"query": CAUSES}, headers={"Accept": "text/csv"})
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["x"] and rows[1][0].startswith("https://w3id.org/crampkg/id/")


def test_select_as_tsv(live_server):
    r = sparql(live_server, params={"query": CAUSES}, headers={"Accept": "text/tab-separated-values"})
    assert r.headers["Content-Type"].startswith("text/tab-separated-values")
    lines = r.text.splitlines()
    assert lines[0] == "?x" and lines[1].startswith("<https://w3id.org/crampkg/id/")


def test_ask_as_json_and_xml(live_server):
    q = "ASK { ?s ?p ?o }"
    assert sparql(live_server, params={"query": q}).json() == {"head": {}, "boolean": True}
    r = sparql(live_server, params={"query": q}, headers={"Accept": "application/sparql-results+xml"})
    assert "<boolean>true</boolean>" in r.text


CONSTRUCT = ("PREFIX ck: <https://w3id.org/crampkg/ontology#> "
             "CONSTRUCT { ?x ck:causes ?y } WHERE { ?x ck:causes ?y }")


@pytest.mark.parametrize("media,rdflib_format", [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"), ("application/n-quads", "nquads"), ("application/trig", "trig"),
])
def test_construct_formats(live_server, media, rdflib_format):
    """Each graph format is parsed back by rdflib and holds the same triples."""
    r = sparql(live_server, params={"query": CONSTRUCT}, headers={"Accept": media})
    assert r.status_code == 200
    assert r.headers["Content-Type"].split(";")[0] == media
    g = Graph()
    g.parse(data=r.content, format=rdflib_format)
    pairs = sparql(live_server, params={"query": CONSTRUCT.replace("CONSTRUCT { ?x ck:causes ?y }",
                                                                   "SELECT DISTINCT ?x ?y")})
    assert len(g) == len(pairs.json()["results"]["bindings"]) >= 15


def test_q_values_pick_the_preferred_format(live_server):
    r = sparql(live_server, params={"query": CAUSES},
               headers={"Accept": "application/sparql-results+json;q=0.2, text/csv;q=0.9, */*;q=0.1"})
    assert r.headers["Content-Type"].startswith("text/csv")
    r = sparql(live_server, params={"query": CONSTRUCT},
               headers={"Accept": "text/turtle;q=0.3, application/n-triples"})
    assert r.headers["Content-Type"].startswith("application/n-triples")


def test_q_zero_excludes(live_server):
    r = sparql(live_server, params={"query": CAUSES},
               headers={"Accept": "application/sparql-results+json;q=0, */*;q=0.5"})
    assert r.headers["Content-Type"] == "application/sparql-results+xml"


def test_unsatisfiable_accept_is_406(live_server):
    """Tried: image/png for SELECT; a results type (CSV) for CONSTRUCT."""
    assert sparql(live_server, params={"query": CAUSES}, headers={"Accept": "image/png"}).status_code == 406
    assert sparql(live_server, params={"query": CONSTRUCT}, headers={"Accept": "text/csv"}).status_code == 406


# ----- errors --------------------------------------------------------------------------------------
def test_syntax_error_names_line_and_column(live_server):
    r = sparql(live_server, params={"query": "SELECT *\nWHERE {\n  ?s ?p ?o .\n  FILTER( }"})
    assert r.status_code == 400
    assert r.headers["Content-Type"].startswith("text/plain")
    assert "line 4, column" in r.text


def test_two_query_parameters(live_server):
    r = sparql(live_server, params=[("query", COUNT), ("query", COUNT)])
    assert r.status_code == 400 and "2 `query` parameters" in r.text
    # one in the URL, one in the form body
    r = sparql(live_server, method="POST", params={"query": COUNT}, data={"query": COUNT})
    assert r.status_code == 400


def test_empty_query(live_server):
    """Tried: an empty `query=`, whitespace only, and an empty direct body."""
    assert sparql(live_server, params={"query": ""}).status_code == 400
    assert sparql(live_server, params={"query": "  \n "}).status_code == 400
    r = sparql(live_server, method="POST", data=b"", headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400 and "empty" in r.text


def test_wrong_media_type_is_415(live_server):
    """Tried: text/plain and application/json bodies."""
    for media in ("text/plain", "application/json"):
        r = sparql(live_server, method="POST", data=COUNT, headers={"Content-Type": media})
        assert r.status_code == 415, media


def test_missing_media_type_is_415(live_server):
    r = requests.post(f"{live_server.url}/sparql", data=COUNT.encode(), timeout=10,
                      headers={"Content-Type": ""})
    assert r.status_code == 415
    assert "Content-Type" in r.text


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405(live_server, method):
    r = sparql(live_server, method=method, params={"query": COUNT})
    assert r.status_code == 405
    assert "GET" in r.headers["Allow"] and "POST" in r.headers["Allow"]


def test_body_not_utf8(live_server):
    """Tried: Latin-1 bytes as a direct body, raw in a form body, and percent-encoded in a form field."""
    latin1 = 'SELECT * WHERE { ?s ?p "caf\xe9" }'.encode("latin-1")
    r = sparql(live_server, method="POST", data=latin1, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400 and "UTF-8" in r.text
    r = sparql(live_server, method="POST", data=b"query=" + latin1, headers={"Content-Type": FORM})
    assert r.status_code == 400
    r = sparql(live_server, method="POST", data=b"query=SELECT%20%E9", headers={"Content-Type": FORM})
    assert r.status_code == 400 and "UTF-8" in r.text


def test_url_parameter_not_utf8(live_server):
    """Tried: `?query=SELECT%20%E9` (a Latin-1 é percent-encoded in the URL)."""
    r = requests.get(f"{live_server.url}/sparql?query=SELECT%20*%20%7B%3Fs%20%3Fp%20%22%E9%22%7D", timeout=10)
    assert r.status_code == 400 and "UTF-8" in r.text


def test_post_without_query(live_server):
    r = sparql(live_server, method="POST", data={"default-graph-uri": str(GRAPH_ONTOLOGY)})
    assert r.status_code == 400


def test_not_a_query(live_server):
    r = sparql(live_server, params={"query": "hello world"})
    assert r.status_code == 400


def test_utf8_query_text_works(live_server):
    q = 'SELECT ?q WHERE { ?x <http://www.w3.org/ns/oa#exact> ?q FILTER(CONTAINS(?q, "body’s")) }'
    r = sparql(live_server, params={"query": q})
    assert r.status_code == 200 and r.json()["results"]["bindings"]


def test_json_answer_is_valid_sparql_json(live_server):
    doc = json.loads(sparql(live_server, params={"query": CAUSES}).content)
    assert doc["head"]["vars"] == ["x"]
    assert all(b["x"]["type"] == "uri" for b in doc["results"]["bindings"])


def test_cached_answers_follow_the_accept_header(live_server):
    """The response cache keys on Accept (and body, type, query string): a repeat asks get the same bytes,
    another Accept gets its own format, errors are never cached."""
    first = sparql(live_server, params={"query": CAUSES}, headers={"Accept": "text/csv"})
    again = sparql(live_server, params={"query": CAUSES}, headers={"Accept": "text/csv"})
    other = sparql(live_server, params={"query": CAUSES}, headers={"Accept": "text/tab-separated-values"})
    assert first.content == again.content and first.headers["Content-Type"] == again.headers["Content-Type"]
    assert other.headers["Content-Type"].startswith("text/tab-separated-values")
    assert again.headers["Access-Control-Allow-Origin"] == "*"
    for _ in range(2):
        assert sparql(live_server, params={"query": "SELECT * {"}).status_code == 400


# ----- relative IRIs and updates sent as queries (issue 10) ------------------------------------------
@pytest.mark.parametrize("accept,rdflib_format", [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                                  ("application/rdf+xml", "xml")])
def test_query_content_type_construct(live_server, accept, rdflib_format):
    """W3C protocol test query_content_type_construct: relative IRIs resolve against the endpoint's URL, so
    the query answers one triple (it was a 400)."""
    r = sparql(live_server, method="POST", data="CONSTRUCT { <s> <p> 1 } WHERE {}",
               headers={"Content-Type": "application/sparql-query", "Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0] == accept
    g = Graph().parse(data=r.text, format=rdflib_format)
    assert [(str(s), str(p), o.toPython()) for s, p, o in g] == [
        (f"{live_server.url}/s", f"{live_server.url}/p", 1)]


def test_relative_iris_in_a_select_and_a_query_base(live_server):
    r = sparql(live_server, params={"query": "SELECT (<x> AS ?a) (<../y> AS ?b) {}"})
    row = r.json()["results"]["bindings"][0]
    assert (row["a"]["value"], row["b"]["value"]) == (f"{live_server.url}/x", f"{live_server.url}/y")
    r = sparql(live_server, params={"query": "BASE <http://example.org/b/> SELECT (<x> AS ?a) {}"})
    assert r.json()["results"]["bindings"][0]["a"]["value"] == "http://example.org/b/x"


@pytest.mark.parametrize("how", ["get", "form", "body"])
@pytest.mark.parametrize("update", ["INSERT DATA { <urn:a> <urn:b> <urn:c> }", "DROP ALL",
                                    "PREFIX ex: <http://example.org/> DELETE WHERE { ?s ?p ?o }"])
def test_update_sent_as_query_is_400(live_server, how, update):
    """Protocol §2.1.7: an update is not a legal query string; the message still says why (read-only)."""
    if how == "get":
        r = sparql(live_server, params={"query": update})
    elif how == "form":
        r = sparql(live_server, method="POST", data={"query": update})
    else:
        r = sparql(live_server, method="POST", data=update, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400, r.text
    assert "read-only" in r.text and "not a query" in r.text


@pytest.mark.parametrize("how", ["get", "form", "body"])
def test_update_sent_as_update_is_403(live_server, how):
    update = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
    if how == "get":
        r = sparql(live_server, params={"update": update})
    elif how == "form":
        r = sparql(live_server, method="POST", data={"update": update})
    else:
        r = sparql(live_server, method="POST", data=update, headers={"Content-Type": "application/sparql-update"})
    assert r.status_code == 403 and "read-only" in r.text


def test_a_malformed_host_header_leaves_the_server_address_as_base(live_server):
    """Werkzeug drops a malformed Host header; relative IRIs then resolve against the address served."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", live_server.port, timeout=30)
    conn.putrequest("GET", "/sparql?query=SELECT%20(%3Cx%3E%20AS%20%3Fa)%20%7B%7D", skip_host=True)
    conn.putheader("Host", "a b")
    conn.putheader("Accept", "text/csv")
    conn.endheaders()
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    assert response.status == 200, body
    value = body.splitlines()[1]
    assert value.startswith("http://") and value.endswith(f":{live_server.port}/x"), value
