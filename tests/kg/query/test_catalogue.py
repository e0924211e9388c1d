"""The canned queries: their headers, the HTTP API, and parameters bound as RDF terms only."""
from __future__ import annotations

import pytest
import requests
from rdflib import Graph

from kg.query.catalogue import Catalogue

CATALOGUE = Catalogue.load()
NAMES = sorted(CATALOGUE.queries)
INJECTIONS = [
    '"} ; ?s ?p ?o . FILTER(true',
    "id:leg-cramp> } UNION { ?s ?p ?o",
    "<https://w3id.org/crampkg/id/leg-cramp> } ; DROP ALL ; SELECT * { ?s ?p ?o",
    "https://w3id.org/crampkg/id/leg-cramp>\n?s ?p ?o",
    "id:leg-cramp ?p ?o . ?s",
    "?s",
    "",
]


def run(server, name: str, accept: str = "application/sparql-results+json", **params) -> requests.Response:
    return requests.get(f"{server.url}/api/queries/{name}", params=params, headers={"Accept": accept}, timeout=10)


def test_at_least_twelve_queries_with_full_headers():
    assert len(NAMES) >= 12
    for q in CATALOGUE:
        assert q.title and q.description and q.answers, q.name
        for p in q.parameters:
            assert p.type in ("IRI", "literal", "number") and p.default and p.example and p.description


def test_competency_questions_are_covered():
    wanted = {"leads-to-leg-cramps", "substance-effects", "upper-limits", "intake-exceeds-limit",
              "medication-depletes", "warning-signs", "prevention", "claim-evidence", "asserted-vs-inferred",
              "graph-summary"}
    assert wanted <= set(NAMES)


def test_list(live_server):
    doc = requests.get(f"{live_server.url}/api/queries", timeout=10).json()
    assert [q["name"] for q in doc["queries"]] == NAMES
    exceeds = next(q for q in doc["queries"] if q["name"] == "intake-exceeds-limit")
    assert [p["name"] for p in exceeds["parameters"]] == ["amount", "unit", "substance"]
    assert exceeds["url"] == "/api/queries/intake-exceeds-limit"


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("which", ["default", "example"])
def test_every_query_answers(live_server, name, which):
    q = CATALOGUE.get(name)
    params = {p.name: getattr(p, which) for p in q.parameters}
    if q.form in ("CONSTRUCT", "DESCRIBE"):
        r = run(live_server, name, "text/turtle", **params)
        assert r.status_code == 200 and len(Graph().parse(data=r.text, format="turtle")) > 0
    else:
        r = run(live_server, name, **params)
        assert r.status_code == 200, r.text
        doc = r.json()
        assert "boolean" in doc or doc["results"]["bindings"], (name, params)


def test_leads_to_leg_cramps_has_steps(live_server):
    rows = run(live_server, "leads-to-leg-cramps").json()["results"]["bindings"]
    steps = {(r["cause"]["value"].rsplit("/", 1)[-1], r["next"]["value"].rsplit("/", 1)[-1]) for r in rows}
    assert ("vitamin-d-excess", "hypercalcemia") in steps
    assert ("hypercalcemia", "disrupted-muscle-function") in steps
    assert ("disrupted-muscle-function", "leg-cramp") in steps
    assert any(r["asserted"]["value"] == "false" for r in rows)  # the diuretic steps are inferred


def test_intake_over_the_limit(live_server):
    rows = run(live_server, "intake-exceeds-limit", amount="5000", unit="IU",
               substance="id:vitamin-d").json()["results"]["bindings"]
    assert {r["limitValue"]["value"] for r in rows} == {"4000"}
    assert {r["unit"]["value"] for r in rows} == {"IU"} and {r["period"]["value"] for r in rows} == {"per day"}
    assert "https://w3id.org/crampkg/id/hypercalcemia" in {r["consequence"]["value"] for r in rows}
    assert any("hypercalcemia" in r.get("quote", {}).get("value", "") for r in rows)
    # issue 8: the article's condition beside every consequence, and no claim that exceeding is harm
    assert {r["condition"]["value"] for r in rows} == {
        "often above the recommended upper limit of 4,000 International Units (IU) per day"}
    assert all(r["reading"]["value"].startswith("the article links intake above this limit to ") for r in rows)


