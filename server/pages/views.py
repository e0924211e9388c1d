"""Readable descriptions of the graph's resources: what an entity page, a term page or the article view shows.

Everything here works on the built dataset through a :class:`~kg.graph.chains.CausalGraph` (labels, evidence,
explanations) and returns plain dicts and lists, so a web page, the command line or a test can use it. The
HTTP side (:mod:`server.pages.blueprint`) only picks a template or a serializer.
"""
from __future__ import annotations

import math
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from urllib.parse import urlencode

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD

from kg.build.article import article_text, sentences
from kg.build.closure import MATCHES
from kg.errors import NotFound
from kg.export.curies import curie
from kg.graph.chains import CausalGraph
from kg.graph.facts import boolean_facts, is_boolean
from kg.graph.facts import sentence as fact_sentence
from kg.graph.index import claim_qualifiers
from kg.graph.pathways import pathways
from kg.namespaces import CK, CLAIM, ID, OA, ONTOLOGY_IRI, SCHEMA, bind_prefixes
from kg.query.formats import BY_KEY, Result

# The RDF formats a resource page offers: kg.query.formats key -> (media type, file suffix).
# Media types and serializers come from kg.query.formats, the one content-type table.
_SUFFIXES = {"turtle": "ttl", "jsonld": "jsonld", "ntriples": "nt", "rdfxml": "rdf"}
RDF_FORMATS: dict[str, tuple[str, str]] = {key: (BY_KEY[key].media_type, suffix) for key, suffix in _SUFFIXES.items()}
FORMAT_ALIASES = {
    "ttl": "turtle", "json-ld": "jsonld", "nt": "ntriples", "n-triples": "ntriples", "rdf": "rdfxml",
    "xml": "rdfxml", "rdf/xml": "rdfxml", "html": "html",
}

# Outside vocabularies an entity links to, by CURIE prefix (the CURIEs the exports write, kg.export.curies).
VOCABULARY_NAMES = {
    "HP": "HPO", "CHEBI": "ChEBI", "MONDO": "MONDO", "DOID": "Disease Ontology", "UBERON": "UBERON",
    "MAXO": "MAxO", "RO": "Relation Ontology", "MESH": "MeSH", "WIKIDATA": "Wikidata", "biolink": "Biolink",
    "schema": "schema.org",
}

# Readable names for the standard vocabulary a page shows (the dataset has no labels for these).
STANDARD_LABELS = {
    RDF.type: "is a", RDFS.subClassOf: "subclass of", RDFS.subPropertyOf: "sub-property of",
    RDFS.domain: "domain", RDFS.range: "range", RDFS.comment: "comment", OWL.inverseOf: "inverse of",
    OWL.disjointWith: "disjoint with", OWL.equivalentClass: "equivalent class", OWL.Class: "OWL class",
    OWL.ObjectProperty: "object property", OWL.DatatypeProperty: "datatype property",
    OWL.TransitiveProperty: "transitive property", OWL.Ontology: "ontology", OWL.versionIRI: "version IRI",
    OWL.versionInfo: "version", RDF.Statement: "statement", SKOS.closeMatch: "close match",
    SKOS.exactMatch: "exact match", SKOS.broadMatch: "broader match", SKOS.narrowMatch: "narrower match",
    SKOS.relatedMatch: "related match", SKOS.broader: "broader", SKOS.editorialNote: "editorial note",
    SKOS.scopeNote: "scope note", PROV.wasQuotedFrom: "quoted from",
    SCHEMA.doseValue: "dose value", SCHEMA.doseUnit: "dose unit", SCHEMA.frequency: "period",
    SCHEMA.targetPopulation: "target population", SCHEMA.MaximumDoseSchedule: "maximum dose schedule",
}

# Shown in their own sections of a page rather than as links.
_OWN_SECTION = {RDFS.label, SKOS.definition, SKOS.altLabel, RDF.type, *MATCHES}
MATCH_NAMES = {SKOS.exactMatch: "exact match", SKOS.closeMatch: "close match", SKOS.broadMatch: "broader match",
               SKOS.narrowMatch: "narrower match", SKOS.relatedMatch: "related match"}
_CLAIM_PLUMBING = {RDF.subject, RDF.predicate, RDF.object, CK.claimOf, CK.hasEvidence, OA.hasSource}


