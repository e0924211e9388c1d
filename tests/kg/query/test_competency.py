"""Competency questions drawn from the article, each a SPARQL query over the built dataset with the answer
the article gives. The default graph is the union of the ontology, asserted and inferred graphs."""
from __future__ import annotations

import pytest

from kg.namespaces import sparql_prologue
from kg.query.table import shorten

UPSTREAM = {
    "id:altered-calcium-level", "id:disrupted-muscle-function", "id:diuretic", "id:electrolyte-imbalance",
    "id:high-dose-vitamin-supplementation", "id:hypercalcemia", "id:low-calcium", "id:low-magnesium",
    "id:low-potassium", "id:muscle-hyperexcitability", "id:vitamin-d-excess", "id:vitamin-toxicity",
}
# Risk factors are the exposures and states among them (intakes, medications, deficiencies), not the
# mechanisms on the way (issue 8).
RISK_FACTORS = {
    "id:diuretic", "id:high-dose-vitamin-supplementation", "id:low-calcium", "id:low-magnesium",
    "id:low-potassium", "id:vitamin-d-excess",
}
WARNING_SIGNS = {
    "id:warning-severe-or-frequent", "id:warning-persist-despite-changes", "id:warning-leg-swelling",
    "id:warning-skin-changes", "id:warning-warmth-or-redness", "id:warning-waking-from-sleep",
}

