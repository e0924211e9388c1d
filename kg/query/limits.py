"""The limits that keep one request from taking the server down, with their defaults.

The command line (``crampkg serve``), the server's configuration (:data:`server.state.DEFAULTS`) and the
:class:`~kg.query.executor.Executor` all take their defaults from here, so they cannot drift apart.
"""
from __future__ import annotations

QUERY_TIMEOUT = 10.0  # seconds per SPARQL query; a worker that runs longer is killed
QUERY_WORKERS = 2  # worker processes evaluating queries (0: in-process, without a time limit)
QUERY_QUEUE = 6  # queries running or waiting for a worker; one more gets 503 at once (keep below SERVER_THREADS)
MAX_ROWS = 10_000  # result rows (or triples) before an answer is truncated
MAX_REQUEST_BYTES = 1_000_000  # bytes per request body or query text (413 above)
RESPONSE_CACHE = 512  # answers kept by the response cache (the data is read-only); 0 turns it off
SERVER_THREADS = 8  # Python threads the HTTP server runs requests on
