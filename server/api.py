"""JSON API: causal chains, explanations, entity look-up."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from rdflib import Literal, URIRef

from kg.errors import CrampkgError
from kg.namespaces import DISCLAIMER
from server.state import knowledge

bp = Blueprint("api", __name__, url_prefix="/api")


def required(name: str) -> str:
    value = request.args.get(name)
    if value is None or not value.strip():
        raise CrampkgError(f"missing query parameter `{name}`")
    return value


@bp.get("/paths")
def paths():
    causal = knowledge().causal
    source, target = causal.resolve(required("from")), causal.resolve(required("to"))
    chains = causal.chains(source, target)
    return jsonify(
        {
            "from": {"iri": str(source), "label": causal.label(source)},
            "to": {"iri": str(target), "label": causal.label(target)},
            "chains": [{"text": causal.chain_text(c), "summary": causal.chain_summary(c), "steps": c} for c in chains],
            "disclaimer": DISCLAIMER,
        }
    )


@bp.get("/explain")
def explain():
    causal = knowledge().causal
    s = causal.resolve(required("s"))
    p = URIRef(causal.expand(required("p")))
    o_text = required("o")
    try:
        o = causal.resolve(o_text)
    except CrampkgError:
        o = URIRef(causal.expand(o_text)) if ":" in o_text else Literal(o_text)
    return jsonify({"s": str(s), "p": str(p), "o": str(o), **causal.explain(s, p, o)})


@bp.get("/entities")
def entities():
    causal = knowledge().causal
    q = (request.args.get("q") or "").casefold()
    items = [
        {"iri": str(e), "label": causal.label(e), "alt_labels": sorted(causal.alt_labels.get(e, []))}
        for e in causal.entities()
        if not q or q in causal.label(e).casefold() or any(q in a.casefold() for a in causal.alt_labels.get(e, []))
    ]
    return jsonify({"entities": items})
