"""A bounded load on loopback (issue 13), shared by the fast load test (tests/server/test_under_load.py) and
`make reliability` (bench/reliability.py), which runs it longer with more clients.

Clients are asyncio tasks speaking plain HTTP/1.1 on 127.0.0.1, one connection per request; each run stops
at a deadline and after a maximum number of requests. Every request is recorded with its start and end, so a
caller can ask what was answered while an expensive query was running.
"""
from __future__ import annotations

import asyncio
import statistics
import threading
import time
import urllib.parse
from dataclasses import dataclass

q = urllib.parse.quote
# A query over the cube of the graph: hours of work, so the time limit always stops it.
EXPENSIVE = "/sparql?query=" + q("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
# The valid mix: canned queries, ad-hoc queries, pages, exports; each answer must be 200.
MIX = [("canned", "/api/queries/graph-summary"), ("canned", "/api/queries/leads-to-leg-cramps"),
       ("ad-hoc", "/sparql?query=" + q("SELECT ?s ?o WHERE { ?s a ?o } LIMIT 20")),
       ("ad-hoc", "/sparql?query=" + q("ASK { ?s ?p ?o }")),
       ("page", "/"), ("page", "/article"), ("page", "/id/vitamin-d"), ("page", "/query"),
       ("export", "/export/turtle"), ("export", "/export/graphml")]
QUERY_KINDS = ("canned", "ad-hoc")


@dataclass(frozen=True)
class Outcome:
    kind: str
    status: int  # 0: the connection failed
    started: float  # time.monotonic()
    ended: float
    body: bytes = b""  # kept for expensive queries and failed requests only

    @property
    def seconds(self) -> float:
        return self.ended - self.started


async def fetch(port: int, path: str) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        data = await reader.read()
    finally:
        writer.close()
    return int(data.split(b" ", 2)[1]), data


async def drive(port: int, *, clients: int, seconds: float, expensive: int = 0,
                max_requests: int = 200_000) -> tuple[list[Outcome], list[Outcome]]:
    """``clients`` clients cycling through :data:`MIX` and ``expensive`` clients sending :data:`EXPENSIVE`
    until ``seconds`` have passed: (the valid requests' outcomes, the expensive queries' outcomes)."""
    stop = time.monotonic() + seconds
    valid: list[Outcome] = []
    heavy: list[Outcome] = []

    async def one(kind: str, path: str, keep_body: bool) -> Outcome:
        started = time.monotonic()
        try:
            status, data = await fetch(port, path)
        except (OSError, IndexError, ValueError):  # refused, reset, or not an HTTP answer
            status, data = 0, b""
        return Outcome(kind, status, started, time.monotonic(), data if keep_body or status != 200 else b"")

    async def client(i: int) -> None:
        n = 0
        while time.monotonic() < stop and len(valid) < max_requests:
            kind, path = MIX[(i + n) % len(MIX)]
            n += 1
            valid.append(await one(kind, path, keep_body=False))

    async def expensive_client() -> None:
        while time.monotonic() < stop:
            heavy.append(await one("expensive", EXPENSIVE, keep_body=True))

    await asyncio.gather(*(client(i) for i in range(clients)), *(expensive_client() for _ in range(expensive)))
    return valid, heavy


def run(port: int, **options) -> tuple[list[Outcome], list[Outcome]]:
    """:func:`drive` from synchronous code, in a thread of its own: the caller's thread may already run an
    event loop (Playwright's synchronous API leaves one in a pytest worker), and asyncio.run refuses to nest."""
    done: list = []
    thread = threading.Thread(target=lambda: done.append(asyncio.run(drive(port, **options))), name="load")
    thread.start()
    thread.join()
    if not done:
        raise RuntimeError("the load client stopped without a result (see the thread's exception above)")
    return done[0]


def quantile(values: list[float], share: float) -> float:
    """The ``share`` quantile (0.5, 0.99) of ``values``, in milliseconds (0 for none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(len(ordered) * share) - 1))] * 1000


def figures(valid: list[Outcome], seconds: float) -> dict:
    """Requests, requests/s, errors, p50 and p99 overall and for queries alone."""
    answered = [o.seconds for o in valid if o.status == 200]
    queries = [o.seconds for o in valid if o.status == 200 and o.kind in QUERY_KINDS]
    return {"requests": len(valid), "rps": len(valid) / seconds, "errors": sum(o.status != 200 for o in valid),
            "statuses": sorted({o.status for o in valid if o.status != 200}),
            "refused_at_once": sum(b"more waiting for room" in o.body for o in valid),
            "refused_after_wait": sum(b"s for room" in o.body for o in valid),
            "p50": quantile(answered, 0.5), "p99": quantile(answered, 0.99), "queries": len(queries),
            "query_p50": statistics.median(queries) * 1000 if queries else 0.0, "query_p99": quantile(queries, 0.99)}


def answered_during(valid: list[Outcome], running: Outcome) -> list[Outcome]:
    """The queries from the mix answered (200) while ``running`` was being evaluated."""
    return [o for o in valid if o.kind in QUERY_KINDS and o.status == 200
            and running.started < o.started and o.ended < running.ended]
