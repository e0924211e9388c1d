"""`make reliability`: what crampkg withstands, in one table — the hostile-input catalogue, a bounded load
from 64 concurrent clients on loopback, injected faults, and the data lost (which must be 0).

Everything runs against real `crampkg serve` processes on free 127.0.0.1 ports; every run is bounded in time
and requests. Nothing here asserts a time: the figures are printed and written to bench/results/reliability.md.
"""
from __future__ import annotations

import asyncio
import hashlib
import os
import platform
import signal
import statistics
import sys
import threading
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from conftest import restart_under_load, start_server, stop_server  # noqa: E402
from hostile import CASES  # noqa: E402
from http_support import children, running  # noqa: E402

from kg.build import build  # noqa: E402

CLIENTS = int(os.environ.get("RELIABILITY_CLIENTS", 64))
DURATION = float(os.environ.get("RELIABILITY_SECONDS", 15))
MAX_REQUESTS = 200_000
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MEMORY_BOMB = "SELECT ?s ?a WHERE { ?s ?p ?o . ?a ?b ?c } ORDER BY ?o ?c LIMIT 1"
q = urllib.parse.quote
# The valid mix: canned queries, ad-hoc queries, pages, exports; each answer must be 200.
MIX = [("canned", "/api/queries/graph-summary"), ("canned", "/api/queries/leads-to-leg-cramps"),
       ("ad-hoc", "/sparql?query=" + q("SELECT ?s ?o WHERE { ?s a ?o } LIMIT 20")),
       ("ad-hoc", "/sparql?query=" + q("ASK { ?s ?p ?o }")),
       ("page", "/"), ("page", "/article"), ("page", "/id/vitamin-d"), ("page", "/query"),
       ("export", "/export/turtle"), ("export", "/export/graphml")]


