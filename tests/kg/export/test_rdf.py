"""RDF exports (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML) read back by rdflib, by Raptor's rapper,
by serd's serdi and, for JSON-LD, by pyld — each compared with the selected graphs taken from the dataset
with SPARQL (export_support.expected_quads), for every content option with and without inferred triples, on
the real build and on a fixture with hostile literals. JSON-LD embeds its context, so rdflib and pyld read it
with a document loader that refuses every URL; the remote-context option is read through the live server's
/context.jsonld."""
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

from kg.errors import CrampkgError
from kg.export import export_bytes
from kg.export.rdf import context_document
from kg.namespaces import CONTEXT_PATH, GRAPHS, PREFIXES

RDF_FORMATS = {"turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "trig": "trig", "jsonld": "json-ld",
               "rdfxml": "xml"}
QUAD_FORMATS = {"nquads", "trig", "jsonld"}
RAPPER = {"turtle": "turtle", "ntriples": "ntriples", "nquads": "nquads", "trig": "trig", "rdfxml": "rdfxml"}
SERDI = {"turtle": "turtle", "ntriples": "ntriples", "nquads": "nquads", "trig": "trig"}  # serd reads no RDF/XML
OPTIONS = [(c, i) for c in ("all", "asserted", "causal") for i in (True, False)]


@pytest.fixture(scope="module", params=["build", "tricky"])
def source(request, dataset):
    return dataset if request.param == "build" else tricky_dataset()


def parse(fmt: str, data: bytes) -> Dataset:
    """The export read back by rdflib's own parser, as it comes (a JSON-LD document is parsed unchanged)."""
    ds = Dataset()
    text = data.decode("utf-8")
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


class Refused(Exception):
    pass


def refuse_every_url(url, options=None):
    """pyld's document loader for a document that must stand alone: any fetch is a failure."""
    raise Refused(f"pyld asked for {url}")


def pyld_quads(doc: dict, loader) -> Dataset:
    assert jsonld.expand(doc, {"documentLoader": loader})
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads", "documentLoader": loader})
    back = Dataset()
    back.parse(data=nquads, format="nquads")
    return back


def assert_same_graphs(back: Dataset, expected: dict) -> None:
    got = named_graphs(back)
    assert sorted(got) == sorted(expected)
    for name, graph in expected.items():
        assert isomorphic(got[name], graph), name


@pytest.mark.parametrize(("content", "inferred"), OPTIONS)
def test_jsonld_expands_with_pyld_fetching_nothing(source, content, inferred):
    """pyld (a second JSON-LD processor) turns the export into the expected quads with a document loader that
    refuses every URL: the context is in the document."""
    doc = json.loads(export_bytes("jsonld", content, inferred, ds=source).payload)
    assert doc["@context"] == context_document()["@context"]
    assert_same_graphs(pyld_quads(doc, refuse_every_url), expected_quads(source, content, inferred))


def test_refusing_loader_is_really_asked_for_a_remote_context(dataset):
    """The loader above is not decoration: a document naming its context by URL fails with it."""
    doc = json.loads(export_bytes("jsonld", "causal", True, ds=dataset,
                                  context="http://127.0.0.1:9/context.jsonld").payload)
    assert doc["@context"] == "http://127.0.0.1:9/context.jsonld"
    asked = []

    def loader(url, options=None):
        asked.append(url)
        return refuse_every_url(url, options)

    with pytest.raises(jsonld.JsonLdError, match="loading remote context failed"):
        jsonld.expand(doc, {"documentLoader": loader})
    assert asked == ["http://127.0.0.1:9/context.jsonld"]


def test_remote_context_option_reads_through_the_served_copy(live_server, dataset):
    """With `context=<the server's /context.jsonld>`, pyld's own HTTP loader (requests) fetches the context from
    the live server on 127.0.0.1 and gets the same quads as from the embedded context."""
    url = f"{live_server.url}/context.jsonld"
    doc = json.loads(export_bytes("jsonld", "asserted", False, ds=dataset, context=url).payload)
    assert doc["@context"] == url
    loader = jsonld.requests_document_loader(timeout=30)
    assert_same_graphs(pyld_quads(doc, loader), expected_quads(dataset, "asserted", False))


@pytest.mark.parametrize("bad", ["remote", " ", "file:///etc/passwd", "ftp://127.0.0.1/c.jsonld",
                                 "http://", "http://127.0.0.1/a b", "x" * 5000])
def test_bad_context_values_are_refused(dataset, bad):
    """Bad inputs tried: `remote` (an HTTP-only word), blank, file: and ftp: URLs, no host, a space, 5000 chars."""
    with pytest.raises(CrampkgError, match="give `embedded`"):
        export_bytes("jsonld", ds=dataset, context=bad)


def test_context_applies_to_jsonld_only(dataset):
    with pytest.raises(CrampkgError, match="context applies to the jsonld format only, not to turtle"):
        export_bytes("turtle", ds=dataset, context="embedded")


def test_shipped_context_declares_every_crampkg_prefix():
    """kg/context.jsonld stays in step with kg/namespaces.PREFIXES (the one place for IRIs)."""
    context = json.loads(CONTEXT_PATH.read_text(encoding="utf-8"))["@context"]
    for prefix, ns in PREFIXES.items():
        assert context.get(prefix) == str(ns), prefix


def test_turtle_uses_readable_prefixes(dataset):
    text = export_bytes("turtle", "all", True, ds=dataset).payload.decode("utf-8")
    assert "@prefix ck: <https://w3id.org/crampkg/ontology#> ." in text
    assert "id:vitamin-d " in text or "id:vitamin-d\n" in text
