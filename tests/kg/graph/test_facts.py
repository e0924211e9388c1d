"""True/false facts as sentences (kg.facts): every boolean property of the ontology has its phrase."""
from __future__ import annotations

from rdflib import Literal
from rdflib.namespace import RDF, RDFS, XSD

from kg.graph.chains import CausalGraph
from kg.graph.facts import PHRASES, boolean_facts, sentence
from kg.namespaces import CK, ID


def test_every_boolean_property_has_a_phrase(dataset):
    causal = CausalGraph(dataset)
    booleans = set(causal.ontology.subjects(RDFS.range, XSD.boolean))
    assert booleans and booleans <= set(PHRASES), booleans - set(PHRASES)
    # and every property used with a boolean value in the data
    used = {p for _, p, o in causal.asserted if isinstance(o, Literal) and o.datatype == XSD.boolean}
    assert used - {RDF.object} <= set(PHRASES)


def test_sentences(dataset):
    causal = CausalGraph(dataset)
    facts = boolean_facts(causal, ID["vitamin-d"])
    assert [f["text"] for f in facts] == ["vitamin D accumulates in the body."]
    assert facts[0]["asserted"] and facts[0]["evidence"][0]["quote"] == "it accumulates in the body"
    assert sentence(causal, ID["vitamin-b1"], CK.excretedMoreRapidly, Literal(False)) == \
        "vitamin B1 is not excreted more rapidly."
    assert boolean_facts(causal, ID["leg-cramp"]) == []
