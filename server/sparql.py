"""The SPARQL 1.1 Protocol, query operation: GET, POST form, POST application/sparql-query, at /sparql.

Relative IRIs in a query resolve against the endpoint's own URL (its base IRI), so ``CONSTRUCT { <s> <p> 1 }
WHERE {}`` answers one triple. An update sent as ``query`` is not a legal query string: 400 (Protocol
§2.1.7); updates sent the update way (``update=``, ``application/sparql-update``) are refused with 403.

Without a query, GET /sparql answers with the Service Description, or sends a browser to the query page
(``pages.query``). Everything about queries themselves (form, engines, guards,
formats) is in ``kg``; this module reads the request and writes the response.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qs

from flask import Blueprint, Request, Response, current_app, redirect, request, url_for
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, UnsupportedMediaType

from kg.errors import QueryError, UpdateRefused
from kg.query.engines.base import DatasetSpec
from kg.query.executor import Answer
from kg.query.formats import GRAPH, negotiate, parse_accept, quality, result_kind
from kg.query.service_description import service_description
from kg.query.text import QueryShape, shape
from server.state import knowledge

from .cache import remember

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^<>\"{}|^`\\\s]*")
HTML_VIEW = "pages.query"  # the browser's query page


def answer_response(answer: Answer) -> Response:
    """The HTTP response for a query answer; a truncated result says so in headers (and in JSON)."""
    remember()
    response = Response(answer.body, content_type=answer.format.content_type)
    response.headers["Vary"] = "Accept"
    response.headers["X-Crampkg-Rows"] = str(answer.count)
    if answer.truncated:
        response.headers["X-Crampkg-Truncated"] = "true"
        response.headers["X-Crampkg-Max-Rows"] = str(answer.max_rows)
    return response


def utf8(raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"{what} is not UTF-8 (byte {exc.start}); send UTF-8 text") from None


def body_text(what: str) -> str:
    raw = request.get_data(cache=True)
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if limit and len(raw) > limit:  # a chunked body has no Content-Length for Flask to check up front
        raise RequestEntityTooLarge(f"the request body is larger than {limit} bytes")
    return utf8(raw, what)


def form_fields() -> dict[str, list[str]]:
    text = body_text("the form body")
    try:
        return parse_qs(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise BadRequest("a form field is not UTF-8 once percent-decoded; send UTF-8 text") from None


def url_fields() -> dict[str, list[str]]:
    """The query string's parameters, refusing percent-encoded bytes that are not UTF-8 (werkzeug would
    silently replace them)."""
    raw = request.query_string.decode("latin-1")
    try:
        return parse_qs(raw, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise BadRequest("a URL parameter is not UTF-8 once percent-decoded; send UTF-8 text") from None


def graph_names(values: list[str], param: str) -> tuple[str, ...]:
    for v in values:
        if not _ABSOLUTE_IRI.fullmatch(v):
            raise BadRequest(f"{param} must be an absolute IRI, not {v!r}")
    return tuple(values)


def read_request() -> tuple[str | None, DatasetSpec]:
    """The query text (None: none given) and the protocol dataset, or an HTTP error naming the rule."""
    fields = url_fields()
    if request.method == "POST":
        mimetype = request.mimetype
        if mimetype == FORM:
            for key, values in form_fields().items():
                fields.setdefault(key, []).extend(values)
        elif mimetype == SPARQL_QUERY:
            fields.setdefault("query", []).append(body_text("the query"))
        elif mimetype == SPARQL_UPDATE:
            raise UpdateRefused("this endpoint is read-only: application/sparql-update is not accepted")
        elif not mimetype:
            raise UnsupportedMediaType(
                f"POST needs a Content-Type: {SPARQL_QUERY} (the query as body) or {FORM} (query=…)")
        else:
            raise UnsupportedMediaType(
                f"cannot read a {mimetype} body; send {SPARQL_QUERY} (the query as body) or {FORM} (query=…)")
    if "update" in fields:
        raise UpdateRefused("this endpoint is read-only: the `update` parameter is not accepted")
    queries = fields.get("query", [])
    if len(queries) > 1:
        raise BadRequest(f"the request has {len(queries)} `query` parameters; send exactly one")
    default = fields.get("default-graph-uri")
    named = fields.get("named-graph-uri")
    dataset = DatasetSpec(
        graph_names(default, "default-graph-uri") if default is not None else None,
        graph_names(named, "named-graph-uri") if named is not None else None,
    )
    if dataset.given:  # the protocol's dataset replaces the default; a missing half is empty
        dataset = DatasetSpec(dataset.default_graphs or (), dataset.named_graphs or ())
    if not queries:
        return None, dataset
    text = queries[0]
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if limit and len(text.encode("utf-8")) > limit:
        raise RequestEntityTooLarge(f"the query is longer than {limit} bytes")
    return text, dataset


def base_iri(req: Request | None = None) -> str:
    """The endpoint's URL as the client named it: what relative IRIs in a query resolve against. Without a
    usable Host header (werkzeug drops a malformed one), the address the server listens on stands in.
    ``req``: the request (default: the one being served; the /sparql fast path passes its own)."""
    req = request if req is None else req
    if req.host:
        return req.base_url
    name, port = req.environ.get("SERVER_NAME", "127.0.0.1"), req.environ.get("SERVER_PORT", "80")
    name = f"[{name}]" if ":" in name else name
    return f"{req.scheme}://{name}:{port}{req.script_root}{req.path}"


def query_shape(text: str) -> QueryShape:
    """The query's shape; an update in `query` is a malformed query (400), not a refused update (403)."""
    try:
        return shape(text)
    except UpdateRefused as exc:
        raise QueryError(f"{exc}; it was sent as `query`, and a SPARQL update is not a query "
                         "(send SELECT, CONSTRUCT, DESCRIBE or ASK)") from None


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint():
    text, dataset = read_request()
    if text is None:
        if request.method == "POST":
            raise BadRequest("the request has no `query`")
        return describe()
    form = query_shape(text)
    fmt = negotiate(request.headers.get("Accept"), result_kind(form.form))
    return answer_response(knowledge().executor.run(text, fmt, dataset=dataset, base_iri=base_iri()))


def wants_html() -> bool:
    ranges = parse_accept(request.headers.get("Accept"))
    rdf = max(quality((media,), ranges) for media in ("text/turtle", "application/ld+json"))
    return quality(("text/html",), ranges) > rdf or (bool(ranges) and rdf == 0 and
                                                     quality(("text/html",), ranges) > 0)


def describe() -> Response:
    """The Service Description (Turtle, JSON-LD, …), or the HTML query page for a browser."""
    if wants_html():
        return redirect(url_for(HTML_VIEW), code=303)
    fmt = negotiate(request.headers.get("Accept"), GRAPH)
    result = service_description(request.base_url, knowledge().graph_sizes)
    response = Response(fmt.serialize(result), content_type=fmt.content_type)
    response.headers["Vary"] = "Accept"
    return response
