"""Hypothesis fuzzing of /sparql and the JSON API on a live server: generated and mutated queries, parameters,
headers and bodies. No answer may be a 5xx other than the documented 503 (time limit, queue, memory), no
worker may be lost for good, and the data must not change. Small here (FUZZ_EXAMPLES, default 40 per test);
`FUZZ_EXAMPLES=2000 pytest tests/server/test_fuzz.py` for a long run."""
from __future__ import annotations

import os

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.query.catalogue import Catalogue

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", 40))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
SEEDS = [q.text for q in Catalogue.load().queries.values()] + ["ASK { ?s ?p ?o }", "SELECT * { ?s ?p ?o } LIMIT 3",
                                                                "CONSTRUCT WHERE { ?s ?p ?o }", "INSERT DATA {}"]
TOKENS = ["{", "}", "(", ")", "[", "]", "SERVICE", "INSERT", "LOAD", "FROM", "<file:///etc/passwd>", "\\u0000",
          "\x00", "'''", '"', "#", "?s", "*", "+", "/", "^^", "@en", "\udcff", "é", "VALUES ?x { 1 }", ";", "."]


@st.composite
def mutated(draw) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = draw(st.one_of(st.sampled_from(TOKENS), st.text(max_size=5)))
        if action == "insert":
            text = text[:at] + piece + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)):]
        else:
            text = text[:at] + piece + text[at + len(piece):]
    return text


QUERIES = st.one_of(mutated(), st.text(max_size=200))
HEADERS = st.fixed_dictionaries({}, optional={
    "Accept": st.one_of(st.sampled_from(["text/csv", "application/sparql-results+json", "text/turtle", "*/*",
                                         "text/html", "application/xml;q=0.1", ""]), st.text(max_size=30)),
    "Accept-Language": st.text(max_size=20), "X-Forwarded-For": st.text(max_size=20)})


def clean(headers: dict) -> dict:
    """Only what an HTTP client can send: latin-1 header values without line breaks, and not starting with
    whitespace (requests refuses to send " ", which hypothesis once drew as a content type)."""
    return {k: v for k, v in headers.items()
            if v.isprintable() and all(ord(c) < 256 for c in v) and not v[:1].isspace()}


def documented(status: int) -> bool:
    return status < 500 or status == 503


@pytest.fixture(scope="module")
def quads(guarded_server) -> int:
    r = requests.get(f"{guarded_server.url}/sparql", params={"query": COUNT}, timeout=30)
    return r.json()["results"]["bindings"][0]["n"]["value"]


def test_sparql_by_get_post_and_body(guarded_server, quads):
    url = f"{guarded_server.url}/sparql"
    seen: list[int] = []

    @SETTINGS
    @given(query=QUERIES, how=st.sampled_from(["get", "form", "body"]), headers=HEADERS,
           extra=st.dictionaries(st.sampled_from(["default-graph-uri", "named-graph-uri", "update", "x", "query"]),
                                 st.text(max_size=30), max_size=2))
    def fuzz(query, how, headers, extra):
        headers = clean(headers)
        # as bytes: a lone surrogate (a TOKEN) then reaches the server as the invalid UTF-8 it stands for,
        # where requests would refuse to encode it and fail the test in the client
        raw = query.encode("utf-8", "surrogatepass")
        if how == "get":
            r = requests.get(url, params={"query": raw, **extra}, headers=headers, timeout=30)
        elif how == "form":
            r = requests.post(url, data={"query": raw, **extra}, headers=headers, timeout=30)
        else:
            r = requests.post(url, data=raw, timeout=30,
                              headers={**headers, "Content-Type": "application/sparql-query"})
        seen.append(r.status_code)
        assert documented(r.status_code), (r.status_code, query, r.text[:300])

    fuzz()
    assert seen
    r = requests.get(url, params={"query": COUNT}, timeout=30)
    assert r.json()["results"]["bindings"][0]["n"]["value"] == quads


def test_raw_bodies_and_content_types(guarded_server):
    url = f"{guarded_server.url}/sparql"

    @SETTINGS
    @given(body=st.binary(max_size=300), ctype=st.one_of(
        st.sampled_from(["application/sparql-query", "application/x-www-form-urlencoded",
                         "application/sparql-update", "text/plain", "multipart/form-data; boundary=x"]),
        st.text(max_size=30)))
    def fuzz(body, ctype):
        headers = clean({"Content-Type": ctype})
        r = requests.post(url, data=body, headers=headers, timeout=30)
        assert documented(r.status_code), (r.status_code, body, ctype, r.text[:300])

    fuzz()


def test_json_api_parameters(guarded_server):
    names = sorted(Catalogue.load().queries)
    paths = ["/api/paths", "/api/explain", "/api/entities", "/api/queries", *[f"/api/queries/{n}" for n in names],
             "/id/", "/query", "/", "/article", "/export/"]

    @SETTINGS
    @given(path=st.sampled_from(paths), tail=st.text(max_size=20),
           params=st.dictionaries(st.sampled_from(["q", "from", "to", "entity", "claim", "amount", "limit", "step",
                                                   "format", "content", "inferred", "query", "x"]),
                                  st.text(max_size=40), max_size=3), headers=HEADERS)
    def fuzz(path, tail, params, headers):
        target = path + (requests.utils.quote(tail, safe="") if path.endswith("/") else "")
        r = requests.get(guarded_server.url + target, params=params, headers=clean(headers), timeout=30)
        assert documented(r.status_code), (r.status_code, target, params, r.text[:300])
        assert r.headers.get("X-Content-Type-Options") == "nosniff"

    fuzz()
