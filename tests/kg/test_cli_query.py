"""`crampkg query`: canned queries with --param, formats, SPARQL text and files, and --endpoint."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

from conftest import ROOT


def crampkg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)


def test_canned_query_with_params_as_table(built):
    r = crampkg("query", "intake-exceeds-limit", "--param", "amount=150", "--param", "unit=mg",
                "--param", "substance=id:vitamin-b6")
    assert r.returncode == 0, r.stderr
    assert "id:vitamin-b6-upper-limit" in r.stdout and "peripheral neuropathy" in r.stdout


def test_canned_query_json_and_csv(built):
    doc = json.loads(crampkg("query", "upper-limits", "--format", "json").stdout)
    assert len(doc["results"]["bindings"]) == 2
    rows = list(csv.reader(io.StringIO(crampkg("query", "upper-limits", "--format", "csv").stdout)))
    assert rows[0][:2] == ["substance", "substanceLabel"] and len(rows) == 3


def test_bad_param_exits_2_with_the_reason(built):
    """Tried: an injection attempt, an unknown parameter, and `--param` without `=`."""
    r = crampkg("query", "prevention", "--param", 'condition="} ; ?s ?p ?o . FILTER(true')
    assert r.returncode == 2 and "condition" in r.stderr
    r = crampkg("query", "upper-limits", "--param", "x=1")
    assert r.returncode == 2 and "no parameter `x`" in r.stderr
    r = crampkg("query", "prevention", "--param", "condition")
    assert r.returncode == 2 and "name=value" in r.stderr


def test_sparql_text_and_file_still_work(built):
    r = crampkg("query", "SELECT ?x WHERE { ?x ck:causes id:leg-cramp }")
    assert r.returncode == 0 and "id:electrolyte-imbalance" in r.stdout
    r = crampkg("query", "queries/graph-summary.rq", "--format", "csv")
    assert r.returncode == 0 and r.stdout.startswith("graph,triples")


def test_rdflib_engine_gives_the_same_rows(built):
    a = json.loads(crampkg("query", "warning-signs", "--format", "json").stdout)
    b = json.loads(crampkg("query", "warning-signs", "--format", "json", "--engine", "rdflib").stdout)
    def rows(doc: dict) -> list[str]:
        return sorted(json.dumps(x, sort_keys=True) for x in doc["results"]["bindings"])

    assert rows(a) == rows(b)


def test_endpoint_gives_the_same_answer_as_local(live_server):
    """The same canned query with parameters, locally and through SPARQLWrapper against the live server."""
    args = ["query", "medication-depletes", "--param", "medication=id:diuretic", "--format", "json"]
    local = json.loads(crampkg(*args).stdout)
    remote = json.loads(crampkg(*args, "--endpoint", f"{live_server.url}/sparql").stdout)
    assert local == remote and len(local["results"]["bindings"]) == 4
    r = crampkg("query", "causal-network", "--format", "csv", "--endpoint", f"{live_server.url}/sparql")
    assert r.returncode == 0 and r.stdout.count(" .\n") > 20


def test_unreachable_endpoint(built):
    r = crampkg("query", "upper-limits", "--endpoint", "http://127.0.0.1:9/sparql")
    assert r.returncode == 2 and "127.0.0.1:9" in r.stderr
