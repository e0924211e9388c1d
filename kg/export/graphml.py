"""GraphML (for Gephi, yEd, Cytoscape desktop, networkx) and Cytoscape.js JSON, both from the property graph.

The chain explorer draws a narrower view with its own builder (server.pages.network): the direct causal steps of
kg.graph.chains, without the transitive ``causallyUpstreamOf`` shortcuts the causal export keeps, plus the
substance → intake-state links chains start with; tests check that every causal step it draws is an edge of
the causal Cytoscape.js export. GraphML attributes are typed (string, boolean, int); list values are written as JSON
arrays, since GraphML has no list type."""
from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from ..namespaces import DISCLAIMER
from .property_graph import Edge, Node, PropertyGraph
from .selection import Selection

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"

NODE_KEYS = [("label", "string"), ("kind", "string"), ("kinds", "string"), ("iri", "string"),
             ("description", "string"), ("synonyms", "string"), ("xrefs", "string"), ("properties", "string")]
EDGE_KEYS = [("label", "string"), ("kind", "string"), ("relation", "string"), ("iri", "string"), ("graph", "string"),
             ("inferred", "boolean"), ("causal", "boolean"), ("evidence", "string"), ("start", "int"),
             ("end", "int"), ("claim", "string"), ("qualifiers", "string")]


def node_data(n: Node) -> dict:
    """The attributes of a node, shared by GraphML and Cytoscape.js."""
    return {"id": n.id, "label": n.label, "kind": n.kind, "kinds": list(n.kinds), "iri": n.iri,
            "description": n.description, "synonyms": list(n.synonyms), "xrefs": list(n.xrefs),
            "properties": {k: list(v) for k, v in n.properties}}


def edge_data(e: Edge) -> dict:
    ev = e.evidence
    return {"id": e.id, "source": e.source, "target": e.target, "label": e.label, "kind": e.kind,
            "relation": e.relation,
            "iri": e.relation_iri, "graph": e.graph, "inferred": e.inferred, "causal": e.causal,
            "evidence": ev.quote if ev else None, "start": ev.start if ev else None, "end": ev.end if ev else None,
            "claim": ev.claim if ev else None,
            "qualifiers": [f"{k}={v}" for k, v in ev.qualifiers] if ev else []}


def _text(value) -> str | None:
    if value is None or value == "" or value == [] or value == {}:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def graphml_document(pg: PropertyGraph) -> bytes:
    ET.register_namespace("", GRAPHML_NS)
    root = ET.Element(f"{{{GRAPHML_NS}}}graphml")
    for where, keys in (("node", NODE_KEYS), ("edge", EDGE_KEYS)):
        for name, kind in keys:
            ET.SubElement(root, f"{{{GRAPHML_NS}}}key", {"id": f"{where[0]}_{name}", "for": where,
                                                         "attr.name": name, "attr.type": kind})
    graph = ET.SubElement(root, f"{{{GRAPHML_NS}}}graph", {"id": "crampkg", "edgedefault": "directed"})
    for n in pg.nodes:
        el = ET.SubElement(graph, f"{{{GRAPHML_NS}}}node", {"id": n.id})
        data = node_data(n)
        for name, _ in NODE_KEYS:
            text = _text(data[name])
            if text is not None:
                ET.SubElement(el, f"{{{GRAPHML_NS}}}data", {"key": f"n_{name}"}).text = text
    for e in pg.edges:
        el = ET.SubElement(graph, f"{{{GRAPHML_NS}}}edge", {"id": e.id, "source": e.source, "target": e.target})
        data = edge_data(e)
        for name, _ in EDGE_KEYS:
            text = _text(data[name])
            if text is not None:
                ET.SubElement(el, f"{{{GRAPHML_NS}}}data", {"key": f"e_{name}"}).text = text
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def graphml(sel: Selection) -> bytes:
    return graphml_document(sel.property_graph)


def cytoscape_elements(pg: PropertyGraph) -> dict:
    """Cytoscape.js elements, `{"nodes": [{"data": {...}}], "edges": [{"data": {...}}]}`."""
    return {
        "nodes": [{"data": node_data(n), "classes": n.kind} for n in pg.nodes],
        "edges": [{"data": edge_data(e), "classes": " ".join(
            [e.graph] + (["causal"] if e.causal else []))} for e in pg.edges],
    }


def cytoscape(sel: Selection) -> bytes:
    doc = {"format_version": "1.0", "generated_by": "crampkg",
           "data": {"name": "crampkg", "content": sel.content, "inferred": sel.inferred,
                    "disclaimer": DISCLAIMER},
           "elements": cytoscape_elements(sel.property_graph)}
    return (json.dumps(doc, indent=1, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
