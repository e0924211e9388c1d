"""Real external stores for the tests: the Oxigraph server (`oxigraph serve`, from PyPI) and Virtuoso Open
Source (Debian's `virtuoso-t`), each started on free 127.0.0.1 ports in a temporary folder and stopped after.

A missing binary is a failure, not a skip: `make test` installs both. Virtuoso gets its own virtuoso.ini
(both ports on 127.0.0.1, small buffers so that it starts in seconds, an empty HTTP root) and a random dba
password set through `isql-vt`, whose output is read because it exits 0 even when a statement fails.
"""
from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import ROOT, free_port
from rdflib.namespace import RDFS

from kg.namespaces import GRAPH_ASSERTED, GRAPHS, ID
from kg.store.client import Credentials, Store
from kg.store.load import count, load, split_graphs

START_TIMEOUT = 60.0  # seconds for a store to answer its first query (Virtuoso creates its database first)

VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
; about 16 MB of buffers: the crampkg graphs are a few thousand triples, and a small pool starts fast
NumberOfBuffers = 2000
MaxDirtyBuffers = 1200
MaxQueryMem = 100M
DirsAllowed = {dir}
CheckpointInterval = 0
ThreadsPerQuery = 2
SchedulerInterval = 0

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}/www
MaxClientConnections = 8
ServerThreads = 8

[SPARQL]
; above crampkg's own row cap, so that the store never truncates silently before crampkg counts
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 0
"""


def binary(name: str, package: str) -> str:
    """The path of a store's program, or a test failure saying how to install it."""
    venv_bin = Path(sys.executable).parent / name
    found = str(venv_bin) if venv_bin.exists() else shutil.which(name)
    if not found:
        pytest.fail(f"`{name}` is not installed: run `make install-test` (it installs {package})")
    return found


def tail(log: Path) -> str:
    """The end of a store's log, for a failure message."""
    return log.read_text(errors="replace")[-2000:]


def wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the store exited early ({process.returncode}): {tail(log)}")
        try:
            with urllib.request.urlopen(f"{url}?query={quote('ASK {}')}", timeout=2) as r:
                if r.status == 200:
                    return
        except (OSError, urllib.error.HTTPError):
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"the store at {url} did not answer within {timeout:g} s: {tail(log)}")


@dataclass
class StoreServer:
    """One running store: its endpoints, the credentials that write to it, and how to stop and restart it."""

    kind: str
    folder: Path
    command: list[str]
    query_url: str
    update_url: str
    graph_store_url: str
    env: dict[str, str] = field(default_factory=dict)  # CRAMPKG_STORE_* for writing
    sql_port: int | None = None  # Virtuoso's SQL (isql) port
    process: subprocess.Popen | None = None

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    def start(self) -> StoreServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        with self.log.open("a") as log:
            self.process = subprocess.Popen(self.command, cwd=self.folder, stdout=log, stderr=subprocess.STDOUT)
        wait_until_up(self.query_url, self.process, self.log)
        return self

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def store(self, *, credentials: bool = True, timeout: float = 30.0) -> Store:
        creds = Credentials.from_env(self.env) if credentials else None
        return Store(self.query_url, self.update_url, self.graph_store_url, creds, timeout=timeout)

    def load_args(self, *, graph_store: bool = True) -> list[str]:
        args = ["--endpoint", self.query_url, "--update-endpoint", self.update_url]
        return args + (["--graph-store", self.graph_store_url] if graph_store else [])


def start_oxigraph(folder: Path) -> StoreServer:
    """`oxigraph serve` on a free port with its store in ``folder``/data."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [binary("oxigraph", "the `oxigraph` package from PyPI"), "serve", "--location",
               str(folder / "data"), "--bind", f"127.0.0.1:{port}"]
    return StoreServer("oxigraph", folder, command, f"{base}/query", f"{base}/update", f"{base}/store").start()


def isql(server: StoreServer, password: str, statements: str) -> str:
    """Run SQL through isql-vt and fail on any error in its output (its exit status says nothing)."""
    out = subprocess.run([binary("isql-vt", "Debian's virtuoso-opensource-7-bin"), f"127.0.0.1:{server.sql_port}",
                          "dba", password,
                          f"exec={statements}"], capture_output=True, text=True, timeout=60)
    text = out.stdout + out.stderr
    if "*** Error" in text or out.returncode != 0:
        raise RuntimeError(f"isql-vt failed: {text.replace(password, '***')}")
    return text


def start_virtuoso(folder: Path) -> StoreServer:
    """Virtuoso with its own virtuoso.ini in ``folder``; writing needs digest auth as dba (a random password)."""
    sql_port, http_port = free_port(), free_port()
    (folder / "www").mkdir(parents=True, exist_ok=True)
    (folder / "virtuoso.ini").write_text(VIRTUOSO_INI.format(dir=folder, sql_port=sql_port, http_port=http_port))
    base = f"http://127.0.0.1:{http_port}"
    command = [binary("virtuoso-t", "Debian's virtuoso-opensource-7-bin"), "-f", "-c",
               str(folder / "virtuoso.ini")]
    server = StoreServer("virtuoso", folder, command, f"{base}/sparql", f"{base}/sparql-auth",
                         f"{base}/sparql-graph-crud-auth", sql_port=sql_port).start()
    password = secrets.token_hex(12)
    isql(server, "dba", f"USER_SET_PASSWORD('dba', '{password}');")
    server.env = {"CRAMPKG_STORE_USER": "dba", "CRAMPKG_STORE_PASSWORD": password, "CRAMPKG_STORE_AUTH": "digest"}
    return server


def loaded(start, kind: str, built):
    """A store started by ``start`` in a temporary folder, loaded with the build (through its graph store,
    authenticated where it needs credentials), and stopped after."""
    with tempfile.TemporaryDirectory(prefix=f"crampkg-{kind}-") as tmp:
        server = start(Path(tmp))
        try:
            load(server.store(), built.path)
            yield server
        finally:
            server.stop()


@pytest.fixture(scope="session")
def oxigraph_store(built):
    """One Oxigraph server per test session, loaded with the build."""
    yield from loaded(start_oxigraph, "oxigraph", built)


@pytest.fixture(scope="session")
def virtuoso_store(built):
    """One Virtuoso per test session, loaded with the build through its authenticated graph store."""
    yield from loaded(start_virtuoso, "virtuoso", built)


@pytest.fixture
def fresh_oxigraph(tmp_path):
    """An empty Oxigraph server of the test's own, for tests that break or restart it."""
    server = start_oxigraph(tmp_path)
    yield server
    server.stop()


