"""The fast reasoner (kg.build.entailment) infers exactly what owlrl infers, after the same hygiene filter.

Compared on the shipped article and on a 10-article synthetic corpus whose chains cross articles, and on a
contradiction (both must refuse it with the same message). Constructs the fast reasoner does not implement
are refused by name rather than silently ignored.
"""
from __future__ import annotations

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import OWL, RDF, XSD

from bench.corpus import write_corpus
from kg.build import Sources
from kg.build.closure import infer
from kg.build.entailment import infer_fast
from kg.build.pipeline import assemble
from kg.errors import InconsistencyError, UnsupportedConstruct
from kg.namespaces import CK, ID, SCHEMA


@pytest.fixture(scope="module")
def article() -> tuple[Graph, Graph]:
    return assemble(Sources())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Graph, Graph]:
    folder = tmp_path_factory.mktemp("corpus10") / "sources"
    write_corpus(10, folder, seed=1)
    return assemble(Sources.from_folder(folder))


def plus(graph: Graph, triple) -> Graph:
    """A copy of `graph` with one more triple (the module-scoped fixtures stay as they are)."""
    copy = Graph()
    copy += graph
    copy.add(triple)
    return copy


def test_same_inferred_graph_as_owlrl_on_the_article(article):
    ontology, asserted = article
    expected = set(infer(ontology, asserted))
    assert len(expected) > 400
    assert set(infer_fast(ontology, asserted)) == expected


def test_same_inferred_graph_as_owlrl_on_a_ten_article_corpus(corpus):
    ontology, asserted = corpus
    expected = set(infer(ontology, asserted))
    got = set(infer_fast(ontology, asserted))
    assert got == expected
    # the corpus exercises every rule the ontology has: chains, inverses, restriction, transitivity
    predicates = {p for _, p, _ in got}
    assert {CK.inducesDeficiencyOf, CK.causedBy, CK.causallyDownstreamOf, CK.causallyUpstreamOf} <= predicates
    assert any(o == CK.CrampRiskFactor for _, p, o in got if p == RDF.type)


def test_both_refuse_a_contradiction_with_the_same_message(article):
    ontology, asserted = article
    broken = plus(asserted, (ID["hydration"], CK.causes, ID["leg-cramp"]))  # a preventive measure upstream of cramps
    with pytest.raises(InconsistencyError) as reference:
        infer(ontology, broken)
    with pytest.raises(InconsistencyError) as fast:
        infer_fast(ontology, broken)
    assert str(fast.value) == str(reference.value)
    assert "PreventiveMeasure" in str(fast.value) and "UpstreamOfLegCramp" in str(fast.value)


def test_both_refuse_an_ill_typed_literal_with_the_same_message(article):
    ontology, asserted = article
    broken = plus(asserted, (ID["vitamin-d-upper-limit"], SCHEMA.doseValue, Literal("soon", datatype=XSD.integer)))
    with pytest.raises(InconsistencyError) as reference:
        infer(ontology, broken)
    with pytest.raises(InconsistencyError) as fast:
        infer_fast(ontology, broken)
    assert str(fast.value) == str(reference.value)
    assert "'soon' does not match its datatype" in str(fast.value)


@pytest.mark.parametrize("triple", [
    (CK.causes, RDF.type, OWL.FunctionalProperty),
    (CK.causes, RDF.type, OWL.SymmetricProperty),
    (ID["calf"], OWL.sameAs, ID["foot"]),
], ids=["functional property", "symmetric property", "sameAs"])
def test_unsupported_constructs_are_refused_by_name(article, triple):
    ontology, asserted = article
    with pytest.raises(UnsupportedConstruct, match="--reasoner owlrl"):
        infer_fast(plus(ontology, triple), asserted)


@pytest.mark.parametrize("triple", [
    (CK.Symptom, OWL.disjointWith, CK.Substance),
    (CK.supports, RDF.type, OWL.TransitiveProperty),
], ids=["disjointness", "transitivity"])
def test_axioms_among_asserted_triples_are_refused(article, triple):
    ontology, asserted = article
    with pytest.raises(UnsupportedConstruct, match="axioms from the ontology only"):
        infer_fast(ontology, plus(asserted, triple))


RULES_ONTOLOGY = """
@prefix ex: <https://w3id.org/crampkg/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:A a owl:Class . ex:B a owl:Class ; rdfs:subClassOf ex:A . ex:C a owl:Class ; owl:equivalentClass ex:B .
ex:D a owl:Class . ex:E a owl:Class .
ex:p a owl:ObjectProperty ; rdfs:domain ex:C ; rdfs:range ex:D .
ex:q a owl:ObjectProperty ; rdfs:subPropertyOf ex:p ; owl:inverseOf ex:qi .
ex:r a owl:ObjectProperty, owl:TransitiveProperty ; owl:equivalentProperty ex:r2 ; owl:inverseOf ex:ri .
ex:s a owl:ObjectProperty ; owl:propertyChainAxiom ( ex:q ex:r ex:t ) .
ex:t a owl:ObjectProperty .
ex:V owl:equivalentClass [ a owl:Restriction ; owl:onProperty ex:p ; owl:hasValue ex:v ] .
ex:W owl:equivalentClass [ a owl:Restriction ; owl:onProperty ex:q ; owl:hasValue ex:v ] .
ex:E owl:disjointWith ex:A .
ex:F rdfs:subClassOf ex:G . ex:G rdfs:subClassOf ex:F .
ex:dp a owl:DatatypeProperty ; rdfs:subPropertyOf ex:dp2 ; rdfs:domain ex:F ; rdfs:range ex:D .
ex:dp2 a owl:DatatypeProperty .
"""
RULES_DATA = """
@prefix ex: <https://w3id.org/crampkg/ontology#> .
@prefix id: <https://w3id.org/crampkg/id/> .
id:x1 ex:q id:x2 . id:x2 ex:r id:x3 . id:x3 ex:r2 id:x4 . id:x4 ex:t id:x5 .
id:x6 ex:q ex:v . id:x7 a ex:W . id:x8 a ex:V . id:x9 a ex:C .
id:y1 ex:r id:y2 . id:y2 ex:r id:y1 . id:y3 ex:dp "a literal" . id:y4 a ex:G .
"""


def test_same_as_owlrl_on_every_rule_form():
    """Rule forms the shipped ontology does not use in this shape: a 3-step chain, equivalent properties,
    inverse of a transitive property, hasValue on a sub-property (scm-hv), named equivalent classes, a
    subclass cycle, a transitive cycle, domain and range reached through a sub-property, a datatype property
    with a sub-property, a domain and a range (applied to a literal)."""
    ontology = Graph().parse(data=RULES_ONTOLOGY, format="turtle")
    asserted = Graph().parse(data=RULES_DATA, format="turtle")
    expected = set(infer(ontology, asserted))
    assert len(expected) > 30
    assert set(infer_fast(ontology, asserted)) == expected
