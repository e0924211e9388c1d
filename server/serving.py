"""The HTTP server under the app: granian (a Rust HTTP/1.1 server for WSGI apps), run inside this process.

Why granian and why in-process: waitress parses HTTP and writes responses in Python, which cost more than a small
query does (measured: a static Flask route, waitress ≈2,550 req/s, granian ≈8,760). granian does that in Rust
threads that do not hold the GIL and calls the WSGI app on a pool of Python threads. Its own launcher always forks
worker processes of its own; run that way, the query workers would be grandchildren of ``crampkg serve`` and the
loaded store would be loaded again or shared by a fork nobody planned for. So this module starts granian's WSGI
worker in the calling process, as granian's worker process does it (``granian.server.mp``), with the app already
built and the listening socket opened here (so a bad address is a clear error and port 0 gets a free port): one
process, whose children are exactly the query workers (:mod:`kg.query.executor`). With several server
processes (``crampkg serve --processes``, one per CPU by default; :class:`Processes`), N such processes are
forked from the loaded one, each with its own listening socket on the address, its own GIL and its own query
workers forked from it, and each pinned to its own share of the CPUs (its workers may run on any).

That uses granian's internal classes, so the version is pinned in pyproject.toml; a new granian must be checked
against this module (``tests/server`` starts the real server and fails at once if the internals moved).
SIGINT and SIGTERM stop the server and return from :meth:`Server.run`, so ``atexit`` handlers (the query
workers' clean-up) run.

What granian (through hyper and the ``http`` crate) answers itself, before the app and its guards see the
request, with an empty body and none of our headers (measured on granian 2.8.9; none of it can be configured
in that version, and ``tests/server/test_serving.py`` holds each one):

- a request target over 65,534 bytes: 414 URI Too Long (send a long query by POST);
- more than 100 request header fields, or a request line and headers larger than the read buffer
  (:data:`READ_BUFFER_BYTES`, or the header cap plus 64 KiB if that is more): 431 Request Header Fields Too Large;
- a request line or header that is not HTTP (a NUL byte in a header, a raw non-ASCII byte in the path, no
  method): 400 Bad Request;
- headers still incomplete after :data:`HEADER_READ_MILLISECONDS`: the connection is closed.

Everything else reaches the app, so its limits bite first: the header cap (431 from :mod:`server.guards`, its
default 16 KB far below the read buffer granian is given here), the body cap (413), and the rest. Header values
that are not visible ASCII reach the app as empty strings (granian drops them), so they do not count towards
the header cap; the read buffer still bounds them. Response header names go out in
lower case, as HTTP/2 always writes them; HTTP/1.1 header names are case-insensitive.

A thread of the pool runs one request at a time, including the wait for its body: a client that sends its body
slowly holds one thread (without the GIL) while the others serve everyone else, so the pool is larger than the
cores (:data:`~kg.query.limits.SERVER_THREADS`); the query workers' queue cap bounds the work they can start.
"""
from __future__ import annotations

import os
import select
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from typing import NamedTuple

from granian._futures import _new_cbscheduler
from granian._granian import SocketHolder, WSGIWorker
from granian._loops import loops
from granian._signals import set_sync_signals
from granian.constants import HTTPModes
from granian.http import HTTP1Settings
from granian.wsgi import Response, ResponseIterWrap

from kg.query import limits
from kg.query.executor import PR_SET_PDEATHSIG, name_process, prctl

# Connections the kernel queues before granian accepts them (granian's own default).
BACKLOG = 1024
# Open connections served at once (granian's "backpressure"; its own default); more wait in the backlog. Idle
# keep-alive connections count, so this must be far above the number of threads.
MAX_CONNECTIONS = 1024
# hyper's read buffer for a request line and headers (granian's default); anything larger is hyper's 431. The
# buffer is made at least this much larger than the app's header cap, so that the cap answers first.
READ_BUFFER_BYTES = 8192 + 4096 * 100
REQUEST_LINE_BYTES = 65_536  # the longest request target hyper accepts (then 414), and room for the rest
# How long a client may take to send its request line and headers (granian's default).
HEADER_READ_MILLISECONDS = 30_000
# Rust threads that read and write HTTP; with the GIL-bound app and the query workers sharing two cores, one is
# enough.
IO_THREADS = 1
# Rust threads for blocking I/O inside granian (request bodies); its own default.
IO_BLOCKING_THREADS = 512
# Seconds an idle Python thread of the pool lives before granian lets it go.
IDLE_THREAD_SECONDS = 30
# No TLS: crampkg serves loopback or sits behind a proxy that terminates TLS.
NO_TLS = (False, None, None, None, "tls1.3", None, [], False)
NO_METRICS = (None, None)


