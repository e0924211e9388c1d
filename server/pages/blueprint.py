"""Web pages: the causal chain explorer, the article view, entity and term pages, the query page, advice.

Server-rendered HTML (Jinja, autoescaped) that works without JavaScript; the scripts in ``static/`` add the
graph drawing, selection and the query editor. Every page carries the disclaimer. Entity and term pages
negotiate their format on the same URL: HTML for browsers, Turtle / JSON-LD / N-Triples / RDF/XML for RDF
clients, with ``?format=`` to override.
"""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from rdflib import URIRef
from rdflib.namespace import RDF

from kg.errors import CrampkgError, NotAcceptable
from kg.export import CONTENTS
from kg.namespaces import CK, DISCLAIMER, GRAPH_ONTOLOGY, ID, ONTOLOGY_IRI, bind_prefixes, slug
from kg.query.formats import choose, content_type
from server.errors import ERROR_PAGE, error_response
from server.exports import catalogue_rows
from server.pages import views as kd
from server.pages.network import causal_network_elements, edge_id
from server.state import knowledge

bp = Blueprint("pages", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static")

PAGE_DISCLAIMER = (f"{DISCLAIMER} It says what the article says, no more. "
                   "Ask a healthcare provider about your own situation.")
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
    """`html` or a key of views.RDF_FORMATS, from ?format= or else the Accept header."""
    asked = (request.args.get("format") or "").strip().lower()
    if asked:
        name = kd.FORMAT_ALIASES.get(asked, asked)
        if name != "html" and name not in kd.RDF_FORMATS:
            valid = ", ".join(["html", *kd.RDF_FORMATS])
            raise CrampkgError(f"unknown format {asked!r}; use one of: {valid}")
        return name
    # HTML first, so that no Accept header (or */*) gets the page; plain JSON gets JSON-LD
    names = ["html", "html", *kd.RDF_FORMATS, "jsonld"]
    offered = [*HTML_TYPES, *(media for media, _ in kd.RDF_FORMATS.values()), "application/json"]
    best = choose(request.headers.get("Accept"), [(media,) for media in offered])
    if best is None:
        raise NotAcceptable("this page is available as HTML, " + ", ".join(offered[2:-1]))
    return names[best]


def rdf_response(graph, fmt: str, name: str) -> Response:
    media_type, suffix = kd.RDF_FORMATS[fmt]
    response = Response(kd.serialize(graph, fmt), content_type=content_type(media_type))
    response.headers["Content-Disposition"] = f'inline; filename="{name}.{suffix}"'
    response.headers["Vary"] = "Accept"
    return response


def alternates(path: str) -> list[dict]:
    return [{"href": f"{path}?format={name}", "type": media, "name": name}
            for name, (media, _) in kd.RDF_FORMATS.items()]


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
    except CrampkgError as exc:
        error = str(exc)
    direct = []
    if source is not None and target is not None and not chains:
        for s_, o_ in ((source, target), (target, source)):
            for p in sorted(set(causal.asserted.predicates(s_, o_))):
                direct.append({"subject": kd.term_view(causal, s_), "object": kd.term_view(causal, o_),
                               "relation": kd.STANDARD_LABELS.get(p, causal.label(p)),
                               "evidence": kd.evidence_view(causal, (s_, p, o_))})
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
        listed.append({"text": causal.chain_text(chain), "summary": causal.chain_summary(chain), "steps": steps})
    entities = [{"slug": slug(e), "label": causal.label(e)} for e in causal.entities() if "/" not in slug(e)]
    relations = sorted({(e["data"]["relation_key"], e["data"]["relation_label"]) for e in elements["edges"]},
                       key=lambda r: r[1])
    state = {"from": slug(source) if source else asked_from, "to": slug(target) if target else asked_to}
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
    is_term = str(iri).startswith(str(CK))
    is_entity = not is_term and (iri, RDF.type, CK.Claim) not in causal.asserted
    # computed per request like the rest of the page (a few milliseconds): one kept view per entity would
    # crowd the exports out of the bounded cache of derived views
    return html("entity.html", d=kd.describe(causal, iri), alternates=alternates(path), is_term=is_term,
                pathways=kd.pathways_view(causal, iri) if is_entity else None)


# ----- query page --------------------------------------------------------------------------------------
@bp.get("/query")
def query():
    sources = [{"name": q.name, "text": q.text} for q in knowledge().catalogue]
    causal = knowledge().causal
    labels = cached("labels", lambda: {str(k): v for k, v in sorted(causal.labels.items())})
    return html("query.html", sources=sources, labels=labels, local=kd.LOCAL_PATHS)


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
    content, inferred = request.args.get("content") or None, request.args.get("inferred") or None
    rows = catalogue_rows(content, inferred)
    return html("exports.html", title="Download the graph", rows=rows, contents=CONTENTS, content=content or "",
                inferred=inferred or "")


# anything else a page refuses is a bad request
ERROR_TITLES = {404: "Not found", 500: "Server error", 502: "The triple store is not answering",
                504: "The triple store is not answering"}


def error_page(status: int, name: str, message: str) -> Response:
    """An HTTP error outside the machine routes (an unknown address, a method a page does not take) as a page
    of the site, with its navigation and disclaimer."""
    if status == 404:
        message = f"There is no page at {request.path}. The pages of crampkg are in the menu above."
    return html("error.html", status=status, title=ERROR_TITLES.get(status, name), message=message)


@bp.record_once
def register_error_page(state) -> None:
    state.app.extensions[ERROR_PAGE] = error_page


@bp.errorhandler(CrampkgError)
def page_error(exc: CrampkgError):
    if isinstance(exc, NotAcceptable):  # the client takes no HTML: say it in plain text, as the machine routes do
        return error_response(str(exc), exc.status)
    return html("error.html", status=exc.status, title=ERROR_TITLES.get(exc.status, "Bad request"), message=str(exc))
