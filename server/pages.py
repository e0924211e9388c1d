"""Web pages: the causal chain explorer, the article view, entity and term pages, the query page, advice.

Server-rendered HTML (Jinja, autoescaped) that works without JavaScript; the scripts in ``static/`` add the
graph drawing, selection and the query editor. Every page carries the disclaimer. Entity and term pages
negotiate their format on the same URL: HTML for browsers, Turtle / JSON-LD / N-Triples / RDF/XML for RDF
clients, with ``?format=`` to override.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from rdflib import URIRef

from kg import describe as kd
from kg.chains import Ambiguous, NotFound
from kg.errors import CrampkgError
from kg.namespaces import CK, DISCLAIMER, GRAPH_ONTOLOGY, ID, ONTOLOGY_IRI, QUERIES_DIR, bind_prefixes
from kg.network import causal_network_elements, edge_id
from kg.store import StoreError

from .app import knowledge

bp = Blueprint("pages", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static")

PAGE_DISCLAIMER = f"{DISCLAIMER} It says what the article says, no more. Ask a healthcare provider about your own situation."
DEFAULT_FROM, DEFAULT_TO = "vitamin-d", "leg-cramp"
HTML_TYPES = ("text/html", "application/xhtml+xml")


@bp.app_context_processor
def common() -> dict:
    return {"disclaimer": PAGE_DISCLAIMER,
            "nav": [("pages.explorer", "Causal chains"), ("pages.article", "Article"),
                    ("pages.ontology", "Ontology"), ("pages.query", "Query"), ("pages.exports", "Download"),
                    ("pages.advice", "Warning signs")]}


# ----- content negotiation -----------------------------------------------------------------------------
def wanted_format() -> str:
    """`html` or a key of kg.describe.RDF_FORMATS, from ?format= or else the Accept header."""
    asked = (request.args.get("format") or "").strip().lower()
    if asked:
        name = kd.FORMAT_ALIASES.get(asked, asked)
        if name != "html" and name not in kd.RDF_FORMATS:
            valid = ", ".join(["html", *kd.RDF_FORMATS])
            raise CrampkgError(f"unknown format {asked!r}; use one of: {valid}")
        return name
    offered = [*HTML_TYPES, *(media for media, _, _ in kd.RDF_FORMATS.values())]
    if not request.accept_mimetypes:  # no Accept header: a browser-like default
        return "html"
    best = request.accept_mimetypes.best_match([*offered, "application/json"])
    if best == "application/json":
        return "jsonld"
    if best is None:
        abort(406, description="this page is available as HTML, " + ", ".join(offered[2:]))
    if best in HTML_TYPES:
        return "html"
    return next(name for name, (media, _, _) in kd.RDF_FORMATS.items() if media == best)


def rdf_response(graph, fmt: str, name: str) -> Response:
    media_type, _, suffix = kd.RDF_FORMATS[fmt]
    response = Response(kd.serialize(graph, fmt), mimetype=media_type)
    if media_type.startswith("text/"):
        response.headers["Content-Type"] = f"{media_type}; charset=utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="{name}.{suffix}"'
    response.headers["Vary"] = "Accept"
    return response


def alternates(path: str) -> list[dict]:
    return [{"href": f"{path}?format={name}", "type": media, "name": name}
            for name, (media, _, _) in kd.RDF_FORMATS.items()]


def html(template: str, status: int = 200, **context) -> Response:
    response = Response(render_template(template, **context), status=status, mimetype="text/html")
    response.headers["Vary"] = "Accept"
    return response


# ----- the causal chain explorer -----------------------------------------------------------------------
@bp.get("/")
def explorer():
    causal = knowledge().causal
    asked_from = request.args.get("from") or DEFAULT_FROM
    asked_to = request.args.get("to") or DEFAULT_TO
    error, chains, source, target = None, [], None, None
    try:
        source, target = causal.resolve(asked_from), causal.resolve(asked_to)
        chains = causal.chains(source, target)
    except (NotFound, Ambiguous, CrampkgError) as exc:
        error = str(exc)
    direct = []
    if source is not None and target is not None and not chains:
        for s_, o_ in ((source, target), (target, source)):
            for p in sorted(set(causal.asserted.predicates(s_, o_))):
                direct.append({"subject": kd.term_view(causal, s_), "object": kd.term_view(causal, o_),
                               "relation": kd.STANDARD_LABELS.get(p, causal.label(p)),
                               "evidence": [{**e.as_dict(), "href": kd.article_href(e.claim)}
                                            for e in causal.evidence.get((s_, p, o_), [])]})
    elements = network_elements()
    edges = {e["data"]["id"]: e["data"] for e in elements["edges"]}
    listed = []
    for chain in chains:
        steps = []
        for step in chain:
            eid = edge_id(step)
            data = edges.get(eid) or {}
            steps.append({**step, "id": eid, "from_href": kd.local_path(URIRef(step["from"])),
                          "to_href": kd.local_path(URIRef(step["to"])),
                          "evidence": data.get("evidence", []), "explanation": data.get("explanation")})
        listed.append({"text": causal.chain_text(chain), "steps": steps})
    entities = [{"slug": str(e)[len(str(ID)):], "label": causal.label(e)} for e in causal.entities()
                if "/" not in str(e)[len(str(ID)):]]
    relations = sorted({(e["data"]["relation_key"], e["data"]["relation_label"]) for e in elements["edges"]},
                       key=lambda r: r[1])
    state = {"from": str(source)[len(str(ID)):] if source else asked_from,
             "to": str(target)[len(str(ID)):] if target else asked_to}
    return html("explorer.html", status=400 if error else 200, error=error, chains=listed, direct=direct,
                source=causal.label(source) if source else asked_from,
                target=causal.label(target) if target else asked_to,
                entities=entities, relations=relations, elements=elements,
                chain_ids=[[s["id"] for s in c["steps"]] for c in listed], state=state)


def cached(name, make):
    """A value computed once per loaded dataset (the pages' own derived views of it)."""
    return knowledge().derived(("pages", name), make)


def network_elements() -> dict:
    return cached("elements", lambda: causal_network_elements(knowledge().causal))


# ----- the article -------------------------------------------------------------------------------------
@bp.get("/article")
def article():
    claims = cached("claims", lambda: kd.claim_index(knowledge().causal))
    layout = cached("layout", lambda: kd.article_layout(claims))
    marked = request.args.get("claim") or ""
    return html("article.html", blocks=layout, claims=claims, marked=marked if marked in claims else "")


# ----- entity and term pages ---------------------------------------------------------------------------
@bp.get("/id/<path:slug>")
def entity(slug: str):
    iri = ID[slug]
    return resource_page(iri, f"/id/{slug}", slug.replace("/", "-"))


@bp.get("/ontology/<name>")
def term(name: str):
    return resource_page(CK[name], f"/ontology/{name}", name)


@bp.get("/ontology")
def ontology():
    causal = knowledge().causal
    fmt = wanted_format()
    if fmt != "html":
        graph = knowledge().dataset.graph(GRAPH_ONTOLOGY)
        out = graph.__class__()
        bind_prefixes(out)
        for t in graph:
            out.add(t)
        return rdf_response(out, fmt, "crampkg-ontology")
    header = kd.describe(causal, ONTOLOGY_IRI) if kd.exists(causal, ONTOLOGY_IRI) else None
    return html("ontology.html", groups=kd.ontology_terms(causal), header=header,
                alternates=alternates("/ontology"))


def resource_page(iri: URIRef, path: str, name: str):
    causal = knowledge().causal
    fmt = wanted_format()
    if not kd.exists(causal, iri):
        if fmt == "html":
            return html("error.html", status=404, title="Not found",
                        message=f"Nothing in crampkg is called {path}.")
        return Response(f"nothing in the graph is called <{iri}>\n", status=404, mimetype="text/plain")
    if fmt != "html":
        return rdf_response(kd.resource_graph(causal, iri), fmt, name)
    return html("entity.html", d=kd.describe(causal, iri), alternates=alternates(path),
                is_term=str(iri).startswith(str(CK)))


# ----- query page --------------------------------------------------------------------------------------
@bp.get("/query")
def query():
    files = sorted(QUERIES_DIR.glob("*.rq")) if QUERIES_DIR.is_dir() else []
    sources = [{"name": f.stem, "text": f.read_text(encoding="utf-8")} for f in files]
    causal = knowledge().causal
    labels = cached("labels", lambda: {str(k): v for k, v in sorted(causal.labels.items())})
    return html("query.html", sources=sources, labels=labels)


# ----- warning signs and advice ------------------------------------------------------------------------
@bp.get("/advice")
def advice():
    causal = knowledge().causal

    def section(cls):
        return [kd.describe(causal, x) for x in kd.members(causal, cls)]

    return html("advice.html", signs=section(CK.WarningSign), prevention=section(CK.PreventiveMeasure),
                recommendations=section(CK.Recommendation))


@bp.get("/exports")
def exports():
    """Every export format with its size and triple or edge count, for the chosen content."""
    from kg.export import CONTENTS

    from .exports import catalogue_rows

    content, inferred = request.args.get("content") or None, request.args.get("inferred") or None
    rows = catalogue_rows(content, inferred)
    return html("exports.html", title="Download the graph", rows=rows, contents=CONTENTS, content=content or "",
                inferred=inferred or "")


@bp.errorhandler(StoreError)
def store_error(exc: StoreError):
    return html("error.html", status=exc.status, title="The triple store is not answering", message=str(exc))


@bp.errorhandler(NotFound)
def page_not_found(exc):
    return html("error.html", status=404, title="Not found", message=str(exc))


@bp.errorhandler(Ambiguous)
@bp.errorhandler(CrampkgError)
def page_error(exc):
    return html("error.html", status=400, title="Bad request", message=str(exc))