# The WSGI keys every request shares. granian's own wrapper (granian.wsgi._callback_wrapper) also copies the
# whole process environment into every request's environ: a variable such as HTTP_PROXY or CONTENT_LENGTH in
# the server's environment would then read as a header of every request, and the environment's secrets would
# sit in every environ. Requests here see only what the client sent.
WSGI_KEYS = {
    "GATEWAY_INTERFACE": "CGI/1.1",
    "SCRIPT_NAME": "",
    "SERVER_SOFTWARE": "crampkg (granian)",
    "wsgi.errors": sys.stderr,
    "wsgi.input_terminated": True,  # granian gives the body's end; werkzeug reads a body without a length by it
    "wsgi.multiprocess": False,
    "wsgi.multithread": True,
    "wsgi.run_once": False,
    "wsgi.version": (1, 0),
}


def runner(app: Callable) -> Callable:
    """The function granian calls for each request (``proto``: where the answer goes; ``scope``: the request's
    WSGI keys): ``app`` called as WSGI, its answer handed back as granian's own wrapper does."""
    def run(proto, scope: dict) -> int:
        response = Response()
        body = app(WSGI_KEYS | scope, response)
        if isinstance(body, list):
            proto.response_bytes(response.status, response.headers, b"".join(body))
        else:
            proto.response_iter(response.status, response.headers, ResponseIterWrap(body))
        return response.status

    return run


class Server:
    """granian listening on ``host:port`` (bound at construction: OSError if it cannot), serving ``app`` on
    ``threads`` Python threads once :meth:`run` is called.

    ``shared``: the address is only bound here (so a bad one is still an error at once, and port 0 still picks
    a free port), with SO_REUSEPORT; each server process of :class:`Processes` then listens on a socket of its
    own bound to the same address, and the kernel spreads new connections across them. One socket shared by
    all of them does not: whichever process wakes first accepts a whole burst (measured: wrk's 4 connections
    all went to one of two processes)."""

    def __init__(self, app: Callable, *, host: str, port: int, threads: int,
                 max_header_bytes: int = limits.MAX_HEADER_BYTES, shared: bool = False) -> None:
        self.app = app
        self.threads = threads
        self.http1 = HTTP1Settings(header_read_timeout=HEADER_READ_MILLISECONDS,
                                   max_buffer_size=max(READ_BUFFER_BYTES, max_header_bytes + REQUEST_LINE_BYTES))
        self.socket = self._bound((host, port), listen=not shared, shared=shared)
        self.address = self.socket.getsockname()[:2]
        self.effective_port: int = self.address[1]  # the free one chosen when ``port`` was 0

    def _bound(self, address: tuple[str, int], *, listen: bool, shared: bool) -> socket.socket:
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if shared:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            # small writes go out at once: Linux gives accepted connections this option. Without it an answer
            # written in two parts (a Flask page: header, then body) waits for the client's delayed ACK, about
            # 40 ms on every keep-alive request after the first
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.bind(address)
            if listen:
                sock.listen(BACKLOG)
        except (OSError, OverflowError):
            sock.close()
            raise
        sock.set_inheritable(False)
        return sock

    def listen_alongside(self) -> None:
        """In a server process of :class:`Processes`: listen on a socket of this process's own, on the shared
        address, in place of the bound one inherited from the parent."""
        own = self._bound(self.address, listen=True, shared=True)
        self.socket.close()
        self.socket = own

    def run(self) -> None:
        """Serve until SIGINT or SIGTERM."""
        stopped = set_sync_signals()
        done = threading.Event()
        stopped.add_cb(done.set)
        # granian owns the descriptor from here and closes it when it stops: closing it here as well could close
        # whatever file got its number in between
        listener = SocketHolder(self.socket.detach(), False, BACKLOG)  # fd, not a Unix socket, backlog
        worker = WSGIWorker(1, (None, listener), None, IO_THREADS, IO_BLOCKING_THREADS, self.threads,
                            IDLE_THREAD_SECONDS, MAX_CONNECTIONS, str(HTTPModes.http1), self.http1, None, None,
                            *NO_TLS, NO_METRICS)
        loop = loops.get("auto")
        worker.serve_mtr(_new_cbscheduler(loop, runner(self.app), impl_asyncio=False), loop, stopped)
        done.wait()


