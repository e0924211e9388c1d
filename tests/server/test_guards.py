"""The configurable guards, each tripped for real: time limit, row cap, request size (see GUARDED_ARGS)."""
from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path

import pytest
import requests
from http_support import children, wait_for, workers

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # (triples)³ rows: hours of work
FAST = "ASK { ?s ?p ?o }"


def test_time_limit_answers_503_and_kills_the_worker(guarded_server):
    """A query that would run for hours gets a 503 with a message after the 1 s limit; the worker that ran
    it is gone (replaced by a fresh one), so the work really stopped."""
    before = workers(guarded_server.process.pid)
    started = time.monotonic()
    r = requests.get(f"{guarded_server.url}/sparql", params={"query": SLOW}, timeout=60)
    assert r.status_code == 503
    assert "1 s limit" in r.text and "stopped" in r.text
    assert r.headers["Retry-After"]
    assert time.monotonic() - started < 30  # it was stopped, not finished
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(workers(guarded_server.process.pid) - before) == 0:
        time.sleep(0.1)
    after = workers(guarded_server.process.pid)
    assert before - after, "the worker that ran the slow query is still alive"
    assert requests.get(f"{guarded_server.url}/sparql", params={"query": FAST}, timeout=10).json()["boolean"]


def test_other_clients_are_served_during_a_slow_query(guarded_server):
    """While one client's query runs into the time limit, another client's queries are answered."""
    events: list[str] = []
    slow_status: list[int] = []

    def slow() -> None:
        slow_status.append(requests.get(f"{guarded_server.url}/sparql", params={"query": SLOW}, timeout=60)
                           .status_code)
        events.append("slow done")

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.2)
    for _ in range(3):
        r = requests.get(f"{guarded_server.url}/sparql", params={"query": FAST}, timeout=10)
        assert r.status_code == 200
        events.append("fast done")
    thread.join(60)
    assert slow_status == [503]
    assert events.index("slow done") == len(events) - 1, events


