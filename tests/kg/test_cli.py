"""The `crampkg` command line, run as a real subprocess.

Bad inputs tried: a SPARQL syntax error, a missing .rq file, a summary before any build.
"""
from __future__ import annotations

import csv
import io
import json
from functools import partial

import cli_support

crampkg = partial(cli_support.crampkg, text=True)


def test_build_prints_the_summary(built):
    run = crampkg("build")
    assert run.returncode == 0, run.stderr
    assert "not medical advice" in run.stdout
    assert f"claims: {built.summary['claims']}" in run.stdout
    assert "reused cached build" in run.stdout


def test_query_text_as_table(built):
    run = crampkg("query", "SELECT ?x WHERE { id:diuretic ck:depletes ?x } ORDER BY ?x")
    assert run.returncode == 0, run.stderr
    assert "id:magnesium" in run.stdout and "(4 rows)" in run.stdout


def test_query_file_as_json_and_csv(built, tmp_path):
    rq = tmp_path / "q.rq"
    rq.write_text("PREFIX ck: <https://w3id.org/crampkg/ontology#>\n"
                  "SELECT ?x WHERE { ?x ck:prevents <https://w3id.org/crampkg/id/leg-cramp> }")
    out = json.loads(crampkg("query", str(rq), "--format", "json").stdout)
    found = {b["x"]["value"].rsplit("/", 1)[-1] for b in out["results"]["bindings"]}
    assert found == {"hydration", "mineral-rich-diet"}
    rows = list(csv.DictReader(io.StringIO(crampkg("query", str(rq), "--format", "csv").stdout)))
    assert len(rows) == 2


def test_bad_query_exits_2_with_a_message(built):
    run = crampkg("query", "SELECT ?x WHERE { ?x ck:causes }")
    assert run.returncode == 2
    assert "syntax error at line 1, column" in run.stderr


def test_missing_query_file(built):
    run = crampkg("query", "no/such/file.rq")
    assert run.returncode == 2 and "no such query file" in run.stderr


def test_summary_without_a_build(tmp_path):
    run = crampkg("--out", str(tmp_path / "nothing"), "summary")
    assert run.returncode == 2 and "run `crampkg build` first" in run.stderr


def test_serve_prints_the_summary_then_serves(built):
    """What `make run` shows: the build summary, the address, and the disclaimer, before serving."""
    from conftest import start_server, stop_server

    server = start_server()
    output = server.output()
    stop_server(server)
    assert f"claims: {built.summary['claims']}" in output
    assert f"serving {built.path} on http://127.0.0.1:{server.port}/" in output
    assert "not medical advice" in output
