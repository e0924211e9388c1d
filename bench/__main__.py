"""`make bench`: crampkg's /sparql and canned queries against the Oxigraph server and rdflib-endpoint.

Every server gets the same data (build/crampkg.nq, union default graph) and the same bounded loopback load from
wrk (Debian's, installed by `make bench`; a C load generator, so the clients take little of the two cores the
servers share): CLIENTS keep-alive connections on 2 threads for DURATION seconds, `bench/load.lua`. Each ad-hoc
query is measured twice: the same text on every request (a cache may answer it) and a new text on every request
(" LIMIT n" with a different n, far above the answer's size: nothing can be cached). The machine is shared, so
every cell is measured in ROUNDS interleaved rounds and the round with the median rate is reported, with the
load average before and after. Reported per workload: requests/s, p50 and p99 latency, and the ratios the issue
sets as targets. A static Flask route under the same HTTP server is the ceiling of this stack. Results go to
bench/results/latest.md; nothing here is a test and nothing asserts a time.

Peers are run from PEERS_BIN (default .venv-bench/bin, made by `make bench`); a missing peer is reported
as such, never silently dropped. BENCH_SERVE_ARGS (e.g. "--workers 4") adds options to `crampkg serve`; such a
run goes to bench/results/latest-<options>.md, beside the run with the defaults.
"""
from __future__ import annotations

