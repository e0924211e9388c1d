"""The /sparql fast path (server/fast_sparql.py) answers exactly as the Flask view does: same status, headers and
bytes, for the requests it takes; the rest it hands to Flask untouched. The comparison runs through the whole
stack of WSGI layers as `crampkg serve` builds it (header cap, security headers, client budget), with the fast
path on and off, and the guards are tripped through it: the header cap, the budget, the nesting check, the
time limit and the row cap.

Tried, besides good GET, POST-body and POST-form queries in several formats: a syntax error (answered by the fast
path from the engine's error), a query past the row cap, an unacceptable Accept, an empty query, two `query`
parameters, query strings built from escapes good and bad, separators, controls and non-ASCII (against
``parse_qs``), an `update` parameter, dataset parameters, a non-UTF-8 percent-escape and body, an unknown POST
content type, SERVICE, INSERT, a GET without a query, 3000 nested groups, a 20 KB header and a query past the
time limit."""
from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.test import Client, EnvironBuilder

from kg.query.limits import MAX_NESTING
from server import create_app
from server.fast_sparql import FastSparql, header_functions, layer, query_fields

FORM = "application/x-www-form-urlencoded"
SELECT = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 3"
REQUESTS = [  # (method, query string, headers, body)
    ("GET", {"query": SELECT}, {}, None),
    ("GET", {"query": SELECT}, {"Accept": "text/csv"}, None),
    ("GET", {"query": SELECT}, {"Accept": "application/sparql-results+xml"}, None),
    ("GET", {"query": "ASK { ?s ?p ?o }"}, {}, None),
    ("GET", {"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3"}, {"Accept": "application/n-triples"}, None),
    ("GET", {"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3"}, {"Accept": "text/turtle"}, None),
    ("GET", {"query": "SELECT * WHERE { ?s ?p ?o }"}, {}, None),  # past the row cap
    ("GET", {"query": "SELECT * WHERE { ?s ?p"}, {}, None),  # syntax error
    ("POST", {}, {"Content-Type": "application/sparql-query"}, SELECT.encode()),
    ("POST", {}, {"Content-Type": FORM}, b"query=" + SELECT.replace(" ", "+").encode()),
    ("POST", {}, {"Content-Type": FORM + "; charset=UTF-8"}, b"query=ASK%7B%7D"),
    # relative IRIs resolve against the endpoint's URL as the client named it (the base IRI), host by host
    ("GET", {"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"}, {"Accept": "application/n-triples"}, None),
    ("GET", {"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"}, {"Accept": "application/n-triples",
                                                         "Host": "example.org:8080"}, None),
    ("GET", {"query": SELECT}, {"Accept": "image/png"}, None),
    ("GET", {"query": "  "}, {}, None),
    ("GET", [("query", SELECT), ("query", SELECT)], {}, None),
    ("GET", {"query": SELECT, "update": "CLEAR ALL"}, {}, None),
    ("GET", {"query": SELECT, "default-graph-uri": "https://w3id.org/crampkg/graph/asserted"}, {}, None),
    ("GET", "query=%FF", {}, None),
    ("POST", {}, {"Content-Type": "application/sparql-query"}, b"ASK { \xff }"),
    ("POST", {}, {"Content-Type": "text/plain"}, SELECT.encode()),
    ("GET", {"query": "SELECT * { SERVICE <http://example.org/> { ?s ?p ?o } }"}, {}, None),
    ("GET", {"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}, {}, None),
    ("GET", {}, {"Accept": "text/turtle"}, None),
    ("GET", {"query": "SELECT * WHERE " + "{" * 3000 + " ?s ?p ?o " + "}" * 3000}, {}, None),
    ("POST", {}, {"Content-Type": FORM}, b"query=ASK" + b"%7B" * 3000 + b"%7D" * 3000),
    ("GET", {"query": "ASK {}"}, {"X-Big": "b" * 20_000}, None),
]
# Budget on for everyone (loopback too), generous enough never to trip during the comparison.
BUDGET = {"CLIENT_BUDGET": 1000.0, "BUDGET_LOOPBACK": True}


@pytest.fixture(scope="module")
def guarded_app(built):
    """The app with every WSGI layer (cache off, so that each request is evaluated), 5 rows at most."""
    return create_app({"DATASET_PATH": str(built.path), "TESTING": True, "QUERY_WORKERS": 0, "QUERY_CACHE": 0,
                       "MAX_ROWS": 5, **BUDGET})


@pytest.fixture(scope="module")
def fast(guarded_app) -> FastSparql:
    return layer(guarded_app)


def call(wsgi, method, query, headers, body):
    r = Client(wsgi).open("/sparql", method=method, query_string=query, headers=headers, data=body)
    return r.status, sorted(r.headers.items()), r.get_data()


def through(app, enabled: bool, request_):
    """``request_`` answered by the whole stack, with the fast path on or off."""
    layer(app).enabled = enabled
    try:
        return call(app.wsgi_app, *request_)
    finally:
        layer(app).enabled = True


@pytest.mark.parametrize("request_", REQUESTS, ids=range(len(REQUESTS)))
def test_same_answer_as_the_flask_view(guarded_app, request_):
    fast_answer = through(guarded_app, True, request_)
    assert fast_answer == through(guarded_app, False, request_)
    headers = dict(fast_answer[1])  # and every answer carries the security headers
    assert headers["X-Content-Type-Options"] == "nosniff" and "Content-Security-Policy" in headers


def test_fast_path_is_innermost(guarded_app, fast):
    """Every other WSGI layer wraps the fast path: none of their guards can be skipped by it."""
    outer, seen = guarded_app.wsgi_app, []
    while outer is not fast:
        seen.append(type(outer).__name__)
        outer = outer.app
    assert seen == ["Guards", "Budget"] and fast.wsgi_app is not None


def test_fast_path_takes_the_common_requests(fast):
    """The good requests (and the syntax error, met while evaluating) are answered by the fast path; the rest
    reach Flask."""
    taken = []
    for i, (method, query, headers, body) in enumerate(REQUESTS):
        environ = EnvironBuilder("/sparql", method=method, query_string=query, headers=headers,
                                 data=body).get_environ()
        if fast.answer(environ, lambda status, headers: None) is not None:
            taken.append(i)
    # the last request (a 20 KB header) is one it would take; the header cap outside it answers first
    assert taken == [*range(13), len(REQUESTS) - 1]


def test_guards_bite_on_fast_path_queries(built):
    """Through the fast path: a 20 KB header is 431 and a 3000-deep query 400 before evaluation; the row cap
    truncates; a query past the 1 s time limit is stopped with 503 (and charged to the client's budget of
    1 s, so its next fast query is 429 with Retry-After); the answers carry nosniff."""
    app = create_app({"DATASET_PATH": str(built.path), "QUERY_WORKERS": 1, "QUERY_TIMEOUT": 1, "QUERY_CACHE": 0,
                      "MAX_ROWS": 5, "CLIENT_BUDGET": 1.0, "BUDGET_WINDOW": 60.0, "BUDGET_LOOPBACK": True})
    try:
        client = Client(app.wsgi_app)
        r = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"X-Big": "b" * 20_000})
        assert r.status_code == 431 and r.headers["X-Content-Type-Options"] == "nosniff"
        deep = "SELECT * WHERE " + "{" * 3000 + " ?s ?p ?o " + "}" * 3000
        r = client.get("/sparql", query_string={"query": deep})
        assert r.status_code == 400 and f"more than {MAX_NESTING} deep" in r.get_data(as_text=True)
        r = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"})
        assert r.status_code == 200 and r.headers["X-Crampkg-Truncated"] == "true"
        assert len(r.json["results"]["bindings"]) == 5
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        r = client.get("/sparql", query_string={"query": slow})
        assert r.status_code == 503 and "1 s limit" in r.get_data(as_text=True)
        r = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
        assert r.headers["X-Content-Type-Options"] == "nosniff"
    finally:
        app.extensions["crampkg"].executor.close()


