"""GET /api/complete, the query editor's completion, against the real server: it answers from the graph,
inserting CURIEs, and refuses bad input with a 400 that names the bad part.

Bad inputs tried: no `kind`, an empty `kind`, an unknown `kind`, a kind in the wrong case, `q` of 201, 60,000
and 100,000 characters, `q` holding NUL, BEL, ESC, DEL and a C1 control, `limit` of 0, 101, -1, 1.5, "ten" and
a non-ASCII digit; each answer is JSON with an error naming the parameter, and the server answers normally
afterwards.
"""
from __future__ import annotations

import pytest
import requests

from kg.graph.chains import CausalGraph
from kg.query.completion import KINDS, MAX_TEXT, Completions


@pytest.fixture(scope="module")
def completions(dataset):
    return Completions(CausalGraph(dataset))


def ask(live_server, **params) -> requests.Response:
    return requests.get(f"{live_server.url}/api/complete", params=params, timeout=10)


def curies(response: requests.Response) -> list[str]:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    return [c["curie"] for c in response.json()["completions"]]


# ----- what it offers -----------------------------------------------------------------------------------
@pytest.mark.parametrize("typed,expected", [
    ("thiam", "id:vitamin-b1"),        # an alternative label
    ("too much calcium", "id:hypercalcemia"),  # an alternative label with a space
    ("id:thiam", "id:vitamin-b1"),     # a CURIE whose local part is a label fragment
    ("hypercalc", "id:hypercalcemia"),
    ("magnesium def", "id:low-magnesium"),
    ("<https://w3id.org/crampkg/id/vitamin-d", "id:vitamin-d"),
])
def test_entities_by_label_give_their_curie(live_server, typed, expected):
    assert expected in curies(ask(live_server, kind="entity", q=typed))


def test_the_best_match_comes_first(live_server):
    assert curies(ask(live_server, kind="entity", q="leg cramp"))[0] == "id:leg-cramp"
    assert curies(ask(live_server, kind="property", q="upstream"))[0] == "ck:causallyUpstreamOf"
    assert curies(ask(live_server, kind="class", q="ck:Sub"))[0] == "ck:Substance"


def test_prefixes_classes_and_properties_come_from_the_graph(live_server, completions):
    prefixes = ask(live_server, kind="prefix", q="", limit=100).json()["completions"]
    assert {p["curie"]: p["iri"] for p in prefixes}["ck:"] == "https://w3id.org/crampkg/ontology#"
    classes = set(curies(ask(live_server, kind="class", q="", limit=100)))
    assert {"ck:Substance", "ck:Condition", "ck:Claim"} <= classes
    properties = set(curies(ask(live_server, kind="property", q="", limit=100)))
    assert {"ck:causallyUpstreamOf", "rdfs:label", "ck:depletes"} <= properties
    # nothing offered that the graph does not hold
    held = {t.curie for kind in KINDS for t in completions.terms[kind]}
    assert classes <= held and properties <= held


def test_labels_and_alternative_labels_travel_with_each_completion(live_server):
    first = ask(live_server, kind="entity", q="pyridox").json()["completions"][0]
    assert first == {"kind": "entity", "curie": "id:vitamin-b6", "iri": "https://w3id.org/crampkg/id/vitamin-b6",
                     "label": "vitamin B6", "alt_labels": ["pyridoxine"]}


def test_limit_caps_the_answer(live_server):
    assert len(curies(ask(live_server, kind="entity", q="vitamin", limit=2))) == 2
    assert len(curies(ask(live_server, kind="entity", q="vitamin"))) > 2


def test_nothing_matches_is_an_empty_list_not_an_error(live_server):
    assert curies(ask(live_server, kind="entity", q="zzzzqqq")) == []


# ----- bad input --------------------------------------------------------------------------------------
BAD = [
    ({}, "missing query parameter `kind`"),
    ({"kind": ""}, "missing query parameter `kind`"),
    ({"kind": "colour"}, "unknown kind 'colour' in `kind`: use one of prefix, class, property, entity"),
    ({"kind": "Entity"}, "unknown kind 'Entity'"),
    ({"kind": "entity", "q": "x" * (MAX_TEXT + 1)}, f"`q` is {MAX_TEXT + 1} characters long; send at most {MAX_TEXT}"),
    # near the longest target that reaches the app over HTTP (100,000: test_100000_characters_of_q below)
    ({"kind": "entity", "q": "y" * 60_000}, "`q` is 60000 characters long"),
    ({"kind": "entity", "q": "vit\x00amin"}, "control character U+0000 at position 3"),
    ({"kind": "entity", "q": "\x07"}, "control character U+0007 at position 0"),
    ({"kind": "class", "q": "ck:\x1b[31m"}, "control character U+001B"),
    ({"kind": "property", "q": "a\x7f"}, "control character U+007F"),
    ({"kind": "entity", "q": "a\x85b"}, "control character U+0085"),
    ({"kind": "entity", "limit": "0"}, "`limit` must be from 1 to 100, not 0"),
    ({"kind": "entity", "limit": "101"}, "`limit` must be from 1 to 100, not 101"),
    ({"kind": "entity", "limit": "-1"}, "`limit` must be a whole number"),
    ({"kind": "entity", "limit": "1.5"}, "`limit` must be a whole number"),
    ({"kind": "entity", "limit": "ten"}, "`limit` must be a whole number from 1 to 100, not 'ten'"),
    ({"kind": "entity", "limit": "\u0663"}, "`limit` must be a whole number"),
]


@pytest.mark.parametrize("params,message", BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_input_is_a_clear_400(live_server, params, message):
    r = ask(live_server, **params)
    assert r.status_code == 400
    assert r.headers["Content-Type"].startswith("application/json")
    assert message in r.json()["error"]
    # and the server still answers
    assert "id:vitamin-b1" in curies(ask(live_server, kind="entity", q="thiam"))


def test_100000_characters_of_q(client, live_server):
    """The app refuses 100,000 characters of `q` as it refuses 201 (JSON naming the parameter); over HTTP the
    request target is then past the 65,534 bytes granian accepts, so granian answers 414 before the app
    (server/serving.py), and the server answers normally afterwards."""
    params = {"kind": "entity", "q": "y" * 100_000}
    r = client.get("/api/complete", query_string=params)
    assert r.status_code == 400 and r.headers["Content-Type"].startswith("application/json")
    assert "`q` is 100000 characters long" in r.get_json()["error"]
    assert ask(live_server, **params).status_code == 414
    assert "id:vitamin-b1" in curies(ask(live_server, kind="entity", q="thiam"))


def test_openapi_describes_the_endpoint(live_server):
    doc = requests.get(f"{live_server.url}/openapi.json", timeout=10).json()
    op = doc["paths"]["/api/complete"]["get"]
    assert {p["name"] for p in op["parameters"]} == {"kind", "q", "limit"}
    assert next(p for p in op["parameters"] if p["name"] == "kind")["schema"]["enum"] == list(KINDS)
    assert "400" in op["responses"]
