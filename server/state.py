"""What the blueprints share: the :class:`Knowledge` the app serves, reached through :func:`knowledge`.

Blueprints import this module, never the factory (``server/__init__.py``), as views in the Flask tutorial reach
the database through ``db.get_db()``: the factory imports the blueprints, and nothing imports it back.
"""
from __future__ import annotations

import atexit
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


# Views kept by Knowledge.derived: every download (12 formats x 3 contents x with/without inferred = 72), the
# export catalogue's rows (4 contents x 3 inferred choices) and the pages' own few, with room to spare.
DERIVED_VIEWS = 128


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
        self._derived: OrderedDict = OrderedDict()
        self._derived_lock = threading.Lock()

    def derived(self, key: tuple, make: Callable[[], Any]) -> Any:
        """A view of the dataset computed once (the dataset is read-only): page data, export bytes.

        ``key`` must be built from checked, normalised values; at most :data:`DERIVED_VIEWS` views are kept,
        the least recently used going first."""
        with self._derived_lock:
            if key in self._derived:
                self._derived.move_to_end(key)
                return self._derived[key]
        value = make()
        with self._derived_lock:
            self._derived[key] = value
            while len(self._derived) > DERIVED_VIEWS:
                self._derived.popitem(last=False)
        return value

    def derived_keys(self) -> list[tuple]:
        """The keys of the views kept now, oldest first."""
        with self._derived_lock:
            return list(self._derived)


def knowledge(app: Flask | None = None) -> Knowledge:
    """The Knowledge of ``app``, or of the app serving the current request."""
    return (app or current_app).extensions["crampkg"]
