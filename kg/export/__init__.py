"""Exports of the graph to other tools: one registry of formats, shared by the command line and the HTTP server.

>>> sorted(FORMATS) == sorted(['turtle', 'ntriples', 'nquads', 'trig', 'jsonld', 'rdfxml', 'neo4j', 'kgx',
...                            'graphml', 'cytoscape', 'dot', 'mermaid'])
True
>>> FORMATS["turtle"].media_type, FORMATS["neo4j"].multi_file
('text/turtle', True)

Every export is UTF-8 and deterministic: the same graph gives the same bytes.

For an HTTP layer (a few lines each; every bad value raises CrampkgError, whose message lists the valid ones,
to be answered with 400):

- `GET /export/<format>?content=…&inferred=…`: ``payload, media_type, filename = download(format, content,
  inferred)`` (query-string values are accepted as they come: None or "" for the defaults, "true"/"false"/
  "1"/"0"/"yes"/"no"); answer `payload` with `media_type` and ``Content-Disposition: attachment;
  filename="<filename>"``. Multi-file formats (neo4j, kgx) come as a zip.
- `GET /context.jsonld`: ``context_document()`` as application/ld+json (the JSON-LD export embeds it, or,
  with ``context=URL``, names a served copy by its URL).
- the export page: ``catalogue(content, inferred)``: one dict per format (format, description, media_type,
  filename, bytes, triples or nodes/edges, content, inferred); ``CONTENTS`` for the content choices.
Each takes the dataset as `ds=` and keeps nothing: the caller (the server's Knowledge) decides what to keep.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rdflib import Dataset

from ..errors import CrampkgError
from ..query.formats import BY_KEY
from . import diagrams, graphml, kgx, neo4j, rdf
from .files import Export, Payload, write_export, zip_bytes
from .graphml import cytoscape_elements
from .property_graph import PropertyGraph, property_graph
from .rdf import context_document
from .selection import CONTENTS, Selection, parse_content, parse_inferred

__all__ = ["CONTENTS", "FORMATS", "Export", "Format", "PropertyGraph", "catalogue", "context_document",
           "cytoscape_elements", "download", "export_bytes", "format_options", "property_graph", "select",
           "write_export"]

@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    extension: str  # of the single file, or of the folder's name for multi-file formats ("" then)
    multi_file: bool
    family: str  # "rdf", "property graph" or "diagram"
    description: str
    writer: Callable[..., Payload]  # writer(selection, **options)
    default_content: str = "all"
    options: tuple[str, ...] = ()  # the keyword options the writer takes (e.g. jsonld's context)


def _media(key: str) -> str:
    """An RDF syntax's media type, from the one content-type table (kg.query.formats)."""
    return BY_KEY[key].media_type


FORMATS: dict[str, Format] = {f.name: f for f in [
    Format("turtle", _media("turtle"), ".ttl", False, "rdf", "Turtle, the union of the graphs", rdf.turtle),
    Format("ntriples", _media("ntriples"), ".nt", False, "rdf", "N-Triples, sorted lines", rdf.ntriples),
    Format("nquads", _media("nquads"), ".nq", False, "rdf", "N-Quads, named graphs kept", rdf.nquads),
    Format("trig", _media("trig"), ".trig", False, "rdf", "TriG, named graphs kept", rdf.trig),
    Format("jsonld", _media("jsonld"), ".jsonld", False, "rdf",
           "JSON-LD with the crampkg context embedded, named graphs kept", rdf.jsonld, options=("context",)),
    Format("rdfxml", _media("rdfxml"), ".rdf", False, "rdf", "RDF/XML for OWL tools", rdf.rdfxml),
    Format("neo4j", "application/zip", "", True, "property graph",
           "Neo4j admin-import CSVs, import.sh and a Cypher script", neo4j.neo4j),
    Format("kgx", "application/zip", "", True, "property graph", "KGX TSV nodes and edges (Biolink)", kgx.kgx),
    Format("graphml", "application/graphml+xml", ".graphml", False, "property graph",
           "GraphML with typed attributes", graphml.graphml),
    Format("cytoscape", "application/json", ".cyjs", False, "property graph", "Cytoscape.js elements JSON",
           graphml.cytoscape),
    Format("dot", "text/vnd.graphviz", ".dot", False, "diagram", "Graphviz DOT of the causal network",
           diagrams.dot, default_content="causal"),
    Format("mermaid", "text/vnd.mermaid", ".mmd", False, "diagram", "Mermaid flowchart of the causal network",
           diagrams.mermaid, default_content="causal"),
]}


