"""Read-only: every way of sending an update is refused with 4xx and the data does not change."""
from __future__ import annotations

import pytest
import requests

MARK = "<https://example.org/injected>"
UPDATES = [
    f"INSERT DATA {{ {MARK} {MARK} {MARK} }}",
    f"PREFIX ex: <https://example.org/> INSERT DATA {{ {MARK} {MARK} {MARK} }}",
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "CLEAR ALL",
    "DROP ALL",
    f"CREATE GRAPH {MARK}",
    "LOAD <https://example.org/data.ttl>",
    "COPY DEFAULT TO <https://example.org/g>",
    f"WITH {MARK} DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
]
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def total(server) -> int:
    r = requests.get(f"{server.url}/sparql", params={"query": COUNT}, timeout=10)
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("update", UPDATES)
def test_update_is_refused_every_way(live_server, update):
    """Tried: `update=` by GET and form POST, `query=` by GET and form POST, and direct bodies of type
    application/sparql-update and application/sparql-query."""
    url = f"{live_server.url}/sparql"
    before = total(live_server)
    responses = [
        requests.get(url, params={"update": update}, timeout=10),
        requests.post(url, data={"update": update}, timeout=10),
        requests.get(url, params={"query": update}, timeout=10),
        requests.post(url, data={"query": update}, timeout=10),
        requests.post(url, data=update, headers={"Content-Type": "application/sparql-update"}, timeout=10),
        requests.post(url, data=update, headers={"Content-Type": "application/sparql-query"}, timeout=10),
    ]
    for r in responses:
        assert 400 <= r.status_code < 500, (r.request.method, r.request.body, r.status_code)
        assert "read-only" in r.text
    assert total(live_server) == before
    ask = requests.get(url, params={"query": f"ASK {{ {MARK} ?p ?o }}"}, timeout=10).json()
    assert ask["boolean"] is False
