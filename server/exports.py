"""Exports over HTTP: `GET /export/<format>?content=…&inferred=…`, the export catalogue, and the JSON-LD
context. A thin face over :mod:`kg.export`; answers are kept (Knowledge.derived), since the dataset is read-only."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, redirect, request, url_for

from kg.export import FORMATS, catalogue, download, format_options, get_format
from kg.export.rdf import check_context
from kg.export.selection import parse_content, parse_inferred
from kg.namespaces import CONTEXT_PATH, DISCLAIMER
from kg.query.formats import choose, content_type
from server.state import knowledge

bp = Blueprint("exports", __name__)


@bp.get("/export/<fmt>")
def export(fmt: str):
    """`?context=remote` (jsonld): name this server's /context.jsonld instead of embedding the context."""
    # Kept under the checked, normalised selection, never the raw query string: `inferred=TRUE`, `=yes` and
    # `=1` are one download, and a bad value is refused before anything is kept.
    name = get_format(fmt).name
    content = parse_content(request.args.get("content") or FORMATS[name].default_content)
    inferred = parse_inferred(request.args.get("inferred"), content)
    context = request.args.get("context")
    options = format_options(FORMATS[name], {"context": context})
    if options:
        options["context"] = check_context(url_for("exports.context", _external=True) if context == "remote"
                                           else context)
    out = knowledge().derived(("download", name, content, inferred, *sorted(options.items())),
                              lambda: download(name, content, inferred, ds=knowledge().dataset, **options))
    response = Response(out.payload, content_type=content_type(out.media_type))
    response.headers["Content-Disposition"] = f'attachment; filename="{out.filename}"'
    return response


@bp.get("/export/")
@bp.get("/export")
def export_catalogue():
    wants_html = choose(request.headers.get("Accept"), [("application/json",), ("text/html",)]) == 1
    if wants_html:
        return redirect(url_for("pages.exports", **request.args), code=303)
    rows = catalogue_rows(request.args.get("content"), request.args.get("inferred"))
    return jsonify({"formats": rows, "disclaimer": DISCLAIMER})


@bp.get("/context.jsonld")
def context():
    return Response(CONTEXT_PATH.read_bytes(), content_type="application/ld+json")


def catalogue_rows(content: str | None, inferred: str | None) -> list[dict]:
    """Every export format with its size and count, for the JSON catalogue and the export page alike."""
    # Normalised as for downloads; an empty or missing value keeps each format's own default.
    content = parse_content(content) if content else None
    inferred = parse_inferred(inferred, "all") if inferred else None
    return knowledge().derived(("catalogue", content, inferred),
                               lambda: catalogue(content, inferred, ds=knowledge().dataset))


__all__ = ["FORMATS", "bp"]