import http.client
import json
import os
import platform
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kg.cli import auto_processes
from kg.graph.dataset import DATASET_PATH
from kg.namespaces import ROOT
from kg.query.catalogue import Catalogue
from kg.query.text import with_values

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
# Options for `crampkg serve` beyond its defaults (e.g. "--workers 4"), to measure a setting against them.
SERVE_ARGS = shlex.split(os.environ.get("BENCH_SERVE_ARGS", ""))
DURATION = float(os.environ.get("BENCH_SECONDS", "2"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
WRK = os.environ.get("WRK", "wrk")
LOAD_SCRIPT = Path(__file__).resolve().parent / "load.lua"
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
NEW_TEXT, SAME_TEXT = "new text each request", "same text"
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
        """(path with query string, Accept) for a workload on this target; for an ad-hoc query the query is the
        last parameter, so that load.lua can append to it."""
        if workload in CANNED:
            name, params = CANNED[workload]
            query = catalogue.get(name)
            if self.canned:
                return f"/api/queries/{name}?{urllib.parse.urlencode(params)}", JSON_RESULTS
            text = with_values(query.text, catalogue.bind(query, {k: [v] for k, v in params.items()}))
            return f"{self.sparql_path}?{urllib.parse.urlencode({'query': text})}", JSON_RESULTS
        name = adhoc_name(workload)
        text = AD_HOC[name]
        accept = NTRIPLES if name == "CONSTRUCT" else JSON_RESULTS
        return f"{self.sparql_path}?{urllib.parse.urlencode({'query': text})}", accept


def adhoc_name(workload: str) -> str:
    return workload.split(",")[0]


def varies(workload: str) -> bool:
    return workload.endswith(NEW_TEXT)


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


_LATENCY = re.compile(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


_ESTABLISHED = "01"  # a TCP state in /proc/net/tcp


def connection_spread(port: int, server_pid: int) -> list[int]:
    """How many established connections to ``port`` each process of the server that holds any has (the server
    and its children), largest first: [2, 2] or [4] for wrk's 4 connections over 2 server processes. Read from
    /proc (the sockets on the port, then whose descriptors they are); a process that ends meanwhile counts 0."""
    inodes = set()
    for table_ in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table_).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == _ESTABLISHED:
                inodes.add(f"socket:[{fields[9]}]")
    children = []
    for task in Path(f"/proc/{server_pid}/task").iterdir():  # a child is listed under the thread that forked it
        try:
            children += (task / "children").read_text().split()
        except OSError:  # a thread that ended since the listing
            pass
    counts = []
    for pid in [str(server_pid), *children]:
        try:
            links = [os.readlink(f) for f in Path(f"/proc/{pid}/fd").iterdir()]
        except OSError:
            links = []
        if held := sum(link in inodes for link in links):
            counts.append(held)
    return sorted(counts, reverse=True)


def load(port: int, path: str, accept: str, vary: bool = False, server_pid: int | None = None) -> dict:
    """One wrk run: requests/s, p50 and p99 in ms, and (given the server's process) how its connections were
    spread over the server's processes halfway through; any answer but 200 makes the run fail."""
    env = {**os.environ, "BENCH_PATH": path, "BENCH_ACCEPT": accept, "BENCH_VARY": "1" if vary else "0"}
    cmd = [WRK, "-t2", f"-c{CLIENTS}", f"-d{DURATION:g}s", "--latency", "-s", str(LOAD_SCRIPT),
           f"http://127.0.0.1:{port}"]
    with subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as wrk:
        spread = None
        if server_pid is not None:
            time.sleep(DURATION / 2)
            spread = connection_spread(port, server_pid)
        out, err = wrk.communicate(timeout=DURATION + 60)
    if wrk.returncode:
        raise RuntimeError(f"wrk failed ({wrk.returncode}): {err.strip()}")
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"{path[:80]}: not every answer was 200 or the connection failed:\n{out}")
    latency = {int(p): float(v) * _UNITS[u] for p, v, u in _LATENCY.findall(out)}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    result = {"rps": rps, "p50": latency[50], "p99": latency[99], "n": requests}
    if spread is not None:
        result["spread"] = spread
    return result


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
    process, startup["crampkg"] = start([py, "-m", "kg.cli", "serve", "--port", str(port), *SERVE_ARGS], port,
                                        "/sparql")
    targets.append(Target("crampkg", port, process, "/sparql", canned=True))
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


def machine() -> str:
    load = os.getloadavg()
    return f"{platform.machine()}, {os.cpu_count()} cores, load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}"


def spread_line(runs: dict, workloads: list[str]) -> list[str]:
    """A line saying how crampkg's connections were spread over its server processes in each round of the
    new-text workloads (none when a round was not sampled)."""
    spreads = {w.split(",")[0]: [r.get("spread") for r in runs[w].get("crampkg", [])]
               for w in workloads if NEW_TEXT in w}
    if not spreads or not all(all(rounds) for rounds in spreads.values()):
        return []
    return ["", "crampkg's connections over its server processes, round by round (the kernel picks a process by a "
            "hash of the client's address and port): "
            + "; ".join(f"{w}: " + ", ".join("+".join(map(str, s)) for s in rounds) for w, rounds in spreads.items())
            + "."]


def table(results: dict, startup: dict, workloads: list[str], before: str, after: str,
          runs: dict | None = None) -> str:
    names = [n for n in ("crampkg", "Oxigraph server", "rdflib-endpoint") if any(n in results[w] for w in workloads)]
    static = results["static"]["static Flask route"]["rps"]
    lines = [
        (f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {before} (1 / 5 / 15 min; after the run: "
         f"{after.rsplit('load average ', 1)[-1]}). wrk, {CLIENTS} keep-alive connections × {DURATION:g} s per "
         f"cell, median of {ROUNDS} interleaved rounds, loopback; `crampkg serve` as started by default (granian, "
         f"{auto_processes()} server processes sharing 2 kept query workers, time limit, row cap, read-only and "
         "no-SERVICE guards on, response cache on)"
         + (f" with `{shlex.join(SERVE_ARGS)}`" if SERVE_ARGS else "") + ". "
         f"Static Flask route under the same HTTP server: {static:,.0f} req/s."),
        "",
        "| workload | " + " | ".join(f"{n} req/s (p50 / p99 ms)" for n in names)
        + " | req/s vs Oxigraph | p99 vs Oxigraph | req/s vs rdflib-endpoint |",
        "|---" * (len(names) + 4) + "|",
    ]
    for w in workloads:
        cells = []
        for n in names:
            r = results[w].get(n)
            cells.append(f"{r['rps']:,.0f} ({r['p50']:.1f} / {r['p99']:.1f})" if r else "n/a")
        ours = results[w]["crampkg"]
        ox = results[w].get("Oxigraph server", {})
        re_ = results[w].get("rdflib-endpoint", {})
        lines.append(f"| {w} | " + " | ".join(cells) + f" | {ratio(ours['rps'], ox.get('rps'))} | "
                     f"{ratio(ours['p99'], ox.get('p99'))} | {ratio(ours['rps'], re_.get('rps'))} |")
    lines += spread_line(runs, workloads) if runs else []
    lines += ["", "Start-up to first answer (cached build): "
              + ", ".join(f"{k} {v:.2f} s" for k, v in startup.items()) + ".",
              "", "Targets (issue 12): new text each request ≥ 1× Oxigraph's req/s with p99 ≤ 2× Oxigraph's; "
              "canned ≥ 2× Oxigraph; start-up < 1 s."]
    return "\n".join(lines) + "\n"


def main() -> int:
    catalogue = Catalogue.load()
    workloads = list(CANNED) + [f"{name}, {kind}" for name in AD_HOC for kind in (SAME_TEXT, NEW_TEXT)]
    workdir = Path(tempfile.mkdtemp(prefix="crampkg-bench-"))
    targets: list[Target] = []
    try:
        targets, startup = start_targets(workdir)
        before = machine()
        runs: dict = {w: {} for w in [*workloads, "static"]}
        static = next(t for t in targets if t.name == "static Flask route")
        for w in workloads:  # the same answer everywhere, or the comparison means nothing
            sizes = {t.name: answer_size(t.port, *t.request_for(w, catalogue)) for t in targets if t is not static}
            if len(set(sizes.values())) != 1:
                print(f"warning: {w}: the servers disagree on the answer size: {sizes}", flush=True)
        for round_ in range(1, ROUNDS + 1):
            runs["static"].setdefault(static.name, []).append(load(static.port, "/static", JSON_RESULTS))
            for w in workloads:
                for t in targets:
                    if t is static:
                        continue
                    ours = t.name == "crampkg" and t.process is not None
                    r = load(t.port, *t.request_for(w, catalogue), vary=varies(w),
                             server_pid=t.process.pid if ours else None)
                    runs[w].setdefault(t.name, []).append(r)
                    spread = f"  connections {'+'.join(map(str, r['spread']))}" if "spread" in r else ""
                    print(f"round {round_} {w:45} {t.name:16} {r['rps']:8,.0f} req/s  p50 {r['p50']:6.2f} ms  "
                          f"p99 {r['p99']:6.2f} ms{spread}", flush=True)
        results = {w: {name: sorted(rs, key=lambda r: r["rps"])[len(rs) // 2] for name, rs in by_target.items()}
                   for w, by_target in runs.items()}
        text = table(results, startup, workloads, before, machine(), runs)
        RESULTS.mkdir(parents=True, exist_ok=True)
        name = "latest" + ("-" + "".join(SERVE_ARGS).replace("-", "") if SERVE_ARGS else "")
        (RESULTS / f"{name}.md").write_text(text)
        (RESULTS / f"{name}.json").write_text(json.dumps({"runs": runs, "startup": startup,
                                                           "serve_args": SERVE_ARGS}, indent=2))
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
