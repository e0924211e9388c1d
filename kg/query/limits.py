"""The limits that keep one request from taking the server down, with their defaults.

The command line (``crampkg serve``), the server's configuration (:data:`server.state.DEFAULTS`) and the
:class:`~kg.query.executor.Executor` all take their defaults from here, so they cannot drift apart.
"""
from __future__ import annotations


def waiting_room(threads: int, queue: int) -> int:
    """Queries that may wait for room, at most, beside ``queue`` running or waiting for a worker, for a server
    of ``threads`` request threads: the rest of the threads (a server given fewer threads than queue room: none).
    With the queue it makes the threads, so a count alone never refuses a valid query at once (requests beyond
    the threads wait in the server's own queue); a flood is refused once its waits go in vain (fewer may wait
    once one waited in vain); more get 503 at once."""
    return max(threads - queue, 0)


QUERY_TIMEOUT = 10.0  # seconds per SPARQL query; a worker that runs longer is killed
QUERY_WORKERS = 2  # worker processes kept to evaluate queries (0: in-process, without a time limit)
QUERY_WORKERS_MAX = 6  # workers forked when all are busy (slow queries hold theirs up to QUERY_TIMEOUT)
WORKER_IDLE_SECONDS = 30.0  # a worker beyond QUERY_WORKERS idle this long is stopped
QUERY_QUEUE = 8  # queries running or waiting for a worker
QUEUE_WAIT = 2.0  # seconds a query waits for room in a full queue before 503 (0: refused at once)
LONG_QUERY_SECONDS = 0.5  # a query running longer gets its worker's CPU priority lowered (quick ones first)
MAX_ROWS = 10_000  # result rows (or triples) before an answer is truncated
MAX_REQUEST_BYTES = 1_000_000  # bytes per request body or query text (413 above)
RESPONSE_CACHE = 512  # answers kept by the response cache (the data is read-only); 0 turns it off
SERVER_THREADS = 32  # Python threads the HTTP server runs requests on (one waiting for a slow body holds one)
MAX_SERVER_PROCESSES = 16  # `crampkg serve --processes`, at most
# server processes `crampkg serve` forks by default (--processes auto): one per CPU, at most this many. Each has
# its own GIL, so requests are answered on every core; the limits above are shared out among them.
AUTO_SERVER_PROCESSES = 4
QUEUE_WAITING = waiting_room(SERVER_THREADS, QUERY_QUEUE)
MAX_NESTING = 64  # nested groups, brackets and parentheses in a query text (400 above, checked before parsing)
MAX_HEADER_BYTES = 16_384  # bytes of request line and headers together (431 above)
WORKER_MEMORY_MB = 1_024  # memory a query worker may add to what it shares with the server (stopped above)
CLIENT_BUDGET = 0.0  # seconds of query time per client per BUDGET_WINDOW (0: no budget); 429 once spent
BUDGET_WINDOW = 60.0  # seconds over which a client's query time is counted
BUDGET_LOOPBACK = False  # whether the budget also applies to clients on 127.0.0.1 / ::1