# ----- names and addresses -----------------------------------------------------------------------------
# crampkg's namespaces and the paths of this server that show their terms; the query page's script links
# result IRIs with the same table (handed to it in the page's data).
LOCAL_PATHS: tuple[tuple[str, str], ...] = ((str(ID), "/id/"), (str(CK), "/ontology/"))


def local_path(term) -> str | None:
    """The path of this server that shows `term`, or None for a term from outside crampkg."""
    if not isinstance(term, URIRef):
        return None
    text = str(term)
    for base, path in LOCAL_PATHS:
        if text.startswith(base) and len(text) > len(base):
            return path + text[len(base):]
    if text == str(ONTOLOGY_IRI):
        return "/ontology"
    return None


def outside_name(term) -> tuple[str, str] | None:
    """(vocabulary, identifier) for an outside identifier such as (`ChEBI`, `CHEBI:27300`)."""
    identifier = curie(str(term))
    vocabulary = VOCABULARY_NAMES.get(identifier.split(":", 1)[0])
    return (vocabulary, identifier) if vocabulary and identifier != str(term) else None


def format_number(value) -> str:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number:,f}".rstrip("0")


def literal_text(lit: Literal) -> str:
    if lit.datatype == XSD.boolean:
        return "yes" if lit.toPython() is True else "no"
    if lit.datatype in (XSD.decimal, XSD.double, XSD.float, XSD.integer, XSD.nonNegativeInteger):
        return format_number(lit)
    return str(lit)


def term_view(causal: CausalGraph, term) -> dict:
    """How to show one RDF term: its text, and where a link to it goes."""
    if isinstance(term, Literal):
        return {"text": literal_text(term), "literal": True, "href": None, "external": False, "iri": None}
    if isinstance(term, BNode):
        return {"text": "(anonymous)", "literal": False, "href": None, "external": False, "iri": None}
    path = local_path(term)
    if path is not None:
        return {"text": causal.label(term), "literal": False, "href": path, "external": False, "iri": str(term)}
    if term in STANDARD_LABELS:
        return {"text": STANDARD_LABELS[term], "literal": False, "href": str(term), "external": True,
                "iri": str(term)}
    named = outside_name(term)
    text = f"{named[1]} ({named[0]})" if named else causal.label(term)
    return {"text": text, "literal": False, "href": str(term), "external": True, "iri": str(term)}


def article_href(claim: str) -> str:
    return f"/article?claim={claim}#claim-{claim}"


def linked(evidence: list[dict]) -> list[dict]:
    """Evidence dicts (:meth:`Evidence.as_dict`), each with the link that marks its quote in the article."""
    return [{**e, "href": article_href(e["claim"])} for e in evidence]


def explorer_href(source: URIRef, target: URIRef, index: int | None = None) -> str:
    """The explorer showing the chains from `source` to `target` (and selecting chain `index` of them)."""
    params = {"from": str(source).removeprefix(str(ID)), "to": str(target).removeprefix(str(ID))}
    if index is not None:
        params["chain"] = str(index)
    return "/?" + urlencode(params)


def pathways_view(causal: CausalGraph, iri: URIRef) -> dict:
    """:func:`kg.pathways.pathways` with links: pages, quotes in the article, the explorer, and for an
    inferred step the explanation of the facts it rests on."""
    found = pathways(causal, iri)

    def step(s: dict) -> dict:
        out = {**s, "from_href": local_path(URIRef(s["from"])), "to_href": local_path(URIRef(s["to"])),
               "evidence": linked(s["evidence"])}
        if not s["asserted"]:
            out["explanation"] = explanation_view(causal, URIRef(s["from"]), URIRef(s["relation"]),
                                                  URIRef(s["to"]))
        return out

    def group(g: dict) -> dict:
        return {"node": {"text": g["label"], "href": local_path(g["node"]), "iri": str(g["node"])},
                "explorer": explorer_href(g["source"], g["target"]),
                "chains": [{"text": c["text"], "steps": [step(s) for s in c["steps"]],
                            "explorer": explorer_href(c["source"], c["target"], c["index"])}
                           for c in g["chains"]]}

    return {"leads_to": [group(g) for g in found["leads_to"]],
            "led_to_by": [group(g) for g in found["led_to_by"]],
            "through": [{"kind": t["kind"], "state": {"text": t["label"], "href": local_path(t["state"])}}
                        for t in found["through"]]}