def test_fast_path_stays_off_with_a_hook_it_does_not_know(built):
    app = create_app({"DATASET_PATH": str(built.path), "TESTING": True, "QUERY_WORKERS": 0, "QUERY_CACHE": 0})

    @app.after_request
    def stamp(response):
        response.headers["X-Stamp"] = "1"
        return response

    r = app.test_client().get("/sparql", query_string={"query": "ASK {}"})
    assert r.headers["X-Stamp"] == "1" and r.json["boolean"] is True
    assert not layer(app).active


def test_fast_path_is_on_in_the_app_as_served(app):
    """The app as `crampkg serve` builds it keeps its fast path. If this fails, a Flask hook was added that the
    fast path does not know: give it a ``headers`` attribute (see server/fast_sparql.py), or every /sparql request
    goes through Flask again (correct, but several times slower)."""
    assert header_functions(app) is not None


# What a query string holds: escapes (good, lone, upper and lower case, of multi-byte and bad UTF-8), the
# characters the quick decoding rewrites (=, %, +), field separators, spaces, controls and non-ASCII.
QUERY_STRING_PARTS = st.lists(st.sampled_from(
    ["query=", "query", "=", "&", ";", "+", "%", "%2", "%20", "%2B", "%2b", "%3D", "%25", "%C3%A9", "%c3%a9", "%E2%82",
     "%FF", "%ZZ", "a", "Z", "0", "9", "_", ".", "~", "{", " ", "\t", "\n", "é", "x=y", "%0A", "%00", "=3D"]),
    max_size=12).map("".join)


@settings(max_examples=1500, deadline=None)
@given(QUERY_STRING_PARTS)
def test_query_fields_reads_a_query_string_as_parse_qs_does(text):
    """The quick decoding of a lone ``query=`` field gives what ``parse_qs`` gives, for every string tried (and
    for those that start with ``query=``, which it takes); where ``parse_qs`` refuses, it refuses alike."""
    for candidate in (text, "query=" + text):
        try:
            expected = parse_qs(candidate, keep_blank_values=True, encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            with pytest.raises(UnicodeDecodeError):
                query_fields(candidate)
            continue
        assert query_fields(candidate) == expected, candidate
