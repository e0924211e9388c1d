"""The Flask application factory: a thin HTTP face over the `kg` library.

Configuration comes in, nothing global at import time. Each concern is its own blueprint: ``sparql`` (the
SPARQL 1.1 Protocol at /sparql), ``api`` (causal chains, explanations, entities), ``queries`` (the canned
query catalogue), ``openapi`` (/openapi.json), ``completion`` (/api/complete, for the query page's editor).
A ``pages`` blueprint with a ``pages.query`` view, when registered, receives browsers that open /sparql
without a query.
"""
from __future__ import annotations

import atexit
from pathlib import Path

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from kg.catalogue import Catalogue, UnknownQuery, known_iris
from kg.chains import Ambiguous, CausalGraph, NotFound
from kg.dataset import DATASET_PATH, load_dataset
from kg.engine import open_engine
from kg.errors import CrampkgError
from kg.executor import Executor, Overloaded, QueryTimeout
from kg.formats import NotAcceptable
from kg.querytext import UpdateRefused

DEFAULTS = {
    "DATASET_PATH": str(DATASET_PATH),
    "ENGINE": "oxigraph",  # the serving engine (kg.engine); "rdflib" for comparison
    "QUERY_TIMEOUT": 10.0,  # seconds per SPARQL query, enforced by killing the worker process
    "QUERY_WORKERS": 2,  # worker processes evaluating queries (0: in-process, no time limit)
    "QUERY_QUEUE": 6,  # queries running or waiting for a worker; more get 503 at once (keep < threads)
    "QUERY_CACHE": 512,  # cached responses (the data is read-only; server.cache); 0 turns the cache off
    "MAX_ROWS": 10_000,  # result rows (or triples) before truncation
    "MAX_CONTENT_LENGTH": 1_000_000,  # bytes per request body or query text (413 above)
}

# Which status each library error becomes, at this one edge.
STATUS = [
    (QueryTimeout, 503), (Overloaded, 503), (UpdateRefused, 403), (NotAcceptable, 406),
    (UnknownQuery, 404), (NotFound, 404), (Ambiguous, 400), (CrampkgError, 400),
]


MACHINE_PATHS = ("/sparql", "/api", "/openapi.json", "/export/", "/context.jsonld")  # their HTTP errors are plain text or JSON


class Knowledge:
    """What the app serves, loaded once at start-up: the dataset, its causal network, the engine and the
    canned queries. The query workers are forked after all of it is loaded."""

    def __init__(self, config: dict) -> None:
        self.dataset_path = Path(config["DATASET_PATH"])
        self.dataset = load_dataset(self.dataset_path)
        self.causal = CausalGraph(self.dataset)
        self.engine = open_engine(config["ENGINE"], self.dataset_path, dataset=self.dataset)
        self.graph_sizes = self.engine.graph_sizes()
        self.catalogue = Catalogue.load(known_iris=known_iris(self.engine))
        self.executor = Executor(self.engine, workers=int(config["QUERY_WORKERS"]),
                                 timeout=float(config["QUERY_TIMEOUT"]) or None,
                                 max_rows=int(config["MAX_ROWS"]) or None,
                                 max_pending=int(config["QUERY_QUEUE"]) or None)
        self.executor.warm()
        atexit.register(self.executor.close)
        self._derived: dict = {}

    def derived(self, key, make):
        """A view of the dataset computed once (the dataset is read-only): page data, export bytes."""
        if key not in self._derived:
            self._derived[key] = make()
        return self._derived[key]


def knowledge(app: Flask | None = None) -> Knowledge:
    from flask import current_app

    return (app or current_app).extensions["crampkg"]


def error_response(message: str, status: int) -> Response:
    """JSON under /api, a plain message elsewhere (the SPARQL protocol's errors are plain text)."""
    if request.path.startswith("/api"):
        response = jsonify(error=message)
    else:
        response = Response(message.rstrip("\n") + "\n", content_type="text/plain; charset=utf-8")
    response.status_code = status
    if status == 503:
        response.headers["Retry-After"] = "1"
    return response


def add_cors(response: Response) -> Response:
    """Any origin may GET and POST; credentials are never allowed."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
        response.headers["Access-Control-Max-Age"] = "86400"
    response.headers["Access-Control-Expose-Headers"] = "X-Crampkg-Truncated, X-Crampkg-Max-Rows, X-Crampkg-Rows"
    return response


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.update(config or {})
    app.extensions["crampkg"] = Knowledge(app.config)

    from . import api, cache, completion, exports, openapi, pages, queries, sparql

    for module in (sparql, api, queries, openapi, exports, completion, pages):
        app.register_blueprint(module.bp)
    cache.init_app(app, int(app.config["QUERY_CACHE"]))
    app.after_request(add_cors)

    @app.errorhandler(CrampkgError)
    def library_error(exc: CrampkgError):
        status = next(code for kind, code in STATUS if isinstance(exc, kind))
        return error_response(str(exc), status)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if not request.path.startswith(MACHINE_PATHS):
            return exc  # pages keep Flask's (or their own blueprint's) error pages
        response = error_response(exc.description or exc.name, exc.code or 500)
        if exc.code == 405:
            response.headers["Allow"] = ", ".join(exc.valid_methods or ())
        return response

    return app
