"""Claims: the article's statements, each with its verbatim quote and offsets.

`ontology/claims.ttl` holds one node per claim (rdf:subject, rdf:predicate, rdf:object, ck:quote,
ck:start, qualifiers). It is the single source of truth: :func:`expand_claims` derives from it both the
direct triple and the Web Annotation evidence, after checking every quote against the article, so the two
cannot drift apart.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, SKOS, XSD
from rdflib.term import Node

from kg.errors import BuildError
from kg.namespaces import ARTICLE, CK, OA

# The article's words that qualify a claim, each verbatim from its quote: shown beside the claim everywhere.
QUALIFIER_PREDICATES = (CK.qualifier, CK.directness, CK.doseCondition, CK.wording, CK.objectWording)
# What a claim node in claims.ttl may carry besides its triple and its quote, copied into the asserted graph:
# the qualifiers, the situation it is limited to, and the curator's notes on a reading (ck:CuratorReading).
ANNOTATION_PREDICATES = (*QUALIFIER_PREDICATES, CK.context, SKOS.scopeNote, SKOS.editorialNote, RDF.type)
CONTEXT_CHARS = 32


@dataclass(frozen=True)
class Claim:
    iri: URIRef
    subject: URIRef
    predicate: URIRef
    object: Node
    quote: str
    start: int | None
    qualifiers: tuple[tuple[URIRef, Node], ...] = field(default=())

    @property
    def name(self) -> str:
        return str(self.iri).rsplit("/", 1)[-1]

    @property
    def end(self) -> int:
        return (self.start or 0) + len(self.quote)

    @property
    def triple(self) -> tuple[URIRef, URIRef, Node]:
        return (self.subject, self.predicate, self.object)


def line_of(path: Path, needle: str) -> int | None:
    """The 1-based line of the first line in `path` that mentions `needle`, for error messages."""
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if needle in line:
                return number
    except OSError:
        return None
    return None


def where(path: Path, name: str) -> str:
    line = line_of(path, f"claim:{name} ") or line_of(path, name)
    return f"{path.name}:{line}" if line else path.name


def read_claims(graph: Graph, path: Path) -> list[Claim]:
    """The claim nodes of a parsed claims file, checked for completeness."""
    claims = []
    for node in sorted(set(graph.subjects(RDF.type, CK.Claim))):
        if not isinstance(node, URIRef):
            raise BuildError(f"{path.name}: a claim must have an IRI (claim:<name>), found a blank node")
        name = str(node).rsplit("/", 1)[-1]

        def one(prop: URIRef, what: str, node: URIRef = node, name: str = name) -> Node:
            values = list(graph.objects(node, prop))
            if len(values) != 1:
                raise BuildError(
                    f"{where(path, name)}: claim `{name}` needs exactly one {what}, found {len(values)}"
                )
            return values[0]

        subject, predicate, obj = one(RDF.subject, "rdf:subject"), one(RDF.predicate, "rdf:predicate"), one(
            RDF.object, "rdf:object"
        )
        quote = one(CK.quote, "ck:quote (the verbatim article text)")
        starts = list(graph.objects(node, CK.start))
        if len(starts) > 1:
            raise BuildError(f"{where(path, name)}: claim `{name}` has {len(starts)} ck:start values, keep one")
        start = int(starts[0]) if starts else None
        if not isinstance(subject, URIRef) or not isinstance(predicate, URIRef):
            raise BuildError(f"{where(path, name)}: claim `{name}`: rdf:subject and rdf:predicate must be IRIs")
        unknown = sorted({p for p in graph.predicates(node, None)} - {RDF.subject, RDF.predicate, RDF.object,
                                                                      CK.quote, CK.start, *ANNOTATION_PREDICATES})
        if unknown:
            raise BuildError(
                f"{where(path, name)}: claim `{name}` has {unknown[0].n3()}, which a claim cannot carry; "
                f"use one of {', '.join(p.n3() for p in ANNOTATION_PREDICATES)}"
            )
        qualifiers = tuple(sorted(
            (p, o) for p in ANNOTATION_PREDICATES for o in graph.objects(node, p) if (p, o) != (RDF.type, CK.Claim)
        ))
        claims.append(Claim(node, subject, predicate, obj, str(quote), start, qualifiers))
    return claims


def check_evidence(claims: list[Claim], article: str, path: Path, *, require_offsets: bool = True) -> None:
    """Every quote is verbatim article text and its offsets slice exactly that text."""
    for claim in claims:
        if not claim.quote.strip():
            raise BuildError(f"{where(path, claim.name)}: claim `{claim.name}`: the quote is empty")
        found = article.find(claim.quote)
        if found < 0:
            raise BuildError(
                f"{where(path, claim.name)}: claim `{claim.name}`: quote not found in the article: "
                f"{claim.quote[:80]!r}; copy the text exactly (curly apostrophes included)"
            )
        if claim.start is None:
            if require_offsets:
                raise BuildError(
                    f"{where(path, claim.name)}: claim `{claim.name}` has no ck:start; the quote first occurs "
                    f"at {found} (run scripts/anchor_claims.py to fill offsets in)"
                )
            continue
        if article[claim.start : claim.end] != claim.quote:
            occurrences = [m.start() for m in re.finditer(re.escape(claim.quote), article)]
            raise BuildError(
                f"{where(path, claim.name)}: claim `{claim.name}`: offsets {claim.start}-{claim.end} slice "
                f"{article[claim.start:claim.end][:60]!r}, not the quote; it occurs at {occurrences}"
            )


# Made once: a namespace attribute is a new URIRef at every access, and one term shared by millions of triples
# keeps the graph's memory down and its index lookups on the identity fast path.
TYPE, CLAIM, SUBJECT, PREDICATE, OBJECT = RDF.type, CK.Claim, RDF.subject, RDF.predicate, RDF.object
QUOTED_FROM, CLAIM_OF, HAS_EVIDENCE = PROV.wasQuotedFrom, CK.claimOf, CK.hasEvidence
SPECIFIC_RESOURCE, HAS_SOURCE, HAS_SELECTOR = OA.SpecificResource, OA.hasSource, OA.hasSelector
QUOTE_SELECTOR, EXACT, PREFIX, SUFFIX = OA.TextQuoteSelector, OA.exact, OA.prefix, OA.suffix
POSITION_SELECTOR, START, END, NON_NEGATIVE = OA.TextPositionSelector, OA.start, OA.end, XSD.nonNegativeInteger


def expand_claims(claims: list[Claim], article: str, *, source: URIRef = ARTICLE, into: Graph | None = None) -> Graph:
    """The asserted triples a list of checked claims stands for: direct triples plus evidenced claim nodes
    quoted from `source` (the article's IRI); added to `into` when given (a corpus adds each article's)."""
    g = Graph() if into is None else into
    for c in claims:
        g.add(c.triple)
        g.add((c.iri, TYPE, CLAIM))
        g.add((c.iri, SUBJECT, c.subject))
        g.add((c.iri, PREDICATE, c.predicate))
        g.add((c.iri, OBJECT, c.object))
        for p, o in c.qualifiers:
            g.add((c.iri, p, o))
        g.add((c.iri, QUOTED_FROM, source))
        for about in (c.subject, c.object):
            if isinstance(about, URIRef) and "/id/" in str(about):
                g.add((c.iri, CLAIM_OF, about))
        evidence = URIRef(f"{c.iri}/evidence")
        quote_sel = URIRef(f"{c.iri}/evidence/quote")
        position_sel = URIRef(f"{c.iri}/evidence/position")
        g.add((c.iri, HAS_EVIDENCE, evidence))
        g.add((evidence, TYPE, SPECIFIC_RESOURCE))
        g.add((evidence, HAS_SOURCE, source))
        g.add((evidence, HAS_SELECTOR, quote_sel))
        g.add((evidence, HAS_SELECTOR, position_sel))
        g.add((quote_sel, TYPE, QUOTE_SELECTOR))
        g.add((quote_sel, EXACT, Literal(c.quote)))
        g.add((quote_sel, PREFIX, Literal(article[max(0, c.start - CONTEXT_CHARS) : c.start])))
        g.add((quote_sel, SUFFIX, Literal(article[c.end : c.end + CONTEXT_CHARS])))
        g.add((position_sel, TYPE, POSITION_SELECTOR))
        g.add((position_sel, START, Literal(c.start, datatype=NON_NEGATIVE)))
        g.add((position_sel, END, Literal(c.end, datatype=NON_NEGATIVE)))
    return g
