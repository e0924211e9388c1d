"""`make reliability`: what crampkg withstands, in one table — the hostile-input catalogue, a bounded load
from 64 concurrent clients on loopback (the mix alone, with expensive queries running, and beside a flood of
them), injected faults, and the data lost (which must be 0).

Everything runs against real `crampkg serve` processes on free 127.0.0.1 ports; every run is bounded in time
and requests. Nothing here asserts a time: the figures are printed and written to bench/results/reliability.md.
"""
from __future__ import annotations

import hashlib
import os
import platform
import signal
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from conftest import restart_under_load, start_server, stop_server  # noqa: E402
from hostile import CASES  # noqa: E402
from http_support import children, running, workers  # noqa: E402
from load import QUERY_KINDS, answered_during, figures, quantile, run  # noqa: E402

from kg.build import build  # noqa: E402

CLIENTS = int(os.environ.get("RELIABILITY_CLIENTS", 64))
DURATION = float(os.environ.get("RELIABILITY_SECONDS", 15))
EXPENSIVE_CLIENTS = 2
FLOOD_CLIENTS, FLOOD_MIX = 40, 16
MAX_REQUESTS = 200_000
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MEMORY_BOMB = "SELECT ?s ?a WHERE { ?s ?p ?o . ?a ?b ?c } ORDER BY ?o ?c LIMIT 1"


def rss_mb(pid: int) -> float:
    total = 0
    for p in {pid, *children(pid), *workers(pid)}:  # the server processes, if several, and every worker
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
            busy = [p for p in workers(server.process.pid) if running(p)]
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


def peaks(pid: int, stop: threading.Event, found: dict) -> None:
    """Sample the server's memory (with its workers) and its worker count until ``stop``."""
    while not stop.is_set():
        found["rss"] = max(found.get("rss", 0.0), rss_mb(pid))
        found["workers"] = max(found.get("workers", 0), len(workers(pid)))
        time.sleep(0.2)


def load_rows() -> tuple[list[tuple[str, str]], int, int]:
    """The load, against a server with the default limits (the response cache off, so every query is
    evaluated): the mix alone, then the mix while expensive queries run into the time limit. Returns the
    table's rows, the errors among valid requests (in the flood: among pages and exports) and the quads the
    server holds afterwards."""
    rows = []
    errors = 0
    server = start_server(["--cache", "0"])
    try:
        for expensive in (0, EXPENSIVE_CLIENTS):
            found: dict = {}
            stop = threading.Event()
            sampler = threading.Thread(target=peaks, args=(server.process.pid, stop, found))
            sampler.start()
            try:
                valid, heavy = run(server.port, clients=CLIENTS, seconds=DURATION, expensive=expensive,
                                   max_requests=MAX_REQUESTS)
            finally:
                stop.set()
                sampler.join()
            f = figures(valid, DURATION)
            errors += f["errors"]
            label = f"{CLIENTS} clients" + (f" + {expensive} running expensive queries" if expensive else "")
            rows.append(("load", f"{label}, {DURATION:g} s: {f['requests']} requests, {f['rps']:.0f} req/s, "
                                 f"p50 {f['p50']:.0f} ms, p99 {f['p99']:.0f} ms, errors {f['errors']}"
                                 + (f" (statuses {f['statuses']}; refused as busy: {f['refused_at_once']} at once, "
                                    f"{f['refused_after_wait']} after the wait for room)" if f["errors"] else "")
                                 + f", peak RSS {found.get('rss', 0):.0f} MB, workers {found.get('workers', 0)}"))
            rows.append(("  queries", f"{f['queries']} canned and ad-hoc answered, p50 {f['query_p50']:.0f} ms, "
                                      f"p99 {f['query_p99']:.0f} ms"))
            if heavy:
                during = [len(answered_during(valid, o)) for o in heavy]
                rows.append(("  expensive", f"{len(heavy)} sent, statuses {sorted({o.status for o in heavy})}, "
                                            f"{sum(b'limit' in o.body for o in heavy)} stopped by the time limit; "
                                            f"queries answered while each ran: {during}"))
        flood, failed = flood_rows(server)
        rows += flood
        errors += failed
        after = triples(server.url)
    finally:
        stop_server(server)
    return rows, errors, after


def flood_rows(server) -> tuple[list[tuple[str, str]], int]:
    """Genuine overload: FLOOD_CLIENTS clients sending expensive queries back to back, more than the workers
    and the queue hold, beside FLOOD_MIX clients of the valid mix. Queries may be refused (503 + Retry-After,
    at once or after the wait for room); pages and exports must still be answered. Returns the table's rows
    and the pages and exports that failed."""
    valid, heavy = run(server.port, clients=FLOOD_MIX, seconds=DURATION, expensive=FLOOD_CLIENTS,
                       max_requests=MAX_REQUESTS)
    other = [o for o in valid if o.kind not in QUERY_KINDS]
    failed = sum(o.status != 200 for o in other)
    served = [o.seconds for o in other if o.status == 200]
    refused = [o for o in heavy if o.status == 503 and b"busy" in o.body]
    others = sorted({o.status for o in heavy if o not in refused and b"limit" not in o.body})
    at_once = sum(b"more waiting for room" in o.body for o in refused)
    queries = [o for o in valid if o.kind in QUERY_KINDS]
    return [("flood", f"{FLOOD_CLIENTS} clients sending expensive queries back to back + {FLOOD_MIX} clients of the "
                      f"mix, {DURATION:g} s: {len(heavy)} expensive sent, {sum(b'limit' in o.body for o in heavy)} "
                      f"stopped by the time limit, {len(refused)} refused as busy ({at_once} at once, "
                      f"{len(refused) - at_once} after the wait for room), "
                      f"other statuses {others}"),
            ("  pages, exports", f"{len(other)} requests, {failed} failed, p99 {quantile(served, 0.99):.0f} ms"),
            ("  mix's queries", f"{len(queries)} sent, {sum(o.status == 200 for o in queries)} answered, "
                                f"{sum(o.status == 503 for o in queries)} refused as busy (503 + Retry-After)")], failed


def main() -> int:
    started_load = os.getloadavg()[0]
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
        after_inputs = triples(server.url)
    finally:
        stop_server(server)
    loaded, errors, after = load_rows()
    rows += loaded
    done = faults(built)
    rows.append(("faults", f"{len(done)} injected, {sum(ok for _, ok, _ in done)} survived"))
    for name, ok, note in done:
        rows.append(("  " + ("ok" if ok else "FAILED"), f"{name}: {note}"))
    changed = hashlib.sha256(built.path.read_bytes()).hexdigest() != digest
    lost = abs(before - after_inputs) + abs(before - after) + changed
    rows.append(("data lost", f"{lost} (quads before {before}, after the inputs {after_inputs}, after the load "
                              f"{after}; build file hash unchanged: {not changed})"))
    stamp = (f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node() or 'unknown'}, {os.cpu_count()} cores, "
             f"load average (1 min) {started_load:.1f} at the start and {os.getloadavg()[0]:.1f} at the end, "
             f"Python {platform.python_version()}")
    table = "\n".join([f"| {k} | {v} |" for k, v in rows])
    text = f"Reliability run {stamp}\n\n| | |\n|---|---|\n{table}\n"
    print(text)
    out = ROOT / "bench" / "results" / "reliability.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    return 0 if not wrong and lost == 0 and errors == 0 and all(ok for _, ok, _ in done) else 1


if __name__ == "__main__":
    sys.exit(main())
