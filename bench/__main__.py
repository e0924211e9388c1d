"""`make bench`: crampkg's /sparql and canned queries against the Oxigraph server and rdflib-endpoint.

Every server gets the same data (build/crampkg.nq, union default graph) and the same bounded loopback load:
CLIENTS client processes on keep-alive connections, each sending one query for DURATION seconds (at most
MAX_REQUESTS requests). The machine is shared and the clients run on it too, so every cell is measured in
ROUNDS interleaved rounds and the round with the median rate is reported. Reported per workload:
requests/s, p50 and p99 latency, and the ratios the issue sets as targets. A static Flask route under the
same WSGI server is the floor (ceiling of throughput) of this stack. Results go to bench/results/latest.md;
nothing here is a test and nothing asserts a time.

Peers are run from PEERS_BIN (default .venv-bench/bin, made by `make bench`); a missing peer is reported
as such, never silently dropped.
"""
from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kg.graph.dataset import DATASET_PATH
from kg.namespaces import ROOT
from kg.query.catalogue import Catalogue
from kg.query.text import with_values

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
DURATION = float(os.environ.get("BENCH_SECONDS", "2"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
MAX_REQUESTS = int(os.environ.get("BENCH_MAX_REQUESTS", "20000"))
PEERS_BIN = Path(os.environ.get("PEERS_BIN", str(ROOT / ".venv-bench" / "bin")))
RESULTS = ROOT / "bench" / "results"

PREFIXES = """PREFIX ck: <https://w3id.org/crampkg/ontology#>
PREFIX id: <https://w3id.org/crampkg/id/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX oa: <http://www.w3.org/ns/oa#>
"""
AD_HOC = {
    "property path": PREFIXES + """SELECT ?cause ?label WHERE {
  ?cause (ck:causes|ck:triggers|ck:contributesTo|ck:inducesDeficiencyOf)+ id:leg-cramp .
  OPTIONAL { ?cause rdfs:label ?label } } ORDER BY ?cause""",
    "join with evidence": PREFIXES + """SELECT ?s ?p ?o ?quote ?start WHERE {
  ?claim a ck:Claim ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; ck:hasEvidence/oa:hasSelector ?q, ?pos .
  ?q oa:exact ?quote . ?pos oa:start ?start . ?p rdfs:subPropertyOf+ ck:causallyUpstreamOf } ORDER BY ?start""",
    "CONSTRUCT": PREFIXES + """CONSTRUCT { ?s ?p ?o . ?s rdfs:label ?l } WHERE {
  ?p rdfs:subPropertyOf+ ck:causallyUpstreamOf . ?s ?p ?o . OPTIONAL { ?s rdfs:label ?l } }""",
}
CANNED = {  # workload: (canned query name, parameters)
    "canned, no parameters": ("upper-limits", {}),
    "canned, parameterised": ("intake-exceeds-limit",
                              {"amount": "5000", "unit": "IU", "substance": "id:vitamin-d"}),
}
JSON_RESULTS, NTRIPLES = "application/sparql-results+json", "application/n-triples"


@dataclass
class Target:
    name: str
    port: int
    process: subprocess.Popen | None
    sparql_path: str  # where GET ?query= goes
    canned: bool = False  # serves /api/queries/<name>

    def request_for(self, workload: str, catalogue: Catalogue) -> tuple[str, str]:
        """(path with query string, Accept) for a workload on this target."""
        if workload in CANNED:
            name, params = CANNED[workload]
            query = catalogue.get(name)
            if self.canned:
                return f"/api/queries/{name}?{urllib.parse.urlencode(params)}", JSON_RESULTS
            text = with_values(query.text, catalogue.bind(query, {k: [v] for k, v in params.items()}))
            return f"{self.sparql_path}?{urllib.parse.urlencode({'query': text})}", JSON_RESULTS
        text = AD_HOC[workload]
        accept = NTRIPLES if workload == "CONSTRUCT" else JSON_RESULTS
        return f"{self.sparql_path}?{urllib.parse.urlencode({'query': text})}", accept


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, path: str, process: subprocess.Popen, timeout: float = 120.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status < 500:
                return time.monotonic() - started
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server on port {port} did not start")


def start(cmd: list[str], port: int, probe: str, cwd: Path = ROOT) -> tuple[subprocess.Popen, float]:
    process = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return process, wait_for(port, probe, process)


def client(args: tuple) -> list[float]:
    port, path, accept, deadline, limit = args
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies = []
    while time.monotonic() < deadline and len(latencies) < limit:
        t = time.perf_counter()
        conn.request("GET", path, headers={"Accept": accept})
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{path[:80]} answered {response.status}")
        latencies.append(time.perf_counter() - t)
    conn.close()
    return latencies


def load(pool, port: int, path: str, accept: str) -> dict:
    for _ in range(10):  # warm up: caches, connection set-up, lazy imports
        client((port, path, accept, time.monotonic() + 5, 1))
    started = time.monotonic()
    deadline = started + DURATION
    runs = pool.map(client, [(port, path, accept, deadline, MAX_REQUESTS // CLIENTS)] * CLIENTS)
    elapsed = time.monotonic() - started
    latencies = sorted(x for run in runs for x in run)
    return {"rps": len(latencies) / elapsed, "p50": statistics.median(latencies) * 1000,
            "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, "n": len(latencies)}


def answer_size(port: int, path: str, accept: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers={"Accept": accept})
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"port {port}: {path[:60]}… answered {response.status}: {body[:200]!r}")
    if accept == NTRIPLES:
        return len({line for line in body.decode().splitlines() if line.strip()})
    return len(json.loads(body)["results"]["bindings"])


def start_targets(workdir: Path) -> tuple[list[Target], dict]:
    py = sys.executable
    targets, startup = [], {}
    port = free_port()
    process, startup["crampkg"] = start([py, "-m", "kg.cli", "serve", "--port", str(port)], port, "/sparql")
    targets.append(Target("crampkg", port, process, "/sparql", canned=True))
    port = free_port()
    process, _ = start([py, "-m", "kg.cli", "serve", "--port", str(port), "--cache", "0"], port, "/sparql")
    targets.append(Target("crampkg, cache off", port, process, "/sparql", canned=True))
    oxigraph, rdflib_endpoint = PEERS_BIN / "oxigraph", PEERS_BIN / "rdflib-endpoint"
    if oxigraph.exists():
        location = workdir / "oxigraph"
        subprocess.run([str(oxigraph), "load", "--location", str(location), "--file", str(DATASET_PATH)],
                       check=True, capture_output=True)
        port = free_port()
        process, startup["oxigraph"] = start(
            [str(oxigraph), "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}",
             "--union-default-graph"], port, "/query?query=ASK%7B%7D")
        targets.append(Target("Oxigraph server", port, process, "/query"))
    if rdflib_endpoint.exists():
        port = free_port()
        process, startup["rdflib-endpoint"] = start(
            [str(rdflib_endpoint), "serve", str(DATASET_PATH), "--host", "127.0.0.1", "--port", str(port)],
            port, "/?query=ASK%7B%7D")
        targets.append(Target("rdflib-endpoint", port, process, "/"))  # its CLI serves SPARQL at /
    port = free_port()
    process, _ = start([py, "-m", "bench.static_app", "--port", str(port)], port, "/static")
    targets.append(Target("static Flask route", port, process, "/static"))
    return targets, startup


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a and b else "n/a"


def table(results: dict, startup: dict, workloads: list[str]) -> str:
    names = [n for n in ("crampkg", "crampkg, cache off", "Oxigraph server", "rdflib-endpoint")
             if any(n in results[w] for w in workloads)]
    static = results["static"]["static Flask route"]["rps"]
    lines = [
        (f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores; "
         f"{CLIENTS} client processes × {DURATION:g} s per cell, median of {ROUNDS} interleaved rounds, "
         "keep-alive, loopback; crampkg under waitress (8 threads, 2 query workers, guards on). "
         f"Static Flask route under the same server: {static:,.0f} req/s."),
        "",
        "| workload | " + " | ".join(f"{n} req/s (p50 / p99 ms)" for n in names)
        + " | vs Oxigraph | vs rdflib-endpoint | cache off vs Oxigraph | fraction of static |",
        "|---" * (len(names) + 5) + "|",
    ]
    for w in workloads:
        cells = []
        for n in names:
            r = results[w].get(n)
            cells.append(f"{r['rps']:,.0f} ({r['p50']:.1f} / {r['p99']:.1f})" if r else "n/a")
        ours = results[w]["crampkg"]["rps"]
        off = results[w].get("crampkg, cache off", {}).get("rps")
        ox = results[w].get("Oxigraph server", {}).get("rps")
        re_ = results[w].get("rdflib-endpoint", {}).get("rps")
        lines.append(f"| {w} | " + " | ".join(cells) + f" | {ratio(ours, ox)} | {ratio(ours, re_)} | "
                     f"{ratio(off, ox)} | {ours / static:.2f} |")
    lines += ["", "Start-up to first answer (cached build): "
              + ", ".join(f"{k} {v:.2f} s" for k, v in startup.items()) + ".",
              "", "Targets (issue 3): ad-hoc ≥ 1× Oxigraph, canned ≥ 2× Oxigraph, ≥ 8× rdflib-endpoint."]
    return "\n".join(lines) + "\n"


def main() -> int:
    catalogue = Catalogue.load()
    workloads = list(CANNED) + list(AD_HOC)
    workdir = Path(tempfile.mkdtemp(prefix="crampkg-bench-"))
    targets: list[Target] = []
    try:
        targets, startup = start_targets(workdir)
        runs: dict = {w: {} for w in [*workloads, "static"]}
        with multiprocessing.get_context("fork").Pool(CLIENTS) as pool:
            static = next(t for t in targets if t.name == "static Flask route")
            for w in workloads:  # the same answer everywhere, or the comparison means nothing
                sizes = {t.name: answer_size(t.port, *t.request_for(w, catalogue)) for t in targets if t is not static}
                if len(set(sizes.values())) != 1:
                    print(f"warning: {w}: the servers disagree on the answer size: {sizes}", flush=True)
            for round_ in range(1, ROUNDS + 1):
                runs["static"].setdefault(static.name, []).append(load(pool, static.port, "/static", JSON_RESULTS))
                for w in workloads:
                    for t in targets:
                        if t is static:
                            continue
                        r = load(pool, t.port, *t.request_for(w, catalogue))
                        runs[w].setdefault(t.name, []).append(r)
                        print(f"round {round_} {w:24} {t.name:20} {r['rps']:8,.0f} req/s  p50 {r['p50']:6.2f} ms  "
                              f"p99 {r['p99']:6.2f} ms", flush=True)
        results = {w: {name: sorted(rs, key=lambda r: r["rps"])[len(rs) // 2] for name, rs in by_target.items()}
                   for w, by_target in runs.items()}
        text = table(results, startup, workloads)
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "latest.md").write_text(text)
        (RESULTS / "latest.json").write_text(json.dumps({"runs": runs, "startup": startup}, indent=2))
        print("\n" + text)
        return 0
    finally:
        for t in targets:
            if t.process:
                t.process.terminate()
                try:
                    t.process.wait(10)
                except subprocess.TimeoutExpired:
                    t.process.kill()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