class StoreProxy:
    """A tiny HTTP server in front of a store (or of nothing) that the tests steer: it forwards requests,
    holds the one that ``hold`` picks until released (so a test can act while a client waits on the store),
    or answers every request with ``garbage`` bytes, or hangs on every request when ``hang`` is set.

    With ``basic`` (user, password) it asks for HTTP basic credentials first, as a web server put in front of
    a store that has none of its own (the Oxigraph server) does: 401 with a challenge, unless they match."""

    def __init__(self, upstream: str | None = None, *, hold=None, garbage: bytes | None = None,
                 hang: bool = False, basic: tuple[str, str] | None = None) -> None:
        import base64
        import http.client
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import urlsplit

        expected_auth = "Basic " + base64.b64encode(":".join(basic).encode()).decode() if basic else None
        self.held = threading.Event()  # set when a request is being held
        self.release = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # the test output is the place for failures only
                pass

            def relay(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if basic is not None and self.headers.get("Authorization") != expected_auth:
                    self.send_response(401, "Unauthorized")
                    self.send_header("WWW-Authenticate", 'Basic realm="crampkg test store"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if hang:
                    proxy.release.wait(120)
                    return
                if garbage is not None:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/sparql-results+json")
                    self.send_header("Content-Length", str(len(garbage)))
                    self.end_headers()
                    self.wfile.write(garbage)
                    return
                if hold is not None and hold(self.command, self.path, body):
                    proxy.held.set()
                    proxy.release.wait(120)
                    self.send_error(503, "released by the test")
                    return
                target = urlsplit(upstream)
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                conn.request(self.command, self.path, body=body or None, headers=headers)
                answer = conn.getresponse()
                data = answer.read()
                self.send_response(answer.status, answer.reason)
                for k, v in answer.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

            do_GET = do_POST = do_PUT = do_DELETE = relay

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


# ----- helpers shared by the store tests -----------------------------------------------------------------
def crampkg_load(args: list[str], env: dict | None = None, out: Path | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("CRAMPKG_STORE_")}
    cmd = [sys.executable, "-m", "kg.cli", *(["--out", str(out)] if out else []), "load", *args]
    return subprocess.run(cmd, cwd=ROOT, env={**base, **(env or {})}, capture_output=True, text=True, timeout=120)


def sizes(store: Store) -> dict[str, int]:
    """Triples per crampkg graph in the store."""
    return {str(g): count(store, str(g)) for g in GRAPHS.values()}


def expected(path: Path) -> dict[str, int]:
    return {g: len(lines) for g, lines in split_graphs(path).items()}


MARKER_IRI = ID["test-marker"]
MARKER = f'<{MARKER_IRI}> <{RDFS.label}> "previous load" <{GRAPH_ASSERTED}> .'


def older_build(built, tmp_path: Path, extra: str = MARKER) -> Path:
    """A build folder whose dataset is the real one plus ``extra`` (a line or two): a recognisable previous load."""
    folder = tmp_path / "older"
    folder.mkdir()
    (folder / "crampkg.nq").write_text(built.path.read_text(encoding="utf-8") + extra + "\n", encoding="utf-8")
    return folder


def has_marker(store: Store) -> bool:
    return store.select(f"ASK {{ GRAPH <{GRAPH_ASSERTED}> {{ <{MARKER_IRI}> ?p ?o }} }}")["boolean"]


def get(server, path: str, accept: str = "application/json") -> tuple[int, bytes]:
    request = urllib.request.Request(server.url + path, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
