"""The Flask application factory: a thin HTTP face over the `kg` library.

Configuration comes in, nothing global at import time. In front of Flask, WSGI layers, innermost first: the
common /sparql requests answered without Flask (``fast_sparql``), the response cache (``cache``), the per-client
budget (``budget``) and the header cap with the security headers (``guards``), so every answer, fast or not,
passes every guard. Each concern is its own blueprint: ``sparql`` (the SPARQL 1.1 Protocol at /sparql), ``api``
(causal chains, explanations, entities), ``queries`` (the canned query catalogue), ``openapi`` (/openapi.json),
``exports`` (/export/<format>, /context.jsonld), ``completion`` (/api/complete, the query editor's completions)
and ``pages`` (the web pages). They reach what the app serves through :mod:`server.state`, never through this
module.
"""
from __future__ import annotations

from flask import Flask

from server import api, budget, cache, completion, errors, exports, fast_sparql, guards, openapi, queries, sparql
from server.pages import blueprint as pages
from server.state import DEFAULTS, Knowledge


def create_app(config: dict | None = None) -> Flask:
    """The app over the built dataset named by ``config["DATASET_PATH"]``, or over the external store whose query
    endpoint is ``config["ENDPOINT"]``; other keys as in ``DEFAULTS``."""
    app = Flask(__name__, static_folder=None)  # /static/ is the pages blueprint's (server/pages/static)
    app.config.update(DEFAULTS)
    app.config.update(config or {})
    app.extensions["crampkg"] = Knowledge(app.config)
    for module in (sparql, api, queries, openapi, exports, completion, pages):
        app.register_blueprint(module.bp)
    fast_sparql.init_app(app, bool(app.config["FAST_SPARQL"]))  # first: innermost, inside every guard
    # over a store, a cached answer lives no longer than a snapshot may go unchecked
    cache.init_app(app, int(app.config["QUERY_CACHE"]),
                   ttl=float(app.config["STORE_REFRESH"]) if app.config["ENDPOINT"] else None)
    errors.init_app(app)
    budget.init_app(app, float(app.config["CLIENT_BUDGET"]), float(app.config["BUDGET_WINDOW"]),
                    bool(app.config["BUDGET_LOOPBACK"]))
    guards.init_app(app, int(app.config["MAX_HEADER_BYTES"]))  # last: outermost, so every answer passes it
    return app
