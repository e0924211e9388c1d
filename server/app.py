"""The Flask application factory: a thin HTTP face over the `kg` library.

Configuration comes in, nothing global at import time. Each concern is its own blueprint: ``sparql`` (the
SPARQL 1.1 Protocol at /sparql), ``api`` (causal chains, explanations, entities), ``queries`` (the canned
query catalogue), ``openapi`` (/openapi.json). A ``pages`` blueprint with a ``pages.query`` view, when
registered, receives browsers that open /sparql without a query.
"""
from __future__ import annotations

import atexit
import threading
from pathlib import Path

from flask import Flask, Response, jsonify, request
from rdflib import URIRef
from werkzeug.exceptions import HTTPException

from kg.catalogue import Catalogue, UnknownQuery, known_iris
from kg.chains import Ambiguous, CausalGraph, NotFound
from kg.dataset import DATASET_PATH, load_dataset
from kg.engine import open_engine
from kg.engine_remote import RemoteEngine
from kg.errors import CrampkgError
from kg.executor import Executor, Overloaded, QueryTimeout
from kg.formats import NotAcceptable
from kg.querytext import UpdateRefused
from kg.snapshot import REFRESH_SECONDS, Snapshot, Version
from kg.store import Credentials, Store, StoreError, StoreTimeout, check_url

DEFAULTS = {
    "DATASET_PATH": str(DATASET_PATH),
    "ENGINE": "oxigraph",  # the serving engine (kg.engine); "rdflib" for comparison
    "QUERY_TIMEOUT": 10.0,  # seconds per SPARQL query, enforced by killing the worker process
    "QUERY_WORKERS": 2,  # worker processes evaluating queries (0: in-process, no time limit)
    "QUERY_QUEUE": 6,  # queries running or waiting for a worker; more get 503 at once (keep < threads)
    "QUERY_CACHE": 512,  # cached responses (the data is read-only; server.cache); 0 turns the cache off
    "MAX_ROWS": 10_000,  # result rows (or triples) before truncation
    "MAX_CONTENT_LENGTH": 1_000_000,  # bytes per request body or query text (413 above)
    "ENDPOINT": None,  # an external store's SPARQL query URL: serve it instead of the build (kg.snapshot)
    "STORE_REFRESH": REFRESH_SECONDS,  # seconds between checks for a new load in the store
}

# Which status each library error becomes, at this one edge.
STATUS = [
    (StoreTimeout, 504), (StoreError, 502), (QueryTimeout, 503), (Overloaded, 503), (UpdateRefused, 403), (NotAcceptable, 406),
    (UnknownQuery, 404), (NotFound, 404), (Ambiguous, 400), (CrampkgError, 400),
]


MACHINE_PATHS = ("/sparql", "/api", "/openapi.json", "/export/", "/context.jsonld")  # their HTTP errors are plain text or JSON


class Knowledge:
    """What the app serves: the dataset, its causal network, the engine and the canned queries.

    Over the build, all of it is loaded once at start-up and the query workers are forked after it. Over an
    external store (``ENDPOINT``), queries go to the store and the views read a :class:`~kg.snapshot.Snapshot`
    of its crampkg graphs, read again when a new load is recorded there; everything derived from the
    dataset (causal network, catalogue, page data, exports) is recomputed for each new snapshot."""

    def __init__(self, config: dict) -> None:
        self.endpoint = config.get("ENDPOINT")
        timeout = float(config["QUERY_TIMEOUT"]) or None
        self.snapshot: Snapshot | None = None
        if self.endpoint:
            store = Store(check_url(self.endpoint, "--endpoint"), credentials=Credentials.from_env(),
                          timeout=timeout or 30.0)
            self.engine = RemoteEngine(store)
            self.snapshot = Snapshot(self.engine, refresh=float(config["STORE_REFRESH"]))
            workers = 0  # the store does the work; the time limit is enforced by the remote engine itself
        else:
            self.dataset_path = Path(config["DATASET_PATH"])
            dataset = load_dataset(self.dataset_path)
            self.engine = open_engine(config["ENGINE"], self.dataset_path, dataset=dataset)
            self._fixed = Version(dataset, None, self.engine.graph_sizes(), 0.0)
            workers = int(config["QUERY_WORKERS"])
        self._derived: dict = {}
        self._derived_for: Version | None = None
        self._lock = threading.Lock()
        if not self.endpoint:
            self._derived[("catalogue",)] = Catalogue.load(known_iris=known_iris(self.engine))
            self.causal  # noqa: B018 - computed before the workers fork, as every page needs it
        self.executor = Executor(self.engine, workers=workers, timeout=timeout,
                                 max_rows=int(config["MAX_ROWS"]) or None,
                                 max_pending=int(config["QUERY_QUEUE"]) or None)
        if not self.endpoint:
            self.executor.warm()
        atexit.register(self.executor.close)

    def version(self) -> Version:
        """The dataset being served (over a store: the current snapshot, or the store's error)."""
        return self.snapshot.current() if self.snapshot is not None else self._fixed

    @property
    def dataset(self):
        return self.version().dataset

    @property
    def graph_sizes(self) -> dict[str, int]:
        return self.version().sizes

    @property
    def causal(self) -> CausalGraph:
        return self.derived(("causal",), lambda: CausalGraph(self.dataset))

    @property
    def catalogue(self) -> Catalogue:
        return self.derived(("catalogue",), lambda: Catalogue.load(known_iris=dataset_iris(self.dataset)))

    def derived(self, key, make):
        """A view of the dataset computed once per dataset version: page data, export bytes."""
        version = self.version()
        with self._lock:
            if self._derived_for is not version:
                if self._derived_for is not None or self.snapshot is not None:
                    self._derived = {}
                self._derived_for = version
            if key in self._derived:
                return self._derived[key]
        value = make()
        with self._lock:
            if self._derived_for is version:
                self._derived.setdefault(key, value)
        return value


def dataset_iris(ds) -> set[str]:
    """Every IRI in a dataset and its graph names: what a canned query's IRI parameter may name."""
    out = set()
    for quad in ds.quads():
        out.update(str(t) for t in quad if isinstance(t, URIRef))
    return out


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
    if status in (502, 503, 504):
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

    from . import api, cache, exports, openapi, pages, queries, sparql

    for module in (sparql, api, queries, openapi, exports, pages):
        app.register_blueprint(module.bp)
    # over a store, a cached answer lives no longer than a snapshot may go unchecked
    cache.init_app(app, int(app.config["QUERY_CACHE"]),
                   ttl=float(app.config["STORE_REFRESH"]) if app.config["ENDPOINT"] else None)
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
