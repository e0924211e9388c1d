"""RDF exports (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML) read back by rdflib, by Raptor's rapper,
by serd's serdi and, for JSON-LD, by pyld — each compared with the selected graphs taken from the dataset
with SPARQL (export_support.expected_quads), for every content option with and without inferred triples, on
the real build and on a fixture with hostile literals."""
from __future__ import annotations

import json

import pytest
from export_support import (
    expected_quads,
    rapper_count,
    serdi_count,
    tricky_dataset,
    union_of,
)
from pyld import jsonld
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from kg.export import export_bytes
from kg.export.rdf import context_document
from kg.namespaces import CONTEXT_PATH, CONTEXT_URL, GRAPHS, PREFIXES

RDF_FORMATS = {"turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "trig": "trig", "jsonld": "json-ld",
               "rdfxml": "xml"}
QUAD_FORMATS = {"nquads", "trig", "jsonld"}
RAPPER = {"turtle": "turtle", "ntriples": "ntriples", "nquads": "nquads", "trig": "trig", "rdfxml": "rdfxml"}
SERDI = {"turtle": "turtle", "ntriples": "ntriples", "nquads": "nquads", "trig": "trig"}  # serd reads no RDF/XML
OPTIONS = [(c, i) for c in ("all", "asserted", "causal") for i in (True, False)]


@pytest.fixture(scope="module", params=["build", "tricky"])
def source(request, dataset):
    return dataset if request.param == "build" else tricky_dataset()


def local_context(text: str) -> str:
    """The document with its @context URL replaced by the shipped context (rdflib would fetch the URL)."""
    doc = json.loads(text)
    assert doc["@context"] == CONTEXT_URL
    doc["@context"] = context_document()["@context"]
    return json.dumps(doc)


def parse(fmt: str, data: bytes) -> Dataset:
    ds = Dataset()
    text = data.decode("utf-8")
    if fmt == "jsonld":
        text = local_context(text)
    if fmt in QUAD_FORMATS:
        ds.parse(data=text, format=RDF_FORMATS[fmt])
    else:
        ds.default_graph.parse(data=text, format=RDF_FORMATS[fmt])
    return ds


def named_graphs(ds: Dataset) -> dict:
    return {g.identifier: g for g in ds.graphs() if len(g) and g.identifier in set(GRAPHS.values())}


@pytest.mark.parametrize("fmt", list(RDF_FORMATS))
@pytest.mark.parametrize(("content", "inferred"), OPTIONS)
def test_round_trip_is_isomorphic(source, fmt, content, inferred):
    """Each export parsed back with rdflib is isomorphic to the selected graphs; quad formats keep every graph."""
    expected = expected_quads(source, content, inferred)
    assert expected, "the selection under test is empty"
    back = parse(fmt, export_bytes(fmt, content, inferred, ds=source).payload)
    if fmt in QUAD_FORMATS:
        got = named_graphs(back)
        assert sorted(got) == sorted(expected)
        for name, graph in expected.items():
            assert len(got[name]) == len(graph), name
            assert isomorphic(got[name], graph), f"{fmt}: graph {name} differs"
    else:
        whole = Graph()
        for t in back.triples((None, None, None)):
            whole.add(t)
        assert isomorphic(whole, union_of(expected))


@pytest.mark.parametrize("fmt", list(RAPPER))
@pytest.mark.parametrize(("content", "inferred"), [("all", True), ("asserted", False), ("causal", True)])
def test_rapper_and_serdi_parse_with_expected_counts(source, fmt, content, inferred, tmp_path):
    """Raptor (rapper) and serd (serdi) parse the export with exit 0 and the expected number of triples."""
    expected = expected_quads(source, content, inferred)
    count = len(union_of(expected)) if fmt not in QUAD_FORMATS else sum(len(g) for g in expected.values())
    path = tmp_path / f"export.{fmt}"
    path.write_bytes(export_bytes(fmt, content, inferred, ds=source).payload)
    assert rapper_count(path, RAPPER[fmt]) == count
    if fmt in SERDI:
        assert serdi_count(path, SERDI[fmt]) == count


def pyld_loader(url, options=None):
    """pyld's document loader: the shipped context for CONTEXT_URL, nothing else (no network)."""
    if url != CONTEXT_URL:
        raise AssertionError(f"pyld asked for {url}")
    return {"contextUrl": None, "documentUrl": url, "document": context_document()}


@pytest.mark.parametrize(("content", "inferred"), OPTIONS)
def test_jsonld_expands_with_pyld_to_the_same_quads(source, content, inferred):
    """pyld (a second JSON-LD processor) turns the export into the expected quads, reading the context locally."""
    doc = json.loads(export_bytes("jsonld", content, inferred, ds=source).payload)
    expanded = jsonld.expand(doc, {"documentLoader": pyld_loader})
    assert expanded
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads", "documentLoader": pyld_loader})
    back = Dataset()
    back.parse(data=nquads, format="nquads")
    got, expected = named_graphs(back), expected_quads(source, content, inferred)
    assert sorted(got) == sorted(expected)
    for name, graph in expected.items():
        assert isomorphic(got[name], graph), name


def test_shipped_context_declares_every_crampkg_prefix():
    """kg/context.jsonld stays in step with kg/namespaces.PREFIXES (the one place for IRIs)."""
    context = json.loads(CONTEXT_PATH.read_text(encoding="utf-8"))["@context"]
    for prefix, ns in PREFIXES.items():
        assert context.get(prefix) == str(ns), prefix


def test_turtle_uses_readable_prefixes(dataset):
    text = export_bytes("turtle", "all", True, ds=dataset).payload.decode("utf-8")
    assert "@prefix ck: <https://w3id.org/crampkg/ontology#> ." in text
    assert "id:vitamin-d " in text or "id:vitamin-d\n" in text
