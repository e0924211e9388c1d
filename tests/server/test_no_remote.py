"""No remote access, ever: FROM, FROM NAMED, SERVICE, LOAD and dataset parameters naming a listener on
127.0.0.1 must leave it without a single connection."""
from __future__ import annotations

import socket
import threading
import time

import pytest
import requests

from kg.errors import QueryError
from kg.graph.dataset import DATASET_PATH
from kg.query.engines.rdflib import RdflibEngine


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection it receives."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.connections: list = []
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.running:
            try:
                conn, addr = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(addr)
            conn.close()

    def close(self) -> None:
        self.running = False
        self.thread.join(2)
        self.sock.close()


@pytest.fixture
def listener():
    item = Listener()
    yield item
    item.close()


def remote_queries(url: str) -> list[str]:
    return [
        f"SELECT * FROM <{url}/graph> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{url}/named> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}/sparql> {{ ?s ?p ?o }} }}",
        f"select * where {{ service <{url}/sparql> {{ ?s ?p ?o }} }}",
        f"PREFIX r: <{url}/> SELECT * WHERE {{ SERVICE r:sparql {{ ?s ?p ?o }} }}",
        f"LOAD <{url}/data.ttl>",
        f"LOAD SILENT <{url}/data.ttl> INTO GRAPH <{url}/g>",
        f"DESCRIBE <{url}/thing>",
    ]


def test_server_never_connects_out(live_server, listener):
    """Tried each query above by GET and POST, plus default-graph-uri / named-graph-uri naming the
    listener; every one answers (empty or 4xx) and the listener receives nothing."""
    statuses = []
    for q in remote_queries(listener.url):
        statuses.append(requests.get(f"{live_server.url}/sparql", params={"query": q}, timeout=10).status_code)
        statuses.append(requests.post(f"{live_server.url}/sparql", data={"query": q}, timeout=10).status_code)
    for param in ("default-graph-uri", "named-graph-uri"):
        r = requests.get(f"{live_server.url}/sparql", timeout=10,
                         params={"query": "SELECT * WHERE { ?s ?p ?o }", param: f"{listener.url}/g"})
        statuses.append(r.status_code)
        assert r.status_code == 200 and r.json()["results"]["bindings"] == []
    time.sleep(0.5)
    assert listener.connections == []
    assert all(s in (200, 400, 403) for s in statuses), statuses


def test_service_is_refused_with_a_reason(live_server, listener):
    r = requests.get(f"{live_server.url}/sparql", timeout=10,
                     params={"query": f"SELECT * WHERE {{ SERVICE <{listener.url}/s> {{ ?s ?p ?o }} }}"})
    assert r.status_code == 400 and "SERVICE" in r.text


def test_rdflib_engine_never_connects_out(listener):
    """The rdflib engine (``--engine rdflib``) too: FROM must not make rdflib fetch the graph."""
    engine = RdflibEngine.from_file(DATASET_PATH)
    for q in remote_queries(listener.url):
        try:
            engine.query(q)
        except QueryError:
            pass
    time.sleep(0.3)
    assert listener.connections == []
