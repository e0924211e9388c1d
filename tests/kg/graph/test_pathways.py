"""What an entity leads to and what leads to it (kg.pathways), on the real build: the chains entity pages show.

Covers the cases issue 10 names: vitamin D (its consequences hang off its intake state), diuretics (through an
inferred deficiency step), low magnesium and magnesium (a substance traversed through its deficiency state),
and an entity that leads nowhere (hydration prevents, it does not cause).
"""
from __future__ import annotations

import pytest

from kg.graph.chains import CausalGraph
from kg.graph.pathways import pathways
from kg.namespaces import CK, ID


@pytest.fixture(scope="module")
def causal(dataset):
    return CausalGraph(dataset)


def texts(groups: list[dict]) -> dict[str, list[str]]:
    return {g["label"]: [c["text"] for c in g["chains"]] for g in groups}


def test_vitamin_d_leads_to_hypercalcemia_and_cramps_through_its_intake_state(causal):
    p = pathways(causal, ID["vitamin-d"])
    assert [(s["label"], s["kind"]) for s in p["through"]] == [("excessive vitamin D intake", "intake state")]
    assert texts(p["leads_to"]) == {"leg cramp": [
        "vitamin D → excessive vitamin D intake → altered calcium level → electrolyte imbalance → leg cramp",
        "vitamin D → excessive vitamin D intake → hypercalcemia → disrupted muscle function → leg cramp"]}
    assert p["led_to_by"] == []


def test_every_step_carries_its_quote_and_qualifiers(causal):
    p = pathways(causal, ID["vitamin-d"])
    steps = [s for g in p["leads_to"] for c in g["chains"] for s in c["steps"]]
    hyper = next(s for s in steps if s["to"] == str(ID["hypercalcemia"]))
    assert hyper["asserted"] and hyper["evidence"]
    e = hyper["evidence"][0]
    assert e["quote"].startswith("Excessive Vitamin D intake") and e["claim"] == "vitamin-d-excess-causes-hypercalcemia"
    # issue 8: the article's hedge and dose condition verbatim, its wording; no "direct" the quote never says
    assert e["qualifiers"] == [
        {"name": "qualifier", "value": "can"},
        {"name": "dose condition",
         "value": "often above the recommended upper limit of 4,000 International Units (IU) per day"},
        {"name": "wording", "value": "can lead to"}]
    first = steps[0]  # vitamin D → its intake state: inferred from "intake of", explained
    assert first["relation"] == str(CK.hasIntakeState) and not first["asserted"]
    assert first["explanation"]["because"][0]["evidence"]


def test_diuretics_lead_to_cramps_through_inferred_deficiencies(causal):
    p = pathways(causal, ID["diuretic"])
    found = texts(p["leads_to"])
    assert set(found) == {"leg cramp", "lowered fluid volume"}
    assert "diuretics → magnesium deficiency → leg cramp" in found["leg cramp"]
    assert len(found["leg cramp"]) == 4
    step = p["leads_to"][0]["chains"][0]["steps"][0]
    assert step["relation"] == str(CK.inducesDeficiencyOf) and step["explanation"]["rule"] == "prp-spo2"


def test_magnesium_is_traversed_through_its_deficiency_state(causal):
    p = pathways(causal, ID["magnesium"])
    assert [(s["label"], s["kind"]) for s in p["through"]] == [("magnesium deficiency", "deficiency state")]
    assert texts(p["leads_to"])["leg cramp"][0] == "magnesium → magnesium deficiency → leg cramp"
    # what leads to magnesium leads to its deficiency state; its own hop to the state is not listed
    assert texts(p["led_to_by"]) == {"diuretics": ["diuretics → magnesium deficiency"]}


def test_low_magnesium_both_ways(causal):
    p = pathways(causal, ID["low-magnesium"])
    assert texts(p["led_to_by"]) == {"diuretics": ["diuretics → magnesium deficiency"]}
    assert texts(p["leads_to"])["leg cramp"] == ["magnesium deficiency → leg cramp",
                                                  "magnesium deficiency → muscle hyperexcitability → leg cramp"]


def test_leg_cramp_is_led_to_by_every_origin(causal):
    found = texts(pathways(causal, ID["leg-cramp"])["led_to_by"])
    assert set(found) >= {"vitamin D", "diuretics", "magnesium", "potassium", "calcium", "vitamin supplement"}
    assert "vitamin B6" not in found  # the article says B6's spasms feel like cramps, not that it causes them


def test_prevention_leads_nowhere(causal):
    p = pathways(causal, ID["hydration"])
    assert p == {"leads_to": [], "led_to_by": [], "through": []}


def test_each_chain_is_found_by_the_explorer_at_its_index(causal):
    """The explorer shows a chain as chain `index` of those from `source` to `target`: the same steps."""
    for name in ("vitamin-d", "diuretic", "leg-cramp", "magnesium", "low-magnesium"):
        p = pathways(causal, ID[name])
        for g in p["leads_to"] + p["led_to_by"]:
            assert {(c["source"], c["target"]) for c in g["chains"]} == {(g["source"], g["target"])}
            for chain in g["chains"]:
                picked = causal.chains(chain["source"], chain["target"])[chain["index"]]
                assert [(s["from"], s["relation"], s["to"]) for s in picked] == [
                    (s["from"], s["relation"], s["to"]) for s in chain["steps"]]
