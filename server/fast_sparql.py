"""The common /sparql requests answered without Flask, as WSGI middleware just in front of it.

Why: Flask's request and response objects, routing, context and hooks cost more than a small query does
(profiled under granian: about two thirds of the server process's time on an ad-hoc query went to Flask and
werkzeug). A request with a query (GET ``?query=``, POST ``application/sparql-query`` or a form, with a
Content-Length) and nothing else is read here, checked with the same library functions the Flask view uses
(:func:`~kg.query.text.shape`, :func:`~kg.query.formats.negotiate`, the executor and its guards), and answered with
the same status, headers and bytes (``tests/server/test_fast_sparql.py`` compares them).

Where it sits: innermost of the WSGI layers, right in front of Flask, so that every guard outside Flask applies
to its answers exactly as to the view's: the header cap and the security headers (:mod:`server.guards`), the
per-client budget (:mod:`server.budget`) and the response cache (:mod:`server.cache`). The guards inside the
library apply because it calls the same functions: the nesting, update and SERVICE checks of
:func:`~kg.query.text.shape`, and the executor's time limit, row cap, queue cap and memory cap.

What it refuses to do: decide anything the view decides. Every request it does not fully understand, and every
request that is wrong before evaluation (dataset parameters, bad encodings, oversize, empty, update, SERVICE, not
acceptable, no query), goes on to Flask unchanged, which answers it and says what is wrong. An error met while
evaluating (time limit, busy, syntax) is answered here as Flask's handler would (``server.errors``), so a query is
never run twice.

Headers added by Flask hooks: each ``after_request`` hook must carry a ``headers`` attribute, a function of the
request method giving the headers it adds (as :func:`server.errors.add_cors` does), and there may be no
``before_request``, ``teardown_request`` or URL preprocessor hooks for /sparql. While the app has any other hook,
this path stays off and every request goes through Flask: slower, never different.
"""
from __future__ import annotations

import binascii
import functools
import io
import re
from collections.abc import Callable, Iterable
from urllib.parse import parse_qs

from flask import Flask
from werkzeug.http import HTTP_STATUS_CODES

from kg.errors import CrampkgError
from kg.query.formats import negotiate, result_kind
from kg.query.text import shape

from .cache import MARK
from .errors import RETRY_AFTER_SECONDS
from .sparql import FORM, SPARQL_QUERY, base_iri
from .state import knowledge

PATH = "/sparql"
BLUEPRINTS = (None, "sparql")  # the hooks that apply to /sparql: the app's own and its blueprint's
# What the base IRI of a /sparql request depends on (server.sparql.base_iri reads nothing else).
BASE_IRI_KEYS = ("wsgi.url_scheme", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "SCRIPT_NAME", "PATH_INFO")
MAX_KEPT_BASE_IRIS = 256
# Accept headers whose negotiated format is kept (a client sends the same one on every request).
MAX_KEPT_NEGOTIATIONS = 256
# A percent sign that does not start an escape: urllib leaves it as it is, and so must the quick decoding below.
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def query_fields(query_string: str) -> dict[str, list[str]]:
    """``parse_qs(query_string, keep_blank_values=True, encoding="utf-8", errors="strict")``, and its usual
    case, a query string that is one ``query=`` field, decoded at C speed: urllib decodes ``%XX`` escapes in a
    Python loop, about 13 µs for a 600-character query, a tenth of this path's time in the server process.
    Python's quoted-printable decoder (``binascii.a2b_qp``) does the same for ``=XX``, so the text is rewritten
    into that form (its own ``=`` escaped first, ``+`` a space) when nothing in it could be read differently:
    printable ASCII, no second field, no lone ``%``. Anything else goes to ``parse_qs``; a test holds the two
    equal. UnicodeDecodeError, as from ``parse_qs``, when the escapes are not UTF-8."""
    if (query_string.startswith("query=") and "&" not in query_string and query_string.isascii()
            and query_string.isprintable() and not _LONE_PERCENT.search(query_string)):
        quoted = query_string[6:].replace("=", "=3D").replace("%", "=").replace("+", " ")
        return {"query": [binascii.a2b_qp(quoted.encode("ascii")).decode("utf-8")]}
    return parse_qs(query_string, keep_blank_values=True, encoding="utf-8", errors="strict")


@functools.lru_cache(maxsize=MAX_KEPT_NEGOTIATIONS)
def negotiated(accept: str | None, kind: str):
    """:func:`~kg.query.formats.negotiate`, kept per Accept header and result kind (NotAcceptable is not kept)."""
    return negotiate(accept, kind)


def status_line(code: int) -> str:
    """The status line werkzeug writes for ``code``."""
    return f"{code} {HTTP_STATUS_CODES.get(code, 'UNKNOWN').upper()}"


def header_functions(app: Flask) -> list[Callable[[str], list[tuple[str, str]]]] | None:
    """The functions giving the headers Flask's hooks add to a /sparql answer; None if a hook does more, or if
    the app serves an external store or checks host names (then Flask decides everything)."""
    if any(app.config.get(key) for key in ("ENDPOINT", "TRUSTED_HOSTS", "SERVER_NAME")):
        return None
    for hooks in (app.before_request_funcs, app.teardown_request_funcs, app.url_value_preprocessors):
        if any(hooks.get(name) for name in BLUEPRINTS):
            return None
    functions = []
    for name in BLUEPRINTS:
        for hook in reversed(app.after_request_funcs.get(name, [])):  # Flask runs them last registered first
            headers = getattr(hook, "headers", None)
            if headers is None:
                return None
            functions.append(headers)
    return functions


