"""Running queries under guards: a time limit that really stops the work, and a row cap.

A Python thread cannot interrupt Oxigraph's (or rdflib's) evaluation, so every query runs in a pebble
process pool whose workers are forked *after* the engine is loaded: they share the loaded store
copy-on-write, start in milliseconds, and a worker that overruns the time limit is killed and replaced while
the other workers go on serving. Workers return serialised bytes, so the parent never re-encodes results.
"""
from __future__ import annotations

import multiprocessing
import signal
import threading
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from pebble import ProcessExpired, ProcessPool

from .engine import DatasetSpec, Engine
from .errors import CrampkgError
from .formats import BY_KEY, Format

_ENGINE: Engine | None = None  # the engine a forked worker inherits


class QueryTimeout(CrampkgError):
    """The query ran past the time limit and its worker was stopped (HTTP 503)."""


class Overloaded(CrampkgError):
    """The query could not be run now (too many waiting, or its worker was lost); retry (HTTP 503)."""


@dataclass(frozen=True)
class Answer:
    body: bytes
    format_key: str
    form: str
    count: int  # rows or triples in the body
    truncated: bool
    max_rows: int | None

    @property
    def format(self) -> Format:
        return BY_KEY[self.format_key]


def evaluate(engine: Engine, text: str, format_key: str, dataset: DatasetSpec | None,
             bindings: dict | None, max_rows: int | None) -> Answer:
    fmt = BY_KEY[format_key]
    result = engine.query(text, dataset=dataset, bindings=bindings, max_rows=max_rows)
    return Answer(fmt.serialize(result), fmt.key, result.form, len(result), result.truncated, max_rows)


def _worker_init() -> None:
    # pebble's SIGTERM handler is Python code, which cannot run while Oxigraph evaluates in Rust;
    # the default action ends the worker at once instead of after pebble's 3 s grace period.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _in_worker(*args) -> Answer:
    return evaluate(_ENGINE, *args)


class Executor:
    """Runs queries on ``engine``: in ``workers`` killable processes, or in-process when ``workers`` is 0.

    At most ``max_pending`` queries are running or waiting for a worker; one more is refused at once
    (:class:`Overloaded`) instead of holding a server thread for up to a time limit per query ahead of it,
    so slow queries cannot starve the threads that serve everything else.
    """

    def __init__(self, engine: Engine, *, workers: int = 2, timeout: float | None = 10.0,
                 max_rows: int | None = 10_000, max_pending: int | None = None) -> None:
        global _ENGINE
        self.engine = engine
        self.max_pending = max_pending or max(1, workers) * 2
        self._slots = threading.BoundedSemaphore(self.max_pending)
        self.timeout = timeout
        self.max_rows = max_rows
        self.pool = None
        self.workers = workers
        if workers > 0:
            _ENGINE = engine
            self.pool = ProcessPool(max_workers=workers, initializer=_worker_init,
                                    context=multiprocessing.get_context("fork"))

    def run(self, text: str, fmt: Format, *, dataset: DatasetSpec | None = None,
            bindings: dict | None = None) -> Answer:
        args = (text, fmt.key, dataset, bindings, self.max_rows)
        if not self._slots.acquire(blocking=False):
            raise Overloaded(f"the server is busy ({self.max_pending} queries running or waiting); retry shortly")
        try:
            if self.pool is None:
                return evaluate(self.engine, *args)
            future = self.pool.schedule(_in_worker, args=args, timeout=self.timeout)
            try:
                return future.result()
            except FutureTimeout:
                raise QueryTimeout(
                    f"the query ran longer than the {self.timeout:g} s limit and was stopped; "
                    "simplify it or add a LIMIT") from None
            except ProcessExpired as exc:
                raise Overloaded(f"the query's worker died ({exc}); please retry") from None
        finally:
            self._slots.release()

    def warm(self) -> None:
        """Start the workers now rather than on the first request."""
        if self.pool is not None:
            futures = [self.pool.schedule(_in_worker, args=("ASK {}", "json", None, None, None))
                       for _ in range(self.workers)]
            for f in futures:
                f.result()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.stop()
            self.pool.join(timeout=5)
