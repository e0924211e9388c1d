"""KGX TSV: crampkg_nodes.tsv and crampkg_edges.tsv, core columns first in KGX order, `|` between list values.

Categories and predicates are Biolink terms only where shared/VOCABULARY.md gives one:
- categories, from the crampkg class (table below, from VOCABULARY.md's category list);
- predicates, from the ontology's own `skos:closeMatch biolink:…` on each relation (crampkg.ttl, checked
  against VOCABULARY.md by the build).
A node or edge with no such mapping gets Biolink's root, biolink:NamedThing / biolink:related_to (what the KGX
tools themselves assume for a missing value), and keeps its exact crampkg class or relation in
`crampkg_kind` / `relation`.
Fields are tab-separated and quoted like CSV when a value holds a tab, newline or quote (Python's csv and
pandas read them back); a list value that contains `|` cannot be written and is an error.
"""
from __future__ import annotations

import csv
import io

from rdflib import URIRef
from rdflib.namespace import SKOS

from ..errors import CrampkgError
from ..namespaces import BIOLINK, CK, GRAPH_ONTOLOGY
from .curies import curie
from .selection import Selection

NODE_COLUMNS = ["id", "category", "name", "description", "xref", "provided_by", "synonym"]
NODE_EXTRA = ["iri", "crampkg_kind", "crampkg_kinds"]
EDGE_COLUMNS = ["id", "subject", "predicate", "object", "category", "relation", "provided_by"]
EDGE_EXTRA = ["supporting_text", "knowledge_level", "agent_type", "primary_knowledge_source", "claim",
              "evidence_start", "evidence_end", "qualifiers", "graph", "causal"]
LIST_SEPARATOR = "|"
PROVIDED_BY = "CRAMPKG:article"
EDGE_CATEGORY = "biolink:Association"

# crampkg class → Biolink category, only categories VOCABULARY.md lists. Checked most specific first.
CATEGORIES: dict[str, str] = {
    "Medication": "biolink:Drug",
    "BloodPressureMedication": "biolink:Drug",
    "MineralDepletingMedication": "biolink:Drug",
    "Vitamin": "biolink:SmallMolecule",
    "FatSolubleVitamin": "biolink:SmallMolecule",
    "WaterSolubleVitamin": "biolink:SmallMolecule",
    "Mineral": "biolink:ChemicalEntity",
    "Electrolyte": "biolink:ChemicalEntity",
    "DietarySupplement": "biolink:ChemicalEntity",
    "Substance": "biolink:ChemicalEntity",
    "Condition": "biolink:PhenotypicFeature",
    "DeficiencyState": "biolink:PhenotypicFeature",
    "Symptom": "biolink:PhenotypicFeature",
    "MuscleCramp": "biolink:PhenotypicFeature",
    "AnatomicalSite": "biolink:AnatomicalEntity",
}
ROOT_CATEGORY = "biolink:NamedThing"
ROOT_PREDICATE = "biolink:related_to"


def biolink_predicates(sel: Selection) -> dict[str, str]:
    """crampkg relation IRI → Biolink predicate CURIE, from the ontology's skos:closeMatch links."""
    out: dict[str, str] = {}
    for s, o in sorted(sel.ds.graph(GRAPH_ONTOLOGY).subject_objects(SKOS.closeMatch)):
        if isinstance(o, URIRef) and str(o).startswith(str(BIOLINK)) and str(s).startswith(str(CK)):
            out.setdefault(str(s), curie(o))
    return out


def _join(values, what: str) -> str:
    for v in values:
        if LIST_SEPARATOR in v:
            raise CrampkgError(f"kgx export: {what} value {v!r} contains the KGX list separator '|'")
    return LIST_SEPARATOR.join(values)


def _tsv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerows(rows)
    return buf.getvalue().encode("utf-8")


def kgx(sel: Selection) -> dict[str, bytes]:
    pg = sel.property_graph
    predicates = biolink_predicates(sel)
    nodes = [NODE_COLUMNS + NODE_EXTRA]
    for n in pg.nodes:
        category = sorted({CATEGORIES[k] for k in (n.kind,) if k in CATEGORIES}) or [ROOT_CATEGORY]
        nodes.append([n.id, _join(category, "category"), n.label, n.description, _join(n.xrefs, "xref"),
                      PROVIDED_BY, _join(n.synonyms, "synonym"), n.iri, n.kind, _join(n.kinds, "kind")])
    edges = [EDGE_COLUMNS + EDGE_EXTRA]
    for e in pg.edges:
        ev = e.evidence
        edges.append([
            e.id, e.source, predicates.get(e.relation_iri, ROOT_PREDICATE), e.target, EDGE_CATEGORY, e.relation,
            PROVIDED_BY, ev.quote if ev else "",
            "logical_entailment" if e.inferred else "knowledge_assertion",
            "automated_agent" if e.inferred else "manual_agent", PROVIDED_BY, ev.claim if ev else "",
            "" if not ev or ev.start is None else str(ev.start), "" if not ev or ev.end is None else str(ev.end),
            _join([f"{k}={v}" for k, v in ev.qualifiers], "qualifier") if ev else "", e.graph,
            "true" if e.causal else "false",
        ])
    return {"crampkg_nodes.tsv": _tsv(nodes), "crampkg_edges.tsv": _tsv(edges)}
