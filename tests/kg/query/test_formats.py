"""The content-type table: negotiation rules, and every serialiser read back by an independent parser."""
from __future__ import annotations

import io

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.query import Result as RdflibResult

from kg.errors import NotAcceptable
from kg.query.formats import BY_KEY, FORMATS, GRAPH, RESULTS, Result, negotiate

TRICKY = Literal('say "hi"\n\tand\\ go, ok')
ROWS = Result("SELECT", vars=["a", "b"], rows=[
    (URIRef("https://example.org/a"), TRICKY),
    (BNode("x1"), Literal("chat", lang="fr")),
    (Literal("4000", datatype=XSD.decimal), None),
])
TRIPLES = Result("CONSTRUCT", triples=[
    (URIRef("https://example.org/s"), URIRef("https://example.org/p"), TRICKY),
    (URIRef("https://example.org/s"), URIRef("https://example.org/p"), Literal("vitamin D", lang="en")),
    (BNode("b0"), URIRef("https://example.org/q"), Literal(12)),
])


@pytest.mark.parametrize("accept,kind,key", [
    (None, RESULTS, "json"), ("", GRAPH, "turtle"), ("*/*", RESULTS, "json"),
    ("text/*", RESULTS, "csv"), ("text/*", GRAPH, "turtle"),
    ("application/sparql-results+xml, application/sparql-results+json;q=0.5", RESULTS, "xml"),
    ("text/csv;q=0.4, text/tab-separated-values;q=0.6", RESULTS, "tsv"),
    ("application/json", RESULTS, "json"), ("application/json", GRAPH, "jsonld"),
    ("application/n-quads", GRAPH, "nquads"), ("text/turtle;q=0, */*", GRAPH, "ntriples"),
    ("TEXT/TURTLE", GRAPH, "turtle"), ("text/csv;q=abc", RESULTS, "csv"),
])
def test_negotiate(accept, kind, key):
    assert negotiate(accept, kind).key == key


@pytest.mark.parametrize("accept,kind", [("image/png", RESULTS), ("text/csv", GRAPH), ("*/*;q=0", RESULTS)])
def test_not_acceptable(accept, kind):
    with pytest.raises(NotAcceptable):
        negotiate(accept, kind)


@pytest.mark.parametrize("key,parser", [("json", "json"), ("xml", "xml"), ("csv", "csv"), ("tsv", "tsv")])
def test_results_read_back(key, parser):
    """rdflib's own SPARQL result parsers read what we write (CSV keeps only lexical forms, by design)."""
    body = BY_KEY[key].serialize(ROWS)
    back = RdflibResult.parse(io.BytesIO(body), format=parser, content_type=BY_KEY[key].media_type)
    rows = list(back)
    assert len(rows) == 3
    if key == "csv":
        assert str(rows[0][1]) == str(TRICKY)
    else:
        assert rows[0][1] == TRICKY and rows[1][1] == Literal("chat", lang="fr")
        assert rows[2][0] == Literal("4000", datatype=XSD.decimal) and rows[2][1] is None


@pytest.mark.parametrize("key,parser", [("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld"),
                                        ("rdfxml", "xml"), ("nquads", "nquads"), ("trig", "trig")])
def test_graphs_read_back(key, parser):
    from rdflib import Dataset

    body = BY_KEY[key].serialize(TRIPLES)
    target = Dataset() if parser in ("nquads", "trig") else Graph()
    target.parse(data=body, format=parser)
    triples = {t for t in (target.triples((None, None, None)))}
    assert len(triples) == 3
    assert any(o == TRICKY for _, _, o in triples)


def test_content_type_names_the_charset_for_text():
    assert BY_KEY["csv"].content_type == "text/csv; charset=utf-8"
    assert BY_KEY["json"].content_type == "application/sparql-results+json"


def test_a_format_refuses_the_other_kind():
    with pytest.raises(NotAcceptable):
        BY_KEY["csv"].serialize(TRIPLES)


def test_every_format_has_a_w3c_iri():
    assert all(f.w3c.startswith("http://www.w3.org/ns/formats/") for f in FORMATS)


def test_json_ld_reads_back_with_pyld():
    """An independent JSON-LD processor (pyld) expands our compacted output to the same triples; the
    context is inline, so nothing is fetched."""
    import json

    from pyld import jsonld

    doc = json.loads(BY_KEY["jsonld"].serialize(TRIPLES))
    assert "@context" in doc
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads"})
    assert len([line for line in nquads.splitlines() if line.strip()]) == 3
    assert "<https://example.org/s> <https://example.org/p> \"vitamin D\"@en ." in nquads
