"""How the server answers errors, once: library errors by their status, HTTP errors as plain text or JSON on
the machine routes (pages keep their HTML error pages), and the CORS headers every answer carries."""
from __future__ import annotations

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from kg.errors import CrampkgError
from kg.graph.chains import Ambiguous, NotFound
from kg.query.catalogue import UnknownQuery
from kg.query.executor import Overloaded, QueryTimeout
from kg.query.formats import NotAcceptable
from kg.query.text import UpdateRefused

# Which status each library error becomes, at this one edge.
STATUS = [
    (QueryTimeout, 503), (Overloaded, 503), (UpdateRefused, 403), (NotAcceptable, 406),
    (UnknownQuery, 404), (NotFound, 404), (Ambiguous, 400), (CrampkgError, 400),
]


MACHINE_PATHS = ("/sparql", "/api", "/openapi.json", "/export/", "/context.jsonld")  # their HTTP errors are plain text or JSON


def error_response(message: str, status: int) -> Response:
    """JSON under /api, a plain message elsewhere (the SPARQL protocol's errors are plain text)."""
    if request.path.startswith("/api"):
        response = jsonify(error=message)
    else:
        response = Response(message.rstrip("\n") + "\n", content_type="text/plain; charset=utf-8")
    response.status_code = status
    if status == 503:
        response.headers["Retry-After"] = "1"
    return response


def add_cors(response: Response) -> Response:
    """Any origin may GET and POST; credentials are never allowed."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
        response.headers["Access-Control-Max-Age"] = "86400"
    response.headers["Access-Control-Expose-Headers"] = "X-Crampkg-Truncated, X-Crampkg-Max-Rows, X-Crampkg-Rows"
    return response


def init_app(app: Flask) -> None:
    """Register the error handlers and the CORS headers on ``app``."""
    app.after_request(add_cors)

    @app.errorhandler(CrampkgError)
    def library_error(exc: CrampkgError):
        status = next(code for kind, code in STATUS if isinstance(exc, kind))
        return error_response(str(exc), status)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if not request.path.startswith(MACHINE_PATHS):
            return exc  # pages keep Flask's (or their own blueprint's) error pages
        response = error_response(exc.description or exc.name, exc.code or 500)
        if exc.code == 405:
            response.headers["Allow"] = ", ".join(exc.valid_methods or ())
        return response