def evidence_view(causal: CausalGraph, triple) -> list[dict]:
    """The evidence of an asserted triple, with links into the article."""
    return linked([e.as_dict() for e in causal.evidence.get(triple, [])])


def explanation_view(causal: CausalGraph, s, p, o) -> dict | None:
    """The explanation of an inferred triple, with labels and article links for the facts it rests on."""
    try:
        found = causal.explain(s, p, o)
    except NotFound:
        return None
    if found.get("asserted"):
        return None
    because = []
    for fact in found.get("because", []):
        because.append({
            **fact,
            "subject_href": local_path(URIRef(fact["subject"])),
            "object_href": local_path(URIRef(fact["object"])) if fact["object"].startswith("http") else None,
            "evidence": linked(fact["evidence"]),
        })
    return {"rule": found.get("rule"), "rule_text": found.get("rule_text", ""), "because": because}


# ----- one resource as a page --------------------------------------------------------------------------
def _where(causal: CausalGraph, triple) -> str | None:
    if triple in causal.asserted:
        return "asserted"
    if triple in causal.ontology:
        return "ontology"
    if triple in causal.inferred:
        return "inferred"
    return None


def _links(causal: CausalGraph, triples, *, incoming: bool) -> list[dict]:
    groups: dict[URIRef, list[dict]] = defaultdict(list)
    for s, p, o in triples:
        where = _where(causal, (s, p, o))
        other = s if incoming else o
        item = {
            **term_view(causal, other),
            "where": where,
            "asserted": where != "inferred",
            "evidence": evidence_view(causal, (s, p, o)),
            "explanation": explanation_view(causal, s, p, o) if where == "inferred" else None,
        }
        groups[p].append(item)
    out = []
    for p, items in groups.items():
        items.sort(key=lambda i: (not i["asserted"], i["text"].casefold()))
        out.append({"predicate": str(p), "label": STANDARD_LABELS.get(p, causal.label(p)),
                    "href": local_path(p) or str(p),
                    "external": local_path(p) is None, "items": items})
    # asserted relations first, then the inferred-only ones, each by label
    out.sort(key=lambda g: (all(not i["asserted"] for i in g["items"]), g["label"].casefold()))
    return out


def _doses(causal: CausalGraph, iri: URIRef) -> list[dict]:
    union = [causal.asserted, causal.inferred]
    limits = [iri] if any((iri, RDF.type, CK.DoseLimit) in g for g in union) else []
    limits += sorted(causal.asserted.objects(iri, CK.hasUpperLimit))
    limits += sorted(x for state in causal.asserted.objects(iri, CK.exceeds) for x in [state])
    out = []
    seen = set()
    for limit in limits:
        if limit in seen:
            continue
        seen.add(limit)
        a = causal.asserted
        value, unit, period = (a.value(limit, p) for p in (SCHEMA.doseValue, SCHEMA.doseUnit, SCHEMA.frequency))
        if value is None:
            continue
        text = " ".join(str(x) for x in (format_number(value), unit, period) if x is not None)
        details = [str(x) for x in (a.value(limit, CK.limitKind), a.value(limit, SCHEMA.targetPopulation)) if x]
        evidence = []
        for p in (SCHEMA.doseValue, SCHEMA.doseUnit, SCHEMA.frequency):
            evidence += evidence_view(causal, (limit, p, a.value(limit, p)))
        out.append({"limit": term_view(causal, limit), "text": text, "details": details, "evidence": evidence})
    return out


def _types(causal: CausalGraph, iri: URIRef) -> list[dict]:
    out = []
    for g, asserted in ((causal.asserted, True), (causal.ontology, True), (causal.inferred, False)):
        for t in sorted(g.objects(iri, RDF.type)):
            if any(x["iri"] == str(t) for x in out):
                continue
            out.append({**term_view(causal, t), "asserted": asserted,
                        "evidence": evidence_view(causal, (iri, RDF.type, t)),
                        "explanation": None if asserted else explanation_view(causal, iri, RDF.type, t)})
    return out


def _identifiers(causal: CausalGraph, iri: URIRef) -> list[dict]:
    out = []
    for p, kind in MATCH_NAMES.items():
        for o in sorted(set(causal.asserted.objects(iri, p)) | set(causal.ontology.objects(iri, p))):
            named = outside_name(o) or ("", str(o))
            out.append({"iri": str(o), "vocabulary": named[0], "id": named[1], "match": kind})
    return out


