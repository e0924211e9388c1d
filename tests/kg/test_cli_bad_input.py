"""Every subcommand of `crampkg`, run as a real subprocess with long, empty, binary and hostile arguments.

Each bad input must end in one line ``crampkg: error: …`` (or argparse's usage error) naming the bad part,
exit status 2, no traceback, no "internal error", and nothing changed on disk.

Bad inputs tried, per subcommand:

- top level: no subcommand, an unknown subcommand, ``--out ''``, ``--out`` not UTF-8;
- build: ``--out`` 300 characters long, empty, not UTF-8, ``.`` (a folder with other files), ``/``, a file;
- summary: ``--out`` long, empty, not UTF-8; a summary.json that is not JSON, one that is binary, one of the
  wrong shape;
- query: 5000 characters of non-SPARQL, a 300-character ``.rq`` name, an empty and a blank query, an argument
  that is not UTF-8, a binary .rq file, a folder named ``x.rq``, an unknown single word, ``/etc/passwd``
  (an existing file that is not a query), SPARQL update (INSERT DATA, DROP ALL, LOAD <file:…>), SERVICE to
  127.0.0.1, ``--endpoint`` file:, malformed IPv6, out-of-range port, with a space, an empty ``--endpoint``,
  ``--param`` on SPARQL text, a long ``--param`` value, ``--out`` with no build;
- serve: ``--host`` 300 characters, empty, not UTF-8, with a space, an address not of this machine
  (192.0.2.1, TEST-NET: the bind fails locally, nothing is sent); ``--port`` 400 digits, empty, 99999, a port
  already in use; ``--workers -1``, ``--threads 0``, ``--timeout`` nan, inf, -1; ``--queue 0``;
  ``--max-workers 0``, ``--max-workers 1 --workers 3``; ``--queue-wait`` -1, nan, ``soon``;
- export: ``--format`` 5000 characters, empty, unknown; ``-o`` 300 characters, empty, not UTF-8, /proc/version,
  a missing folder, a non-empty folder for a multi-file format; ``--content`` ../../etc; ``--context`` file:,
  5000 characters, and on turtle; no ``--format``.
"""
from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import crampkg
from conftest import ROOT

LONG = "a" * 300
NOT_UTF8 = b"\xff\xfe-x"


def refused(run: subprocess.CompletedProcess, *needles: str) -> str:
    """The error output of a run that must have been refused cleanly, checked; returned for more checks."""
    err = run.stderr.decode("utf-8", "replace")
    assert run.returncode == 2, (run.returncode, err, run.stdout[:500])
    assert "Traceback" not in err and "internal error" not in err, err
    assert "error:" in err, err
    for needle in needles:
        assert needle in err, (needle, err)
    return err


def tree(path: Path) -> dict[str, str]:
    """Every file under `path` with the sha256 of its bytes: what "nothing changed" compares."""
    return {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file()}


@pytest.fixture
def build_untouched(built):
    """The project's build is the same after the test as before it."""
    before = tree(built.path.parent)
    yield
    assert tree(built.path.parent) == before


# ---- top level


@pytest.mark.parametrize(("args", "needle"), [
    ((), "the following arguments are required: command"),
    (("frobnicate",), "invalid choice: 'frobnicate'"),
    (("--out", "", "summary"), "the folder name is empty"),
    (("--out", NOT_UTF8, "summary"), "argument 2 is not UTF-8 text (byte 0xff at offset 0)"),
])
def test_top_level(args, needle):
    refused(crampkg(*args), needle)


# ---- build


@pytest.mark.parametrize(("out", "needle"), [
    (lambda tmp: str(tmp / LONG), "File name too long"),
    (lambda tmp: "", "the folder name is empty"),
    (lambda tmp: NOT_UTF8, "not UTF-8 text"),
    (lambda tmp: ".", "holds files that are not a crampkg build (keep.txt)"),
    (lambda tmp: "/", "holds files that are not a crampkg build"),
    (lambda tmp: str(tmp / "keep.txt"), "is a file; give a folder"),
], ids=["long", "empty", "binary", "dot", "root", "a-file"])
def test_build_refuses_bad_out(tmp_path, out, needle):
    """A build swaps its folder in whole: it must never replace a folder that holds anything but a build."""
    (tmp_path / "keep.txt").write_text("mine")
    before = tree(tmp_path)
    refused(crampkg("--out", out(tmp_path), "build", "--force", cwd=tmp_path), needle)
    assert tree(tmp_path) == before


# ---- summary