QUESTIONS = [
    ("what-leads-to-cramps", "What is causally upstream of leg cramps, directly or not?",
     "SELECT ?x WHERE { ?x ck:causallyUpstreamOf id:leg-cramp }", UPSTREAM),
    ("direct-causes", "What does the article say directly leads to cramps?",
     "SELECT ?x WHERE { GRAPH graph:asserted { ?x ?p id:leg-cramp } ?p rdfs:subPropertyOf ck:causallyUpstreamOf }",
     {"id:disrupted-muscle-function", "id:electrolyte-imbalance", "id:low-magnesium", "id:low-potassium",
      "id:muscle-hyperexcitability", "id:vitamin-toxicity"}),
    ("through-what-vitamin-d", "Through what does excessive vitamin D lead to cramps?",
     "SELECT ?x WHERE { id:vitamin-d-excess ck:causallyUpstreamOf ?x . ?x ck:causallyUpstreamOf id:leg-cramp }",
     {"id:hypercalcemia", "id:disrupted-muscle-function", "id:altered-calcium-level", "id:electrolyte-imbalance"}),
    ("vitamin-d-limit", "What is the upper limit of vitamin D, in which unit and per what?",
     "SELECT ?v ?u ?per WHERE { id:vitamin-d ck:hasUpperLimit ?l . ?l schema:doseValue ?v ; schema:doseUnit ?u ;"
     " schema:frequency ?per }", {("4000.0", "IU", "per day")}),
    ("b6-limit", "What is the upper limit of vitamin B6, in which unit, per what and for whom?",
     "SELECT ?v ?u ?per ?who WHERE { id:vitamin-b6 ck:hasUpperLimit ?l . ?l schema:doseValue ?v ;"
     " schema:doseUnit ?u ; schema:frequency ?per ; schema:targetPopulation ?who }",
     {("100.0", "mg", "per day", "adults")}),
    ("limit-owners", "Which substance does each upper limit belong to?",
     "SELECT ?s ?v WHERE { ?s ck:hasUpperLimit ?l . ?l schema:doseValue ?v }",
     {("id:vitamin-d", "4000.0"), ("id:vitamin-b6", "100.0")}),
    ("fat-soluble", "Which vitamins are fat-soluble?",
     "SELECT ?x WHERE { ?x a ck:FatSolubleVitamin }", {"id:vitamin-d"}),
    ("water-soluble", "Which vitamins are water-soluble?",
     "SELECT ?x WHERE { ?x a ck:WaterSolubleVitamin }", {"id:vitamin-b1", "id:vitamin-b6"}),
    ("diuretics-deplete", "What do diuretics deplete?",
     "SELECT ?x WHERE { id:diuretic ck:depletes ?x }",
     {"id:potassium", "id:magnesium", "id:vitamin-b1", "id:vitamin-b6"}),
    ("diuretic-deficiencies", "Which deficiency states do diuretics induce (property chain)?",
     "SELECT ?x WHERE { GRAPH graph:inferred { id:diuretic ck:inducesDeficiencyOf ?x } }",
     {"id:low-potassium", "id:low-magnesium"}),
    ("warning-signs", "Which signs call for medical attention?",
     "SELECT ?x WHERE { ?x a ck:WarningSign ; ck:callsFor id:seek-medical-attention }", WARNING_SIGNS),
    ("waking-suggests", "What may cramps that regularly wake you from sleep suggest?",
     "SELECT ?x WHERE { id:warning-waking-from-sleep ck:maySuggest ?x }", {"id:venous-insufficiency"}),
    ("prevention", "What helps prevent cramps?",
     "SELECT ?x WHERE { ?x ck:prevents id:leg-cramp }", {"id:hydration", "id:mineral-rich-diet"}),
    ("prevention-not-cause", "Is anything that prevents cramps also causally upstream of them?",
     "ASK { ?x ck:prevents id:leg-cramp . ?x ck:causallyUpstreamOf id:leg-cramp }", False),
    ("b6-leads-to", "What does high-dose vitamin B6 intake lead to?",
     "SELECT ?x WHERE { id:vitamin-b6-excess ck:causallyUpstreamOf ?x }",
     {"id:b6-neurotoxicity", "id:peripheral-neuropathy", "id:neuropathic-muscle-spasm"}),
    ("spasms-feel-like", "What do the spasms of B6 neuropathy feel like?",
     "SELECT ?x WHERE { id:neuropathic-muscle-spasm ck:resembles ?x }", {"id:leg-cramp"}),
    ("most-frequent", "What is the most frequent underlying cause of muscle cramps?",
     "SELECT ?x WHERE { ?c rdf:subject ?x ; rdf:object id:leg-cramp ; ck:qualifier 'most frequent' }",
     {"id:electrolyte-imbalance"}),
    ("classic-trigger", "What is a classic trigger for leg cramps?",
     "SELECT ?x WHERE { ?c rdf:subject ?x ; rdf:predicate ck:triggers ; rdf:object id:leg-cramp ;"
     " ck:qualifier 'classic trigger' }", {"id:low-potassium", "id:low-magnesium"}),
    ("where", "Which body parts do leg cramps most commonly affect?",
     "SELECT ?x WHERE { id:leg-cramp ck:commonlyAffects ?x }", {"id:calf", "id:foot", "id:thigh"}),
    ("misattributed", "What are cramps from mineral loss often mistakenly attributed to?",
     "SELECT ?x WHERE { id:leg-cramp ck:oftenMistakenlyAttributedTo ?x }", {"id:vitamin-supplement"}),
    ("indirect-links", "Which links between entities does the article call indirect?",
     "SELECT ?s ?o WHERE { ?c ck:directness 'indirect' ; rdf:subject ?s ; rdf:object ?o . FILTER isIRI(?o) }",
     {("id:high-dose-vitamin-supplementation", "id:electrolyte-imbalance")}),
    ("supplements-rarely", "Are vitamin supplements rarely the direct cause, and not a cramp risk factor?",
     "ASK { ?c rdf:subject id:vitamin-supplement ; rdf:predicate ck:rarelyDirectlyCauses ;"
     " rdf:object id:leg-cramp ; ck:qualifier 'rarely' ."
     " FILTER NOT EXISTS { id:vitamin-supplement ck:causallyUpstreamOf id:leg-cramp } }", True),
    ("electrolyte-roles", "What does each electrolyte do for muscles?",
     "SELECT ?x ?p ?y WHERE { VALUES ?p { ck:signals ck:necessaryFor ck:regulates } ?x ?p ?y }",
     {("id:calcium", "ck:signals", "id:muscle-contraction"),
      ("id:magnesium", "ck:necessaryFor", "id:muscle-relaxation"),
      ("id:potassium", "ck:regulates", "id:neuromuscular-electrical-impulses"),
      ("id:sodium", "ck:regulates", "id:neuromuscular-electrical-impulses")}),
    ("muscle-relies-on", "Which minerals does muscle function rely on?",
     "SELECT ?x WHERE { id:muscle-function ck:reliesOn ?x . ?x a ck:Electrolyte }",
     {"id:calcium", "id:potassium", "id:magnesium"}),
    ("deficiency-leads-to", "What does a deficiency in any of these minerals lead to?",
     "SELECT DISTINCT ?x WHERE { ?m ck:hasDeficiencyState ?d . ?d ck:causes ?x }",
     {"id:muscle-hyperexcitability", "id:leg-cramp"}),
    ("hydration-supports", "What do hydration and a mineral-rich diet support?",
     "SELECT DISTINCT ?x WHERE { ?a a ck:PreventiveMeasure ; ck:supports ?x }", {"id:electrolyte-balance"}),
    ("dose-conditions", "Which intake exceeds which limit, under what dose condition?",
     "SELECT ?i ?l ?cond WHERE { ?c rdf:subject ?i ; rdf:predicate ck:exceeds ; rdf:object ?l ; "
     "ck:doseCondition ?cond }",
     {("id:vitamin-d-excess", "id:vitamin-d-upper-limit",
       "often above the recommended upper limit of 4,000 International Units (IU) per day"),
      ("id:vitamin-b6-excess", "id:vitamin-b6-upper-limit",
       "chronic intake significantly exceeding the safe upper limit of 100 milligrams (mg) per day for adults")}),
    ("risk-factor-class", "What is classified a cramp risk factor (inferred from the restriction)?",
     "SELECT ?x WHERE { GRAPH graph:inferred { ?x a ck:CrampRiskFactor } }", RISK_FACTORS),
    ("duration", "How long does a leg cramp last?",
     "SELECT ?d WHERE { id:leg-cramp ck:durationRange ?d }", {"from a few seconds to several minutes"}),
    ("after-supplement", "What should you do about new or worsening cramps after starting a supplement?",
     "SELECT ?a WHERE { ?a a ck:Recommendation ; ck:recommendedFor id:new-or-worsening-cramps-after-supplement }",
     {"id:review-dosage"}),
    ("do-not-stop", "For which vitamin does the article stress not stopping abruptly?",
     "SELECT ?x WHERE { id:do-not-stop-abruptly ck:especiallyFor ?x . ?x a ck:FatSolubleVitamin }", {"id:vitamin-d"}),
    ("bp-medication", "Which blood pressure medications does the article name?",
     "SELECT ?x WHERE { ?x a ck:BloodPressureMedication }", {"id:diuretic"}),
    ("vitamin-d-accumulates", "Does vitamin D accumulate in the body?",
     "ASK { id:vitamin-d ck:accumulatesInBody true }", True),
]


def answer(dataset, query: str):
    result = dataset.query(sparql_prologue() + query)
    if result.type == "ASK":
        return result.askAnswer
    rows = set()
    for row in result:
        cells = tuple(shorten(v) for v in row)
        rows.add(cells[0] if len(cells) == 1 else cells)
    return rows


def test_at_least_25_questions():
    assert len(QUESTIONS) >= 25
    assert len({q[0] for q in QUESTIONS}) == len(QUESTIONS)


@pytest.mark.parametrize("name,question,query,expected", QUESTIONS, ids=[q[0] for q in QUESTIONS])
def test_competency_question(dataset, name, question, query, expected):
    assert answer(dataset, query) == expected, question
