"""Competency questions for the fidelity fixes of issue 8 (model fidelity, round 2): one or more per fix, each a
SPARQL query over the built dataset (default graph = union of ontology, asserted and inferred) with the answer
the article supports. Where a fix removes something, the question asks for it and expects nothing."""
from __future__ import annotations

import pytest
from test_competency import answer

DEFICIENCIES = {"id:low-calcium", "id:low-potassium", "id:low-magnesium"}
WARNING_SIGNS = {
    "id:warning-severe-or-frequent", "id:warning-persist-despite-changes", "id:warning-leg-swelling",
    "id:warning-skin-changes", "id:warning-warmth-or-redness", "id:warning-waking-from-sleep",
}
QUOTE = "ck:hasEvidence/oa:hasSelector/oa:exact"

QUESTIONS = [
    # --- links the article makes: the electrolyte-imbalance hub ---------------------------------------------
    ("imbalance-kinds", "Which kinds of electrolyte imbalance does the article itself name?",
     "SELECT DISTINCT ?k WHERE { ?c rdf:subject ?k ; rdf:predicate ck:isCaseOf ; rdf:object id:electrolyte-imbalance ."
     " FILTER NOT EXISTS { ?c a ck:CuratorReading } }", DEFICIENCIES),
    ("imbalance-kinds-quote-both-sentences", "Does each of them quote both sentences that make it an imbalance?",
     f"SELECT ?k ?q WHERE {{ ?c rdf:subject ?k ; rdf:predicate ck:isCaseOf ; rdf:object id:electrolyte-imbalance ;"
     f" {QUOTE} ?q . FILTER NOT EXISTS {{ ?c a ck:CuratorReading }} }}",
     {(k, q) for k in DEFICIENCIES for q in (
         "an imbalance of electrolytes, which are minerals crucial for electrical signaling in the body",
         "A deficiency in any of these minerals")}),
    ("from-imbalance-to-cramps", "Starting from electrolyte imbalance, which kinds reach cramps through "
     "muscle hyperexcitability?",
     "SELECT ?k WHERE { ?k ck:isCaseOf id:electrolyte-imbalance ; ck:causes id:muscle-hyperexcitability ."
     " id:muscle-hyperexcitability ck:causes id:leg-cramp }", DEFICIENCIES),
    ("imbalance-not-hyperexcitability", "Is electrolyte imbalance as such said to lead to hyperexcitability?",
     "ASK { id:electrolyte-imbalance ck:causallyUpstreamOf id:muscle-hyperexcitability }", False),
    ("taxonomy-is-not-causal", "Is any case-of link below causally upstream of?",
     "ASK { ck:isCaseOf rdfs:subPropertyOf+ ck:causallyRelatedTo }", False),
    ("curator-readings", "Which links to the hub are only the curator's reading, with a note saying so?",
     "SELECT ?s WHERE { ?c a ck:CuratorReading ; rdf:subject ?s ; rdf:predicate ck:isCaseOf ;"
     " rdf:object id:electrolyte-imbalance ; skos:editorialNote ?note }",
     {"id:hypercalcemia", "id:altered-calcium-level"}),
    ("curator-reading-quote", "What text is the curator's reading read from?",
     f"SELECT DISTINCT ?q WHERE {{ ?c a ck:CuratorReading ; {QUOTE} ?q }}",
     {"which can then throw other electrolytes out of balance"}),
    ("skos-broader", "What does a SKOS client see as narrower than electrolyte imbalance (inferred skos:broader)?",
     "SELECT ?x WHERE { GRAPH graph:inferred { ?x skos:broader id:electrolyte-imbalance } }",
     DEFICIENCIES | {"id:hypercalcemia", "id:altered-calcium-level"}),
    # --- narrower and broader -------------------------------------------------------------------------------
    ("high-dose-cases", "Which intakes are cases of high-dose vitamin supplementation?",
     "SELECT ?x WHERE { ?x ck:isCaseOf id:high-dose-vitamin-supplementation }",
     {"id:vitamin-d-excess", "id:vitamin-b6-excess"}),
    ("high-dose-case-words", "In which words does the article make them cases?",
     "SELECT ?x ?w WHERE { ?c rdf:subject ?x ; rdf:predicate ck:isCaseOf ;"
     " rdf:object id:high-dose-vitamin-supplementation ; ck:wording ?w }",
     {("id:vitamin-d-excess", "one example"), ("id:vitamin-d-excess", "For instance"),
      ("id:vitamin-b6-excess", "another")}),
    ("toxicity-cases", "Which toxicity is a case of vitamin toxicity?",
     "SELECT ?x WHERE { ?x ck:isCaseOf id:vitamin-toxicity }", {"id:b6-neurotoxicity"}),
    ("serious-condition-cases", "Which serious underlying condition does the article give as an example?",
     "SELECT ?x WHERE { ?x ck:isCaseOf id:serious-underlying-condition }", {"id:venous-insufficiency"}),
    ("new-cramps-are-cramps", "What are new or worsening cramps after a supplement, and after what?",
     "SELECT ?p ?o WHERE { id:new-or-worsening-cramps-after-supplement ?p ?o ."
     " VALUES ?p { ck:isCaseOf ck:afterStarting } }",
     {("ck:isCaseOf", "id:leg-cramp"), ("ck:afterStarting", "id:vitamin-supplement")}),
    ("after-is-not-cause", "Does the graph say starting a supplement causes the new cramps?",
     "ASK { id:vitamin-supplement ck:causallyUpstreamOf ?x }", False),
    ("b6-not-upstream-via-taxonomy", "Does B6 excess become upstream of cramps through vitamin toxicity?",
     "ASK { id:vitamin-b6-excess ck:causallyUpstreamOf id:leg-cramp }", False),
    # --- warning signs ----------------------------------------------------------------------------------------
    ("warning-signs-of-cramps", "Of what is each warning sign a sign?",
     "SELECT ?x WHERE { ?x ck:warningSignOf id:leg-cramp }", WARNING_SIGNS),
    ("warning-signs-evidenced", "Does every warning-sign-of link carry its own quote?",
     f"SELECT ?x WHERE {{ ?c rdf:subject ?x ; rdf:predicate ck:warningSignOf ; {QUOTE} ?q }}", WARNING_SIGNS),
    # --- B6: "another direct connection" ----------------------------------------------------------------------
    ("b6-direct-connection", "How does the article connect B6 excess to cramps?",
     "SELECT ?p WHERE { id:vitamin-b6-excess ?p id:leg-cramp }",
     {"ck:directConnectionTo", "ck:causallyRelatedTo"}),
    ("direct-connection-not-transitive", "Is the direct connection transitive or a causal step?",
     "ASK { { ck:directConnectionTo a owl:TransitiveProperty } UNION"
     " { ck:directConnectionTo rdfs:subPropertyOf+ ck:causallyUpstreamOf } }", False),
    ("no-directness-on-types", "Does any rdf:type claim carry a directness (where it means nothing)?",
     "ASK { ?c rdf:predicate rdf:type ; ck:directness ?d }", False),
    # --- the scoped misattribution ----------------------------------------------------------------------------
    ("misattribution-context", "In what situation are cramps mistakenly attributed to supplements?",
     "SELECT ?x WHERE { ?c rdf:predicate ck:oftenMistakenlyAttributedTo ; ck:context ?x ; skos:scopeNote ?n }",
     {"id:diuretic", "id:low-potassium", "id:low-magnesium"}),
    ("misattribution-supplements-purpose", "Which supplements does the article mean?",
     "SELECT ?w WHERE { ?c rdf:predicate ck:oftenMistakenlyAttributedTo ; ck:objectWording ?w }",
     {"the vitamin supplements being taken to correct the perceived deficiency"}),
    ("misattribution-definition", "Does the property still claim the supplement is never the cause?",
     "ASK { ck:oftenMistakenlyAttributedTo skos:definition ?d FILTER(CONTAINS(?d, 'not its cause')) }", False),
    # --- hedges on the claims ---------------------------------------------------------------------------------
    ("vitamin-d-often", "On what condition can excessive vitamin D lead to hypercalcemia?",
     "SELECT ?q ?cond WHERE { ?c rdf:subject id:vitamin-d-excess ; rdf:object id:hypercalcemia ;"
     " ck:qualifier ?q ; ck:doseCondition ?cond }",
     {("can", "often above the recommended upper limit of 4,000 International Units (IU) per day")}),
    ("b6-conditions", "On what conditions does B6 excess lead to neurotoxicity?",
     "SELECT ?q ?cond WHERE { ?c rdf:subject id:vitamin-b6-excess ; rdf:object id:b6-neurotoxicity ;"
     " ck:qualifier ?q ; ck:doseCondition ?cond }",
     {("can", "extremely high amounts"),
      ("associated with",
       "chronic intake significantly exceeding the safe upper limit of 100 milligrams (mg) per day for adults")}),
    ("generally-involves", "How does the article relate toxicity to cramps, and with what hedge?",
     "SELECT ?p ?q ?w WHERE { ?c rdf:subject id:vitamin-toxicity ; rdf:object id:leg-cramp ; rdf:predicate ?p ;"
     " ck:qualifier ?q ; ck:wording ?w }", {("ck:involvedIn", "generally", "generally involves")}),
    ("influences-calcium", "Which relation links high-dose vitamin D to calcium levels, and which RO term?",
     "SELECT ?p ?ro WHERE { GRAPH graph:asserted { id:vitamin-d-excess ?p id:altered-calcium-level }"
     " ?p skos:closeMatch ?ro ."
     " FILTER(STRSTARTS(STR(?ro), STR(obo:RO_))) }", {("ck:causallyInfluences", "obo:RO_0002566")}),
    ("influences-not-causes", "Is the calcium link still modelled as causes?",
     "ASK { GRAPH graph:asserted { id:vitamin-d-excess ck:causes id:altered-calcium-level } }", False),
    ("severe-and-involuntary", "Which words of the article about the cramps themselves reach the reader?",
     "SELECT ?w WHERE { ?c rdf:object id:leg-cramp ; ck:objectWording ?w }",
     {"severe cramps", "involuntary spasms and cramps"}),
    ("inverse-labels", "What do the inverse relations say?",
     "SELECT ?p ?l WHERE { VALUES ?p { ck:causedBy ck:preventedBy } ?p rdfs:label ?l }",
     {("ck:causedBy", "can be caused by"), ("ck:preventedBy", "prevention helped by")}),
    ("no-excess-equals-limit-labels", "Does any label equate an excessive intake with being above the limit?",
     "ASK { ?x skos:altLabel|rdfs:label ?l . FILTER(REGEX(?l, 'above [0-9,]+ ?(IU|mg)', 'i')) }", False),
    ("mechanisms-are-not-risk-factors", "Are muscle hyperexcitability or disrupted function risk factors?",
     "ASK { VALUES ?x { id:muscle-hyperexcitability id:disrupted-muscle-function } ?x a ck:CrampRiskFactor }",
     False),
    ("mechanisms-are-upstream", "...but they are upstream of leg cramp?",
     "SELECT ?x WHERE { VALUES ?x { id:muscle-hyperexcitability id:disrupted-muscle-function }"
     " ?x a ck:UpstreamOfLegCramp }", {"id:muscle-hyperexcitability", "id:disrupted-muscle-function"}),
    # --- outside vocabularies ---------------------------------------------------------------------------------
    ("no-exact-phenotype-and-disease", "Is any entity an exact match of both a phenotype and a disease?",
     "ASK { ?x skos:exactMatch ?hp, ?disease . FILTER(STRSTARTS(STR(?hp), STR(obo:HP_)))"
     " FILTER(STRSTARTS(STR(?disease), STR(obo:MONDO_)) || STRSTARTS(STR(?disease), STR(obo:DOID_))) }", False),
    # the ASK above answers "no" for a mistyped filter too; the same filters must find the nodes that have both
    ("phenotype-exact-disease-close", "Which entities are an exact match of a phenotype and a close match of a "
     "disease?",
     "SELECT ?x WHERE { ?x skos:exactMatch ?hp ; skos:closeMatch ?disease . FILTER(STRSTARTS(STR(?hp), STR(obo:HP_)))"
     " FILTER(STRSTARTS(STR(?disease), STR(obo:MONDO_)) || STRSTARTS(STR(?disease), STR(obo:DOID_))) }",
     {"id:hypercalcemia", "id:peripheral-neuropathy"}),
    ("mapping-relations", "Which SKOS relation links each entity to the identifiers the issue named?",
     "SELECT ?x ?rel ?t WHERE { VALUES (?x ?t) { (id:electrolyte-imbalance obo:HP_0003111)"
     " (id:peripheral-neuropathy mesh:D010523) (id:calf obo:UBERON_0003823) (id:warning-leg-swelling obo:HP_0000969)"
     " (id:hydration obo:MAXO_0000952) (id:calcium obo:CHEBI_29108) (id:calcium obo:CHEBI_22984)"
     " (id:potassium obo:CHEBI_26216) (id:magnesium obo:CHEBI_25107) (id:potassium obo:CHEBI_29103)"
     " (id:magnesium obo:CHEBI_18420) }"
     " VALUES ?rel { skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch skos:relatedMatch }"
     " ?x ?rel ?t }",
     {("id:electrolyte-imbalance", "skos:closeMatch", "obo:HP_0003111"),
      ("id:peripheral-neuropathy", "skos:broadMatch", "mesh:D010523"),
      ("id:calf", "skos:broadMatch", "obo:UBERON_0003823"),
      ("id:warning-leg-swelling", "skos:broadMatch", "obo:HP_0000969"),
      ("id:hydration", "skos:relatedMatch", "obo:MAXO_0000952"),
      ("id:calcium", "skos:closeMatch", "obo:CHEBI_29108"),
      ("id:calcium", "skos:relatedMatch", "obo:CHEBI_22984"),
      ("id:potassium", "skos:relatedMatch", "obo:CHEBI_26216"),
      ("id:magnesium", "skos:relatedMatch", "obo:CHEBI_25107"),
      ("id:potassium", "skos:closeMatch", "obo:CHEBI_29103"),
      ("id:magnesium", "skos:closeMatch", "obo:CHEBI_18420")}),
    ("no-pedal-edema", "Is leg swelling still mapped to pedal edema?",
     "ASK { id:warning-leg-swelling ?rel obo:HP_0010741 }", False),
    ("prevents-not-ameliorates", "Is helps-prevent mapped to RO 'ameliorates condition'?",
     "ASK { ck:prevents ?rel obo:RO_0003307 }", False),
    # --- definitions and doses --------------------------------------------------------------------------------
    ("definitions-say-where-from", "Which entities or classes have a definition that does not say where it "
     "comes from?",
     "SELECT ?x WHERE { { ?x a ck:Entity } UNION { ?x a owl:Class FILTER(isIRI(?x)"
     " && STRSTARTS(STR(?x), STR(ck:))) } ?x skos:definition ?d"
     " FILTER NOT EXISTS { ?x dcterms:source id:article } FILTER NOT EXISTS { ?x skos:editorialNote ?n } }", set()),
    # ...and the question above looks at every entity and ontology class (an empty answer is not a typo)
    ("definitions-looked-at", "How many entities and ontology classes with a definition did it look at?",
     "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { { ?x a ck:Entity } UNION { ?x a owl:Class FILTER(isIRI(?x)"
     " && STRSTARTS(STR(?x), STR(ck:))) } ?x skos:definition ?d }", {"80"}),
    ("water-soluble-definition", "What does the water-soluble vitamin definition say about excretion?",
     "ASK { ck:WaterSolubleVitamin skos:definition ?d FILTER(CONTAINS(?d, 'excreted more rapidly')"
     " && !CONTAINS(?d, 'rather than stored')) }", True),
    ("one-period-representation", "How does each limit state its period, and how many times?",
     "SELECT ?l (COUNT(?f) AS ?n) WHERE { ?s ck:hasUpperLimit ?l . ?l schema:frequency ?f } GROUP BY ?l",
     {("id:vitamin-d-upper-limit", "1"), ("id:vitamin-b6-upper-limit", "1")}),
]


@pytest.mark.parametrize("name,question,query,expected", QUESTIONS, ids=[q[0] for q in QUESTIONS])
def test_fidelity_question(dataset, name, question, query, expected):
    assert answer(dataset, query) == expected, question
