"""`crampkg load` into the real Oxigraph server and Virtuoso: graph by graph, replaced as one step, and the
faults: a load killed halfway, a graph the store rejects, wrong credentials, the store down.

Bad inputs tried: an endpoint that is not an http URL, one with a bad port or a space (load and serve), an
unknown auth scheme, a user without a password, wrong and missing credentials (digest and basic), a store that
is not running, a build line the store rejects, a missing build, a build that does not hash as it was built.
"""
from __future__ import annotations

import shutil
import signal
import subprocess
import sys

import pytest
from conftest import ROOT, free_port
from stores import MARKER, StoreProxy, crampkg_load, expected, has_marker, older_build, sizes

from kg.namespaces import DATASET_FILE, GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPHS, SUMMARY_FILE
from kg.store.load import GRAPH_LOAD, STAGING, current_load, staging_graphs

pytestmark = pytest.mark.external


@pytest.mark.parametrize("graph_store", [True, False], ids=["graph-store-protocol", "sparql-update"])
@pytest.mark.parametrize("kind", ["oxigraph", "virtuoso"])
def test_load_reports_and_replaces(request, built, kind, graph_store):
    server = request.getfixturevalue(f"{kind}_store")
    store = server.store()
    before = current_load(store)
    done = crampkg_load(server.load_args(graph_store=graph_store), server.env)
    assert done.returncode == 0, done.stderr
    assert f"loaded 3 graphs, {sum(expected(built.path).values())} triples" in done.stdout
    assert " s (load " in done.stdout
    assert ("graph store protocol" if graph_store else "SPARQL Update") in done.stdout
    for g in GRAPHS.values():
        assert f"staged <{g}>" in done.stdout
    after = current_load(store)
    assert after != before and after in done.stdout
    assert sizes(store) == expected(built.path)
    assert staging_graphs(store) == []
    if server.env:
        assert server.env["CRAMPKG_STORE_PASSWORD"] not in done.stdout + done.stderr


def test_load_killed_halfway_leaves_the_previous_graphs(built, tmp_path, fresh_oxigraph):
    store = fresh_oxigraph.store()
    older = older_build(built, tmp_path)
    first = crampkg_load(fresh_oxigraph.load_args(), out=older)
    assert first.returncode == 0, first.stderr
    old_id, old_sizes = current_load(store), sizes(store)
    # hold the PUT of the second graph, so the load is surely halfway when it is killed
    proxy = StoreProxy(fresh_oxigraph.query_url.rsplit("/", 1)[0],
                       hold=lambda method, path, body: method == "PUT" and "asserted" in path)
    try:
        base = proxy.url
        cmd = [sys.executable, "-m", "kg.cli", "load", "--endpoint", f"{base}/query", "--update-endpoint",
               f"{base}/update", "--graph-store", f"{base}/store"]
        loading = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert proxy.held.wait(60), "the load never reached its second graph"
        loading.send_signal(signal.SIGKILL)
        loading.wait(30)
        printed = loading.stdout.read()
    finally:
        proxy.close()
    assert f"staged <{GRAPH_ONTOLOGY}>" in printed and "loaded" not in printed
    assert current_load(store) == old_id and sizes(store) == old_sizes and has_marker(store)
    assert len(staging_graphs(store)) == 1  # the ontology's staged copy, which no view reads
    again = crampkg_load(fresh_oxigraph.load_args())
    assert again.returncode == 0, again.stderr
    assert "dropped 1 staging graph(s) left by interrupted loads" in again.stdout
    assert sizes(store) == expected(built.path) and not has_marker(store) and staging_graphs(store) == []


