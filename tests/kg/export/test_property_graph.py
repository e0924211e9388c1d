"""Property-graph exports (Neo4j, KGX, GraphML, Cytoscape.js, DOT, Mermaid) read by independent readers
(networkx, Python's csv, Graphviz `dot`, json) and checked against node and edge counts computed with SPARQL
from the dataset (export_support.expected_property_graph), for every content option, with and without the
inferred edges, on the real build and on a fixture with hostile literals."""
from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import xml.etree.ElementTree as ET

import networkx as nx
import pytest
from export_support import (
    expected_property_graph,
    tool,
    tricky_dataset,
)

from kg.export import cytoscape_elements, export_bytes, property_graph, select
from kg.export.curies import CURIE_PREFIXES, curie, expand
from kg.export.kgx import CATEGORIES, EDGE_COLUMNS, NODE_COLUMNS
from kg.namespaces import ARTICLE_PATH, BIOLINK

OPTIONS = [(c, i) for c in ("all", "asserted", "causal") for i in (True, False)]
BIOLINK_CATEGORIES = {"SmallMolecule", "Drug", "ChemicalEntity", "Disease", "PhenotypicFeature",
                      "AnatomicalEntity", "Treatment"}  # shared/VOCABULARY.md
BIOLINK_PREDICATES = {"causes", "contributes_to", "affects", "has_adverse_event", "treats",
                      "preventative_for_condition", "predisposes_to_condition", "exacerbates_condition",
                      "ameliorates_condition", "located_in", "has_phenotype", "associated_with"}
ROOTS = {"biolink:NamedThing", "biolink:related_to", "biolink:Association"}
CURIE = re.compile(r"^[A-Za-z][A-Za-z0-9_.]*:[^\s|]+$")


@pytest.fixture(scope="module", params=["build", "tricky"])
def source(request, dataset):
    return dataset if request.param == "build" else tricky_dataset()


def expected(source, content, inferred):
    nodes, edges = expected_property_graph(source, content, inferred)
    assert nodes, "the selection under test is empty"
    return {curie(n) for n in nodes}, edges


def read_csv(data: bytes, delimiter: str = ",") -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=delimiter))


def header(data: bytes, delimiter: str = ",") -> list[str]:
    return next(csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=delimiter))


@pytest.mark.parametrize(("content", "inferred"), OPTIONS)
def test_graphml_read_by_networkx(source, content, inferred, tmp_path):
    """networkx reads the GraphML with the expected nodes, edges and typed attributes."""
    nodes, edges = expected(source, content, inferred)
    path = tmp_path / "g.graphml"
    path.write_bytes(export_bytes("graphml", content, inferred, ds=source).payload)
    g = nx.read_graphml(path, force_multigraph=True)
    assert set(g.nodes) == nodes
    assert g.number_of_edges() == edges
    for _, data in g.nodes(data=True):
        assert data["label"] and data["kind"]
    kinds = {type(d["inferred"]) for _, _, d in g.edges(data=True)}
    assert kinds == {bool}
    assert any(d["inferred"] for _, _, d in g.edges(data=True)) == inferred
    quoted = [d for _, _, d in g.edges(data=True) if "evidence" in d]
    assert quoted and all(isinstance(d["start"], int) and isinstance(d["end"], int) for d in quoted)
    assert all(d["relation"] and d["label"] and d["kind"] for _, _, d in g.edges(data=True))
    assert any(d["kind"] == "causal" for _, _, d in g.edges(data=True))


@pytest.mark.parametrize(("content", "inferred"), OPTIONS)
def test_neo4j_csvs_have_importer_headers_and_consistent_ids(source, content, inferred):
    """nodes.csv starts with id:ID and :LABEL, relationships.csv with :START_ID, :END_ID, :TYPE; every end is a
    node; the Cypher script creates the same nodes and relationships."""
    files = export_bytes("neo4j", content, inferred, ds=source).payload
    assert sorted(files) == ["crampkg.cypher", "import.sh", "nodes.csv", "relationships.csv"]
    nodes, edges = expected(source, content, inferred)
    node_header = header(files["nodes.csv"])
    assert node_header[:2] == ["id:ID", ":LABEL"]
    rel_header = header(files["relationships.csv"])
    assert rel_header[:3] == [":START_ID", ":END_ID", ":TYPE"]
    assert "quote" in rel_header
    for column in node_header[2:] + rel_header[3:]:
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(:(string|long|double|boolean|int)(\[\])?)?", column), column
    rows = read_csv(files["nodes.csv"])
    ids = [r["id:ID"] for r in rows]
    assert len(ids) == len(set(ids)) and set(ids) == nodes
    rels = read_csv(files["relationships.csv"])
    assert len(rels) == edges
    for r in rels:
        assert r[":START_ID"] in nodes and r[":END_ID"] in nodes
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*", r[":TYPE"])
        assert r["inferred:boolean"] in ("true", "false")
    for r in rels:
        assert (r["quote"] != "") == (r["claim"] != ""), r
        assert r["graph"] == "asserted" or not r["quote"], r
    cypher = files["crampkg.cypher"].decode("utf-8")
    assert len(re.findall(r"^CREATE \(", cypher, flags=re.MULTILINE)) == len(nodes)
    assert len(re.findall(r"^MATCH \(a", cypher, flags=re.MULTILINE)) == edges
    delimiter = re.search(r"--array-delimiter='(.)'", files["import.sh"].decode()).group(1)
    for r in rows:
        assert r[":LABEL"].split(delimiter)[0] == "Resource"