def _claim_view(causal: CausalGraph, claim: URIRef) -> dict | None:
    a = causal.asserted
    s, p, o = a.value(claim, RDF.subject), a.value(claim, RDF.predicate), a.value(claim, RDF.object)
    if s is None or p is None or o is None:
        return None
    name = str(claim)[len(str(CLAIM)):]
    evidence = [e for e in causal.evidence.get((s, p, o), []) if e.claim == name]
    quals = {causal.label(q): str(v) for q, v in claim_qualifiers(a, claim)}
    return {"name": name, "href": f"/id/claim/{name}", "subject": term_view(causal, s),
            "sentence": fact_sentence(causal, s, p, o) if is_boolean(o) else None,
            "predicate": {**term_view(causal, p), "text": "is a" if p == RDF.type else causal.label(p)},
            "object": term_view(causal, o),
            "quote": evidence[0].quote if evidence else "", "start": evidence[0].start if evidence else None,
            "end": evidence[0].end if evidence else None, "article_href": article_href(name),
            "qualifiers": quals}


def exists(causal: CausalGraph, iri: URIRef) -> bool:
    return any((iri, None, None) in g for g in (causal.asserted, causal.ontology, causal.inferred))


def describe(causal: CausalGraph, iri: URIRef) -> dict:
    """Everything an entity or term page shows about `iri`, with labels instead of IRIs."""
    if not exists(causal, iri):
        raise NotFound(f"nothing in the graph is called <{iri}>")
    graphs = (causal.asserted, causal.ontology, causal.inferred)
    outgoing = {(iri, p, o) for g in graphs for p, o in g.predicate_objects(iri)
                if p not in _OWN_SECTION and not (isinstance(o, BNode)) and not is_boolean(o)}
    incoming = {(s, p, iri) for g in graphs for s, p in g.subject_predicates(iri)
                if p not in _CLAIM_PLUMBING and not isinstance(s, BNode)}
    is_claim = (iri, RDF.type, CK.Claim) in causal.asserted
    if is_claim:
        outgoing = {t for t in outgoing if t[1] not in _CLAIM_PLUMBING}
    definitions = [str(d) for g in graphs for d in g.objects(iri, SKOS.definition)]
    definitions += [str(d) for g in graphs for d in g.objects(iri, RDFS.comment)]
    claims = sorted(
        (c for c in (_claim_view(causal, c) for c in causal.asserted.subjects(CK.claimOf, iri)) if c),
        key=lambda c: (c["start"] if c["start"] is not None else 0, c["name"]))
    claim = _claim_view(causal, iri) if is_claim else None
    label = (f"{claim['subject']['text']} {claim['predicate']['text']} {claim['object']['text']}" if claim
             else causal.label(iri))
    return {
        "iri": str(iri),
        "label": label,
        "alt_labels": sorted(set(causal.alt_labels.get(iri, []))),
        "definitions": list(dict.fromkeys(definitions)),
        "types": _types(causal, iri),
        "doses": _doses(causal, iri),
        "identifiers": _identifiers(causal, iri),
        "outgoing": _links(causal, outgoing, incoming=False),
        "incoming": _links(causal, incoming, incoming=True),
        "claims": claims,
        "claim": claim,
        # shown as sentences, not among the links
        "facts": [{**f, "evidence": linked(f["evidence"])} for f in boolean_facts(causal, iri)],
        "axioms": _axioms(causal, iri),
    }


def _axioms(causal: CausalGraph, iri: URIRef) -> list[str]:
    """Readable OWL axioms that are blank-node structures (restrictions, property chains)."""
    o = causal.ontology
    out = []
    for lst in o.objects(iri, OWL.propertyChainAxiom):
        out.append("property chain: " + " then ".join(causal.label(p) for p in o.items(lst)))
    for restriction in o.objects(iri, OWL.equivalentClass):
        prop, value = o.value(restriction, OWL.onProperty), o.value(restriction, OWL.hasValue)
        if prop is not None and value is not None:
            out.append(f"equivalent to: everything that is {causal.label(prop)} {causal.label(value)}")
    return out


