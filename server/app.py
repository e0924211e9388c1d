"""The Flask application factory: a thin HTTP face over the `kg` library.

Configuration comes in, nothing global at import time. Each concern is its own blueprint.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, jsonify

from kg.chains import Ambiguous, CausalGraph, NotFound
from kg.dataset import DATASET_PATH, load_dataset
from kg.errors import CrampkgError

DEFAULTS = {
    "DATASET_PATH": str(DATASET_PATH),
    "QUERY_TIMEOUT": 10.0,  # seconds per SPARQL query
    "MAX_ROWS": 10_000,  # result rows before truncation
    "MAX_CONTENT_LENGTH": 1_000_000,  # bytes per request body (413 above)
}


class Knowledge:
    """What the app serves, loaded once at start-up: the dataset and its causal network."""

    def __init__(self, dataset_path: Path) -> None:
        self.dataset_path = dataset_path
        self.dataset = load_dataset(dataset_path)
        self.causal = CausalGraph(self.dataset)


def knowledge(app: Flask | None = None) -> Knowledge:
    from flask import current_app

    return (app or current_app).extensions["crampkg"]


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.update(config or {})
    app.extensions["crampkg"] = Knowledge(Path(app.config["DATASET_PATH"]))

    from . import api, pages

    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)

    @app.errorhandler(NotFound)
    def not_found(exc):
        return jsonify(error=str(exc)), 404

    @app.errorhandler(Ambiguous)
    def ambiguous(exc):
        return jsonify(error=str(exc)), 400

    @app.errorhandler(CrampkgError)
    def bad_request(exc):
        return jsonify(error=str(exc)), 400

    return app