@pytest.mark.parametrize("content", ["asserted", "causal"])
def test_every_asserted_relation_carries_its_article_quote(dataset, content):
    """On the real build each asserted relationship has a quote, and the quote is the article's text at its
    offsets (checked against the shipped article file, not the graph)."""
    article = ARTICLE_PATH.read_text(encoding="utf-8")
    rels = read_csv(export_bytes("neo4j", content, True, ds=dataset).payload["relationships.csv"])
    asserted = [r for r in rels if r["graph"] == "asserted"]
    assert asserted
    for r in asserted:
        assert r["quote"] and article[int(r["start:long"]):int(r["end:long"])] == r["quote"], r["claim"]


def test_neo4j_uses_semicolon_arrays_on_the_real_build(dataset):
    files = export_bytes("neo4j", "all", True, ds=dataset).payload
    assert "--array-delimiter=';'" in files["import.sh"].decode()
    row = next(r for r in read_csv(files["nodes.csv"]) if r["id:ID"] == "CRAMPKG:leg-cramp")
    assert set(row[":LABEL"].split(";")) >= {"Resource", "Condition", "Symptom"}


@pytest.mark.parametrize(("content", "inferred"), OPTIONS)
def test_kgx_core_columns_in_order_with_curies_and_biolink_terms(source, content, inferred):
    """KGX TSVs: core columns first in KGX order, CURIE ids, every subject/object a node, Biolink categories and
    predicates only from VOCABULARY.md (or Biolink's roots), supporting text on asserted edges."""
    files = export_bytes("kgx", content, inferred, ds=source).payload
    assert sorted(files) == ["crampkg_edges.tsv", "crampkg_nodes.tsv"]
    nodes, edges = expected(source, content, inferred)
    assert header(files["crampkg_nodes.tsv"], "\t")[:7] == NODE_COLUMNS
    assert header(files["crampkg_edges.tsv"], "\t")[:7] == EDGE_COLUMNS
    rows = read_csv(files["crampkg_nodes.tsv"], "\t")
    assert {r["id"] for r in rows} == nodes
    for r in rows:
        assert CURIE.match(r["id"]), r["id"]
        for category in r["category"].split("|"):
            assert category in ROOTS or category.removeprefix("biolink:") in BIOLINK_CATEGORIES, category
        for xref in filter(None, r["xref"].split("|")):
            assert CURIE.match(xref), xref
    rels = read_csv(files["crampkg_edges.tsv"], "\t")
    assert len(rels) == edges and len({r["id"] for r in rels}) == edges
    for r in rels:
        assert r["subject"] in nodes and r["object"] in nodes
        assert r["predicate"] in ROOTS or r["predicate"].removeprefix("biolink:") in BIOLINK_PREDICATES
        assert CURIE.match(r["relation"]), r["relation"]
        assert (r["supporting_text"] != "") == (r["knowledge_level"] == "knowledge_assertion" and r["claim"] != "")


def test_kgx_maps_causes_to_biolink_and_uses_vocabulary_categories(dataset):
    files = export_bytes("kgx", "asserted", True, ds=dataset).payload
    nodes = {r["id"]: r for r in read_csv(files["crampkg_nodes.tsv"], "\t")}
    assert nodes["CRAMPKG:leg-cramp"]["category"] == "biolink:PhenotypicFeature"
    assert nodes["CRAMPKG:calf"]["category"] == "biolink:AnatomicalEntity"
    edge = next(r for r in read_csv(files["crampkg_edges.tsv"], "\t") if r["relation"] == "CK:causes")
    assert edge["predicate"] == "biolink:causes" and edge["supporting_text"]
    assert set(CATEGORIES.values()) <= {f"biolink:{c}" for c in BIOLINK_CATEGORIES}


def test_curies_expand_back_to_iris(dataset):
    pg = property_graph(dataset, "all", True)
    for n in pg.nodes:
        assert expand(n.id) == n.iri
        for x in n.xrefs:
            assert expand(x) != x or x.startswith("http"), x
    assert "biolink" in CURIE_PREFIXES and CURIE_PREFIXES["biolink"] == str(BIOLINK)


