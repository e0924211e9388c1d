"""GET /api/complete: what the query page's editor offers as you type, from this server's own graph.

A thin face over :mod:`kg.query.completion`; its answers are cached with the other read-only answers.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from kg.errors import CompletionError
from kg.query.completion import CONTROL_CHARS, DEFAULT_LIMIT, KINDS, MAX_LIMIT, MAX_TEXT
from server.cache import remember
from server.state import knowledge

bp = Blueprint("completion", __name__, url_prefix="/api")

TERM = {"type": "object", "required": ["kind", "curie", "iri", "label", "alt_labels"],
        "properties": {"kind": {"type": "string", "enum": list(KINDS)},
                       "curie": {"type": "string", "description": "what to insert: a CURIE, `prefix:` or <iri>"},
                       "iri": {"type": "string"}, "label": {"type": "string"},
                       "alt_labels": {"type": "array", "items": {"type": "string"}}}}


def openapi_path(errors: dict) -> dict:
    """This endpoint in /openapi.json (`errors` are the document's shared error responses)."""
    return {"get": {
        "summary": "Completions for a SPARQL editor: prefixes, classes, properties, entities by label",
        "description": "Answered from this server's graph only. `q` is what was typed: the start of a prefix, "
                       "a CURIE (`ck:Sub`), an IRI (`<https://…`), or any part of a label or alternative "
                       "label (`thiam` finds `id:vitamin-b1`). Best matches first.",
        "parameters": [
            {"name": "kind", "in": "query", "required": True, "schema": {"type": "string", "enum": list(KINDS)}},
            {"name": "q", "in": "query", "required": False, "description": "the text typed (may be empty)",
             "schema": {"type": "string", "maxLength": MAX_TEXT, "pattern": f"^[^{CONTROL_CHARS}]*$"}},
            {"name": "limit", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}}],
        "responses": {"200": {"description": "the completions", "content": {"application/json": {"schema": {
            "type": "object", "required": ["kind", "q", "completions"],
            "properties": {"kind": {"type": "string"}, "q": {"type": "string"},
                           "completions": {"type": "array", "items": TERM}}}}}},
            **errors}}}


def parsed_limit() -> int:
    text = request.args.get("limit")
    if text is None or text == "":
        return DEFAULT_LIMIT
    if not text.isascii() or not text.strip().isdigit():
        raise CompletionError(f"`limit` must be a whole number from 1 to {MAX_LIMIT}, not {text[:40]!r}")
    return int(text)


@bp.get("/complete")
def complete():
    kind, text = request.args.get("kind"), request.args.get("q", "")
    terms = knowledge().completions.complete(kind, text, limit=parsed_limit())
    remember()
    return jsonify({"kind": kind, "q": text, "completions": [t.as_dict() for t in terms]})
