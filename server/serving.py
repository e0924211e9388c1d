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
"""
from __future__ import annotations

import socket
import threading
from collections.abc import Callable

from granian._futures import _new_cbscheduler
from granian._granian import SocketHolder, WSGIWorker
from granian._loops import loops
from granian._signals import set_sync_signals
from granian.constants import HTTPModes
from granian.http import HTTP1Settings
from granian.wsgi import _callback_wrapper

# Connections the kernel queues before granian accepts them (granian's own default).
BACKLOG = 1024
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


class Server:
    """granian listening on ``host:port`` (bound at construction: OSError if it cannot), serving ``app`` on
    ``threads`` Python threads once :meth:`run` is called."""

    def __init__(self, app: Callable, *, host: str, port: int, threads: int) -> None:
        self.app = app
        self.threads = threads
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

    @property
    def effective_port(self) -> int:
        """The port listened on (the free one chosen when ``port`` was 0)."""
        return self.socket.getsockname()[1]

    def run(self) -> None:
        """Serve until SIGINT or SIGTERM."""
        stopped = set_sync_signals()
        done = threading.Event()
        stopped.add_cb(done.set)
        listener = SocketHolder(self.socket.fileno(), False, BACKLOG)  # fd, not a Unix socket, backlog
        worker = WSGIWorker(1, (None, listener), None, IO_THREADS, IO_BLOCKING_THREADS, self.threads,
                            IDLE_THREAD_SECONDS, self.threads, str(HTTPModes.http1), HTTP1Settings(), None, None,
                            *NO_TLS, NO_METRICS)
        loop = loops.get("auto")
        worker.serve_mtr(_new_cbscheduler(loop, _callback_wrapper(self.app, {}, None), impl_asyncio=False), loop,
                         stopped)
        done.wait()
        self.socket.close()


def serve(app: Callable, *, host: str, port: int, threads: int) -> None:
    """Serve the WSGI ``app`` on ``host:port`` with ``threads`` Python threads until SIGINT or SIGTERM."""
    Server(app, host=host, port=port, threads=threads).run()