class FastSparql:
    """WSGI middleware: answers the common /sparql requests itself, hands every other request to ``wsgi_app``."""

    def __init__(self, app: Flask, wsgi_app: Callable, *, enabled: bool = True) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.enabled = enabled  # off: every request goes through Flask (to compare the two, or to rule this out)
        self._headers: list | None = None
        self._base_iris: dict[tuple, str] = {}
        self._checked = False

    @property
    def active(self) -> bool:
        """Whether this path answers at all: decided at the first request, when every hook is registered."""
        if not self._checked:
            self._headers = header_functions(self.app)
            self._checked = True
        return self._headers is not None

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == PATH and self.enabled and self.active:
            answered = self.answer(environ, start_response)
            if answered is not None:
                return answered
        return self.wsgi_app(environ, start_response)

    def query_text(self, environ: dict) -> str | None:
        """The query, when the request is one this path reads; None sends the request to Flask."""
        limit = self.app.config["MAX_CONTENT_LENGTH"]
        try:
            fields = query_fields(environ.get("QUERY_STRING", ""))
            method = environ.get("REQUEST_METHOD")
            if method == "POST":
                mimetype = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
                if mimetype not in (FORM, SPARQL_QUERY):
                    return None
                length = int(environ.get("CONTENT_LENGTH") or -1)
                if length < 0 or (limit and length > limit):
                    return None
                raw = environ["wsgi.input"].read(length)
                environ["wsgi.input"] = io.BytesIO(raw)  # Flask can still read it if the request goes on
                if mimetype == SPARQL_QUERY:
                    if fields:
                        return None
                    fields = {"query": [raw.decode("utf-8")]}
                else:
                    for key, values in parse_qs(raw.decode("utf-8"), keep_blank_values=True, encoding="utf-8",
                                                errors="strict").items():
                        fields.setdefault(key, []).extend(values)
            elif method != "GET":
                return None
        except (UnicodeDecodeError, ValueError):
            return None
        queries = fields.get("query")
        if len(fields) != 1 or queries is None or len(queries) != 1:
            return None
        text = queries[0]
        if (limit and len(text.encode("utf-8")) > limit) or not text.strip():
            return None
        return text

    def answer(self, environ: dict, start_response: Callable) -> list[bytes] | None:
        text = self.query_text(environ)
        if text is None:
            return None
        try:
            fmt = negotiated(environ.get("HTTP_ACCEPT"), result_kind(shape(text).form))
        except CrampkgError:
            return None  # the view says what is wrong
        method = environ["REQUEST_METHOD"]
        try:
            answer = knowledge(self.app).executor.run(text, fmt, base_iri=self.base_iri(environ))
        except CrampkgError as exc:  # as server.errors.error_response words it
            body = (str(exc).rstrip("\n") + "\n").encode("utf-8")
            headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
            if exc.status == 503:
                headers.append(("Retry-After", str(RETRY_AFTER_SECONDS)))
            start_response(status_line(exc.status), self.hooked(headers, method))
            return [body]
        headers = [("Content-Type", fmt.content_type), ("Content-Length", str(len(answer.body))),
                   ("Vary", "Accept"), ("X-Crampkg-Rows", str(answer.count))]
        if answer.truncated:
            headers += [("X-Crampkg-Truncated", "true"), ("X-Crampkg-Max-Rows", str(answer.max_rows))]
        environ[MARK] = True  # the response cache may keep it, as it keeps the view's
        start_response("200 OK", self.hooked(headers, method))
        return [answer.body]

    def base_iri(self, environ: dict) -> str:
        """:func:`server.sparql.base_iri` of the request, kept per host and address: building a werkzeug request
        for it costs as much as the rest of this path, and a server sees few names for itself."""
        key = tuple(environ.get(name) for name in BASE_IRI_KEYS)
        iri = self._base_iris.get(key)
        if iri is None:
            iri = base_iri(self.app.request_class(environ))
            if len(self._base_iris) < MAX_KEPT_BASE_IRIS:  # the Host header is the client's: bound what is kept
                self._base_iris[key] = iri
        return iri

    def hooked(self, headers: list[tuple[str, str]], method: str) -> list[tuple[str, str]]:
        """``headers`` with those the app's hooks add; a header already there is replaced in place, as werkzeug's
        ``headers[name] = value`` does."""
        for function in self._headers or ():
            for name, value in function(method):
                key = name.lower()
                at = next((i for i, h in enumerate(headers) if h[0].lower() == key), None)
                if at is None:
                    headers.append((name, value))
                else:
                    headers[at] = (name, value)
                    headers[at + 1:] = [h for h in headers[at + 1:] if h[0].lower() != key]
        return headers


EXTENSION = "crampkg.fast_sparql"


def init_app(app: Flask, enabled: bool = True) -> None:
    """Put the fast path in front of ``app``'s WSGI callable; call it before any other WSGI layer is added, so
    that every one of them (cache, budget, guards) wraps it."""
    app.wsgi_app = app.extensions[EXTENSION] = FastSparql(app, app.wsgi_app, enabled=enabled)


def layer(app: Flask) -> FastSparql:
    """The fast path of ``app``, wherever it sits among the WSGI layers."""
    return app.extensions[EXTENSION]
