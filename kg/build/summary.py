"""The build's summary: triples per graph, claims, entities per class, inferred edges (build/summary.json,
and what `crampkg build` / `crampkg summary` print)."""
from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from kg.namespaces import CK, DISCLAIMER, ID


def summarize(ontology: Graph, asserted: Graph, inferred: Graph) -> dict:
    graphs = (ontology, asserted, inferred)  # not their union: copying a corpus's millions of triples costs
    per_class: dict[str, int] = {}
    for cls in sorted(set(ontology.subjects(RDF.type, OWL.Class))):
        if isinstance(cls, URIRef) and str(cls).startswith(str(CK)):
            members = {s for g in graphs for s in g.subjects(RDF.type, cls) if str(s).startswith(str(ID))}
            members = {m for m in members if "/claim/" not in str(m)} if cls != CK.Claim else members
            per_class[str(cls).rsplit("#", 1)[-1]] = len(members)
    inferred_edges = sum(
        1 for s, p, o in inferred if isinstance(o, URIRef) and str(s).startswith(str(ID)) and str(o).startswith(str(ID))
    )
    inferred_causal = len(set(inferred.triples((None, CK.causallyUpstreamOf, None))))
    return {
        "triples": {"ontology": len(ontology), "asserted": len(asserted), "inferred": len(inferred)},
        "claims": len(set(asserted.subjects(RDF.type, CK.Claim))),
        "entities_per_class": per_class,
        "inferred_edges": inferred_edges,
        "inferred_causally_upstream_of": inferred_causal,
    }


def format_summary(summary: dict) -> str:
    t = summary["triples"]
    lines = [
        DISCLAIMER,
        f"triples: ontology {t['ontology']}, asserted {t['asserted']}, inferred {t['inferred']}",
        f"claims: {summary['claims']}",
        (f"inferred edges between entities: {summary['inferred_edges']} "
         f"({summary['inferred_causally_upstream_of']} causally-upstream-of)"),
        "entities per class:",
    ]
    lines += [f"  {name}: {n}" for name, n in sorted(summary["entities_per_class"].items()) if n]
    return "\n".join(lines)