@pytest.mark.parametrize(("out", "needle"), [
    (str(Path("/tmp") / LONG), "no build yet"),
    ("", "the folder name is empty"),
    (NOT_UTF8, "not UTF-8 text"),
], ids=["long", "empty", "binary"])
def test_summary_refuses_bad_out(out, needle):
    refused(crampkg("--out", out, "summary"), needle)


@pytest.mark.parametrize("content", [b"{not json", b"\x00\xff\xfe binary", b'{"triples": 1}', b"[]"],
                         ids=["not-json", "binary", "wrong-shape", "a-list"])
def test_summary_refuses_a_broken_summary(tmp_path, content):
    (tmp_path / "summary.json").write_bytes(content)
    refused(crampkg("--out", str(tmp_path), "summary"), "not a crampkg build summary", "crampkg build --force")


# ---- query


def test_query_long_inline_text_is_a_query(built):
    """Over 255 characters and no slash: once tried as a file name, it crashed with OSError (see also
    test_regression_cli_long_query_text)."""
    text = "SELECT ?x WHERE { ?x ck:causes id:leg-cramp } " + "#" * 400
    run = crampkg("query", text)
    assert run.returncode == 0, run.stderr
    assert b"id:electrolyte-imbalance" in run.stdout


@pytest.mark.parametrize(("args", "needle"), [
    (("query", "x" * 5000), "is not a canned query, an existing file, or SPARQL text"),
    (("query", LONG + ".rq"), "no such query file"),
    (("query", ""), "the query is empty"),
    (("query", "  \n\t "), "the query is empty"),
    (("query", NOT_UTF8), "argument 2 is not UTF-8 text"),
    (("query", "frobnicate"), "the canned queries are: "),
    (("query", "/etc/passwd"), "not a SPARQL query"),
    (("query", "INSERT DATA { <urn:a> <urn:b> <urn:c> }"), "read-only"),
    (("query", "DROP ALL"), "read-only"),
    (("query", "LOAD <file:///etc/passwd>"), "read-only"),
    (("query", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"), "SERVICE is not allowed"),
    (("query", "upper-limits", "--endpoint", "file:///etc/passwd"), "give an http:// or https:// URL"),
    (("query", "upper-limits", "--endpoint", "http://[::1"), "not a URL"),
    (("query", "upper-limits", "--endpoint", "http://127.0.0.1:99999/sparql"), "not a URL"),
    (("query", "upper-limits", "--endpoint", "http://127.0.0.1/a b"), "no spaces or control characters"),
    (("query", "upper-limits", "--endpoint", ""), "give an http:// or https:// URL"),
    (("query", "SELECT * WHERE { ?s ?p ?o }", "--param", "x=1"), "--param only applies to canned queries"),
    (("query", "prevention", "--param", "condition=" + "x" * 5000), "condition"),
    (("--out", "/tmp/no-such-crampkg-build", "query", "upper-limits"), "no build there"),
], ids=["long-text", "long-rq-name", "empty", "blank", "binary", "unknown-word", "etc-passwd", "insert", "drop",
        "load", "service", "endpoint-file", "endpoint-ipv6", "endpoint-port", "endpoint-space", "endpoint-empty",
        "param-on-text", "long-param", "no-build"])
def test_query_refuses(args, needle, build_untouched):
    refused(crampkg(*args), needle)


def test_query_refuses_bad_files(tmp_path, build_untouched):
    binary = tmp_path / "binary.rq"
    binary.write_bytes(b"SELECT \xff\xfe WHERE {}")
    refused(crampkg("query", str(binary)), "not UTF-8 text (byte 0xff at offset 7)", "save it as UTF-8")
    (tmp_path / "folder.rq").mkdir()
    refused(crampkg("query", str(tmp_path / "folder.rq")), "is a folder, not a query file")


def test_query_from_never_reads_a_local_file(built):
    """FROM <file:///etc/passwd> names a graph that is not in the dataset: an empty answer, no file read."""
    run = crampkg("query", "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "--format", "csv")
    assert run.returncode == 0, run.stderr
    assert len(run.stdout.decode().splitlines()) == 1  # the header only


# ---- serve


@pytest.mark.parametrize(("args", "needle"), [
    (("--host", LONG), "is not an IP address or a host name"),
    (("--host", ""), "is not an IP address or a host name"),
    (("--host", NOT_UTF8), "not UTF-8 text"),
    (("--host", "0.0.0.0; rm -rf /"), "is not an IP address or a host name"),
    (("--port", "9" * 400), "out of range"),
    (("--port", ""), "is not a whole number"),
    (("--port", "99999"), "99999 is out of range; give a number from 0 to 65535"),
    (("--workers", "-1"), "-1 is out of range"),
    (("--threads", "0"), "0 is out of range"),
    (("--timeout", "nan"), "'nan' is out of range"),
    (("--timeout", "inf"), "'inf' is out of range"),
    (("--timeout", "-1"), "'-1' is out of range"),
    (("--queue", "0"), "0 is out of range"),
    (("--max-workers", "0"), "0 is out of range"),
    (("--max-workers", "1", "--workers", "3"), "--max-workers 1 is below --workers 3; give --max-workers 3 or more"),
    (("--queue-wait", "-1"), "'-1' is out of range; give seconds from 0"),
    (("--queue-wait", "nan"), "'nan' is out of range"),
    (("--queue-wait", "soon"), "'soon' is not a number of seconds"),
], ids=["host-long", "host-empty", "host-binary", "host-shell", "port-long", "port-empty", "port-range",
        "workers", "threads", "timeout-nan", "timeout-inf", "timeout-negative", "queue", "max-workers-0",
        "max-workers-below-workers", "queue-wait-negative", "queue-wait-nan", "queue-wait-word"])
def test_serve_refuses_bad_options_before_any_work(args, needle, build_untouched):
    refused(crampkg("serve", *args), needle)


def test_serve_refuses_an_address_it_cannot_listen_on(built):
    """192.0.2.1 is TEST-NET-1: never an address of this machine, so the bind fails here and nothing is sent."""
    refused(crampkg("serve", "--host", "192.0.2.1", "--port", "8000", "--workers", "0"),
            "cannot listen on 192.0.2.1:8000", "choose another --host or --port")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        refused(crampkg("serve", "--port", str(port), "--workers", "0"),
                f"cannot listen on 127.0.0.1:{port}: Address already in use")


# ---- export


@pytest.mark.parametrize(("args", "needle"), [
    (("-f", "x" * 5000), "unknown export format"),
    (("-f", ""), "give --format FORMAT"),
    (("-f", "zz"), "valid formats: turtle"),
    ((), "give --format FORMAT"),
    (("-f", "turtle", "--content", "../../etc"), "unknown content '../../etc'; valid values"),
    (("-f", "jsonld", "--context", "file:///etc/passwd"), "give `embedded`"),
    (("-f", "jsonld", "--context", "x" * 5000), "give `embedded`"),
    (("-f", "turtle", "--context", "embedded"), "context applies to the jsonld format only"),
    (("-f", "turtle", "-o", NOT_UTF8), "not UTF-8 text"),
    (("-f", "turtle", "-o", "/proc/version"), "cannot write /proc/version"),
    (("-f", "turtle", "-o", "/tmp/no-such-crampkg-folder/x.ttl"), "does not exist; nothing was written"),
], ids=["format-long", "format-empty", "format-unknown", "no-format", "content-hostile", "context-file",
        "context-long", "context-on-turtle", "out-binary",
        "out-proc", "out-missing-folder"])
def test_export_refuses(args, needle, build_untouched):
    refused(crampkg("export", *args), needle)


def test_export_refuses_bad_output_paths(tmp_path, build_untouched):
    (tmp_path / "keep.txt").write_text("mine")
    before = tree(tmp_path)
    refused(crampkg("export", "-f", "turtle", "-o", str(tmp_path / (LONG + ".ttl"))), "File name too long")
    refused(crampkg("export", "-f", "turtle", "-o", "", cwd=tmp_path), "it is a folder; give a file name")
    refused(crampkg("export", "-f", "neo4j", "-o", str(tmp_path)), "holds files this export did not write (keep.txt)")
    assert tree(tmp_path) == before


def test_a_closed_pipe_is_not_a_traceback(built):
    """`crampkg query … | head -1`: the reader goes away early; the writer stops quietly."""
    reader = subprocess.Popen(["head", "-c", "10"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    run = subprocess.run([sys.executable, "-m", "kg.cli", "export", "-f", "ntriples"], cwd=ROOT,
                         stdout=reader.stdin, stderr=subprocess.PIPE, timeout=120, check=False,
                         env={**os.environ, "PYTHONUNBUFFERED": "1"})
    reader.stdin.close()
    reader.wait(timeout=30)
    assert b"Traceback" not in run.stderr and b"Exception ignored" not in run.stderr, run.stderr
    assert run.returncode in (0, 141)