@pytest.mark.parametrize("graph_store", [True, False], ids=["graph-store-protocol", "sparql-update"])
def test_a_graph_the_store_rejects_is_named_and_changes_nothing(built, tmp_path, fresh_oxigraph, graph_store):
    store = fresh_oxigraph.store()
    assert crampkg_load(fresh_oxigraph.load_args(), out=older_build(built, tmp_path)).returncode == 0
    old_id, old_sizes = current_load(store), sizes(store)
    bad = tmp_path / "bad"
    bad.mkdir()
    # an IRI with a space: our splitter passes the line on as built, the store's parser refuses it
    (bad / "crampkg.nq").write_text(built.path.read_text(encoding="utf-8") +
                                    "<http://example.org/a b> <http://example.org/p> \"x\" "
                                    f"<{GRAPH_INFERRED}> .\n", encoding="utf-8")
    done = crampkg_load(fresh_oxigraph.load_args(graph_store=graph_store), out=bad)
    assert done.returncode == 2
    message = done.stderr
    assert f"load failed, graph <{GRAPH_INFERRED}>" in message
    assert "HTTP 400" in message and "previous crampkg graphs are unchanged" in message
    assert current_load(store) == old_id and sizes(store) == old_sizes and has_marker(store)
    assert staging_graphs(store) == []  # the staged copies were dropped


@pytest.mark.parametrize("password", ["wrong-password", None], ids=["wrong", "missing"])
def test_wrong_credentials_are_refused_by_name_without_the_secret(virtuoso_store, password):
    store = virtuoso_store.store()
    before = current_load(store)
    env = {"CRAMPKG_STORE_USER": "dba", "CRAMPKG_STORE_PASSWORD": password, "CRAMPKG_STORE_AUTH": "digest"} \
        if password else {}
    done = crampkg_load(virtuoso_store.load_args(), env)
    assert done.returncode == 2
    assert f"the store at {virtuoso_store.graph_store_url}" in done.stderr
    assert "HTTP 401" in done.stderr and "CRAMPKG_STORE_PASSWORD" in done.stderr
    assert "previous crampkg graphs are unchanged" in done.stderr
    for secret in ("wrong-password", virtuoso_store.env["CRAMPKG_STORE_PASSWORD"]):
        assert secret not in done.stdout + done.stderr
    assert current_load(store) == before and staging_graphs(store) == []


@pytest.mark.parametrize("graph_store", [True, False], ids=["graph-store-protocol", "sparql-update"])
def test_basic_credentials(built, fresh_oxigraph, graph_store):
    """HTTP basic credentials (the other scheme than Virtuoso's digest), asked for by a web server in front of
    the Oxigraph server: the right ones load, wrong ones are refused by name and change nothing."""
    proxy = StoreProxy(fresh_oxigraph.query_url.rsplit("/", 1)[0], basic=("crampkg", "s3cret-basic"))
    try:
        args = ["--endpoint", f"{proxy.url}/query", "--update-endpoint", f"{proxy.url}/update",
                *(["--graph-store", f"{proxy.url}/store"] if graph_store else [])]
        wrong = crampkg_load(args, {"CRAMPKG_STORE_USER": "crampkg", "CRAMPKG_STORE_PASSWORD": "wrong-basic",
                                    "CRAMPKG_STORE_AUTH": "basic"})
        assert wrong.returncode == 2 and "HTTP 401" in wrong.stderr and f"the store at {proxy.url}" in wrong.stderr
        assert "wrong-basic" not in wrong.stdout + wrong.stderr
        assert staging_graphs(fresh_oxigraph.store()) == [] and current_load(fresh_oxigraph.store()) is None
        done = crampkg_load(args, {"CRAMPKG_STORE_USER": "crampkg", "CRAMPKG_STORE_PASSWORD": "s3cret-basic"})
        assert done.returncode == 0, done.stderr
        assert "s3cret-basic" not in done.stdout + done.stderr
    finally:
        proxy.close()
    assert sizes(fresh_oxigraph.store()) == expected(built.path)


def test_store_down_is_a_clear_error():
    url = f"http://127.0.0.1:{free_port()}/query"
    done = crampkg_load(["--endpoint", url])
    assert done.returncode == 2
    assert f"cannot reach the store at {url}" in done.stderr and "Connection refused" in done.stderr