def test_intake_under_the_limit_or_other_unit(live_server):
    assert run(live_server, "intake-exceeds-limit", amount="3000").json()["results"]["bindings"] == []
    rows = run(live_server, "intake-exceeds-limit", amount="5000", unit="mg",
               substance="id:vitamin-d").json()["results"]["bindings"]
    assert rows == []  # 5000 mg is not compared with an IU limit


def test_b6_over_the_limit(live_server):
    rows = run(live_server, "intake-exceeds-limit", amount="150.5", unit="mg",
               substance="id:vitamin-b6").json()["results"]["bindings"]
    assert "https://w3id.org/crampkg/id/peripheral-neuropathy" in {r["consequence"]["value"] for r in rows}
    direct = [r for r in rows if r["steps"]["value"] == "one step"]
    assert {r["stepCondition"]["value"] for r in direct if "stepCondition" in r} >= {"extremely high amounts"}
    assert {r["condition"]["value"] for r in rows} == {
        "chronic intake significantly exceeding the safe upper limit of 100 milligrams (mg) per day for adults"}


def test_claim_evidence_offsets_slice_the_article(live_server):
    from kg.namespaces import ARTICLE_PATH

    row = run(live_server, "claim-evidence").json()["results"]["bindings"][0]
    article = ARTICLE_PATH.read_text(encoding="utf-8")
    assert article[int(row["start"]["value"]):int(row["end"]["value"])] == row["quote"]["value"]


def test_ask_query(live_server):
    assert run(live_server, "is-upstream-of").json()["boolean"] is True
    assert run(live_server, "is-upstream-of", cause="id:hydration").json()["boolean"] is False


def test_canned_results_negotiate(live_server):
    r = run(live_server, "upper-limits", "text/csv")
    assert r.headers["Content-Type"].startswith("text/csv") and r.text.startswith("substance,")
    assert run(live_server, "upper-limits", "image/png").status_code == 406


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_attempts_are_400(live_server, value):
    """Each injection attempt, as an IRI parameter, is refused with the reason, never run."""
    r = run(live_server, "prevention", condition=value)
    assert r.status_code == 400
    assert "condition" in r.json()["error"]


def test_literal_looking_injection_in_a_number(live_server):
    """Tried: `5000 } ; ?s ?p ?o`, `1e3`, `NaN`, `"5000"` for a number parameter."""
    for value in ('5000 } ; ?s ?p ?o', "1e3", "NaN", '"5000"'):
        r = run(live_server, "intake-exceeds-limit", amount=value)
        assert r.status_code == 400 and "number" in r.json()["error"]


def test_iri_outside_the_graph(live_server):
    r = run(live_server, "substance-effects", substance="https://example.org/not-in-the-graph")
    assert r.status_code == 400 and "not in the graph" in r.json()["error"]


def test_unknown_parameter(live_server):
    r = run(live_server, "upper-limits", substance="id:vitamin-d")
    assert r.status_code == 400 and "no parameter `substance`" in r.json()["error"]


def test_repeated_parameter(live_server):
    r = requests.get(f"{live_server.url}/api/queries/prevention", timeout=10,
                     params=[("condition", "id:leg-cramp"), ("condition", "id:leg-cramp")])
    assert r.status_code == 400 and "2 times" in r.json()["error"]


def test_unknown_query(live_server):
    assert run(live_server, "no-such-query").status_code == 404


def test_iri_forms_are_equivalent(live_server):
    """A CURIE, a full IRI and an <IRI> name the same entity."""
    answers = [run(live_server, "medication-depletes", medication=v).json()["results"]["bindings"]
               for v in ("id:diuretic", "https://w3id.org/crampkg/id/diuretic",
                         "<https://w3id.org/crampkg/id/diuretic>")]
    assert answers[0] == answers[1] == answers[2] and len(answers[0]) == 4
