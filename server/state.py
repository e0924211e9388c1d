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
from rdflib import Dataset

from kg.graph.chains import CausalGraph
from kg.graph.dataset import DATASET_PATH, load_dataset
from kg.query import limits
from kg.query.catalogue import Catalogue, dataset_iris
from kg.query.completion import Completions
from kg.query.engines import DEFAULT_ENGINE, open_engine
from kg.query.engines.remote import RemoteEngine
from kg.query.executor import Executor
from kg.store.client import Credentials, Store, check_url
from kg.store.snapshot import REFRESH_SECONDS, Snapshot, Version

DEFAULTS = {
    "DATASET_PATH": str(DATASET_PATH),
    "ENGINE": DEFAULT_ENGINE,  # the serving engine (kg.query.engines); "rdflib" for comparison
    # the guards, explained in kg.query.limits
    "QUERY_TIMEOUT": limits.QUERY_TIMEOUT,
    "QUERY_WORKERS": limits.QUERY_WORKERS,
    "QUERY_WORKERS_MAX": limits.QUERY_WORKERS_MAX,  # raised to QUERY_WORKERS if that is more
    "QUERY_QUEUE": limits.QUERY_QUEUE,
    "QUEUE_WAITING": limits.QUEUE_WAITING,
    "QUEUE_WAIT": limits.QUEUE_WAIT,
    "QUERY_CACHE": limits.RESPONSE_CACHE,
    "MAX_ROWS": limits.MAX_ROWS,
    "MAX_CONTENT_LENGTH": limits.MAX_REQUEST_BYTES,
    "MAX_HEADER_BYTES": limits.MAX_HEADER_BYTES,
    "WORKER_MEMORY_MB": limits.WORKER_MEMORY_MB,
    "CLIENT_BUDGET": limits.CLIENT_BUDGET,
    "BUDGET_WINDOW": limits.BUDGET_WINDOW,
    "BUDGET_LOOPBACK": limits.BUDGET_LOOPBACK,
    "FAST_SPARQL": True,  # the common /sparql requests answered without Flask (server.fast_sparql); same answers
    "ENDPOINT": None,  # an external store's SPARQL query URL: serve it instead of the build (kg.store.snapshot)
    "STORE_REFRESH": REFRESH_SECONDS,  # seconds between checks for a new load in the store
    # the query executor is made by Knowledge.start_executor, called in each server process after it is forked
    # (crampkg serve --processes): worker processes and threads do not survive a fork
    "EXECUTOR_AFTER_FORK": False,
    # the CPUs the query workers run on; None: those of the server process that forks them (a pinned server
    # process lets its workers run on every CPU, so that one given most of the connections still uses them all)
    "WORKER_CPUS": None,
}


# Views kept by Knowledge.derived: every download (12 formats x 3 contents x with/without inferred = 72), the
# export catalogue's rows (4 contents x 3 inferred choices) and the pages' own few, with room to spare.
DERIVED_VIEWS = 128


