"""Running queries under guards: a time limit that really stops the work, a row cap, and a queue cap.

A Python thread cannot interrupt Oxigraph's (or rdflib's) evaluation, so every query runs in one of a few
worker processes forked *after* the engine is loaded: they share the loaded store copy-on-write and start
in milliseconds. The request thread hands its query to an idle worker over a pipe and waits at most the
time limit; a worker that overruns it is killed (SIGKILL: the work really stops) and replaced by a fresh
fork, while the other workers go on serving. Workers return serialised bytes, so the parent never
re-encodes results.

Slow queries must not hold quick ones up: while every worker is busy, one more is forked (up to a cap), a
query running past LONG_QUERY_SECONDS drops to a lower CPU priority, and a full queue is waited on for a
bounded time, in turn, before the documented 503. It does not queue without bound, and it does not
guess in advance which queries will be slow.
"""
from __future__ import annotations

import ctypes
import gc
import marshal
import multiprocessing
import os
import pickle
import resource
import signal
import socket
import stat
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass

from kg.errors import CrampkgError, MemoryLimit, Overloaded, QueryTimeout, WorkerFailed
from kg.query import limits
from kg.query.engines.base import DatasetSpec, Engine
from kg.query.formats import BY_KEY, Format

_ENGINE: Engine | None = None  # the engine a forked worker inherits
_FORK = multiprocessing.get_context("fork")
# How often an idle worker checks that its server is still alive (an orphan exits within this time).
PARENT_CHECK_SECONDS = 1.0
# The niceness given to a worker whose query runs past limits.LONG_QUERY_SECONDS (19 is the lowest priority).
LONG_QUERY_NICE = 10
# How long to wait for a killed worker to be reaped; SIGKILL takes effect at once, so this is only a bound.
KILL_WAIT_SECONDS = 5
# A message on a worker's pipe: its length (4 bytes, big-endian), a kind, then the content. MARSHAL contents are
# plain tuples of str, bytes, int, bool and None (a query's arguments, an answer's fields): marshal writes and
# reads them several times faster than pickle. Anything else (a dataset, bindings, an exception) is PICKLE.
MARSHAL, PICKLE, ANSWER = b"m", b"p", b"a"
READ_BYTES = 1 << 16


def send(fd: int, kind: bytes, content: bytes) -> None:
    """One message, in one write when the pipe has room (it nearly always has)."""
    data = memoryview((len(content) + 1).to_bytes(4, "big") + kind + content)
    while data:
        data = data[os.write(fd, data):]


def _read_on(fd: int, size: int) -> bytes:
    """The rest of a message that has begun: a read that times out is tried again."""
    while True:
        try:
            return os.read(fd, size)
        except BlockingIOError:
            continue


def receive(fd: int) -> tuple[bytes, bytes]:
    """(kind, content) of the next message; EOFError if the other end has gone."""
    chunk = os.read(fd, READ_BYTES)
    if len(chunk) < 5:
        if not chunk:
            raise EOFError("the pipe was closed")
        while len(chunk) < 5:
            more = _read_on(fd, 5 - len(chunk))
            if not more:
                raise EOFError("the pipe was closed mid-message")
            chunk += more
    size = int.from_bytes(chunk[:4], "big") + 4
    if len(chunk) < size:
        parts = [chunk]
        got = len(chunk)
        while got < size:
            more = _read_on(fd, min(size - got, 1 << 24))
            if not more:
                raise EOFError("the pipe was closed mid-message")
            parts.append(more)
            got += len(more)
        chunk = b"".join(parts)
    return chunk[4:5], chunk[5:size]


def encode(value) -> tuple[bytes, bytes]:
    """(kind, content) for ``value``: marshal for plain tuples, pickle for anything else."""
    if isinstance(value, Answer):
        return ANSWER, marshal.dumps((value.body, value.format_key, value.form, value.count, value.truncated,
                                      value.max_rows))
    try:
        return MARSHAL, marshal.dumps(value)
    except ValueError:  # an object marshal cannot write (a DatasetSpec, rdflib terms, an exception)
        return PICKLE, pickle.dumps(value, pickle.HIGHEST_PROTOCOL)


