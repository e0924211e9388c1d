"""What the blueprints share: the :class:`Knowledge` the app serves, reached through :func:`knowledge`.

Blueprints import this module, never the factory (``server/__init__.py``), as views in the Flask tutorial reach
the database through ``db.get_db()``: the factory imports the blueprints, and nothing imports it back.
"""
from __future__ import annotations

import atexit
from pathlib import Path

from flask import Flask, current_app

from kg.graph.chains import CausalGraph
from kg.graph.dataset import DATASET_PATH, load_dataset
from kg.query import limits
from kg.query.catalogue import Catalogue, known_iris
from kg.query.engines import open_engine
from kg.query.executor import Executor

DEFAULTS = {
    "DATASET_PATH": str(DATASET_PATH),
    "ENGINE": "oxigraph",  # the serving engine (kg.query.engines); "rdflib" for comparison
    # the guards, explained in kg.query.limits
    "QUERY_TIMEOUT": limits.QUERY_TIMEOUT,
    "QUERY_WORKERS": limits.QUERY_WORKERS,
    "QUERY_QUEUE": limits.QUERY_QUEUE,
    "QUERY_CACHE": limits.RESPONSE_CACHE,
    "MAX_ROWS": limits.MAX_ROWS,
    "MAX_CONTENT_LENGTH": limits.MAX_REQUEST_BYTES,
}


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
    """The Knowledge of ``app``, or of the app serving the current request."""
    return (app or current_app).extensions["crampkg"]