def resource_graph(causal: CausalGraph, iri: URIRef) -> Graph:
    """The triples about `iri` (outgoing with their blank-node structure, incoming, and a claim's evidence)."""
    out = Graph()
    bind_prefixes(out)
    graphs = (causal.ontology, causal.asserted, causal.inferred)

    def add_closure(subject) -> None:
        for g in graphs:
            for p, o in g.predicate_objects(subject):
                if (subject, p, o) not in out:
                    out.add((subject, p, o))
                    if isinstance(o, BNode):
                        add_closure(o)

    add_closure(iri)
    for g in graphs:
        for s, p in g.subject_predicates(iri):
            out.add((s, p, iri))
    if (iri, RDF.type, CK.Claim) in causal.asserted:
        for g in graphs:
            for s in set(g.subjects()):
                if isinstance(s, URIRef) and str(s).startswith(str(iri) + "/"):
                    add_closure(s)
    return out


def serialize(graph: Graph, fmt: str) -> bytes:
    return BY_KEY[fmt].serialize(Result("CONSTRUCT", triples=sorted(graph)))


# ----- the ontology's terms ----------------------------------------------------------------------------
def ontology_terms(causal: CausalGraph) -> list[dict]:
    """Every class and property of the ontology, grouped by kind, with label and definition."""
    kinds = [(OWL.Class, "Classes"), (OWL.ObjectProperty, "Relations"), (OWL.DatatypeProperty, "Data properties")]
    out = []
    for kind, title in kinds:
        terms = []
        for t in sorted(causal.ontology.subjects(RDF.type, kind)):
            if not isinstance(t, URIRef) or not str(t).startswith(str(CK)):
                continue
            terms.append({"name": str(t)[len(str(CK)):], "iri": str(t), "label": causal.label(t),
                          "definition": str(causal.ontology.value(t, SKOS.definition) or ""),
                          "href": local_path(t)})
        terms.sort(key=lambda x: x["label"].casefold())
        out.append({"title": title, "terms": terms})
    return out


# ----- the article, sentence by sentence, with its evidence spans --------------------------------------
def claim_index(causal: CausalGraph) -> dict[str, dict]:
    """Every claim by name: its triple with labels and links, its quote and offsets."""
    out = {}
    for claim in causal.asserted.subjects(RDF.type, CK.Claim):
        view = _claim_view(causal, claim)
        if view is not None and view["start"] is not None:
            out[view["name"]] = view
    return dict(sorted(out.items(), key=lambda kv: (kv[1]["start"], kv[1]["end"], kv[0])))


def article_layout(claims: dict[str, dict], text: str | None = None) -> list[dict]:
    """The article as blocks (heading, paragraph, list) of sentences, each cut into segments at the edges
    of evidence spans; a segment lists the claims whose quote covers it, and `anchors` the claims whose
    quote starts there."""
    text = article_text() if text is None else text
    blocks: list[dict] = []
    for sentence in sentences(text):
        line = text.count("\n", 0, sentence.start)
        edges = {sentence.start, sentence.end}
        spans = []
        for name, c in claims.items():
            lo, hi = max(c["start"], sentence.start), min(c["end"], sentence.end)
            if lo < hi:
                spans.append((name, lo, hi, c["start"] >= sentence.start))
                edges |= {lo, hi}
        cuts = sorted(edges)
        segments = []
        for lo, hi in pairwise(cuts):
            covering = [name for name, a, b, _ in spans if a <= lo and hi <= b]
            anchors = [name for name, a, _, starts_here in spans if a == lo and starts_here]
            segments.append({"text": text[lo:hi], "start": lo, "end": hi, "claims": covering, "anchors": anchors})
        item = {"index": sentence.index, "start": sentence.start, "end": sentence.end, "segments": segments}
        kind = {"sentence": "paragraph", "bullet": "list", "heading": "heading"}[sentence.kind]
        if blocks and blocks[-1]["kind"] == kind and kind != "heading" and (
                kind == "list" or blocks[-1]["line"] == line):
            blocks[-1]["sentences"].append(item)
            blocks[-1]["line"] = line
        else:
            blocks.append({"kind": kind, "line": line, "sentences": [item]})
    return blocks


# ----- warning signs and advice ------------------------------------------------------------------------
def members(causal: CausalGraph, cls: URIRef) -> list[URIRef]:
    found = set(causal.asserted.subjects(RDF.type, cls)) | set(causal.inferred.subjects(RDF.type, cls))
    return sorted((x for x in found if isinstance(x, URIRef)),
                  key=lambda x: min((e.start for k, v in causal.evidence.items() if k[0] == x for e in v),
                                    default=math.inf))
