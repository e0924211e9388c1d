"""A response cache in front of the application (WSGI middleware): the dataset is read-only, so a
successful query answer depends only on the request — method, host, path and query string, Accept,
Content-Type and body.
Over an external store (``crampkg serve --endpoint``) the graphs can be replaced by a new load, so answers
are kept only as long as the server may go without checking for one (``ttl``).

A hit is answered before Flask is entered: no routing, request parsing, query checks, parameter binding,
negotiation or worker round trip, which together are most of the cost of a small query. Only answers the
views mark with :func:`remember` are kept, and only with status 200; errors are always recomputed.
"""
from __future__ import annotations

import io
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

from flask import request

MAX_BODY = 1_000_000  # bytes: larger answers (and request bodies) pass through uncached
MARK = "crampkg.cacheable"


def remember() -> None:
    """Mark this request's answer as cacheable (called by the query views)."""
    request.environ[MARK] = True


class ResponseCache:
    def __init__(self, app: Callable, size: int, ttl: float | None = None) -> None:
        self.app = app
        self.size = size
        self.ttl = ttl  # seconds an answer is kept (None: for ever, the build being read-only)
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def _key(self, environ: dict) -> tuple | None:
        method = environ.get("REQUEST_METHOD")
        body = b""
        if method == "POST":
            try:
                length = int(environ.get("CONTENT_LENGTH") or -1)
            except ValueError:
                return None
            if length < 0 or length > MAX_BODY:
                return None  # chunked or large: let the application check and answer it
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)
        elif method != "GET":
            return None
        return (method, environ.get("HTTP_HOST", ""), environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""),
                environ.get("QUERY_STRING", ""), environ.get("HTTP_ACCEPT", ""), environ.get("CONTENT_TYPE", ""),
                body)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        key = self._key(environ)
        if key is not None:
            with self._lock:
                hit = self._items.get(key)
                if hit is not None and self.ttl is not None and time.monotonic() - hit[3] > self.ttl:
                    del self._items[key]
                    hit = None
                if hit is not None:
                    self._items.move_to_end(key)
            if hit is not None:
                status, headers, body, _ = hit
                start_response(status, headers)
                return [body]
        captured: dict = {}

        def capture(status: str, headers: list, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        result = self.app(environ, capture)
        if key is None or not environ.get(MARK) or not captured.get("status", "").startswith("200"):
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        if len(body) <= MAX_BODY:
            with self._lock:
                self._items[key] = (captured["status"], captured["headers"], body, time.monotonic())
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return [body]


def init_app(app, size: int, ttl: float | None = None) -> None:
    """Put the cache in front of ``app`` (a Flask app); ``size`` 0 leaves it out; ``ttl`` bounds an answer's age."""
    if size > 0:
        app.wsgi_app = ResponseCache(app.wsgi_app, size, ttl)
