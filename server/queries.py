"""The canned query catalogue over HTTP: GET /api/queries (JSON list), GET /api/queries/<name>?param=…"""
from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for

from kg.namespaces import DISCLAIMER
from kg.query.formats import negotiate, result_kind
from server.state import knowledge

from .sparql import answer_response

bp = Blueprint("queries", __name__, url_prefix="/api/queries")


@bp.get("")
def catalogue():
    items = [{**q.as_dict(), "url": url_for("queries.run", name=q.name)} for q in knowledge().catalogue]
    return jsonify({"queries": items, "disclaimer": DISCLAIMER})


@bp.get("/<name>")
def run(name: str):
    k = knowledge()
    query = k.catalogue.get(name)
    bindings = k.catalogue.bind(query, {key: request.args.getlist(key) for key in request.args})
    fmt = negotiate(request.headers.get("Accept"), result_kind(query.form))
    return answer_response(k.executor.run(query.text, fmt, bindings=bindings))
