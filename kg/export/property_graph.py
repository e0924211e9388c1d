"""The graph as nodes and edges with properties: the one model behind the Neo4j, KGX, GraphML, Cytoscape.js,
DOT and Mermaid exports, so they all show the same graph.

- Nodes are the article's entities (`id:…`), and with content `all` also the ontology's classes.
- An edge is a triple between two nodes. An asserted edge is backed by a claim and carries its evidence (the
  verbatim quote and its offsets); a triple stated by two claims gives two edges, one per quote. Inferred
  edges come from the OWL 2 RL closure and carry no quote.
- Literal values become node properties; rdf:type to crampkg classes gives a node's kinds; the SKOS mapping
  relations (exact, close, broad, narrow, related match) give its outside identifiers (xrefs).
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kg.build.closure import MATCHES
from kg.graph import index
from kg.graph.chains import causal_predicates

from ..namespaces import CK, GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_ONTOLOGY, is_entity
from .curies import curie, local_name

NODE_SKIP = {RDFS.label, SKOS.definition, SKOS.altLabel, RDF.type, *MATCHES}
# Where a node's definition comes from (dcterms:source id:article): a property of the node, not a relation the
# article states, so never an edge (an edge stands for a claim and carries its quote).
DEFINITION_SOURCE = DCTERMS.source


@dataclass(frozen=True)
class Evidence:
    """The claim behind an asserted edge and the article text that supports it."""

    claim: str  # CURIE of the claim node
    quote: str
    start: int | None
    end: int | None
    qualifiers: tuple[tuple[str, str], ...] = ()  # (name, value), e.g. ("qualifier", "rarely")


@dataclass(frozen=True)
class Node:
    id: str  # CURIE
    iri: str
    label: str
    kind: str  # the most specific crampkg class ("Condition", "Vitamin" …), or "Class" for ontology classes
    kinds: tuple[str, ...]  # every crampkg class of the node (the inferred ones too when inferred is on)
    description: str = ""
    synonyms: tuple[str, ...] = ()
    xrefs: tuple[str, ...] = ()  # CURIEs of outside identifiers
    properties: tuple[tuple[str, tuple], ...] = ()  # (name, values) from literal-valued triples


@dataclass(frozen=True)
class Edge:
    id: str
    source: str
    target: str
    relation: str  # CURIE of the predicate, e.g. CK:causes
    relation_iri: str
    label: str  # the predicate's rdfs:label, e.g. "causes"
    graph: str  # "asserted", "inferred" or "ontology"
    causal: bool  # the predicate is ck:causallyUpstreamOf or below it
    evidence: Evidence | None = None

    @property
    def inferred(self) -> bool:
        return self.graph == "inferred"

    @property
    def kind(self) -> str:
        """"causal", "type" (rdf:type), "subClassOf" or "relation": for styling and filtering."""
        if self.causal:
            return "causal"
        return {str(RDF.type): "type", str(RDFS.subClassOf): "subClassOf"}.get(self.relation_iri, "relation")


@dataclass(frozen=True)
class PropertyGraph:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    content: str
    inferred: bool


def _python(value: Literal):
    """bool, int or float for those XSD types (xsd:decimal as float), else the lexical form."""
    v = value.toPython()
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, bool | int | float):
        return v
    return str(value)


def _evidence_index(ds: Dataset) -> dict[tuple, list[Evidence]]:
    return {triple: [Evidence(curie(e.claim), e.quote, e.start, e.end, e.qualifiers) for e in items]
            for triple, items in index.evidence(ds.graph(GRAPH_ASSERTED)).items()}


def _ancestors(ds: Dataset) -> dict:
    parents = defaultdict(set)
    for g in (GRAPH_ONTOLOGY, GRAPH_INFERRED):
        for s, o in ds.graph(g).subject_objects(RDFS.subClassOf):
            parents[s].add(o)
    memo: dict = {}

    def up(cls, seen=()):
        if cls not in memo:
            out = set()
            for p in parents.get(cls, ()):
                if p not in seen:
                    out |= {p} | up(p, seen + (cls,))
            memo[cls] = out
        return memo[cls]

    return {cls: up(cls) for cls in list(parents)}


def _edge_id(s, p, o, graph: str) -> str:
    digest = hashlib.sha256(f"{s}\n{p}\n{o}\n{graph}".encode()).hexdigest()[:16]
    return f"CRAMPKG:edge/{digest}"


def property_graph(ds: Dataset, content: str = "all", inferred: bool = True) -> PropertyGraph:
    """Nodes and edges of `content` ("all", "asserted" or "causal"), with or without the inferred edges."""
    graph_names = {GRAPH_ONTOLOGY: "ontology", GRAPH_ASSERTED: "asserted", GRAPH_INFERRED: "inferred"}
    sources = [GRAPH_ASSERTED] + ([GRAPH_ONTOLOGY] if content == "all" else []) + (
        [GRAPH_INFERRED] if inferred else [])
    ontology = ds.graph(GRAPH_ONTOLOGY)
    causal = causal_predicates(ds)
    ancestors = _ancestors(ds)
    evidence = _evidence_index(ds)
    names = index.labels([ds])

    classes = {c for c in ontology.subjects(RDF.type, OWL.Class)
               if isinstance(c, URIRef) and str(c).startswith(str(CK))}
    triples = [(s, p, o, g) for g in sources for s, p, o in ds.graph(g)]
    if content == "causal":
        triples = [t for t in triples if t[1] in causal and is_entity(t[0]) and is_entity(t[2])]
        members = {t for s, _, o, _ in triples for t in (s, o)}
    else:
        members = {t for s, _, o, _ in triples for t in (s, o) if is_entity(t)}
        if content == "all":
            members |= classes

    # node → crampkg classes, from the graphs that are included (and from the asserted graph alone)
    typed = index.types([ds.graph(g) for g in [GRAPH_ASSERTED] + ([GRAPH_INFERRED] if inferred else [])])
    types = {n: classes_of & classes for n, classes_of in typed.items() if n in members}
    asserted_types = {n: classes_of & classes for n, classes_of in index.types([ds.graph(GRAPH_ASSERTED)]).items()
                      if n in members}

    nodes = []
    for n in members:
        if n in classes:
            kind, kinds = "Class", ("Class",)
        else:
            own = asserted_types.get(n, set())
            specific = sorted(local_name(t) for t in own if not any(t in ancestors.get(u, ()) for u in own))
            kind = specific[0] if specific else "Entity"
            kinds = tuple(sorted({local_name(t) for t in types.get(n, ())} | {kind}))
        props: dict[str, set] = defaultdict(set)
        if content != "causal":
            for g in sources:
                for p, o in ds.graph(g).predicate_objects(n):
                    if (p in NODE_SKIP or (o in members and p != DEFINITION_SOURCE)
                            or not isinstance(o, Literal | URIRef)):
                        continue  # edges, or blank nodes of OWL axioms (left to the RDF exports)
                    props[local_name(p)].add(_python(o) if isinstance(o, Literal) else curie(o))
        nodes.append(Node(
            id=curie(n), iri=str(n), label=index.label(names, n), kind=kind, kinds=kinds,
            description=str(ds.value(n, SKOS.definition) or ""),
            synonyms=tuple(sorted(str(v) for v in ds.objects(n, SKOS.altLabel))),
            xrefs=tuple(sorted({curie(v) for p in MATCHES for v in ds.objects(n, p)})),
            properties=tuple(sorted((k, tuple(sorted(v, key=str))) for k, v in props.items())),
        ))

    edges, seen = [], set()
    for s, p, o, g in triples:
        if s not in members or o not in members or (s, p, o) in seen or p == DEFINITION_SOURCE:
            continue
        seen.add((s, p, o))
        common = {"source": curie(s), "target": curie(o), "relation": curie(p), "relation_iri": str(p),
                  "label": index.label(names, p), "graph": graph_names[g], "causal": p in causal}
        backing = evidence.get((s, p, o), []) if g == GRAPH_ASSERTED else []
        if backing:
            edges += [Edge(id=e.claim, evidence=e, **common) for e in backing]
        else:
            edges.append(Edge(id=_edge_id(s, p, o, graph_names[g]), **common))
    nodes.sort(key=lambda n: n.id)
    edges.sort(key=lambda e: (e.source, e.relation, e.target, e.graph, e.id))
    return PropertyGraph(tuple(nodes), tuple(edges), content, inferred)
