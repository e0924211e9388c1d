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
    asserted = [step for chain in causal.chains(ID["vitamin-d"], ID["leg-cramp"]) for step in chain
                if step["asserted"]]
    assert len(asserted) >= 4, "no asserted steps to check: the loop below would pass on nothing"
    for step in asserted:
        assert step["evidence"] and all(e["quote"] for e in step["evidence"])


def test_b6_chain_ends_in_spasms_not_in_cramps(causal):
    """The article says the spasms feel like cramps, not that B6 causes leg cramps."""
    assert texts(causal, "vitamin B6", "leg cramp") == []
    assert texts(causal, "vitamin B6", "involuntary muscle spasms") == [
        "vitamin B6 → high-dose vitamin B6 intake → vitamin B6 neurotoxicity → peripheral neuropathy"
        " → involuntary muscle spasms"]


def test_no_chain_from_prevention(causal):
    assert texts(causal, "hydration", "leg cramp") == []


def test_explain_transitive_and_class_inferences(causal):
    e = causal.explain(ID["vitamin-d-excess"], CK.causallyUpstreamOf, ID["leg-cramp"])
    assert e["rule"] == "prp-trp" and len(e["because"]) >= 2
    e = causal.explain(ID["diuretic"], RDF.type, CK.UpstreamOfLegCramp)
    assert e["rule"] == "cls-hv2"
    e = causal.explain(ID["diuretic"], RDF.type, CK.CrampRiskFactor)
    assert e["rule"] == "cls-int1" and len(e["because"]) == 2


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


def test_each_step_shows_its_hedge_and_each_chain_a_summary(causal):
    """Issue 8: a chain is only as certain as its weakest step, so every step carries the article's words for it
    (its claims' wordings and qualifiers) and the chain a summary of them; an inferred step borrows the words
    of the links it was inferred from, marked as inferred."""
    by_text = {causal.chain_text(c): c for c in causal.chains(ID["vitamin-d"], ID["leg-cramp"])}
    chain = by_text["vitamin D → excessive vitamin D intake → hypercalcemia → disrupted muscle function → leg cramp"]
    assert [s["hedge"] for s in chain] == ["", "can lead to", "disrupts", "leading to"]
    assert causal.chain_summary(chain) == "taken as … can lead to … disrupts … leading to"
    assert chain[1]["qualifiers"]["qualifier"] == ["can"]
    assert chain[1]["qualifiers"]["doseCondition"] == [
        "often above the recommended upper limit of 4,000 International Units (IU) per day"]
    other = by_text[
        "vitamin D → excessive vitamin D intake → altered calcium level → electrolyte imbalance → leg cramp"]
    assert causal.chain_summary(other) == "taken as … influences … can then throw … involves"
    (b6,) = causal.chains(ID["vitamin-b6"], ID["neuropathic-muscle-spasm"])
    assert causal.chain_summary(b6) == "taken as … can be toxic to / are associated with … can cause … involves"
    assert set(b6[1]["qualifiers"]["doseCondition"]) == {
        "extremely high amounts",
        "chronic intake significantly exceeding the safe upper limit of 100 milligrams (mg) per day for adults"}
    diuretic = {causal.chain_text(c): c for c in causal.chains(ID["diuretic"], ID["leg-cramp"])}
    assert causal.chain_summary(diuretic["diuretics → potassium deficiency → leg cramp"]) == (
        "flushes out (inferred) … is a classic trigger for")


def test_a_transitive_inference_carries_the_hedges_of_its_steps(causal):
    e = causal.explain(ID["vitamin-d-excess"], CK.causallyUpstreamOf, ID["leg-cramp"])
    words = [" / ".join(f["qualifiers"]["wording"]) for f in e["because"]]
    assert e["summary"] == " … ".join(words) and len(words) == 3 and all(words)
    assert e["summary"] in {"can lead to … disrupts … leading to", "influences … can then throw … involves"}