async def fetch(port: int, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    data = await reader.read()
    writer.close()
    return int(data.split(b" ", 2)[1]), time.perf_counter() - started


async def load(port: int) -> dict:
    results: dict[str, list[float]] = {}
    errors = 0
    expensive: list[int] = []
    stop = time.monotonic() + DURATION
    sent = 0

    async def client(i: int) -> None:
        nonlocal errors, sent
        while time.monotonic() < stop and sent < MAX_REQUESTS:
            kind, path = MIX[(i + sent) % len(MIX)]
            sent += 1
            try:
                status, seconds = await fetch(port, path)
            except OSError:
                status, seconds = 0, 0.0
            if status != 200:
                errors += 1
            else:
                results.setdefault(kind, []).append(seconds)

    async def heavy() -> None:  # expensive queries running all along, each stopped by the time limit
        while time.monotonic() < stop:
            status, _ = await fetch(port, "/sparql?query=" + q(SLOW))
            expensive.append(status)

    await asyncio.gather(*(client(i) for i in range(CLIENTS)), heavy(), heavy())
    every = sorted(s for v in results.values() for s in v)
    return {"requests": len(every) + errors, "errors": errors, "rps": (len(every) + errors) / DURATION,
            "p50": statistics.median(every) * 1000, "p99": every[int(len(every) * 0.99) - 1] * 1000,
            "by_kind": {k: (len(v), sorted(v)[int(len(v) * 0.99) - 1] * 1000) for k, v in results.items()},
            "expensive": expensive}


def rss_mb(pid: int) -> float:
    total = 0
    for p in [pid, *children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total / 1024


def triples(url: str) -> int:
    r = requests.get(f"{url}/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"},
                     timeout=30)
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def faults(built) -> list[tuple[str, bool, str]]:
    done: list[tuple[str, bool, str]] = []
    server = start_server(["--memory", "200", "--timeout", "20", "--workers", "1", "--cache", "0"])
    try:
        url = f"{server.url}/sparql"
        started = time.monotonic()
        r = requests.get(url, params={"query": MEMORY_BOMB}, timeout=60)
        ok = r.status_code == 503 and "memory limit" in r.text and requests.get(url, params={"query": "ASK{}"},
                                                                                  timeout=10).ok
        done.append(("query past the 200 MB memory cap", ok, f"503 after {time.monotonic() - started:.1f} s"))
        result: list = []
        thread = threading.Thread(target=lambda: result.append(requests.get(url, params={"query": SLOW}, timeout=60)))
        started = time.monotonic()
        thread.start()
        busy: list[int] = []
        while not busy and time.monotonic() - started < 10:
            busy = [p for p in children(server.process.pid) if running(p)]
            time.sleep(0.05)
        if busy:
            os.kill(busy[0], signal.SIGKILL)
        thread.join(60)
        ok = bool(busy) and result and result[0].status_code == 503 and requests.get(
            url, params={"query": "ASK{}"}, timeout=10).ok
        done.append(("worker SIGKILLed mid-query", bool(ok), f"client answered in {time.monotonic() - started:.1f} s"))
    finally:
        stop_server(server)
    outcomes = restart_under_load(["--cache", "0"])
    wrong = [o for o in outcomes if o.status not in (None, 503) and not o.right]
    cut = sum(o.status is None for o in outcomes)
    ok = not wrong and any(o.after_restart for o in outcomes) and all(o.right for o in outcomes if o.after_restart)
    done.append(("server restarted under load (8 clients)", ok,
                 f"{len(outcomes)} requests: {sum(o.right for o in outcomes)} right, {len(wrong)} wrong, "
                 f"{cut} refused or cut during the restart"))
    import shutil
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "build"
        shutil.copytree(built.path.parent, out)
        data = out / built.path.name
        data.write_bytes(data.read_bytes()[: data.stat().st_size // 2])
        rebuilt = build(out)
        ok = not rebuilt.cached and hashlib.sha256(data.read_bytes()).hexdigest() == rebuilt.summary["dataset_sha256"]
        done.append(("build cache truncated to half", ok, "detected by hash, rebuilt"))
    return done


def main() -> int:
    built = build()
    digest = hashlib.sha256(built.path.read_bytes()).hexdigest()
    rows = []
    server = start_server(["--timeout", "1", "--max-rows", "100", "--cache", "0"])
    try:
        before = triples(server.url)
        wrong = [(c, c.check(server.port)) for c in CASES]
        wrong = [(c, why) for c, why in wrong if why]
        rows.append(("inputs", f"{len(CASES)} hostile inputs tried, {len(CASES) - len(wrong)} rejected correctly"))
        for c, why in wrong:
            rows.append(("  wrong", f"{c.category}: {c.name}: {why}"))
        peak = [0.0]
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.is_set():
                peak[0] = max(peak[0], rss_mb(server.process.pid))
                time.sleep(0.2)

        sampler = threading.Thread(target=sample)
        sampler.start()
        figures = asyncio.run(load(server.port))
        sampling.set()
        sampler.join()
        rows.append(("load", f"{CLIENTS} clients + 2 running expensive queries, {DURATION:g} s: "
                             f"{figures['requests']} requests, {figures['rps']:.0f} req/s, "
                             f"p50 {figures['p50']:.0f} ms, "
                             f"p99 {figures['p99']:.0f} ms, errors {figures['errors']}, peak RSS {peak[0]:.0f} MB"))
        rows.append(("  p99 by kind", ", ".join(f"{k} {v[1]:.0f} ms ({v[0]})" for k, v in figures["by_kind"].items())))
        rows.append(("  expensive", f"{len(figures['expensive'])} stopped by the time limit "
                                    f"(statuses {sorted(set(figures['expensive']))})"))
        after = triples(server.url)
    finally:
        stop_server(server)
    done = faults(built)
    rows.append(("faults", f"{len(done)} injected, {sum(ok for _, ok, _ in done)} survived"))
    for name, ok, note in done:
        rows.append(("  " + ("ok" if ok else "FAILED"), f"{name}: {note}"))
    lost = (before - after) + (0 if hashlib.sha256(built.path.read_bytes()).hexdigest() == digest else 1)
    rows.append(("data lost", f"{lost} (quads before {before}, after {after}; build file hash unchanged: {lost == 0})"))
    stamp = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node() or 'unknown'}, {os.cpu_count()} cores, " \
            f"Python {platform.python_version()}"
    table = "\n".join([f"| {k} | {v} |" for k, v in rows])
    text = f"Reliability run {stamp}\n\n| | |\n|---|---|\n{table}\n"
    print(text)
    out = ROOT / "bench" / "results" / "reliability.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    return 0 if not wrong and lost == 0 and figures["errors"] == 0 and all(ok for _, ok, _ in done) else 1


if __name__ == "__main__":
    sys.exit(main())