@pytest.mark.parametrize(("content", "inferred"), OPTIONS)
def test_cytoscape_elements_match_the_graph(source, content, inferred):
    """The Cytoscape.js export holds the property graph's elements, counted independently with SPARQL."""
    nodes, edges = expected(source, content, inferred)
    doc = json.loads(export_bytes("cytoscape", content, inferred, ds=source).payload)
    elements = doc["elements"]
    assert {n["data"]["id"] for n in elements["nodes"]} == nodes
    assert len(elements["edges"]) == edges
    for e in elements["edges"]:
        assert e["data"]["source"] in nodes and e["data"]["target"] in nodes
        assert {"id", "label", "kind", "relation", "inferred"} <= set(e["data"])
    for n in elements["nodes"]:
        assert {"id", "label", "kind"} <= set(n["data"])
    sel = select(source, content, inferred)
    assert cytoscape_elements(sel.property_graph) == elements


@pytest.mark.parametrize(("content", "inferred"), [("causal", True), ("causal", False), ("asserted", True)])
def test_dot_is_drawn_by_graphviz(source, content, inferred, tmp_path):
    """Graphviz's `dot` lays the DOT export out (exit 0) with one SVG node per node and one edge per edge."""
    nodes, edges = expected(source, content, inferred)
    path = tmp_path / "g.dot"
    path.write_bytes(export_bytes("dot", content, inferred, ds=source).payload)
    proc = subprocess.run([tool("dot", "graphviz"), "-Tsvg", str(path)], check=False, capture_output=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    svg = ET.fromstring(proc.stdout)
    ns = {"s": "http://www.w3.org/2000/svg"}
    groups = svg.findall(".//s:g", ns)
    assert sum(g.get("class") == "node" for g in groups) == len(nodes)
    assert sum(g.get("class") == "edge" for g in groups) == edges


@pytest.mark.parametrize(("content", "inferred"), [("causal", True), ("causal", False), ("all", True)])
def test_mermaid_flowchart_lists_every_node_and_edge(source, content, inferred):
    """No Mermaid parser runs here, so this checks the structure: one node line per node, one arrow per edge,
    asserted edges solid and inferred ones dotted, no raw quote inside a label."""
    nodes, edges = expected(source, content, inferred)
    text = export_bytes("mermaid", content, inferred, ds=source).payload.decode("utf-8")
    lines = text.splitlines()
    assert lines[1] == "flowchart LR"
    node_lines = [ln for ln in lines if re.fullmatch(r'  n\d+\["[^"]*"\]', ln)]
    edge_lines = [ln for ln in lines if re.fullmatch(r'  n\d+ (-->|-\.->)\|"[^"]*"\| n\d+', ln)]
    assert len(node_lines) == len(nodes) and len(edge_lines) == edges
    assert len(lines) == 2 + len(nodes) + edges
    assert any("-.->" in ln for ln in edge_lines) == inferred


def test_diagram_formats_default_to_the_causal_network(dataset):
    pg = property_graph(dataset, "causal", True)
    text = export_bytes("mermaid", ds=dataset).payload.decode("utf-8")
    assert text.count("-->") + text.count("-.->") == len(pg.edges)
    assert all(e.causal for e in pg.edges)


def test_every_step_the_explorer_draws_is_in_the_causal_cytoscape_export(dataset):
    """The explorer (server.pages.network) draws the direct causal steps; the causal export keeps those and the
    transitive shortcuts. Every causal edge of the page is an edge of the export, between the same nodes."""
    from kg.graph.chains import CausalGraph, causal_properties
    from kg.namespaces import GRAPH_ONTOLOGY
    from server.pages.network import causal_network_elements

    causal = CausalGraph(dataset)
    page = causal_network_elements(causal)
    doc = json.loads(export_bytes("cytoscape", "causal", True, ds=dataset).payload)
    exported = {(e["data"]["source"], e["data"]["relation"], e["data"]["target"]) for e in doc["elements"]["edges"]}
    causal_relations = {str(p) for p in causal_properties(dataset.graph(GRAPH_ONTOLOGY))}
    steps = [e["data"] for e in page["edges"] if e["data"]["relation"] in causal_relations]
    assert len(steps) >= 20
    for step in steps:
        key = (curie(_iri(page, step["source"])), curie(step["relation"]), curie(_iri(page, step["target"])))
        assert key in exported, key
    shortcuts = exported - {(curie(_iri(page, s["source"])), curie(s["relation"]), curie(_iri(page, s["target"])))
                            for s in steps}
    assert any(rel == curie("https://w3id.org/crampkg/ontology#causallyUpstreamOf") for _, rel, _ in shortcuts)


def _iri(elements: dict, node_id: str) -> str:
    return next(n["data"]["iri"] for n in elements["nodes"] if n["data"]["id"] == node_id)
