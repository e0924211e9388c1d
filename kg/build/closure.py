"""OWL 2 RL reasoning with owlrl, kept apart from what is asserted.

:func:`infer` returns only the informative new triples: the closure minus what was already there, minus the
axiomatic vocabulary noise OWL RL produces (reflexive sameAs, literal subjects, triples about RDF/RDFS/OWL
terms, blank-node axiom machinery). :func:`check_consistency` turns a contradiction into an
:class:`InconsistencyError` naming the asserted triples at fault.
"""
from __future__ import annotations

from collections.abc import Iterable

from owlrl import OWLRL_Semantics
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from kg.errors import InconsistencyError

META_NAMESPACES = (str(RDF), str(RDFS), str(OWL), str(XSD))
REFLEXIVE_NOISE = {OWL.sameAs, OWL.equivalentClass, OWL.equivalentProperty, RDFS.subClassOf, RDFS.subPropertyOf}
# Documentation and outside mappings: never a fact about the body, so never "at fault" in a contradiction.
MATCHES = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)
EDITORIAL = {RDFS.label, SKOS.definition, SKOS.altLabel, RDFS.comment, SKOS.editorialNote, SKOS.scopeNote,
             DCTERMS.source, *MATCHES}


def _is_meta(term) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(META_NAMESPACES)


def informative(s: Node, p: Node, o: Node) -> bool:
    """Whether a new triple of the closure is worth keeping: the hygiene filter both reasoners apply
    (this one and kg.build.entailment), so their inferred graphs agree."""
    if isinstance(s, (Literal, BNode)) or isinstance(o, BNode) or isinstance(p, BNode):
        return False
    if p in REFLEXIVE_NOISE and s == o:
        return False
    if _is_meta(s):
        return False
    return not (_is_meta(o) and o != RDF.Statement)


def closure_of(*graphs: Graph) -> tuple[Graph, list[str]]:
    """The OWL 2 RL closure of the union of `graphs`, and owlrl's error messages."""
    union = Graph()
    for g in graphs:
        union += g
    engine = OWLRL_Semantics(union, False, False, rdfs=False)
    engine.closure()
    for err in list(union.subjects(RDF.type, URIRef("http://www.daml.org/2002/03/agents/agent-ont#ErrorMessage"))):
        union.remove((err, None, None))
    return union, list(engine.error_messages)


def infer(ontology: Graph, asserted: Graph) -> Graph:
    """The informative triples OWL 2 RL adds to ontology + asserted; raises on inconsistency."""
    full, errors = closure_of(ontology, asserted)
    known = Graph()
    known += ontology
    known += asserted
    check_consistency(full, asserted, errors)
    inferred = Graph()
    for t in full:
        if t not in known and informative(*t):
            inferred.add(t)
    return inferred


def disjoint_pairs(graph: Graph) -> set[tuple[URIRef, URIRef]]:
    pairs = set()
    for a, b in graph.subject_objects(OWL.disjointWith):
        pairs.add((a, b))
    for node in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        for members in graph.objects(node, OWL.members):
            items = list(graph.items(members))
            pairs |= {(x, y) for i, x in enumerate(items) for y in items[i + 1 :]}
    return pairs


def _at_fault(individual, asserted: Graph) -> Iterable[str]:
    for s, p, o in sorted(asserted.triples((individual, None, None))):
        if p in EDITORIAL:
            continue
        claims = sorted(
            str(c).rsplit("/", 1)[-1]
            for c in asserted.subjects(RDF.subject, s)
            if (c, RDF.predicate, p) in asserted and (c, RDF.object, o) in asserted
        )
        yield f"  {s.n3()} {p.n3()} {o.n3()}" + (f"  (claim {', '.join(claims)})" if claims else "")


def check_consistency(full: Graph, asserted: Graph, errors: list[str]) -> None:
    """Raise when an individual falls in two disjoint classes, naming the asserted triples at fault."""
    problems = []
    for a, b in sorted(disjoint_pairs(full)):
        both = set(full.subjects(RDF.type, a)) & set(full.subjects(RDF.type, b))
        for x in sorted(both):
            lines = "\n".join(_at_fault(x, asserted)) or "  (no asserted triple about it)"
            problems.append(
                f"{x.n3()} is both a {a.n3()} and a {b.n3()}, which are disjoint. Asserted triples at fault:\n"
                f"{lines}"
            )
    for s, o in full.subject_objects(OWL.differentFrom):
        if (s, OWL.sameAs, o) in full and s != o:
            problems.append(f"{s.n3()} is both owl:sameAs and owl:differentFrom {o.n3()}")
    if not problems and errors:
        problems = errors
    if problems:
        raise InconsistencyError("the graph is inconsistent:\n" + "\n".join(sorted(set(problems))))

