"""The build's summary: triples per graph, claims, entities per class, inferred edges (build/summary.json,
and what `crampkg build` / `crampkg summary` print)."""
from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from kg.namespaces import CK, DISCLAIMER, ID


def summarize(ontology: Graph, asserted: Graph, inferred: Graph, sizes: dict[str, int] | None = None) -> dict:
    """The summary of a build's graphs; `sizes` (triples per graph, when the caller has counted them) spares
    counting them here, a walk over every triple of a corpus."""
    graphs = (ontology, asserted, inferred)  # not their union: copying a corpus's millions of triples costs
    ids, ck = str(ID), str(CK)
    per_class: dict[str, int] = {}
    for cls in sorted(set(ontology.subjects(RDF.type, OWL.Class))):
        if isinstance(cls, URIRef) and cls.startswith(ck):
            members = {s for g in graphs for s in g.subjects(RDF.type, cls) if s.startswith(ids)}
            members = {m for m in members if "/claim/" not in m} if cls != CK.Claim else members
            per_class[cls.rsplit("#", 1)[-1]] = len(members)
    inferred_edges = sum(1 for s, p, o in inferred if isinstance(o, URIRef) and s.startswith(ids) and o.startswith(ids))
    inferred_causal = len(set(inferred.triples((None, CK.causallyUpstreamOf, None))))
    sizes = sizes or {"ontology": len(ontology), "asserted": len(asserted), "inferred": len(inferred)}
    return {
        "triples": {name: sizes[name] for name in ("ontology", "asserted", "inferred")},
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
