"""Exports over HTTP: `GET /export/<format>?content=…&inferred=…`, the export catalogue, and the JSON-LD
context. A thin face over :mod:`kg.export`; answers are kept (Knowledge.derived), since the dataset is read-only."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, redirect, request, url_for

from kg.export import FORMATS, catalogue, download
from kg.namespaces import CONTEXT_PATH, DISCLAIMER

from .app import knowledge

bp = Blueprint("exports", __name__)


@bp.get("/export/<fmt>")
def export(fmt: str):
    """`?context=remote` (jsonld): name this server's /context.jsonld instead of embedding the context."""
    content, inferred = request.args.get("content"), request.args.get("inferred")
    options = {}
    if "context" in request.args:
        context = request.args["context"]
        options["context"] = url_for("exports.context", _external=True) if context == "remote" else context
    out = knowledge().derived(("download", fmt, content, inferred, *sorted(options.items())),
                lambda: download(fmt, content, inferred, ds=knowledge().dataset, **options))
    response = Response(out.payload, content_type=_with_charset(out.media_type))
    response.headers["Content-Disposition"] = f'attachment; filename="{out.filename}"'
    return response


@bp.get("/export/")
@bp.get("/export")
def export_catalogue():
    wants_html = request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"
    if wants_html and "pages.exports" in current_app.view_functions:
        return redirect(url_for("pages.exports", **request.args), code=303)
    rows = catalogue_rows(request.args.get("content"), request.args.get("inferred"))
    return jsonify({"formats": rows, "disclaimer": DISCLAIMER})


@bp.get("/context.jsonld")
def context():
    return Response(CONTEXT_PATH.read_bytes(), content_type="application/ld+json")


def catalogue_rows(content: str | None, inferred: str | None) -> list[dict]:
    """Every export format with its size and count, for the JSON catalogue and the export page alike."""
    content, inferred = content or None, inferred or None
    return knowledge().derived(("catalogue", content, inferred),
                               lambda: catalogue(content, inferred, ds=knowledge().dataset))


def _with_charset(media_type: str) -> str:
    textual = media_type.startswith("text/") or media_type.endswith(("+json", "+xml", "/json", "/xml"))
    return f"{media_type}; charset=utf-8" if textual and "charset" not in media_type else media_type


__all__ = ["FORMATS", "bp"]
