"""The /sparql fast path (server/fast_sparql.py) answers exactly as the Flask view does: same status, headers and
bytes, for the requests it takes; the rest it hands to Flask untouched.

Tried, besides good GET, POST-body and POST-form queries in several formats: a syntax error (answered by the fast
path from the engine's error), a query past the row cap, an unacceptable Accept, an empty query, two `query`
parameters, an `update` parameter, dataset parameters, a non-UTF-8 percent-escape and body, an unknown POST
content type, SERVICE, INSERT, and a GET without a query."""
from __future__ import annotations

import pytest
from werkzeug.test import Client, EnvironBuilder

from server import create_app
from server.fast_sparql import FastSparql, header_functions

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
]


@pytest.fixture(scope="module")
def fast(built) -> FastSparql:
    app = create_app({"DATASET_PATH": str(built.path), "TESTING": True, "QUERY_WORKERS": 0, "QUERY_CACHE": 0,
                      "MAX_ROWS": 5})
    assert isinstance(app.wsgi_app, FastSparql)
    return app.wsgi_app


def call(wsgi, method, query, headers, body):
    r = Client(wsgi).open("/sparql", method=method, query_string=query, headers=headers, data=body)
    return r.status, sorted(r.headers.items()), r.get_data()


@pytest.mark.parametrize("request_", REQUESTS, ids=range(len(REQUESTS)))
def test_same_answer_as_the_flask_view(fast, request_):
    answered = call(fast, *request_)
    assert answered == call(fast.wsgi_app, *request_)  # the app beneath the fast path: Flask alone


def test_fast_path_takes_the_common_requests(fast):
    """The good requests (and the syntax error, met while evaluating) are answered by the fast path; the rest
    reach Flask."""
    taken = []
    for i, (method, query, headers, body) in enumerate(REQUESTS):
        environ = EnvironBuilder("/sparql", method=method, query_string=query, headers=headers,
                                 data=body).get_environ()
        if fast.answer(environ, lambda status, headers: None) is not None:
            taken.append(i)
    assert taken == list(range(11))


def test_fast_path_stays_off_with_a_hook_it_does_not_know(built):
    app = create_app({"DATASET_PATH": str(built.path), "TESTING": True, "QUERY_WORKERS": 0, "QUERY_CACHE": 0})

    @app.after_request
    def stamp(response):
        response.headers["X-Stamp"] = "1"
        return response

    r = app.test_client().get("/sparql", query_string={"query": "ASK {}"})
    assert r.headers["X-Stamp"] == "1" and r.json["boolean"] is True
    assert not app.wsgi_app.active


def test_fast_path_is_on_in_the_app_as_served(app):
    """The app as `crampkg serve` builds it keeps its fast path. If this fails, a Flask hook was added that the
    fast path does not know: give it a ``headers`` attribute (see server/fast_sparql.py), or every /sparql request
    goes through Flask again (correct, but several times slower)."""
    assert header_functions(app) is not None
