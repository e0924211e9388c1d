"""`make bench` (second part): crampkg over an external store, side by side with the embedded engine.

Measured in one run on this machine:

- load time: `crampkg load` of the build into the Oxigraph server and into Virtuoso, by the Graph Store HTTP
  Protocol and by SPARQL Update (median of LOAD_ROUNDS loads, each replacing the previous one);
- latency over HTTP: every canned query (its defaults) and the pages and API answers people use most, each
  REQUESTS times from one keep-alive client, on `crampkg serve` (embedded engine), `crampkg serve --endpoint`
  over the Oxigraph server and over Virtuoso. The response cache is off everywhere, so every request reaches
  the engine or the store; p50 and p99 in milliseconds.

The stores are started the way the tests start them (tests/stores.py). Results go to
bench/results/stores.md; nothing here asserts a time.
"""
from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from kg.graph.dataset import DATASET_PATH
from kg.namespaces import ROOT
from kg.query.catalogue import Catalogue
from kg.store.load import load

sys.path.insert(0, str(ROOT / "tests"))
from stores import (  # the tests' own store launcher (tests/ is on the path above)
    start_oxigraph,
    start_virtuoso,
)

from .__main__ import client, free_port, wait_for

REQUESTS = int(os.environ.get("BENCH_STORE_REQUESTS", "200"))
WARM_UP = 5
LOAD_ROUNDS = int(os.environ.get("BENCH_LOAD_ROUNDS", "5"))
RESULTS = ROOT / "bench" / "results"
PAGES = {
    "page: explorer (/)": "/",
    "page: entity /id/vitamin-d": "/id/vitamin-d",
    "page: article": "/article",
    "api: /api/paths vitamin D → leg cramp": "/api/paths?from=vitamin-d&to=leg-cramp",
    "export: N-Quads": "/export/nquads",
}


def serve(args: list[str]) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--port", str(port), "--cache", "0", *args],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(port, "/api/entities", process)
    return process, port


def latencies(port: int, path: str, accept: str) -> list[float]:
    """REQUESTS sequential requests' times in ms, sorted, after WARM_UP untimed ones (warm connections and
    lazily built page data), from bench/__main__'s own client."""
    seconds = client((port, path, accept, float("inf"), WARM_UP + REQUESTS))
    return sorted(t * 1000 for t in seconds[WARM_UP:])


def p50_p99(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} / {values[min(len(values) - 1, int(len(values) * 0.99))]:.1f}"


def main() -> int:
    catalogue = Catalogue.load()
    workloads = {f"canned: {q.name}": (f"/api/queries/{q.name}", "application/sparql-results+json"
                                       if q.form in ("SELECT", "ASK") else "application/n-triples")
                 for q in catalogue}
    workloads.update({name: (path, "text/html" if name.startswith("page") else "*/*") for name, path in PAGES.items()})
    loads: dict[str, list[float]] = {}
    processes: list[subprocess.Popen] = []
    stores = []
    with tempfile.TemporaryDirectory(prefix="crampkg-bench-stores-") as tmp:
        try:
            oxigraph = start_oxigraph(Path(tmp) / "oxigraph")
            stores.append(oxigraph)
            virtuoso = start_virtuoso(Path(tmp) / "virtuoso")
            stores.append(virtuoso)
            for server in (oxigraph, virtuoso):
                for method, store in (("graph store protocol", server.store()),
                                      ("SPARQL Update", replace(server.store(), graph_store_url=None))):
                    key = f"{server.kind}, {method}"
                    for _ in range(LOAD_ROUNDS):
                        loads.setdefault(key, []).append(load(store, DATASET_PATH).seconds)
                    print(f"load {key:40} median {statistics.median(loads[key]):.2f} s", flush=True)
            targets = {}
            for name, args in (("embedded", []), ("Oxigraph server", ["--endpoint", oxigraph.query_url]),
                               ("Virtuoso", ["--endpoint", virtuoso.query_url])):
                process, port = serve(args)
                processes.append(process)
                targets[name] = port
            results: dict[str, dict[str, list[float]]] = {}
            for workload, (path, accept) in workloads.items():
                for name, port in targets.items():
                    results.setdefault(workload, {})[name] = latencies(port, path, accept)
                print(f"{workload:44} " + "  ".join(f"{n}: {p50_p99(v)}" for n, v in results[workload].items()),
                      flush=True)
        finally:
            for process in processes:
                process.terminate()
                process.wait(10)
            for server in stores:
                server.stop()
    text = table(loads, results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "stores.md").write_text(text)
    print("\n" + text)
    return 0


def table(loads: dict[str, list[float]], results: dict[str, dict[str, list[float]]]) -> str:
    names = ["embedded", "Oxigraph server", "Virtuoso"]
    lines = [f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores; "
             f"the build ({DATASET_PATH.stat().st_size:,} bytes of N-Quads, 3 graphs). Latency: {REQUESTS} "
             "sequential requests per cell from one keep-alive client, response cache off, p50 / p99 in ms.", "",
             "| load (`crampkg load`, median of " f"{LOAD_ROUNDS}) | seconds |", "|---|---|"]
    lines += [f"| {key} | {statistics.median(v):.2f} |" for key, v in loads.items()]
    lines += ["", "| request | " + " | ".join(f"{n} p50 / p99 ms" for n in names) + " | Virtuoso p50 vs embedded |",
              "|---" * (len(names) + 2) + "|"]
    for workload, by in results.items():
        ratio = statistics.median(by["Virtuoso"]) / statistics.median(by["embedded"])
        lines.append(f"| {workload} | " + " | ".join(p50_p99(by[n]) for n in names) + f" | {ratio:.1f}× |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