# The name each server process of several gives itself (`ps`, `top`, /proc/<pid>/comm); its query workers call
# themselves kg.query.executor.WORKER_NAME.
SERVER_NAME = "crampkg-server"
# Seconds the supervisor of several server processes gives them to stop after SIGTERM before it kills them,
# and the longest it waits for them to be ready at start.
STOP_SECONDS = 10.0
READY_SECONDS = 120.0
# A server process that ends within this many seconds of its start failed to start: it is not started again
# (that would loop), and the others are stopped.
START_SECONDS = 5.0


def cpu_shares(count: int) -> list[set[int]]:
    """The CPUs this process may use, dealt out to ``count`` processes in turn (with fewer CPUs than processes,
    some share one)."""
    cpus = sorted(os.sched_getaffinity(0))
    if count <= len(cpus):
        return [set(cpus[i::count]) for i in range(count)]
    return [{cpus[i % len(cpus)]} for i in range(count)]


def follow_parent(parent: int) -> None:
    """SIGTERM this process when its parent ends, however it ends (SIGKILL included): a server process must not
    go on serving, nor its query workers, once its supervisor is gone. If the parent ended before this was set,
    end now."""
    prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:
        os._exit(0)


class Child(NamedTuple):
    """A server process of :class:`Processes`: when it was started, and its share of the CPUs (an index into
    ``Processes.cpus``; a replacement gets the same)."""
    started: float
    slot: int


