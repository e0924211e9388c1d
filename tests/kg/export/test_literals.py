"""Hostile literals survive every export format.

The fixture (export_support.tricky_dataset) holds literals with double and single quotes, commas, tabs,
newlines, semicolons, a pipe, angle brackets, ampersands, backslashes, the article's curly apostrophe (’),
other non-ASCII text and an emoji, and a ~40 000-character definition. Each format is read back by a reader
that is not the exporter (rdflib, Raptor's rapper, Python's csv, networkx, json, Graphviz's dot) and the
strings are compared exactly. Diagram labels keep their text; a newline becomes the format's line break
(DOT `\\n`, Mermaid `<br>`), which the checks decode.
"""
from __future__ import annotations

import csv
import io
import json
import re
import subprocess

import networkx as nx
import pytest
from export_support import (
    LONG,
    TRICKY_LABEL,
    TRICKY_NOTE,
    TRICKY_QUOTE,
    TRICKY_SYNONYMS,
    cypher_unescape,
    expected_property_graph,
    tool,
    tricky_dataset,
)
from rdflib import Dataset, Literal
from rdflib.namespace import RDFS, SKOS

from kg.errors import CrampkgError
from kg.export import FORMATS, export_bytes
from kg.export.rdf import context_document
from kg.namespaces import CK, GRAPH_ASSERTED, ID, OA

THING = "CRAMPKG:tricky-thing"
RAPPER_SYNTAX = {"turtle": "turtle", "ntriples": "ntriples", "nquads": "nquads", "trig": "trig", "rdfxml": "rdfxml"}
PARSE = {"turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "trig": "trig", "jsonld": "json-ld",
         "rdfxml": "xml"}


@pytest.fixture(scope="module")
def tricky():
    return tricky_dataset()


def check_rdf_literals(ds: Dataset) -> None:
    thing = ID["tricky-thing"]
    assert str(ds.value(thing, RDFS.label)) == TRICKY_LABEL
    assert ds.value(thing, RDFS.label).language == "en"
    assert str(ds.value(thing, SKOS.definition)) == LONG
    assert {str(v) for v in ds.objects(thing, SKOS.altLabel)} == set(TRICKY_SYNONYMS)
    assert str(ds.value(thing, CK.note)) == TRICKY_NOTE
    assert {str(o) for o in ds.objects(None, OA.exact)} == {TRICKY_QUOTE}
    assert ds.value(thing, CK.accumulatesInBody) == Literal(True)


@pytest.mark.parametrize("fmt", list(PARSE))
def test_rdf_literals_survive_rdflib(tricky, fmt):
    data = export_bytes(fmt, "all", True, ds=tricky).payload.decode("utf-8")
    if fmt == "jsonld":  # parsed as it comes: the context is embedded
        assert json.loads(data)["@context"] == context_document()["@context"]
    back = Dataset(default_union=True)
    back.parse(data=data, format=PARSE[fmt])
    check_rdf_literals(back)


@pytest.mark.parametrize("fmt", list(RAPPER_SYNTAX))
def test_rdf_literals_survive_rapper(tricky, fmt, tmp_path):
    """rapper re-writes each export as N-Triples; the literals in its output are the originals."""
    path = tmp_path / f"x.{fmt}"
    path.write_bytes(export_bytes(fmt, "all", True, ds=tricky).payload)
    proc = subprocess.run([tool("rapper", "raptor2-utils"), "-q", "-i", RAPPER_SYNTAX[fmt], "-o", "ntriples",
                           str(path)], check=False, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    back = Dataset(default_union=True)
    back.default_graph.parse(data=proc.stdout.decode("utf-8"), format="nt")
    check_rdf_literals(back)


def rows(data: bytes, delimiter: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=delimiter))


def test_neo4j_csv_and_cypher_keep_literals(tricky):
    files = export_bytes("neo4j", "all", True, ds=tricky).payload
    delimiter = re.search(r"--array-delimiter='(.)'", files["import.sh"].decode()).group(1)
    assert delimiter != ";", "a synonym holds ';', so another array delimiter must be chosen"
    node = next(r for r in rows(files["nodes.csv"], ",") if r["id:ID"] == THING)
    assert node["name"] == TRICKY_LABEL
    assert node["description"] == LONG
    assert sorted(node["synonyms:string[]"].split(delimiter)) == sorted(TRICKY_SYNONYMS)
    assert node["note:string"] == TRICKY_NOTE
    assert sorted(node["characteristic:string[]"].split(delimiter)) == ["painful; sharp", "sudden"]
    assert node["accumulatesInBody:boolean"] == "true"
    rel = next(r for r in rows(files["relationships.csv"], ",") if r["quote"])
    assert rel["quote"] == TRICKY_QUOTE
    cypher = files["crampkg.cypher"].decode("utf-8")
    strings = {cypher_unescape(m) for m in re.findall(r"'((?:[^'\\]|\\.)*)'", cypher)}
    assert {TRICKY_LABEL, LONG, TRICKY_QUOTE, TRICKY_NOTE, *TRICKY_SYNONYMS} <= strings
    nodes, edges = expected_property_graph(tricky, "all", True)
    # newlines inside strings are escaped, so each statement stays on one line: comment, constraint, statements
    assert len(cypher.splitlines()) == 2 + len(nodes) + edges


