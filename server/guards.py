"""Guards every answer passes through, whatever WSGI server runs the app: a cap on the size of request
headers (431) and the security headers on every response.

It is WSGI middleware rather than Flask hooks so that it also covers answers made before Flask is entered
(the response cache, the per-client budget, the /sparql fast path) and so that it does not depend on the server
in front: granian reads about 400 KB of headers (server/serving.py lists what it answers itself), waitress
256 KB, other servers other amounts.

The Content-Security-Policy allows only this server's own scripts, styles, images and fetches: no inline
script and no eval, so text reflected into a page can never run. Two inline ``<style>`` elements are allowed,
each by the hash of its exact text: the one Cytoscape adds to position its container, and the one the query
editor's results view (Yasr) adds for its column resizer.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from kg.query import limits
from server.errors import error_answer

# ".__________cytoscape_container { position: relative; }", added by the vendored cytoscape 3.35.0
CYTOSCAPE_STYLE = "'sha256-pgvDUBa4IjFA2yuSJ2cqcyxmNYJMborsd0ORcRv9vw8='"
# Yasr's column-resizer <style> element (vendored @zazuko/yasgui 4.6.2); nothing else inline is allowed.
YASR_STYLE = "'sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk='"
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    f"style-src 'self' {CYTOSCAPE_STYLE} {YASR_STYLE}",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
SECURITY_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),  # frame-ancestors for browsers that predate CSP 2
]
_NAMES = {name.lower() for name, _ in SECURITY_HEADERS}
# Headers WSGI keeps outside HTTP_*; they count towards the cap like any other.
_PLAIN_HEADERS = ("CONTENT_TYPE", "CONTENT_LENGTH")


def header_bytes(environ: dict) -> int:
    """The size of the request's headers as sent (name, ": ", value, CRLF), from the WSGI environ."""
    total = 0
    for key, value in environ.items():
        if key.startswith("HTTP_") or key in _PLAIN_HEADERS:
            name = key[5:] if key.startswith("HTTP_") else key
            total += len(name) + len(str(value)) + 4
    return total


class Guards:
    def __init__(self, app: Callable, max_header_bytes: int) -> None:
        self.app = app
        self.max_header_bytes = max_header_bytes

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        def secured(status: str, headers: list, exc_info=None):
            headers = [(k, v) for k, v in headers if k.lower() not in _NAMES] + SECURITY_HEADERS
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        size = header_bytes(environ)
        if self.max_header_bytes and size > self.max_header_bytes:
            answer = error_answer(environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", ""),
                                  f"the request's headers are {size} bytes, above the {self.max_header_bytes}-byte "
                                  "limit; send fewer or shorter headers (a large Cookie is the usual cause)", 431)
            return answer(environ, secured)
        return self.app(environ, secured)


def init_app(app, max_header_bytes: int = limits.MAX_HEADER_BYTES) -> None:
    """Put the guards in front of everything else in ``app`` (a Flask app); call it last."""
    app.wsgi_app = Guards(app.wsgi_app, max_header_bytes)
