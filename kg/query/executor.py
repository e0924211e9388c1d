"""Running queries under guards: a time limit that really stops the work, a row cap, and a queue cap.

A Python thread cannot interrupt Oxigraph's (or rdflib's) evaluation, so every query runs in one of a few
worker processes forked *after* the engine is loaded: they share the loaded store copy-on-write and start
in milliseconds. The request thread hands its query to an idle worker over a pipe and waits at most the
time limit; a worker that overruns it is killed (SIGKILL: the work really stops) and replaced by a fresh
fork, while the other workers go on serving. Workers return serialised bytes, so the parent never
re-encodes results.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import queue
import resource
import select
import signal
import stat
import threading
from dataclasses import dataclass

from kg.errors import CrampkgError, MemoryLimit, Overloaded, QueryTimeout, WorkerFailed
from kg.query import limits
from kg.query.engines.base import DatasetSpec, Engine
from kg.query.formats import BY_KEY, Format

_ENGINE: Engine | None = None  # the engine a forked worker inherits
_FORK = multiprocessing.get_context("fork")
# How often an idle worker checks that its server is still alive (an orphan exits within this time).
PARENT_CHECK_SECONDS = 1.0
# How long to wait for a killed worker to be reaped; SIGKILL takes effect at once, so this is only a bound.
KILL_WAIT_SECONDS = 5
MILLISECONDS = 1000  # per second, for select.poll


def readable(conn) -> select.poll:
    """A poll object for ``conn`` made once: ``Connection.poll`` builds a selector on every call, which is a
    measurable part of a small query's cost (an answer comes back every few hundred microseconds)."""
    ready = select.poll()
    ready.register(conn.fileno(), select.POLLIN)
    return ready


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
             bindings: dict | None, max_rows: int | None, base_iri: str | None = None) -> Answer:
    direct = getattr(engine, "answer", None)  # an engine that writes some formats itself (Oxigraph)
    if direct is not None:
        written = direct(text, format_key, dataset=dataset, bindings=bindings, max_rows=max_rows, base_iri=base_iri)
        if written is not None:
            body, form, count, truncated = written
            return Answer(body, format_key, form, count, truncated, max_rows)
    fmt = BY_KEY[format_key]
    result = engine.query(text, dataset=dataset, bindings=bindings, max_rows=max_rows, base_iri=base_iri)
    return Answer(fmt.serialize(result), fmt.key, result.form, len(result), result.truncated, max_rows)


def failed(exc: Exception) -> WorkerFailed:
    """A bug met while evaluating an accepted query, in words that say so."""
    return WorkerFailed(f"internal error while evaluating the query ({type(exc).__name__}: {exc}); "
                        "this is a bug in crampkg or its engine, not in the query")


def memory_message(memory_mb: int) -> str:
    return (f"the query needed more than the {memory_mb} MB memory limit and was stopped; "
            "add a LIMIT, narrow its patterns or aggregate less")


def cap_memory(memory_mb: int) -> None:
    """Let this process map at most ``memory_mb`` MB more than it maps now (what it shares with the server).

    An allocation past the cap fails at once: Python raises MemoryError, Oxigraph (Rust) aborts the process.
    Either way only this worker ends, long before the machine would start to swap.
    """
    with open("/proc/self/statm") as statm:
        mapped = int(statm.read().split()[0]) * resource.getpagesize()
    limit = mapped + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def close_sockets(keep: int) -> None:
    """Close every socket a worker inherited except its own pipe: a worker forked while the server holds
    client connections would otherwise keep them open after the server closes them, so a client waiting for
    the end of its answer (``Connection: close``) would wait until the worker died."""
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd == keep:
            continue
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.close(fd)
        except OSError:
            pass  # the directory's own descriptor, already gone


