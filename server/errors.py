"""How the server answers errors, once: library errors by their status, HTTP errors as plain text or JSON on
the machine routes and as the site's error page elsewhere, and the CORS headers every answer carries."""
from __future__ import annotations

import json

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from kg.errors import CrampkgError

# A 503 is a full queue or a killed worker: both clear within a second or so, so clients may retry that soon.
RETRY_AFTER_SECONDS = 1
# How long a browser may reuse a CORS preflight answer: a day, as the answer never changes while the server runs.
CORS_MAX_AGE_SECONDS = 86_400
# Routes for programs: their HTTP errors are plain text or JSON, never an HTML page.
MACHINE_PATHS = ("/sparql", "/api", "/openapi.json", "/export/", "/context.jsonld")
# Where the pages blueprint leaves its renderer of an HTTP error as a site page (status, name, description):
# every other path a person may type gets the site's layout, navigation and disclaimer, not Werkzeug's bare page.
ERROR_PAGE = "crampkg.error_page"


def error_answer(path: str, method: str, message: str, status: int) -> Response:
    """The error answer for a request to ``path``: JSON under /api, a plain message elsewhere (the SPARQL
    protocol's errors are plain text), with the CORS headers. It needs no request context, so the middleware
    in front of Flask (the header cap, the client budget) answers the same way as the views."""
    if path.startswith("/api"):  # as Flask's jsonify writes it
        body, content_type = json.dumps({"error": message}, separators=(",", ":")) + "\n", "application/json"
    else:
        body, content_type = message.rstrip("\n") + "\n", "text/plain; charset=utf-8"
    response = Response(body, status=status, content_type=content_type)
    if status in (502, 503, 504):  # a busy server or a store that is away: both may be back in a moment
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return cors(response, method)


def error_response(message: str, status: int) -> Response:
    """:func:`error_answer` for the request being served."""
    return error_answer(request.path, request.method, message, status)


def cors(response: Response, method: str) -> Response:
    """Any origin may GET and POST; credentials are never allowed."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    if method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
        response.headers["Access-Control-Max-Age"] = str(CORS_MAX_AGE_SECONDS)
    response.headers["Access-Control-Expose-Headers"] = "X-Crampkg-Truncated, X-Crampkg-Max-Rows, X-Crampkg-Rows"
    return response


def add_cors(response: Response) -> Response:
    return cors(response, request.method)


def init_app(app: Flask) -> None:
    """Register the error handlers and the CORS headers on ``app``."""
    app.after_request(add_cors)

    @app.errorhandler(CrampkgError)
    def library_error(exc: CrampkgError):
        return error_response(str(exc), exc.status)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status, message = exc.code or 500, exc.description or exc.name
        page = app.extensions.get(ERROR_PAGE)
        if request.path.startswith(MACHINE_PATHS):
            response = error_response(message, status)
        elif page is not None:
            response = page(status, exc.name, message)
        else:
            return exc  # an app without the pages blueprint keeps Werkzeug's page
        if exc.code == 405:
            response.headers["Allow"] = ", ".join(exc.valid_methods or ())
        return response