def decode(kind: bytes, content: bytes):
    if kind == ANSWER:
        return Answer(*marshal.loads(content))
    if kind == MARSHAL:
        return marshal.loads(content)
    return pickle.loads(content)


def wait_at_most(fd: int, seconds: float | None) -> None:
    """Make each read of the socket ``fd`` wait at most ``seconds`` (None: without end), then raise
    BlockingIOError. A read that waits is then one system call: a poll before it would be a second one, and each
    system call lets the server's request threads take the GIL from one another (under 4 clients whose
    connections all went to one server process: 3,500 requests/s with poll and read, 4,100 with the read alone)."""
    if seconds is None:
        whole, micro = 0, 0  # 0: no end
    else:
        whole = int(seconds)
        micro = max(int((seconds - whole) * 1_000_000), 0 if whole else 1)
    value = struct.pack("@ll", whole, micro)
    with socket.socket(fileno=os.dup(fd)) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, value)


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


# The name a query worker gives itself (PR_SET_NAME, at most 15 bytes): `ps`, `top` and /proc/<pid>/comm show it,
# so an operator (or a test) tells the workers from the server processes.
WORKER_NAME = "crampkg-query"
PR_SET_PDEATHSIG, PR_SET_NAME = 1, 15  # prctl(2) options


def prctl(option: int, value: int | bytes) -> None:
    """Linux's prctl(2) for this process; elsewhere nothing (what it sets is a help, not a guard)."""
    try:
        ctypes.CDLL(None).prctl(option, value, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def name_process(name: str) -> None:
    prctl(PR_SET_NAME, name.encode()[:15])


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


def _serve(conn, inherited: list, memory_mb: int | None = None, cpus: frozenset[int] | None = None) -> None:
    """A worker's loop: receive arguments, send back an answer or the exception met (see :func:`encode`).

    It ends when the server goes away, however it goes: end of file on its pipe (the server's ends of every
    pipe, inherited by the fork, are closed first so that the server's exit is seen), or a new parent.
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    name_process(WORKER_NAME)
    if cpus:
        os.sched_setaffinity(0, cpus)
    for other in inherited:
        other.close()
    close_sockets(keep=conn.fileno())
    gc.freeze()  # the inherited engine lives as long as the worker: no collection need walk (and copy) it
    if memory_mb:
        cap_memory(memory_mb)
    parent = os.getppid()
    fd = conn.fileno()
    wait_at_most(fd, PARENT_CHECK_SECONDS)
    while True:
        try:
            args = decode(*receive(fd))
        except BlockingIOError:
            if os.getppid() != parent:
                return
            continue
        except (EOFError, OSError):
            return
        try:
            reply = encode(evaluate(_ENGINE, *args))
        except CrampkgError as exc:
            reply = encode(exc)
        except MemoryError:
            reply = encode(MemoryLimit(memory_message(memory_mb or 0)))
        except Exception as exc:  # the query was accepted; anything else is a bug, reported as one (HTTP 500)
            reply = encode(failed(exc))
        send(fd, *reply)


def describe_exit(exitcode: int | None, exc: Exception) -> str:
    if exitcode is not None and exitcode < 0:
        return f"killed by {signal.Signals(-exitcode).name}"
    if exitcode is not None:
        return f"exit status {exitcode}"
    return str(exc) or type(exc).__name__


class _Worker:
    def __init__(self, siblings: list, memory_mb: int | None, cpus: frozenset[int] | None = None) -> None:
        self.conn, child = _FORK.Pipe()
        self.process = _FORK.Process(target=_serve, args=(child, [self.conn, *siblings], memory_mb, cpus),
                                     daemon=True, name=WORKER_NAME)
        self.process.start()
        child.close()
        self.fd = self.conn.fileno()
        self.idle_since = time.monotonic()
        self.demoted = False
        self.read_wait: float | None = -1.0  # how long a read of its pipe waits (wait_at_most); -1: not set yet
        self._ending = threading.Lock()
        self._ended = False

    def demote(self) -> None:
        try:
            os.setpriority(os.PRIO_PROCESS, self.process.pid, LONG_QUERY_NICE)
        except (ProcessLookupError, PermissionError):
            pass  # it has just ended, which the caller will see; or the system refuses: nothing is lost
        self.demoted = True

    def stop(self) -> None:
        """SIGKILL the process: its work stops at once."""
        if self.process.pid is not None:
            try:
                os.kill(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        """Stop the process, reap it and close the server's end of its pipe, once whoever asks: closing a
        descriptor twice could close another worker's pipe that was given the same number meanwhile."""
        with self._ending:
            if self._ended:
                return
            self._ended = True
        self.stop()
        self.process.join(KILL_WAIT_SECONDS)
        self.conn.close()


class Executor:
    """Runs queries on ``engine``: in killable worker processes, or in-process when ``workers`` is 0.

    ``workers`` processes are kept; when every one is busy (a slow query holds a worker for up to the time
    limit), a further one is forked for the next query, up to ``max_workers``, so quick queries are not held
    behind slow ones. A worker beyond ``workers`` that stays idle for ``idle_seconds`` is stopped. Workers run
    on ``worker_cpus`` when given, else on the CPUs of the thread that forks them.

    At most ``max_pending`` queries are running or waiting for a worker. Up to ``max_waiting`` more wait up to
    ``queue_wait`` seconds each for room and are then refused (:class:`Overloaded`, 503 with Retry-After);
    past those a query is refused at once. Once a query has waited in vain, only as many may wait as rooms
    were freed in the last ``queue_wait`` seconds, until a query finds room without waiting. A burst of quick
    queries is absorbed, while a flood of slow ones soon stops holding server threads in waits that end in
    refusals, so it cannot starve the threads that serve everything else. ``queue_wait`` 0 refuses at once.
    """

    def __init__(self, engine: Engine, *, workers: int = limits.QUERY_WORKERS,
                 max_workers: int | None = limits.QUERY_WORKERS_MAX,
                 timeout: float | None = limits.QUERY_TIMEOUT, max_rows: int | None = limits.MAX_ROWS,
                 max_pending: int | None = limits.QUERY_QUEUE, queue_wait: float = limits.QUEUE_WAIT,
                 max_waiting: int = limits.QUEUE_WAITING,
                 memory_mb: int | None = limits.WORKER_MEMORY_MB,
                 idle_seconds: float = limits.WORKER_IDLE_SECONDS,
                 long_query: float = limits.LONG_QUERY_SECONDS,
                 worker_cpus: frozenset[int] | None = None) -> None:
        global _ENGINE
        if max_workers is not None and workers > 0 and max_workers < workers:
            raise CrampkgError(f"at most {max_workers} query workers cannot keep {workers} running; "
                               f"give a maximum of at least {workers}")
        if queue_wait < 0:
            raise CrampkgError(f"a queue wait of {queue_wait:g} s is negative; give 0 (refuse at once) or more")
        self.engine = engine
        self.timeout = timeout
        self.max_rows = max_rows
        self.workers = workers
        self.max_workers = max(max_workers or workers, workers)
        self.memory_mb = memory_mb if workers > 0 else None  # only a worker process can be capped
        self.max_pending = max_pending or limits.QUERY_QUEUE
        self.queue_wait = queue_wait
        self.max_waiting = max_waiting
        self.idle_seconds = idle_seconds
        self.long_query = long_query
        self.worker_cpus = worker_cpus  # None: the CPUs of the thread that forks them
        self._lock = threading.Lock()
        self._freed = threading.Condition(self._lock)  # a worker became idle, or one may be forked
        self._pending = 0
        self._waiting: deque[threading.Event] = deque()  # queries waiting for room, the longest-waiting first
        self._strained = False  # a query waited in vain, and none has found room without waiting since
        self._freed_at: deque[float] = deque(maxlen=max(max_waiting, 1))  # when room was last freed
        self._idle: list[_Worker] = []  # the most recently used last: it is taken first, so extras idle out
        self._count = 0  # workers alive or being forked
        self._all: set[_Worker] = set()  # every live worker, idle or busy, so that close() stops them all
        self._closed = threading.Event()
        if workers > 0:
            _ENGINE = engine
            for _ in range(workers):
                self._count += 1
                self._release(self._fork())
            if self.max_workers > workers:
                threading.Thread(target=self._stop_idle_extras, name="crampkg-idle-workers", daemon=True).start()

    @property
    def worker_count(self) -> int:
        """Workers alive or being forked."""
        with self._lock:
            return self._count

    def stats(self) -> dict[str, int]:
        """Workers (alive or being forked), those busy, queries admitted (running or waiting for a worker) and
        queries waiting for room."""
        with self._lock:
            return {"workers": self._count, "busy": self._count - len(self._idle), "pending": self._pending,
                    "waiting": len(self._waiting)}

    def _fork(self) -> _Worker:
        """A new worker (counted by the caller before the fork, so that concurrent forks respect the cap)."""
        with self._lock:
            siblings = [w.conn for w in self._all]
        try:
            worker = _Worker(siblings, self.memory_mb, self.worker_cpus)
        except BaseException:
            with self._lock:
                self._count -= 1
                self._freed.notify()
            raise
        with self._lock:
            self._all.add(worker)
        return worker

    def _release(self, worker: _Worker) -> None:
        worker.idle_since = time.monotonic()
        with self._lock:
            self._idle.append(worker)
            self._freed.notify()

    def _retire(self, worker: _Worker) -> None:
        """Stop ``worker`` (it overran, lost its memory or died); fork a replacement if fewer than ``workers``
        would be left, so the kept workers stay ready."""
        worker.kill()
        with self._lock:
            self._all.discard(worker)
            self._count -= 1
            replace = self._count < self.workers and not self._closed.is_set()
            if replace:
                self._count += 1
            else:
                self._freed.notify()
        if replace:
            self._release(self._fork())

    def _stop_idle_extras(self) -> None:
        while not self._closed.wait(max(self.idle_seconds / 4, 0.05)):
            now = time.monotonic()
            with self._lock:
                extra = self._count - self.workers
                old = [w for w in self._idle if now - w.idle_since > self.idle_seconds][:max(extra, 0)]
                for worker in old:
                    self._idle.remove(worker)
                    self._all.discard(worker)
                self._count -= len(old)
            for worker in old:
                worker.kill()

    def _admit(self) -> None:
        """Count one more query in, waiting up to ``queue_wait`` for room if fewer than ``max_waiting`` already
        wait. Room is handed to the waiting queries in turn, so a newcomer never overtakes one that has waited."""
        with self._lock:
            if self._pending < self.max_pending and not self._waiting:
                self._pending += 1
                self._strained = False
                return
            waiting = len(self._waiting)
            turn = threading.Event() if self._may_wait(waiting) else None
            if turn is not None:
                self._waiting.append(turn)
        busy = f"the server is busy ({self.max_pending} queries running or waiting"
        if turn is None:
            raise Overloaded(f"{busy}, {waiting} more waiting for room); retry shortly")
        if turn.wait(self.queue_wait):
            return
        with self._lock:
            if turn.is_set():  # room was handed over as the wait ended
                return
            self._waiting.remove(turn)
            self._strained = True
        raise Overloaded(f"{busy}, waited {self.queue_wait:g} s for room); retry shortly")

    def _may_wait(self, waiting: int) -> bool:
        """Whether one more query may wait for room: fewer than ``max_waiting`` wait and, once a query has
        waited in vain (until one finds room without waiting), fewer than the rooms freed in the last
        ``queue_wait`` seconds. Under a flood of slow queries room is freed seldom, so few wait and the server
        threads go back to everything else; quick queries free room often, so their bursts still wait."""
        if self.queue_wait <= 0 or waiting >= self.max_waiting:
            return False
        if not self._strained:
            return True
        since = time.monotonic() - self.queue_wait
        return waiting < sum(at >= since for at in self._freed_at)

    def _leave(self) -> None:
        with self._lock:
            self._freed_at.append(time.monotonic())
            if self._waiting:
                self._waiting.popleft().set()  # the room passes to the query that has waited longest
            else:
                self._pending -= 1

    def run(self, text: str, fmt: Format, *, dataset: DatasetSpec | None = None,
            bindings: dict | None = None, base_iri: str | None = None) -> Answer:
        args = (text, fmt.key, dataset, bindings, self.max_rows, base_iri)
        self._admit()
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
            self._leave()

    def _idle_worker(self) -> _Worker:
        """An idle worker, or a new one if all are busy and the cap allows."""
        with self._lock:
            while not self._idle and self._count >= self.max_workers:
                self._freed.wait()
            if self._idle:
                return self._idle.pop()
            self._count += 1
        return self._fork()

    def _in_worker(self, args: tuple) -> Answer:
        """``args`` evaluated by a worker. One killed while idle (by an operator, the OOM killer) refuses the
        message (its end of the pipe is closed): it is dropped and the query goes to another, so it is not
        lost with it. Nothing is asked of a worker before that: a check for life is a system call, and each
        system call lets the request threads take the GIL from one another."""
        message = encode(args)
        while True:
            worker = self._idle_worker()
            if self._handed(worker, message):
                return self._ask(worker)

    def _handed(self, worker: _Worker, message: tuple[bytes, bytes]) -> bool:
        """Whether ``worker`` took ``message``; one that refuses it (its end of the pipe is closed) is retired."""
        try:
            send(worker.fd, *message)
        except OSError:
            self._retire(worker)
            return False
        return True

    def _reply(self, worker: _Worker) -> tuple[bytes, bytes]:
        """``worker``'s answer as (kind, content), waited for at most the time limit (QueryTimeout past it). A
        query still running after ``long_query`` seconds has its worker's CPU priority lowered, so that quick
        queries, in other workers, and the server itself come first on the CPU while it runs."""
        first = self.long_query if self.timeout is None else min(self.timeout, self.long_query)
        if worker.read_wait != first:
            wait_at_most(worker.fd, first)
            worker.read_wait = first
        try:
            return receive(worker.fd)
        except BlockingIOError:
            if self.timeout is not None and self.timeout <= first:
                raise self._timed_out() from None
        worker.demote()
        rest = None if self.timeout is None else self.timeout - first
        wait_at_most(worker.fd, rest)
        worker.read_wait = rest
        try:
            return receive(worker.fd)
        except BlockingIOError:
            raise self._timed_out() from None

    def _timed_out(self) -> QueryTimeout:
        return QueryTimeout(f"the query ran longer than the {self.timeout:g} s limit and was stopped; "
                            "simplify it or add a LIMIT")

    def _ask(self, worker: _Worker) -> Answer:
        """The answer of ``worker`` (taken from the idle ones, and sent a query), within the time limit."""
        try:
            value = decode(*self._reply(worker))
            ok = isinstance(value, Answer)
        except QueryTimeout:
            self._retire(worker)
            raise
        except (EOFError, OSError) as exc:
            self._retire(worker)
            if self.memory_mb and worker.process.exitcode == -signal.SIGABRT:
                raise MemoryLimit(memory_message(self.memory_mb)) from None
            raise Overloaded(f"the query's worker stopped before answering "
                             f"({describe_exit(worker.process.exitcode, exc)}); please retry") from None
        if (not ok and isinstance(value, MemoryLimit)) or worker.demoted:
            # a process that ran out of memory is not trusted with the next query; one demoted by a long query
            # cannot get its priority back without privileges, and holds the memory that query grew
            self._retire(worker)
        else:
            self._release(worker)
        if not ok:
            raise value
        return value

    def warm(self) -> None:
        """Check that every idle worker answers (they are started by the constructor)."""
        with self._lock:
            workers, self._idle = self._idle, []
        message = encode(("ASK {}", "json", None, None, None, None))
        for worker in workers:
            if self._handed(worker, message):
                self._ask(worker)

    def close(self) -> None:
        """Stop every worker, busy or idle. A busy worker's pipe is left to the thread waiting on it, which
        sees the end of file and retires the worker: closing it under that thread's feet would be a race."""
        self._closed.set()
        with self._lock:
            idle, busy = list(self._idle), [w for w in self._all if w not in self._idle]
            self._idle.clear()
            self._all.difference_update(idle)
            self._count -= len(idle)
        for worker in idle:
            worker.kill()
        for worker in busy:
            worker.stop()