class Knowledge:
    """What the app serves: the dataset, its causal network, the engine and the canned queries.

    Over the build, all of it is loaded once at start-up and the query workers are forked after it. Over an
    external store (``ENDPOINT``), queries go to the store and the views read a
    :class:`~kg.store.snapshot.Snapshot` of its crampkg graphs, read again when a new load is recorded there;
    everything derived from the dataset (causal network, catalogue, page data, exports) is recomputed for
    each new snapshot."""

    def __init__(self, config: dict) -> None:
        self.endpoint = config.get("ENDPOINT")
        timeout = float(config["QUERY_TIMEOUT"]) or None
        self.snapshot: Snapshot | None = None
        self._derived: OrderedDict = OrderedDict()  # page data and exports, least recently used first
        self._core: dict = {}  # the causal network and the catalogue, kept as long as their version
        self._derived_for: Version | None = None
        self._derived_lock = threading.Lock()
        self._making: dict[tuple, threading.Lock] = {}  # one computation per view at a time
        if self.endpoint:
            store = Store(check_url(self.endpoint, "--endpoint"), credentials=Credentials.from_env(),
                          timeout=timeout or limits.QUERY_TIMEOUT)
            self.engine = RemoteEngine(store)
            self.snapshot = Snapshot(self.engine, refresh=float(config["STORE_REFRESH"]))
            workers = 0  # the store does the work; the remote engine enforces the time limit itself
        else:
            self.dataset_path = Path(config["DATASET_PATH"])
            dataset = load_dataset(self.dataset_path)
            self.engine = open_engine(config["ENGINE"], self.dataset_path, dataset=dataset)
            self._fixed = Version(dataset, None, self.engine.graph_sizes())
            workers = int(config["QUERY_WORKERS"])
            self.causal, self.catalogue  # noqa: B018 - computed before the workers fork, as every page needs them
        self._executor_options = {
            "workers": workers, "timeout": timeout,
            "max_workers": max(int(config["QUERY_WORKERS_MAX"]), workers),
            "max_rows": int(config["MAX_ROWS"]) or None, "max_pending": int(config["QUERY_QUEUE"]) or None,
            "queue_wait": float(config["QUEUE_WAIT"]), "max_waiting": int(config["QUEUE_WAITING"]),
            "memory_mb": int(config["WORKER_MEMORY_MB"]) or None,
            "worker_cpus": frozenset(config["WORKER_CPUS"]) if config.get("WORKER_CPUS") else None}
        self.executor: Executor | None = None
        if not config.get("EXECUTOR_AFTER_FORK"):
            self.start_executor()

    def start_executor(self) -> Executor:
        """Make the query executor (forking its workers) and check that they answer; its workers are stopped
        at exit. Called at construction, or in each server process after the fork (``EXECUTOR_AFTER_FORK``)."""
        self.executor = Executor(self.engine, **self._executor_options)
        if not self.endpoint:
            self.executor.warm()
        atexit.register(self.executor.close)
        return self.executor

    def version(self) -> Version:
        """The dataset being served (over a store: the current snapshot, or the store's error)."""
        return self.snapshot.current() if self.snapshot is not None else self._fixed

    @property
    def dataset(self) -> Dataset:
        return self.version().dataset

    @property
    def graph_sizes(self) -> dict[str, int]:
        return self.version().sizes

    @property
    def causal(self) -> CausalGraph:
        return self._kept("causal", lambda: CausalGraph(self.dataset))

    @property
    def catalogue(self) -> Catalogue:
        return self._kept("catalogue", lambda: Catalogue.load(known_iris=dataset_iris(self.dataset)))

    @property
    def completions(self) -> Completions:
        """The query editor's completion index (built on first use, not before the workers fork: it is only
        read by the server)."""
        return self._kept("completions", lambda: Completions(self.causal))

    def _current(self) -> Version:
        """The version being served; what was derived from an older one is dropped."""
        version = self.version()
        with self._derived_lock:
            if self._derived_for is not version:
                if self._derived_for is not None:
                    self._derived.clear()
                    self._core.clear()
                self._derived_for = version
        return version

    def _kept(self, name: str, make: Callable[[], Any]) -> Any:
        version = self._current()
        if name not in self._core:
            value = make()
            with self._derived_lock:
                if self._derived_for is version:
                    self._core.setdefault(name, value)
            return value
        return self._core[name]

    def derived(self, key: tuple, make: Callable[[], Any]) -> Any:
        """A view of the dataset computed once per dataset version: page data, export bytes.

        ``key`` must be built from checked, normalised values; at most :data:`DERIVED_VIEWS` views are kept,
        the least recently used going first; a new snapshot of a store starts afresh."""
        version = self._current()
        with self._derived_lock:
            if key in self._derived:
                self._derived.move_to_end(key)
                return self._derived[key]
            making = self._making.setdefault(key, threading.Lock())
        # Many clients asking for the same cold view (an export under load) wait for one computation instead
        # of each making it: 64 concurrent first requests for /export/graphml held every server thread.
        with making:
            with self._derived_lock:
                if key in self._derived:
                    return self._derived[key]
            value = make()
            with self._derived_lock:
                self._making.pop(key, None)
                if self._derived_for is version:
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