def get_format(name: str) -> Format:
    if name not in FORMATS:
        raise CrampkgError(f"unknown export format {name!r}; valid formats: {', '.join(FORMATS)}")
    return FORMATS[name]


def select(ds: Dataset, content: str | None = None, inferred: bool | str | None = None, *,
           fmt: str | None = None) -> Selection:
    """A checked Selection; content defaults to the format's default, inferred to the content's."""
    if content in (None, ""):
        content = FORMATS[fmt].default_content if fmt in FORMATS else "all"
    content = parse_content(content)
    if not ds.default_union:  # lookups (labels, definitions) read every named graph
        ds.default_union = True
    return Selection(ds, content, parse_inferred(inferred, content))


def _filename(fmt: Format, sel: Selection) -> str:
    return f"crampkg-{fmt.name}-{sel.content}{'' if sel.inferred else '-asserted-only'}{fmt.extension}" \
        if fmt.multi_file else f"crampkg-{sel.content}{'' if sel.inferred else '-no-inferred'}{fmt.extension}"


def format_options(fmt: Format, options: dict) -> dict:
    """The options given (None or "" means not given), checked against what `fmt` takes."""
    given = {k: v for k, v in options.items() if v not in (None, "")}
    for key in given:
        if key not in fmt.options:
            takers = [f.name for f in FORMATS.values() if key in f.options]
            raise CrampkgError(f"{key} applies to the {', '.join(takers)} format only, not to {fmt.name}")
    return given


def export_bytes(fmt: str, content: str | None = None, inferred: bool | str | None = None, *,
                 ds: Dataset | None = None, selection: Selection | None = None, **options: str | None) -> Export:
    """The export of `ds` (or of a ready `selection`) in `fmt`: (payload, media type, file or folder name).

    `content` is "all", "asserted" or "causal" (default: the format's default); `inferred` a bool or a word
    ("true", "false", "1", "0", "yes", "no"; default: the content's default); `options` are the format's own
    (jsonld: ``context="embedded"`` or the URL of a served copy of the context). Bad values raise
    CrampkgError with the valid values in the message."""
    f = get_format(fmt)
    given = format_options(f, options)
    if selection is None and ds is None:
        raise TypeError("export_bytes needs the dataset (ds=) or a selection (selection=)")
    sel = selection or select(ds, content, inferred, fmt=fmt)
    return Export(f.writer(sel, **given), f.media_type, _filename(f, sel))


def download(fmt: str, content: str | None = None, inferred: bool | str | None = None, *, ds: Dataset,
             **options: str | None) -> Export:
    """Like export_bytes, but always one file: multi-file formats come as a zip (application/zip)."""
    out = export_bytes(fmt, content, inferred, ds=ds, **options)
    if isinstance(out.payload, dict):
        return Export(zip_bytes(out.payload, out.filename), "application/zip", out.filename + ".zip")
    return out


def count(fmt: Format, sel: Selection) -> dict:
    if fmt.family == "rdf":
        return {"triples": len(sel.quads), "graphs": len(sel.graph_names)}
    pg = sel.property_graph
    return {"nodes": len(pg.nodes), "edges": len(pg.edges)}


def catalogue(content: str | None = None, inferred: bool | str | None = None, *, ds: Dataset) -> list[dict]:
    """Every format with its media type, file name, size in bytes (of the download) and triple or edge count:
    the data of an export page."""
    rows, selections = [], {}
    for f in FORMATS.values():
        sel = select(ds, content, inferred, fmt=f.name)
        sel = selections.setdefault((sel.content, sel.inferred), sel)
        out = export_bytes(f.name, selection=sel)
        data = zip_bytes(out.payload, out.filename) if isinstance(out.payload, dict) else out.payload
        rows.append({
            "format": f.name, "description": f.description, "family": f.family, "media_type": f.media_type,
            "multi_file": f.multi_file, "files": sorted(out.payload) if isinstance(out.payload, dict) else [],
            "filename": out.filename + (".zip" if f.multi_file else ""), "bytes": len(data),
            "content": sel.content, "inferred": sel.inferred, **count(f, sel),
        })
    return rows
