"""The HTTP server under the app: granian (a Rust HTTP/1.1 server for WSGI apps), run inside this process.

Why granian and why in-process: waitress parses HTTP and writes responses in Python, which cost more than a small
query does (measured: a static Flask route, waitress ≈2,550 req/s, granian ≈8,760). granian does that in Rust
threads that do not hold the GIL and calls the WSGI app on a pool of Python threads. Its own launcher always forks
worker processes of its own; run that way, the query workers would be grandchildren of ``crampkg serve`` and the
loaded store would be loaded again or shared by a fork nobody planned for. So this module starts granian's WSGI
worker in the calling process, as granian's worker process does it (``granian.server.mp``), with the app already
built and the listening socket opened here (so a bad address is a clear error and port 0 gets a free port): one
process, whose children are exactly the query workers (:mod:`kg.query.executor`).

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

import socket
import sys
import threading
from collections.abc import Callable

from granian._futures import _new_cbscheduler
from granian._granian import SocketHolder, WSGIWorker
from granian._loops import loops
from granian._signals import set_sync_signals
from granian.constants import HTTPModes
from granian.http import HTTP1Settings
from granian.wsgi import Response, ResponseIterWrap

from kg.query import limits

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
    ``threads`` Python threads once :meth:`run` is called."""

    def __init__(self, app: Callable, *, host: str, port: int, threads: int,
                 max_header_bytes: int = limits.MAX_HEADER_BYTES) -> None:
        self.app = app
        self.threads = threads
        self.http1 = HTTP1Settings(header_read_timeout=HEADER_READ_MILLISECONDS,
                                   max_buffer_size=max(READ_BUFFER_BYTES, max_header_bytes + REQUEST_LINE_BYTES))
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        try:
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.socket.bind((host, port))
            self.socket.listen(BACKLOG)
        except (OSError, OverflowError):
            self.socket.close()
            raise
        self.socket.set_inheritable(False)
        self.effective_port: int = self.socket.getsockname()[1]  # the free one chosen when ``port`` was 0

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


def serve(app: Callable, *, host: str, port: int, threads: int) -> None:
    """Serve the WSGI ``app`` on ``host:port`` with ``threads`` Python threads until SIGINT or SIGTERM."""
    Server(app, host=host, port=port, threads=threads).run()
