"""OWL 2 RL reasoning: what the closure must add, what it must never add, and the hygiene of the inferred graph."""
from __future__ import annotations

from rdflib import BNode, Literal
from rdflib.namespace import OWL, RDF, RDFS

from kg.build.closure import infer
from kg.namespaces import CK, GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_ONTOLOGY, ID

META = (str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#")


def graphs(dataset):
    return dataset.graph(GRAPH_ONTOLOGY), dataset.graph(GRAPH_ASSERTED), dataset.graph(GRAPH_INFERRED)


def test_transitive_chain_vitamin_d_excess_to_leg_cramp(dataset):
    _, asserted, inferred = graphs(dataset)
    triple = (ID["vitamin-d-excess"], CK.causallyUpstreamOf, ID["leg-cramp"])
    assert triple in inferred and triple not in asserted
    assert (ID["vitamin-d-excess"], CK.causes, ID["leg-cramp"]) not in inferred  # transitivity stays upstream-of


def test_inverse_relations(dataset):
    _, _, inferred = graphs(dataset)
    assert (ID["hypercalcemia"], CK.causedBy, ID["vitamin-d-excess"]) in inferred
    assert (ID["potassium"], CK.depletedBy, ID["diuretic"]) in inferred
    assert (ID["leg-cramp"], CK.preventedBy, ID["hydration"]) in inferred
    assert (ID["leg-cramp"], CK.causallyDownstreamOf, ID["diuretic"]) in inferred


def test_property_chain_drug_depleting_a_mineral_induces_its_deficiency(dataset):
    _, _, inferred = graphs(dataset)
    assert (ID["diuretic"], CK.inducesDeficiencyOf, ID["low-potassium"]) in inferred
    assert (ID["diuretic"], CK.inducesDeficiencyOf, ID["low-magnesium"]) in inferred
    # no deficiency state of B vitamins is stated, so none is invented
    assert len(set(inferred.triples((ID["diuretic"], CK.inducesDeficiencyOf, None)))) == 2
    assert (ID["diuretic"], CK.causallyUpstreamOf, ID["leg-cramp"]) in inferred


def test_restriction_classifies_every_upstream_thing(dataset):
    _, _, inferred = graphs(dataset)
    upstream = set(dataset.subjects(CK.causallyUpstreamOf, ID["leg-cramp"]))
    assert upstream == set(inferred.subjects(RDF.type, CK.UpstreamOfLegCramp))
    assert ID["diuretic"] in upstream and ID["muscle-hyperexcitability"] in upstream


def test_risk_factors_are_exposures_and_states_not_mechanisms(dataset):
    """Issue 8: the risk-factor class held mechanisms (hyperexcitability, disrupted muscle function). It is now
    the upstream things that are intakes, medications or deficiency states (an owl:intersectionOf)."""
    _, _, inferred = graphs(dataset)
    upstream = set(dataset.subjects(CK.causallyUpstreamOf, ID["leg-cramp"]))
    kinds = set(dataset.subjects(RDF.type, CK.ExposureOrDeficiency))
    risk = set(inferred.subjects(RDF.type, CK.CrampRiskFactor))
    assert risk == upstream & kinds
    assert {ID["diuretic"], ID["low-potassium"], ID["vitamin-d-excess"]} <= risk
    for mechanism in ("muscle-hyperexcitability", "disrupted-muscle-function", "hypercalcemia"):
        assert ID[mechanism] in upstream and ID[mechanism] not in risk


def test_protective_relations_never_become_causal(dataset):
    for measure in (ID["hydration"], ID["mineral-rich-diet"]):
        assert (measure, CK.causallyUpstreamOf, ID["leg-cramp"]) not in dataset
        assert (measure, RDF.type, CK.UpstreamOfLegCramp) not in dataset
    ontology, _, _ = graphs(dataset)
    causal = set(ontology.subjects(RDFS.subPropertyOf, CK.causallyUpstreamOf))
    assert CK.prevents not in causal and CK.supports not in causal
    assert (CK.causallyUpstreamOf, RDF.type, OWL.TransitiveProperty) in ontology


def test_every_causal_relation_is_below_causally_upstream_of(dataset):
    names = {CK.causes, CK.contributesTo, CK.triggers, CK.hasSymptom, CK.inducesDeficiencyOf}
    for p in names:
        assert (p, RDFS.subPropertyOf, CK.causallyUpstreamOf) in dataset, p


def test_inferred_graph_hygiene(dataset):
    ontology, asserted, inferred = graphs(dataset)
    assert len(inferred) > 100
    for s, p, o in inferred:
        assert not isinstance(s, Literal), (s, p, o)
        assert not (p == OWL.sameAs and s == o), (s, p, o)
        assert not str(s).startswith(META), f"axiomatic triple in the inferred graph: {s} {p} {o}"
        assert (s, p, o) not in asserted and (s, p, o) not in ontology, "already asserted"
        assert not isinstance(s, BNode) and not isinstance(o, BNode)
        assert o not in (OWL.Thing, RDFS.Resource)


def test_inferred_graph_holds_nothing_already_asserted_even_via_the_union(dataset):
    ontology, asserted, inferred = graphs(dataset)
    assert not (set(inferred) & (set(asserted) | set(ontology)))


def test_reasoning_is_reproducible(dataset):
    ontology, asserted, inferred = graphs(dataset)
    from rdflib import Graph

    o, a = Graph(), Graph()
    o += ontology
    a += asserted
    assert set(infer(o, a)) == set(inferred)


def test_classes_are_not_mixed_up(dataset):
    """Disjointness holds in the built graph: no substance is a condition, no measure a risk factor."""
    for x in dataset.subjects(RDF.type, CK.Substance):
        assert (x, RDF.type, CK.Condition) not in dataset
