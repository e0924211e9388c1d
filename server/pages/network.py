"""The causal network as Cytoscape.js elements: what the chain explorer draws.

Nodes are the entities that take part in a causal step (plus the substances whose intake or deficiency states
do); edges are :attr:`CausalGraph.steps` and the substance → state links that chains start with.
Each edge carries what the page shows when it is clicked: relation, asserted or inferred, the evidence
quotes, and for an inferred edge the explanation.
"""
from __future__ import annotations

from rdflib import URIRef

from kg.graph.chains import CausalGraph
from kg.namespaces import CK, slug
from server.pages.views import explanation_view, linked, local_path

# Node kinds, most specific first: the first class a node belongs to names its kind (and its colour).
NODE_KINDS = [
    (CK.MuscleCramp, "cramp"),
    (CK.Medication, "medication"),
    (CK.Substance, "substance"),
    (CK.IntakeState, "intake"),
    (CK.DeficiencyState, "deficiency"),
    (CK.Symptom, "symptom"),
    (CK.Condition, "condition"),
    (CK.PhysiologicalProcess, "process"),
]


def node_kind(causal: CausalGraph, node: URIRef) -> str:
    for cls, kind in NODE_KINDS:
        if cls in causal.types.get(node, ()):
            return kind
    return "other"


def causal_network_elements(causal: CausalGraph) -> dict:
    """{"nodes": [...], "edges": [...]} in Cytoscape.js element form (each item has a `data` dict)."""
    edges = causal.network_edges()
    nodes = sorted({s for s, _, _, _ in edges} | {o for _, _, o, _ in edges}, key=lambda n: causal.label(n))
    out_nodes = [{"data": {"id": slug(n), "iri": str(n), "label": causal.label(n), "href": local_path(n),
                           "kind": node_kind(causal, n)}} for n in nodes]
    out_edges = []
    for s, p, o, asserted in edges:
        step = causal.step_dict(s, p, o, asserted)
        data = {
            "id": _edge_key(s, p, o),
            "source": slug(s), "target": slug(o),
            "relation": str(p), "relation_label": causal.label(p),
            "relation_key": str(p).rsplit("#", 1)[-1],
            "from_label": causal.label(s), "to_label": causal.label(o),
            "from_href": local_path(s), "to_href": local_path(o),
            "asserted": asserted,
            "evidence": linked(step["evidence"]),
            "explanation": None if asserted else explanation_view(causal, s, p, o),
        }
        out_edges.append({"data": data})
    return {"nodes": out_nodes, "edges": out_edges}


def _edge_key(s: URIRef, p: URIRef, o: URIRef) -> str:
    return f"{slug(s)}|{str(p).rsplit('#', 1)[-1]}|{slug(o)}"


def edge_id(step: dict) -> str:
    """The element id of a chain step (a dict from :meth:`CausalGraph.step_dict`)."""
    return _edge_key(URIRef(step["from"]), URIRef(step["relation"]), URIRef(step["to"]))