def _serve(conn, inherited: list, memory_mb: int | None = None) -> None:
    """A worker's loop: receive arguments, send back (True, answer) or (False, exception).

    It ends when the server goes away, however it goes: end of file on its pipe (the server's ends of every
    pipe, inherited by the fork, are closed first so that the server's exit is seen), or a new parent.
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for other in inherited:
        other.close()
    close_sockets(keep=conn.fileno())
    gc.freeze()  # the inherited engine lives as long as the worker: no collection need walk (and copy) it
    if memory_mb:
        cap_memory(memory_mb)
    parent = os.getppid()
    ready = readable(conn)
    while True:
        try:
            while not ready.poll(PARENT_CHECK_SECONDS * MILLISECONDS):
                if os.getppid() != parent:
                    return
            args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = (True, evaluate(_ENGINE, *args))
        except CrampkgError as exc:
            reply = (False, exc)
        except MemoryError:
            reply = (False, MemoryLimit(memory_message(memory_mb or 0)))
        except Exception as exc:  # the query was accepted; anything else is a bug, reported as one (HTTP 500)
            reply = (False, failed(exc))
        conn.send(reply)


def describe_exit(exitcode: int | None, exc: Exception) -> str:
    if exitcode is not None and exitcode < 0:
        return f"killed by {signal.Signals(-exitcode).name}"
    if exitcode is not None:
        return f"exit status {exitcode}"
    return str(exc) or type(exc).__name__


class _Worker:
    def __init__(self, siblings: list, memory_mb: int | None) -> None:
        self.conn, child = _FORK.Pipe()
        self.process = _FORK.Process(target=_serve, args=(child, [self.conn, *siblings], memory_mb), daemon=True,
                                     name="crampkg-query")
        self.process.start()
        child.close()
        self.ready = readable(self.conn)

    def kill(self) -> None:
        if self.process.pid is not None:
            try:
                os.kill(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.join(KILL_WAIT_SECONDS)
        self.conn.close()


class Executor:
    """Runs queries on ``engine``: in ``workers`` killable processes, or in-process when ``workers`` is 0.

    At most ``max_pending`` queries are running or waiting for a worker; one more is refused at once
    (:class:`Overloaded`) instead of holding a server thread for up to a time limit per query ahead of it,
    so slow queries cannot starve the threads that serve everything else.
    """

    def __init__(self, engine: Engine, *, workers: int = limits.QUERY_WORKERS,
                 timeout: float | None = limits.QUERY_TIMEOUT, max_rows: int | None = limits.MAX_ROWS,
                 max_pending: int | None = limits.QUERY_QUEUE, memory_mb: int | None = limits.WORKER_MEMORY_MB) -> None:
        global _ENGINE
        self.engine = engine
        self.timeout = timeout
        self.max_rows = max_rows
        self.workers = workers
        self.memory_mb = memory_mb if workers > 0 else None  # only a worker process can be capped
        self.max_pending = max_pending or limits.QUERY_QUEUE
        self._slots = threading.BoundedSemaphore(self.max_pending)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        if workers > 0:
            _ENGINE = engine
            for _ in range(workers):
                self._add_worker()

    def _add_worker(self) -> None:
        with self._lock:
            siblings = [w.conn for w in self._all]
        worker = _Worker(siblings, self.memory_mb)
        with self._lock:
            self._all.add(worker)
        self._idle.put(worker)

    def _retire(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()
        self._add_worker()

    def run(self, text: str, fmt: Format, *, dataset: DatasetSpec | None = None,
            bindings: dict | None = None, base_iri: str | None = None) -> Answer:
        args = (text, fmt.key, dataset, bindings, self.max_rows, base_iri)
        if not self._slots.acquire(blocking=False):
            raise Overloaded(f"the server is busy ({self.max_pending} queries running or waiting); retry shortly")
        try:
            if self.workers <= 0:
                try:
                    return evaluate(self.engine, *args)
                except CrampkgError:
                    raise
                except Exception as exc:
                    raise failed(exc) from exc
            return self._in_worker(args)
        finally:
            self._slots.release()

    def _idle_worker(self) -> _Worker:
        """An idle worker that is still alive: one killed while idle (by an operator, the OOM killer) is
        replaced here, so the query it would have been given is not lost with it."""
        while True:
            worker = self._idle.get()
            if worker.process.is_alive():
                return worker
            self._retire(worker)

    def _in_worker(self, args: tuple) -> Answer:
        worker = self._idle_worker()
        try:
            worker.conn.send(args)
            if not worker.ready.poll(None if self.timeout is None else self.timeout * MILLISECONDS):
                raise QueryTimeout(f"the query ran longer than the {self.timeout:g} s limit and was stopped; "
                                   "simplify it or add a LIMIT")
            ok, value = worker.conn.recv()
        except QueryTimeout:
            self._retire(worker)
            raise
        except (EOFError, OSError) as exc:
            self._retire(worker)
            if self.memory_mb and worker.process.exitcode == -signal.SIGABRT:
                raise MemoryLimit(memory_message(self.memory_mb)) from None
            raise Overloaded(f"the query's worker stopped before answering "
                             f"({describe_exit(worker.process.exitcode, exc)}); please retry") from None
        if not ok and isinstance(value, MemoryLimit):
            self._retire(worker)  # a process that ran out of memory is not trusted with the next query
            raise value
        self._idle.put(worker)
        if not ok:
            raise value
        return value

    def warm(self) -> None:
        """Check that every worker answers (they are started by the constructor)."""
        for _ in range(self.workers):
            self.run("ASK {}", BY_KEY["json"])

    def close(self) -> None:
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()