def test_kgx_keeps_literals(tricky):
    files = export_bytes("kgx", "all", True, ds=tricky).payload
    node = next(r for r in rows(files["crampkg_nodes.tsv"], "\t") if r["id"] == THING)
    assert node["name"] == TRICKY_LABEL
    assert node["description"] == LONG
    assert sorted(node["synonym"].split("|")) == sorted(TRICKY_SYNONYMS)
    edge = next(r for r in rows(files["crampkg_edges.tsv"], "\t") if r["supporting_text"])
    assert edge["supporting_text"] == TRICKY_QUOTE


def test_kgx_refuses_a_list_value_with_a_pipe():
    """Bad input: a synonym containing KGX's list separator `|` is an error naming the value, not a silent split."""
    ds = tricky_dataset()
    ds.graph(GRAPH_ASSERTED).add((ID["tricky-thing"], SKOS.altLabel, Literal("left|right", lang="en")))
    with pytest.raises(CrampkgError, match=r"left\|right"):
        export_bytes("kgx", "all", True, ds=ds)


def test_graphml_keeps_literals(tricky, tmp_path):
    path = tmp_path / "g.graphml"
    path.write_bytes(export_bytes("graphml", "all", True, ds=tricky).payload)
    g = nx.read_graphml(path, force_multigraph=True)
    node = g.nodes[THING]
    assert node["label"] == TRICKY_LABEL and node["description"] == LONG
    assert sorted(json.loads(node["synonyms"])) == sorted(TRICKY_SYNONYMS)
    assert json.loads(node["properties"])["note"] == [TRICKY_NOTE]
    assert [d["evidence"] for _, _, d in g.edges(data=True) if "evidence" in d] == [TRICKY_QUOTE]


def test_cytoscape_keeps_literals(tricky):
    doc = json.loads(export_bytes("cytoscape", "all", True, ds=tricky).payload)
    node = next(n["data"] for n in doc["elements"]["nodes"] if n["data"]["id"] == THING)
    assert node["label"] == TRICKY_LABEL and node["description"] == LONG
    assert [e["data"]["evidence"] for e in doc["elements"]["edges"] if e["data"]["evidence"]] == [TRICKY_QUOTE]


def graphviz_unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "\\": "\\"}.get(m.group(1), "\\" + m.group(1)), text)


def test_dot_keeps_labels_and_quotes_through_graphviz(tricky, tmp_path):
    """Graphviz parses the DOT export; its JSON output has the label and the evidence tooltip unchanged."""
    path = tmp_path / "g.dot"
    path.write_bytes(export_bytes("dot", "causal", True, ds=tricky).payload)
    proc = subprocess.run([tool("dot", "graphviz"), "-Tjson", str(path)], check=False, capture_output=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    doc = json.loads(proc.stdout)
    labels = {graphviz_unescape(o["label"]) for o in doc["objects"]}
    assert TRICKY_LABEL in labels
    tooltips = {graphviz_unescape(e.get("tooltip", "")) for e in doc["edges"]}
    assert TRICKY_QUOTE in tooltips


def mermaid_unescape(text: str) -> str:
    for code, char in (("#quot;", '"'), ("#lt;", "<"), ("#gt;", ">"), ("#124;", "|"), ("<br>", "\n"),
                       ("#amp;", "&")):
        text = text.replace(code, char)
    return text


def test_mermaid_keeps_labels(tricky):
    text = export_bytes("mermaid", "causal", True, ds=tricky).payload.decode("utf-8")
    labels = {mermaid_unescape(m) for m in re.findall(r'\["([^"]*)"\]', text)}
    assert TRICKY_LABEL in labels


def test_every_format_runs_on_the_fixture(tricky):
    """No format is left out of the checks above."""
    for name in FORMATS:
        assert export_bytes(name, "all", True, ds=tricky).payload