def test_query_queue_cap_refuses_at_once_and_keeps_threads_free(guarded_server):
    """Six slow queries at once against room for three and no wait for room (``--queue-wait 0``): three are
    refused with 503 "busy" at once, the three admitted run into the time limit, and the JSON API answers
    throughout."""
    results: list[tuple[int, str, float]] = []
    lock = threading.Lock()

    def slow() -> None:
        started = time.monotonic()
        r = requests.get(f"{guarded_server.url}/sparql", params={"query": SLOW}, timeout=60)
        with lock:
            results.append((r.status_code, r.text, time.monotonic() - started))

    threads = [threading.Thread(target=slow) for _ in range(6)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    api = requests.get(f"{guarded_server.url}/api/entities", params={"q": "vitamin"}, timeout=10)
    assert api.status_code == 200 and api.json()["entities"]
    for t in threads:
        t.join(60)
    busy = [r for r in results if "busy" in r[1]]
    limited = [r for r in results if "limit" in r[1]]
    assert all(code == 503 for code, _, _ in results) and len(results) == 6
    assert len(busy) == 3 and len(limited) == 3
    assert max(seconds for _, _, seconds in busy) < min(seconds for _, _, seconds in limited)


def test_row_cap_truncates_and_says_so(guarded_server):
    r = requests.get(f"{guarded_server.url}/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, timeout=10)
    assert r.status_code == 200
    assert r.headers["X-Crampkg-Truncated"] == "true"
    assert r.headers["X-Crampkg-Max-Rows"] == "5"
    doc = r.json()
    assert len(doc["results"]["bindings"]) == 5
    assert doc["truncated"] is True and doc["max_rows"] == 5


def test_row_cap_applies_to_csv_and_graphs(guarded_server):
    r = requests.get(f"{guarded_server.url}/sparql", headers={"Accept": "text/csv"},
                     params={"query": "SELECT * WHERE { ?s ?p ?o }"}, timeout=10)
    assert r.headers["X-Crampkg-Truncated"] == "true" and len(r.text.strip().splitlines()) == 6
    r = requests.get(f"{guarded_server.url}/sparql", headers={"Accept": "application/n-triples"},
                     params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, timeout=10)
    assert r.headers["X-Crampkg-Truncated"] == "true" and len(r.text.strip().splitlines()) == 5


def test_small_result_is_not_marked_truncated(guarded_server):
    r = requests.get(f"{guarded_server.url}/sparql", timeout=10,
                     params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5"})
    assert "X-Crampkg-Truncated" not in r.headers
    assert "truncated" not in r.json()


def test_request_size_cap_is_413(guarded_server):
    """Tried: a 5000-byte direct body, form body and GET query against the 4000-byte cap."""
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 5000
    url = f"{guarded_server.url}/sparql"
    r = requests.post(url, data=big, headers={"Content-Type": "application/sparql-query"}, timeout=10)
    assert r.status_code == 413
    assert requests.post(url, data={"query": big}, timeout=10).status_code == 413
    assert requests.get(url, params={"query": big}, timeout=10).status_code == 413
    # just under the cap is fine
    ok = "SELECT * WHERE { ?s ?p ?o } LIMIT 1 #" + "x" * 3000
    assert requests.post(url, data=ok, headers={"Content-Type": "application/sparql-query"},
                         timeout=10).status_code == 200


@pytest.mark.parametrize("processes", ["1", "2"])
def test_workers_end_with_the_server(built, processes):
    """However the server ends (SIGTERM here, as `make run` under a supervisor would see, and SIGKILL), its
    query workers end too, including one forked to replace a killed worker; with several server processes,
    those end too."""
    import signal

    from conftest import GUARDED_ARGS, start_server, stop_server

    for sig in (signal.SIGTERM, signal.SIGKILL):
        server = start_server([*GUARDED_ARGS, "--processes", processes])
        found: set[int] = set()
        try:
            # a timeout makes the server fork a replacement worker from a request thread
            requests.get(f"{server.url}/sparql", params={"query": SLOW}, timeout=60)
            assert wait_for(lambda server=server: len(workers(server.process.pid)) == 2), workers(server.process.pid)
            found = workers(server.process.pid) | children(server.process.pid)  # with the server processes
            server.process.send_signal(sig)
            server.process.wait(10)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in found):
                time.sleep(0.1)
            alive = [pid for pid in found if Path(f"/proc/{pid}").exists()
                     and "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()]
            assert alive == [], f"processes {alive} outlived the server ({sig.name})"
        finally:  # a failure above must not leave servers running after the test
            if server.process.poll() is None:
                stop_server(server)
            for pid in found:  # still ours (a pid is not reused within the test): one outlived the server
                with contextlib.suppress(OSError):
                    if b"kg.cli" in Path(f"/proc/{pid}/cmdline").read_bytes():
                        os.kill(pid, signal.SIGKILL)


def test_runaway_query_is_stopped_while_concurrent_clients_keep_being_answered(guarded_server):
    """Two clients send queries without pause, each text new (the cache is off anyway), while a third sends a
    runaway query: the runaway gets its 503 after the 1 s limit and its worker is killed, and the two clients get
    only 200s, many of them while the runaway was running (so they were not held behind it)."""
    url = f"{guarded_server.url}/sparql"
    stop = threading.Event()
    answers: list[tuple[float, int]] = []
    lock = threading.Lock()

    def steady(client: int) -> None:
        with requests.Session() as session:
            n = 0
            while not stop.is_set():
                n += 1
                query = f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT {client * 1_000_000 + n}"
                status = session.get(url, params={"query": query}, timeout=30).status_code
                with lock:
                    answers.append((time.monotonic(), status))

    clients = [threading.Thread(target=steady, args=(i,)) for i in (1, 2)]
    for t in clients:
        t.start()
    # Every worker seen while the runaway runs: with both kept workers busy, the pool forks another for it,
    # so the worker to be killed may not exist yet before it is sent.
    seen = workers(guarded_server.process.pid)
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.is_set():
            seen.update(workers(guarded_server.process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    time.sleep(0.3)
    started = time.monotonic()
    slow = requests.get(url, params={"query": SLOW}, timeout=60)
    ended = time.monotonic()
    sampling.set()
    sampler.join(10)
    time.sleep(0.3)
    stop.set()
    for t in clients:
        t.join(60)
    assert slow.status_code == 503 and "1 s limit" in slow.text
    assert ended - started < 30  # stopped, not finished (it would take hours)
    assert seen - workers(guarded_server.process.pid), "the runaway query's worker is still alive"
    assert answers and all(status == 200 for _, status in answers), [s for _, s in answers if s != 200][:5]
    during = [t for t, _ in answers if started < t < ended]
    assert len(during) >= 10, f"only {len(during)} answers while the runaway query ran"


def test_request_target_over_64_kib_is_414(guarded_server):
    """granian (through the `http` crate) refuses a request target over 64 KiB with 414 URI Too Long before the
    app sees it; up to that length the app's own caps answer (413 here). A longer query goes in a POST body."""
    url = f"{guarded_server.url}/sparql"
    assert requests.get(url, params={"query": "ASK {} #" + "x" * 66_000}, timeout=10).status_code == 414
    assert requests.get(url, params={"query": "ASK {} #" + "x" * 60_000}, timeout=10).status_code == 413
    assert requests.get(f"{guarded_server.url}/api/entities", timeout=10).status_code == 200
