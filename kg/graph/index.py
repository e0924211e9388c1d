"""One reader of what every interface shows about a term: its label, its alternative labels, its types, and the evidence
behind an asserted triple (the claim, its verbatim quote, offsets and qualifiers).

The pages, the JSON API and the exports all read these here, so a label or a quote cannot differ between them.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg.build.claims import QUALIFIER_PREDICATES
from kg.namespaces import CK, OA, local_name

# A claim's qualifiers: how strongly, how directly, at which dose and in which words the article says it
# (defined with the claim format, kg.build.claims).
QUALIFIERS = QUALIFIER_PREDICATES


# Between the hedges of consecutive steps in a chain summary ("can lead to … disrupts … leading to").
SUMMARY_GAP = " … "
# Between the wordings of two claims that state the same step ("can be toxic to / are associated with").
SAME_STEP = " / "


def qualifier_dict(items) -> dict[str, list[str]]:
    """The qualifiers of some claims (anything with ``.qualifiers`` pairs) by name: "wording", "qualifier",
    "doseCondition", …, each name's values in claim order without repeats."""
    out: dict[str, list[str]] = {}
    for e in items:
        for name, value in e.qualifiers:
            if value not in out.setdefault(name, []):
                out[name].append(value)
    return out


@dataclass(frozen=True)
class ClaimEvidence:
    """A claim behind an asserted triple and the article text that supports it."""

    claim: URIRef
    quote: str
    start: int | None
    end: int | None
    qualifiers: tuple[tuple[str, str], ...] = ()  # (name, value), e.g. ("qualifier", "rarely")


def _preferred(label: Literal) -> tuple:
    # English first, then the smallest: the same choice on every run, whatever order the store gives
    return (getattr(label, "language", None) != "en", label)


def labels(graphs: Iterable[Graph]) -> dict[URIRef, str]:
    """The rdfs:label of every IRI that has one in ``graphs``."""
    found: dict[URIRef, list[Literal]] = defaultdict(list)
    for g in graphs:
        for s, label in g.subject_objects(RDFS.label):
            if isinstance(s, URIRef):
                found[s].append(label)
    return {s: str(min(candidates, key=_preferred)) for s, candidates in found.items()}


def alt_labels(graphs: Iterable[Graph]) -> dict[URIRef, list[str]]:
    """The skos:altLabel values of every term that has them, in the order the graphs give them."""
    found: dict[URIRef, list[str]] = defaultdict(list)
    for g in graphs:
        for s, label in g.subject_objects(SKOS.altLabel):
            found[s].append(str(label))
    return found


def types(graphs: Iterable[Graph]) -> dict[URIRef, set[URIRef]]:
    """The rdf:type classes of every IRI typed in ``graphs`` (pass the asserted graph, and the inferred one too
    when inferred types count)."""
    found: dict[URIRef, set[URIRef]] = defaultdict(set)
    for g in graphs:
        for s, cls in g.subject_objects(RDF.type):
            if isinstance(s, URIRef):
                found[s].add(cls)
    return found


def label(names: dict[URIRef, str], term) -> str:
    """A literal's text, a term's label from ``names``, or else the last part of its IRI."""
    if isinstance(term, Literal):
        return str(term)
    return names[term] if term in names else local_name(term)


def claim_qualifiers(asserted: Graph, claim: URIRef) -> list[tuple[URIRef, Literal]]:
    """(qualifier predicate, value) of a claim, in the order of :data:`QUALIFIERS` (hedge, directness, dose
    condition, wording, object wording), each predicate's values sorted: the one reading of a claim's
    qualifiers, whichever shape the caller then gives them."""
    return [(p, v) for p in QUALIFIERS for v in sorted(asserted.objects(claim, p))]


def evidence(asserted: Graph) -> dict[tuple, list[ClaimEvidence]]:
    """(subject, predicate, object) → the claims that state it, in article order (then by claim IRI)."""
    index: dict[tuple, list[ClaimEvidence]] = defaultdict(list)
    for claim in asserted.subjects(RDF.type, CK.Claim):
        if not isinstance(claim, URIRef):
            continue
        triple = tuple(asserted.value(claim, p) for p in (RDF.subject, RDF.predicate, RDF.object))
        quote, start, end = "", None, None
        for target in asserted.objects(claim, CK.hasEvidence):
            for sel in asserted.objects(target, OA.hasSelector):
                if (sel, RDF.type, OA.TextQuoteSelector) in asserted:
                    quote = str(asserted.value(sel, OA.exact))
                if (sel, RDF.type, OA.TextPositionSelector) in asserted:
                    start, end = int(asserted.value(sel, OA.start)), int(asserted.value(sel, OA.end))
        qualifiers = tuple(sorted((local_name(p), str(v)) for p, v in claim_qualifiers(asserted, claim)))
        index[triple].append(ClaimEvidence(claim, quote, start, end, qualifiers))
    for items in index.values():
        items.sort(key=lambda e: (e.start if e.start is not None else -1, str(e.claim)))
    return index