class Processes:
    """``count`` server processes forked from this one, each serving ``server``'s address (made with
    ``shared=True``), and this process supervising them until SIGINT or SIGTERM.

    Each child calls ``after_fork`` before it listens and the cleanup that returns after serving: what must
    not cross a fork (the query workers and their threads) is made there. The kernel hands each new
    connection to one of the processes (by a hash of the client's address and port); a keep-alive connection
    stays with the process that took it. A child that ends while nobody asked it to is reported and replaced,
    unless it ended during its start.

    ``pin``: each process (with its threads) runs on its own share of the CPUs this one may use
    (:func:`cpu_shares`), and a replacement on the share of the process it replaces. Its query workers are
    given every CPU (``serve_config`` sets ``WORKER_CPUS``): the kernel mostly wakes them on their server
    process's CPU, where a hand-off costs least, and a process that was given most of the connections (the
    kernel picks a process by a hash of the client's address and port) still has the other CPUs for its
    queries. Measured on this project's 2-CPU virtual machine, one query at a time: 254 µs a round trip with
    the server process and its worker on different CPUs, 127 µs on one. Under the bench's load (wrk, 4
    connections, a new query text each request): 0.89x the Oxigraph server's requests/s with nothing pinned,
    0.99x with each process and its workers pinned together. With the workers pinned too, the rounds whose
    connections split between the processes answer 9-14 % more than with them free, but a round whose 4
    connections all went to one process falls to half (about 2,500 requests/s); with the workers free, such a
    round gives 3,500-4,700. The default is the one without the collapse (the README has the figures).
    """

    def __init__(self, server: Server, count: int, after_fork: Callable[[], Callable[[], None]],
                 pin: bool = False) -> None:
        self.server = server
        self.count = count
        self.after_fork = after_fork
        self.cpus = cpu_shares(count) if pin else None
        self.children: dict[int, Child] = {}
        self.stopping = False  # a plain flag: a signal handler taking a lock the main thread holds would hang
        self._previous: dict = {}

    def start(self) -> None:
        """Fork the processes and return once each listens (CrampkgError-free: OSError if one cannot)."""
        self._previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        ready_r, ready_w = os.pipe()
        try:
            for slot in range(self.count):
                self._start_child(slot, ready_w, ready_r)
            os.close(ready_w)
            ready_w = -1
            deadline = time.monotonic() + READY_SECONDS
            ready = 0
            while ready < self.count and not self.stopping:
                waiting = select.select([ready_r], [], [], min(0.2, max(deadline - time.monotonic(), 0)))[0]
                if waiting:
                    got = os.read(ready_r, self.count)
                    if not got:  # every child ended or announced itself: those that ended failed to start
                        break
                    ready += len(got)
                elif time.monotonic() >= deadline or self._any_ended():
                    break
            if ready < self.count and not self.stopping:
                raise OSError(f"{self.count - ready} of {self.count} server processes did not start")
        except BaseException:
            self.stop()
            raise
        finally:
            os.close(ready_r)
            if ready_w >= 0:
                os.close(ready_w)

    def _any_ended(self) -> bool:
        """Whether a process ended (it is reaped: the caller gives up the start)."""
        for pid in list(self.children):
            if os.waitpid(pid, os.WNOHANG)[0]:
                self.children.pop(pid)
                return True
        return False

    def _start_child(self, slot: int, ready_w: int = -1, ready_r: int = -1) -> int:
        supervisor = os.getpid()
        pid = os.fork()
        if pid:
            self.children[pid] = Child(time.monotonic(), slot)
            return pid
        # the child: back to the default signal actions until granian installs its own (Server.run)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        name_process(SERVER_NAME)
        follow_parent(supervisor)
        if self.cpus:
            os.sched_setaffinity(0, self.cpus[slot])  # before any thread or worker exists: they inherit it
        if ready_r >= 0:
            os.close(ready_r)
        code = 0
        try:
            cleanup = self.after_fork()
            try:
                self.server.listen_alongside()
                if ready_w >= 0:
                    os.write(ready_w, b"+")
                    os.close(ready_w)
                self.server.run()
            finally:
                cleanup()
        except BaseException as exc:  # the child must never return into the parent's code
            print(f"crampkg: server process {os.getpid()} failed: {exc}", file=sys.stderr, flush=True)
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)

    def _stop(self, signum: int, frame: object) -> None:
        self.stopping = True

    def run(self) -> int:
        """Supervise the started processes until SIGINT or SIGTERM (0), or until one fails to start (1)."""
        failed = False
        try:
            while not self.stopping:
                time.sleep(0.2)
                if self._reap():
                    failed = True
                    break
        finally:
            self.stop()
        return 1 if failed else 0

    def _reap(self) -> bool:
        """Report children that ended and replace them; True if one ended during its start."""
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                self.children.clear()
                return True
            if pid == 0:
                return False
            child = self.children.pop(pid, None)
            if child is None or self.stopping:
                continue
            how = (f"was killed by signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status)
                   else f"exited with status {os.waitstatus_to_exitcode(status)}")
            if time.monotonic() - child.started < START_SECONDS:
                print(f"crampkg: server process {pid} {how} during its start; stopping", file=sys.stderr, flush=True)
                return True
            replacement = self._start_child(child.slot)
            print(f"crampkg: server process {pid} {how}; started {replacement} in its place",
                  file=sys.stderr, flush=True)
        return False

    def stop(self) -> None:
        """SIGTERM to every process, SIGKILL to those still running after :data:`STOP_SECONDS`."""
        for pid in self.children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + STOP_SECONDS
        while self.children and time.monotonic() < deadline:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid:
                self.children.pop(pid, None)
            else:
                time.sleep(0.05)
        for pid in self.children:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ChildProcessError, ProcessLookupError):
                pass
        self.children.clear()
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous = {}
        self.server.socket.close()


def serve(app: Callable, *, host: str, port: int, threads: int) -> None:
    """Serve the WSGI ``app`` on ``host:port`` with ``threads`` Python threads until SIGINT or SIGTERM."""
    Server(app, host=host, port=port, threads=threads).run()
