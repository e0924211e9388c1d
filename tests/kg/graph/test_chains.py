"""Causal chains and explanations from the library (the JSON API over HTTP: tests/server/test_api.py).

Bad inputs tried: an unknown name, an ambiguous name, an empty name, a triple that
neither is asserted nor inferred, a predicate that is neither IRI nor known CURIE.
"""
from __future__ import annotations

import pytest
from rdflib import Dataset, Literal
from rdflib.namespace import RDF, RDFS

from kg.errors import Ambiguous, CrampkgError, NotFound
from kg.graph.chains import CausalGraph
from kg.namespaces import CK, GRAPH_ASSERTED, ID


@pytest.fixture(scope="module")
def causal(dataset):
    return CausalGraph(dataset)


def texts(causal, source, target):
    return [causal.chain_text(c) for c in causal.chains(causal.resolve(source), causal.resolve(target))]


def test_vitamin_d_chains(causal):
    found = texts(causal, "vitamin D", "leg cramp")
    assert "vitamin D → excessive vitamin D intake → hypercalcemia → disrupted muscle function → leg cramp" in found
    assert ("vitamin D → excessive vitamin D intake → altered calcium level → electrolyte imbalance → leg cramp"
            in found)
    assert len(found) == 2


def test_diuretic_chains_go_through_the_inferred_deficiency(causal):
    chains = causal.chains(ID["diuretic"], ID["leg-cramp"])
    assert {causal.chain_text(c) for c in chains} >= {
        "diuretics → potassium deficiency → leg cramp", "diuretics → magnesium deficiency → leg cramp"}
    first = chains[0][0]
    assert first["relation"] == str(CK.inducesDeficiencyOf) and not first["asserted"]
    assert first["explanation"]["rule"] == "prp-spo2"
    because = first["explanation"]["because"]
    assert [b["predicate"] for b in because] == [str(CK.depletes), str(CK.hasDeficiencyState)]
    assert all(b["evidence"] for b in because)


def test_every_asserted_step_carries_its_quote(causal):
    for chain in causal.chains(ID["vitamin-d"], ID["leg-cramp"]):
        for step in chain:
            if step["asserted"]:
                assert step["evidence"] and all(e["quote"] for e in step["evidence"])


def test_b6_chain_ends_in_spasms_not_in_cramps(causal):
    """The article says the spasms feel like cramps, not that B6 causes leg cramps."""
    assert texts(causal, "vitamin B6", "leg cramp") == []
    assert texts(causal, "vitamin B6", "involuntary muscle spasms") == [
        "vitamin B6 → chronic high-dose vitamin B6 intake → vitamin B6 neurotoxicity → peripheral neuropathy"
        " → involuntary muscle spasms"]


def test_no_chain_from_prevention(causal):
    assert texts(causal, "hydration", "leg cramp") == []


def test_explain_transitive_and_class_inferences(causal):
    e = causal.explain(ID["vitamin-d-excess"], CK.causallyUpstreamOf, ID["leg-cramp"])
    assert e["rule"] == "prp-trp" and len(e["because"]) >= 2
    e = causal.explain(ID["diuretic"], RDF.type, CK.CrampRiskFactor)
    assert e["rule"] == "cls-hv2"


def test_resolve_errors(causal):
    with pytest.raises(NotFound):
        causal.resolve("unobtainium")
    with pytest.raises(CrampkgError):
        causal.resolve("  ")
    with pytest.raises(NotFound):
        causal.explain(ID["hydration"], CK.causes, ID["leg-cramp"])


def test_ambiguous_name_lists_the_candidates():
    ds = Dataset()
    asserted = ds.graph(GRAPH_ASSERTED)
    for slug in ("twin-a", "twin-b"):
        asserted.add((ID[slug], RDFS.label, Literal("twin", lang="en")))
    with pytest.raises(Ambiguous) as info:
        CausalGraph(ds).resolve("Twin")
    assert "twin-a" in str(info.value) and "twin-b" in str(info.value)
