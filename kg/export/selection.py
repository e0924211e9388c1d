"""What an export contains: the whole dataset, the asserted facts or the causal network, with or without
the inferred triples, as canonical quads (the same blank-node labels and order every run)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF, RDFS

from kg.graph.chains import causal_predicates

from ..errors import CrampkgError
from ..namespaces import CK, GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPHS, bind_prefixes, is_entity
from .property_graph import PropertyGraph, property_graph

Quad = tuple[URIRef | BNode, URIRef, URIRef | BNode | Literal, URIRef]

# content → (description, whether inferred triples are included by default)
CONTENTS: dict[str, tuple[str, bool]] = {
    "all": ("the whole dataset: ontology, asserted and inferred graphs", True),
    "asserted": ("the article's facts (asserted graph) without the ontology", False),
    "causal": ("the causal network: causal edges between entities, their labels and their claims", True),
}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def parse_content(content: str | None) -> str:
    content = "all" if content in (None, "") else content
    if content not in CONTENTS:
        raise CrampkgError(f"unknown content {content!r}; valid values: {', '.join(CONTENTS)}")
    return content


def parse_inferred(inferred: bool | str | None, content: str) -> bool:
    """`inferred` as given (a bool, or a query-string word such as "true"/"0"), or the content's default."""
    if inferred is None or inferred == "":
        return CONTENTS[content][1]
    if isinstance(inferred, bool):
        return inferred
    word = str(inferred).strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise CrampkgError(f"inferred must be one of {', '.join(sorted(_TRUE | _FALSE))}, not {inferred!r}")


def claim_subtree(graph: Graph, claim: URIRef) -> list[tuple]:
    """The triples of a claim node and of its evidence (everything whose subject starts with the claim IRI)."""
    prefix = str(claim)
    out = list(graph.triples((claim, None, None)))
    for evidence in graph.objects(claim, CK.hasEvidence):
        out += graph.triples((evidence, None, None))
        for selector in graph.objects(evidence, None):
            if isinstance(selector, URIRef) and str(selector).startswith(prefix):
                out += graph.triples((selector, None, None))
    return out


def select_quads(ds: Dataset, content: str, inferred: bool) -> list[Quad]:
    """The quads an export of `content` holds, with blank nodes as they are in `ds`."""
    names = {"all": [GRAPH_ONTOLOGY, GRAPH_ASSERTED], "asserted": [GRAPH_ASSERTED], "causal": [GRAPH_ASSERTED]}
    graphs = names[content] + ([GRAPH_INFERRED] if inferred else [])
    if content != "causal":
        return [(s, p, o, g) for g in graphs for s, p, o in ds.graph(g)]
    causal = causal_predicates(ds)
    asserted = ds.graph(GRAPH_ASSERTED)
    quads: list[Quad] = []
    nodes = set()
    for g in graphs:
        for p in causal:
            for s, o in ds.graph(g).subject_objects(p):
                if is_entity(s) and is_entity(o):
                    quads.append((s, p, o, g))
                    nodes.update((s, o))
    edges = {(s, p, o) for s, p, o, _ in quads}
    for node in nodes:
        quads += [(node, RDFS.label, label, GRAPH_ASSERTED) for label in asserted.objects(node, RDFS.label)]
    for claim in asserted.subjects(RDF.type, CK.Claim):
        triple = (asserted.value(claim, RDF.subject), asserted.value(claim, RDF.predicate),
                  asserted.value(claim, RDF.object))
        if triple in edges:
            quads += [(s, p, o, GRAPH_ASSERTED) for s, p, o in claim_subtree(asserted, claim)]
    return quads


def canonical(quads: list[Quad]) -> list[Quad]:
    """The same quads with canonical blank-node labels, sorted and without duplicates.

    The graph name is folded into the predicate so that one canonicalisation covers every graph and a blank
    node shared by two graphs keeps one label."""
    quads = list(set(quads))
    if not any(isinstance(t, BNode) for q in quads for t in (q[0], q[2])):
        return sorted(quads, key=_sort_key)
    marker = "\u0000graph="
    folded = Graph()
    for s, p, o, g in quads:
        folded.add((s, URIRef(f"{p}{marker}{g}"), o))
    out = []
    for s, p, o in to_canonical_graph(folded):
        predicate, graph = str(p).split(marker, 1)
        out.append((s, URIRef(predicate), o, URIRef(graph)))
    return sorted(out, key=_sort_key)


def _sort_key(q: Quad) -> tuple:
    return tuple(t.n3() for t in (q[3], q[0], q[1], q[2]))


@dataclass
class Selection:
    """One export's input: the dataset, what to include, and views of it computed once."""

    ds: Dataset
    content: str = "all"
    inferred: bool = True

    @cached_property
    def quads(self) -> list[Quad]:
        return canonical(select_quads(self.ds, self.content, self.inferred))

    @cached_property
    def graph_names(self) -> list[URIRef]:
        return [g for g in GRAPHS.values() if any(q[3] == g for q in self.quads)]

    @cached_property
    def dataset(self) -> Dataset:
        out = Dataset()
        bind_prefixes(out)
        for s, p, o, g in self.quads:
            out.graph(g).add((s, p, o))
        return out

    @cached_property
    def union(self) -> Graph:
        out = Graph()
        bind_prefixes(out)
        for s, p, o, _ in self.quads:
            out.add((s, p, o))
        return out

    @cached_property
    def property_graph(self) -> PropertyGraph:
        return property_graph(self.ds, self.content, self.inferred)
