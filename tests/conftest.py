"""Shared fixtures: the built dataset, the application in this process, and the real WSGI server.

How HTTP is tested, one style chosen on purpose:
- Flask's test client (fixtures ``app`` and ``client``) wherever the real server adds nothing: pages, the JSON
  API, exports, the catalogue. Fast, and a test can look inside the app (its caches) after a request.
- The real WSGI server (``live_server``, ``guarded_server``: ``crampkg serve`` on a free 127.0.0.1 port) where
  the server itself is under test: the guards (time limit, queue, size caps, worker processes), the SPARQL
  protocol and its clients (SPARQLWrapper), "no remote access", and the browser tests.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from kg.build import build
from kg.graph.dataset import load_dataset

ROOT = Path(__file__).resolve().parent.parent

# Debian's Chromium for the browser tests (fixture `browser`), see tests/chromium.py; the external stores
# (fixtures `oxigraph_store`, `virtuoso_store`, `fresh_oxigraph`), see tests/stores.py.
pytest_plugins = ["chromium", "stores"]


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The project's build (cached when the inputs are unchanged)."""
    return build()


@pytest.fixture(scope="session")
def dataset(built):
    return load_dataset(built.path)


@pytest.fixture(scope="session")
def app(built):
    """The application over the build, queries evaluated in this process (forking query workers from a process
    that also drives Chromium through Playwright threads can deadlock)."""
    from server import create_app

    return create_app({"DATASET_PATH": str(built.path), "TESTING": True, "QUERY_WORKERS": 0})


@pytest.fixture
def client(app):
    return app.test_client()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, port: int, process: subprocess.Popen, log) -> None:
        self.port = port
        self.process = process
        self.log = log  # the server's stdout and stderr go to a file: a pipe nobody reads could fill and block it
        self.url = f"http://127.0.0.1:{port}"

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()


def start_server(args: list[str] | None = None, env: dict | None = None, timeout: float = 60.0,
                 ready: str = "/api/entities", port: int | None = None) -> LiveServer:
    """`crampkg serve` on ``port`` (default: a free one), once ``ready`` answers 200 (a server over a broken
    store: /openapi.json)."""
    port = port or free_port()
    cmd = [sys.executable, "-m", "kg.cli", "serve", "--host", "127.0.0.1", "--port", str(port), *(args or [])]
    log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115 - lives as long as the server; closed in stop_server
    process = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **(env or {})},
                               stdout=log, stderr=subprocess.STDOUT, text=True)
    server = LiveServer(port, process, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early: {server.output()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{ready}", timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"server did not start in time: {server.output()}")


def stop_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)
    server.log.close()


@pytest.fixture(scope="session")
def live_server(built):
    server = start_server()
    yield server
    stop_server(server)


# Small limits so each guard can be tripped cheaply; the cache is off so every request is evaluated.
# One server process, so that the counts below are exact (with several, each gets its share of them, rounded up).
GUARDED_ARGS = ["--timeout", "1", "--max-rows", "5", "--max-request", "4000", "--workers", "2", "--queue", "3",
                "--queue-wait", "0", "--cache", "0", "--processes", "1"]


@pytest.fixture(scope="session")
def guarded_server(built):
    """A server with a 1 s time limit, 2 workers and room for 3 queries (one more refused at once), a 5-row cap,
    a 4000-byte request cap."""
    server = start_server(GUARDED_ARGS)
    yield server
    stop_server(server)


# Answers that do not depend on the process serving them (no blank nodes, whose labels each load draws anew):
# each is compared byte for byte across a restart.
STEADY_PATHS = [
    "/sparql?query=" + urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"),
    "/sparql?query=" + urllib.parse.quote("SELECT ?s ?c WHERE { ?s a ?c FILTER(isIRI(?s)) } ORDER BY ?s ?c LIMIT 200"),
    "/api/queries/leads-to-leg-cramps", "/api/entities?q=vitamin"]


@dataclass(frozen=True)
class Outcome:
    after_restart: bool  # sent once the new server was up
    path: str
    status: int | None  # None: the connection was refused or cut
    right: bool  # 200 with the same bytes the first server gave


def restart_under_load(args: list[str], clients: int = 8, before: float = 1.0, after: float = 1.5) -> list[Outcome]:
    """Every request ``clients`` clients sent to :data:`STEADY_PATHS` while `crampkg serve` ``args`` on their
    port ran for ``before`` seconds, was stopped (SIGTERM) and started again, and ran ``after`` more seconds
    (shared by the hardening test and `make reliability`)."""
    args = [*args, "--queue", str(clients + 2)]  # room for every client: a 503 for a full queue is not the point
    server = start_server(args)
    port = server.port
    expected = {path: requests.get(server.url + path, timeout=30).content for path in STEADY_PATHS}
    stop, restarted = threading.Event(), threading.Event()
    outcomes: list[Outcome] = []

    def client(i: int) -> None:
        with requests.Session() as session:
            n = i
            while not stop.is_set():
                path = STEADY_PATHS[n % len(STEADY_PATHS)]
                n += 1
                sent_after = restarted.is_set()
                try:
                    r = session.get(f"http://127.0.0.1:{port}{path}", timeout=30)
                except requests.RequestException:
                    outcomes.append(Outcome(sent_after, path, None, False))
                    time.sleep(0.05)
                    continue
                right = r.status_code == 200 and r.content == expected[path]
                outcomes.append(Outcome(sent_after, path, r.status_code, right))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    try:
        time.sleep(before)
        stop_server(server)
        server = start_server(args, port=port)
        restarted.set()
        time.sleep(after)
    finally:
        stop.set()
        for t in threads:
            t.join(60)
        stop_server(server)
    return outcomes
