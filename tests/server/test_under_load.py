"""The load test's small fast version (issue 13; the long one is `make reliability`): 16 clients for 5 s with
the mix of canned queries, ad-hoc queries, pages and exports, while one client keeps an expensive query running
into the time limit. No timings are asserted; what must hold is that no valid request fails and that quick
queries are answered while the expensive one runs (the one kept worker is busy with it, so they get forked
workers).

Also the queue's bounded wait against a real server: a burst past the queue's room is absorbed, while a slow
query that holds the room gets the next one refused once the wait is over, with 503 and Retry-After.
"""
from __future__ import annotations

import threading
import time

import pytest
import requests
from conftest import start_server, stop_server
from http_support import workers
from load import answered_during, figures, run

CLIENTS = 16
SECONDS = 5.0
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def loaded_server(built):
    """One kept worker (so quick queries need forked ones while it is busy), a 4 s time limit, no cache."""
    server = start_server(["--workers", "1", "--timeout", "4", "--cache", "0"])
    yield server
    stop_server(server)


def test_no_valid_request_fails_while_an_expensive_query_runs(loaded_server):
    valid, heavy = run(loaded_server.port, clients=CLIENTS, seconds=SECONDS, expensive=1)
    found = figures(valid, SECONDS)
    failed = [(o.kind, o.status) for o in valid if o.status != 200]
    assert not failed, f"{len(failed)} of {len(valid)} valid requests failed: {failed[:10]}"
    assert found["queries"] > 0 and {o.kind for o in valid} == {"canned", "ad-hoc", "page", "export"}
    assert heavy and all(o.status == 503 and b"4 s limit" in o.body for o in heavy), \
        [(o.status, o.body[-200:]) for o in heavy]
    for expensive in heavy:
        assert answered_during(valid, expensive), "no query was answered while the expensive one ran"
    assert len(workers(loaded_server.process.pid)) >= 2  # the workers forked for the quick queries


@pytest.fixture(scope="module")
def narrow_server(built):
    """Room for one query, waiting up to 1 s for it; a 6 s time limit. One server process, so that there is
    exactly one room (several would each have one)."""
    server = start_server(["--workers", "1", "--queue", "1", "--queue-wait", "1", "--timeout", "6", "--cache", "0",
                           "--processes", "1"])
    yield server
    stop_server(server)


def test_a_burst_past_the_queue_is_absorbed(narrow_server):
    """Twelve quick queries at once against room for one: each waits its turn, none is refused."""
    statuses: list[int] = []

    def ask() -> None:
        statuses.append(requests.get(f"{narrow_server.url}/sparql", params={"query": "ASK { ?s ?p ?o }"},
                                     timeout=30).status_code)

    threads = [threading.Thread(target=ask) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert statuses == [200] * 12


def test_a_query_held_past_the_wait_is_refused_and_pages_are_served(narrow_server):
    """A slow query holds the only room: a quick one waits the 1 s and gets 503 "busy" with Retry-After,
    before the slow one ends; the JSON API and a page are answered meanwhile."""
    slow: list[requests.Response] = []
    thread = threading.Thread(target=lambda: slow.append(
        requests.get(f"{narrow_server.url}/sparql", params={"query": SLOW}, timeout=60)))
    thread.start()
    time.sleep(0.5)
    r = requests.get(f"{narrow_server.url}/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    assert r.status_code == 503 and "busy" in r.text and "waited 1 s for room" in r.text, r.text
    assert r.headers["Retry-After"]
    assert thread.is_alive(), "the slow query ended before the quick one was refused"
    assert requests.get(f"{narrow_server.url}/api/entities", params={"q": "vitamin"}, timeout=10).status_code == 200
    assert requests.get(f"{narrow_server.url}/article", timeout=10).status_code == 200
    thread.join(60)
    assert slow[0].status_code == 503 and "6 s limit" in slow[0].text
