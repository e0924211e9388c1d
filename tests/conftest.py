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
import time
import urllib.request
from pathlib import Path

import pytest

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
GUARDED_ARGS = ["--timeout", "1", "--max-rows", "5", "--max-request", "4000", "--workers", "2", "--queue", "3",
                "--cache", "0"]


@pytest.fixture(scope="session")
def guarded_server(built):
    """A server with a 1 s time limit, 2 workers and room for 3 queries, a 5-row cap, a 4000-byte request cap."""
    server = start_server(GUARDED_ARGS)
    yield server
    stop_server(server)
