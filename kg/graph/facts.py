"""Boolean facts as sentences: "vitamin D accumulates in the body", never "accumulates in the body: yes".

A true-or-false property reads as what it says about its subject. The phrase for each boolean property of the
ontology is written here once (a label such as "excreted more rapidly" is not a verb phrase), and a test checks
that every boolean property the ontology declares has one; an unknown property still reads as a sentence.
"""
from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kg.graph.chains import CausalGraph
from kg.namespaces import CK

# property → (what it says when true, what it says when false)
PHRASES: dict[URIRef, tuple[str, str]] = {
    CK.accumulatesInBody: ("accumulates in the body", "does not accumulate in the body"),
    CK.excretedMoreRapidly: ("is excreted more rapidly", "is not excreted more rapidly"),
}


def is_boolean(term) -> bool:
    return isinstance(term, Literal) and term.datatype == XSD.boolean


def sentence(causal: CausalGraph, subject: URIRef, prop: URIRef, value: Literal) -> str:
    """The fact as a sentence about its subject, e.g. "vitamin D accumulates in the body."."""
    true, false = PHRASES.get(prop, (causal.label(prop), f"not: {causal.label(prop)}"))
    return f"{causal.label(subject)} {true if value.toPython() is True else false}."


def boolean_facts(causal: CausalGraph, iri: URIRef) -> list[dict]:
    """Every boolean fact about `iri` as a sentence, with the quotes of the claims that state it."""
    out = []
    for g, asserted in ((causal.asserted, True), (causal.inferred, False)):
        for p, o in sorted(g.predicate_objects(iri)):
            if is_boolean(o) and not any(f["property"] == str(p) for f in out):
                evidence = [e.as_dict() for e in causal.evidence.get((iri, p, o), [])]
                out.append({"text": sentence(causal, iri, p, o), "property": str(p), "asserted": asserted,
                            "evidence": evidence})
    return out