@pytest.mark.parametrize("args,env,message", [
    (["--endpoint", "localhost:7878/query"], {}, "--endpoint 'localhost:7878/query': give an http:// or https:// URL"),
    (["--endpoint", "ftp://127.0.0.1/q"], {}, "give an http:// or https:// URL"),
    (["--endpoint", "http://127.0.0.1:1/q", "--graph-store", "store"], {}, "--graph-store 'store'"),
    (["--endpoint", "http://127.0.0.1:abc/q"], {}, "--endpoint 'http://127.0.0.1:abc/q': not a URL"),
    (["--endpoint", "http://127.0.0.1:1/q", "--update-endpoint", "http://127.0.0.1:99999/u"], {},
     "--update-endpoint 'http://127.0.0.1:99999/u': not a URL"),
    (["--endpoint", "http://127.0.0.1:1/a b"], {}, "a URL has no spaces"),
    (["--endpoint", "http://127.0.0.1:1/q"], {"CRAMPKG_STORE_USER": "u", "CRAMPKG_STORE_PASSWORD": "p",
                                               "CRAMPKG_STORE_AUTH": "ntlm"}, "CRAMPKG_STORE_AUTH='ntlm'"),
    (["--endpoint", "http://127.0.0.1:1/q"], {"CRAMPKG_STORE_USER": "u"}, "CRAMPKG_STORE_PASSWORD is not"),
])
def test_bad_arguments_are_named(args, env, message):
    done = crampkg_load(args, env)
    assert done.returncode == 2 and message in done.stderr, done.stderr


@pytest.mark.parametrize("url,message", [("localhost:7878/query", "give an http:// or https:// URL"),
                                         ("http://127.0.0.1:abc/q", "not a URL"),
                                         ("http://127.0.0.1:99999/q", "not a URL"),
                                         ("http://127.0.0.1:1/a b", "a URL has no spaces")])
def test_serve_names_a_bad_endpoint(url, message):
    """`crampkg serve --endpoint` checks the URL as `load` does, before it starts (a bad port was an internal
    error, exit 70)."""
    done = subprocess.run([sys.executable, "-m", "kg.cli", "serve", "--port", "0", "--endpoint", url], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and f"--endpoint {url!r}: {message}" in done.stderr, done.stderr


def test_missing_build_is_named(tmp_path):
    done = crampkg_load(["--endpoint", "http://127.0.0.1:1/q"], out=tmp_path)
    assert done.returncode == 2 and "no build there" in done.stderr and "build` first" in done.stderr


def test_damaged_build_is_refused_before_the_store_is_asked(built, tmp_path):
    """A build whose N-Quads no longer hash as its summary recorded (cut short, edited) is not loaded, as
    `crampkg serve` does not serve it; the endpoint (nothing listens there) is never reached."""
    shutil.copy(built.path.parent / SUMMARY_FILE, tmp_path / SUMMARY_FILE)
    (tmp_path / DATASET_FILE).write_text(built.path.read_text(encoding="utf-8") + MARKER + "\n", encoding="utf-8")
    done = crampkg_load(["--endpoint", "http://127.0.0.1:1/q"], out=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "does not match the SHA-256 its build recorded" in done.stderr and "build --force" in done.stderr
    assert "cannot reach" not in done.stderr


def test_staging_names_are_outside_the_served_graphs():
    assert not any(str(g).startswith(STAGING) for g in GRAPHS.values()) and not str(GRAPH_LOAD).startswith(STAGING)


@pytest.mark.parametrize("kind", ["oxigraph", "virtuoso"])
def test_query_command_over_a_loaded_store(request, kind):
    """`crampkg query --endpoint` names crampkg's graphs, so it answers as the build does on either store."""
    server = request.getfixturevalue(f"{kind}_store")
    cmd = [sys.executable, "-m", "kg.cli", "query", "upper-limits", "--format", "csv"]
    local = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    remote = subprocess.run([*cmd, "--endpoint", server.query_url], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert local.returncode == 0 and remote.returncode == 0, remote.stderr
    assert remote.stdout == local.stdout and len(local.stdout.splitlines()) > 2
