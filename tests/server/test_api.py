"""The JSON API (server/api.py) through Flask's test client: causal chains and explanations.

Bad inputs tried: an unknown entity (404), a missing and an empty `from` (400), a predicate that is neither an
IRI nor a CURIE (400).
"""
from __future__ import annotations

import urllib.parse

import pytest


def get(client, path: str):
    r = client.get(path)
    return r.status_code, r.get_json()


def test_paths_api_over_http(client):
    q = urllib.parse.urlencode({"from": "Diuretics", "to": "leg-cramp"})
    status, body = get(client, f"/api/paths?{q}")
    assert status == 200
    assert "diuretics → potassium deficiency → leg cramp" in [c["text"] for c in body["chains"]]
    assert "not medical advice" in body["disclaimer"]
    # issue 8: each chain says how hedged it is, each step its own words
    assert "flushes out (inferred) … is a classic trigger for" in [c["summary"] for c in body["chains"]]
    assert all("hedge" in s and "qualifiers" in s for c in body["chains"] for s in c["steps"])


@pytest.mark.parametrize("query,status,words", [
    ("from=unobtainium&to=leg-cramp", 404, "no entity named"),
    ("to=leg-cramp", 400, "missing query parameter `from`"),
    ("from=&to=leg-cramp", 400, "missing query parameter `from`"),
])
def test_paths_api_errors(client, query, status, words):
    code, body = get(client, f"/api/paths?{query}")
    assert code == status and words in body["error"]


def test_explain_api_over_http(client):
    q = urllib.parse.urlencode({"s": "diuretic", "p": "ck:inducesDeficiencyOf", "o": "low-potassium"})
    status, body = get(client, f"/api/explain?{q}")
    assert status == 200 and body["rule"] == "prp-spo2"
    q = urllib.parse.urlencode({"s": "diuretic", "p": "not a term", "o": "low-potassium"})
    status, body = get(client, f"/api/explain?{q}")
    assert status == 400 and "neither an IRI nor a CURIE" in body["error"]
