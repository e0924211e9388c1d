"""kg.graph.terms.from_oxigraph gives the terms rdflib's own parser gives, so a graph read through pyoxigraph
equals one read by rdflib, and a fast-validator result names a value as pySHACL does."""
from __future__ import annotations

import pyoxigraph
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from kg.graph.terms import from_oxigraph

TURTLE = """@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:s ex:p "plain", "tagged"@en-GB, "01"^^xsd:integer, "2.50"^^xsd:decimal, "x"^^ex:custom, _:b .
"""


def test_same_terms_as_rdflib_parser():
    ours = {tuple(from_oxigraph(t) for t in (q.subject, q.predicate, q.object))
            for q in pyoxigraph.parse(TURTLE, format=pyoxigraph.RdfFormat.TURTLE)}
    theirs = set(Graph().parse(data=TURTLE, format="turtle"))
    assert {o for _, _, o in ours if not isinstance(o, BNode)} == {
        o for _, _, o in theirs if not isinstance(o, BNode)}
    assert Literal("plain") in {o for _, _, o in ours}  # not "plain"^^xsd:string, which rdflib tells apart
    assert Literal("1", datatype=XSD.integer) in {o for _, _, o in ours}


def test_lexical_form_kept_when_asked():
    lit = pyoxigraph.Literal("01", datatype=pyoxigraph.NamedNode(str(XSD.integer)))
    assert str(from_oxigraph(lit)) == "1"
    assert str(from_oxigraph(lit, normalize=False)) == "01"


def test_unbound_and_unknown():
    assert from_oxigraph(None) is None
    assert from_oxigraph(pyoxigraph.NamedNode("http://example.org/a")) == URIRef("http://example.org/a")
    triple = pyoxigraph.Triple(pyoxigraph.NamedNode("http://example.org/a"), pyoxigraph.NamedNode(
        "http://example.org/b"), pyoxigraph.NamedNode("http://example.org/c"))
    with pytest.raises(ValueError, match="unsupported RDF term"):
        from_oxigraph(triple)
