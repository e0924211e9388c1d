"""`crampkg load`: the built dataset into an external SPARQL store, replacing crampkg's graphs as one step.

1. The built N-Quads are split by graph, line by line as the build wrote them (nothing is re-serialised).
2. Each graph is written under a *staging* name of its own (``…/graph/staging/<load id>/asserted``): through
   the Graph Store HTTP Protocol when the store offers it (``--graph-store``), else with SPARQL Update.
3. Each staged graph is counted: the store must hold every triple that was sent.
4. One update request moves every staged graph over its real name and records the load in
   ``graph:load`` (its id and time). Stores run one update request as one transaction, so a reader sees the
   old graphs or the new ones, never a mix.
5. Staging graphs left behind by earlier, interrupted loads are dropped.

A failure before step 4 leaves the previous graphs untouched: the staged copies are dropped (as far as the
store still answers) and the message names the graph that failed and why. A load killed outright leaves
at most some staging graphs, which no crampkg view reads (views name their graphs) and the next load drops.
It does not support two loads into one store at the same time.
"""
from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rdflib.namespace import DCTERMS, XSD

from kg.errors import CrampkgError, LoadError, StoreError
from kg.graph.dataset import damage
from kg.namespaces import GRAPH, GRAPHS
from kg.store.client import Store

GRAPH_LOAD = GRAPH["load"]  # the record of the last completed load: its id and time
# The id of the last completed load (FROM NAMED: whatever the store's default dataset holds).
LOAD_ID_QUERY = (f"SELECT ?id FROM NAMED <{GRAPH_LOAD}> WHERE {{ GRAPH <{GRAPH_LOAD}> "
                 f"{{ <{GRAPH_LOAD}> <{DCTERMS.identifier}> ?id }} }}")
STAGING = str(GRAPH["staging/"])
# Triples per SPARQL Update request: Virtuoso refuses an update that compiles to more than 10,000 lines of
# SQL, which the 2,813 triples of the asserted graph did in one request.
UPDATE_CHUNK = 500
_TERM = re.compile(r'<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:\^\^<[^>]*>|@[A-Za-z0-9-]+)?')


@dataclass(frozen=True)
class LoadReport:
    load_id: str
    graphs: dict[str, int]  # graph IRI -> triples
    seconds: float
    method: str  # "graph store protocol" or "SPARQL Update"
    dropped: tuple[str, ...]  # leftover staging graphs removed

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())


def split_graphs(path: Path) -> dict[str, list[str]]:
    """Graph IRI -> its triples as N-Triples lines, from a built N-Quads file."""
    if not path.is_file():
        raise CrampkgError(f"{path}: no built dataset; run `crampkg build` (or `make build`) first")
    problem = damage(path)  # what `crampkg serve` refuses to serve is not pushed into a store either
    if problem:
        raise CrampkgError(f"{problem}; run `crampkg build --force` to rebuild it")
    graphs: dict[str, list[str]] = {str(g): [] for g in GRAPHS.values()}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        terms = _TERM.findall(line)
        if len(terms) != 4 or not terms[3].startswith("<"):
            raise CrampkgError(f"{path}:{number}: expected a quad in a named graph; rebuild with `crampkg build`")
        graphs.setdefault(terms[3][1:-1], []).append(" ".join(terms[:3]) + " .")
    return graphs


def chunks(lines: list[str], size: int = UPDATE_CHUNK) -> list[list[str]]:
    """The lines in requests of about ``size``, never splitting the triples that share a blank node (a blank
    node is new in each request, so they must travel together)."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    groups: dict[str, list[str]] = {}
    for i, line in enumerate(lines):
        ids = [t for t in _TERM.findall(line) if t.startswith("_:")]
        key = f"#{i}"
        for b in ids:
            parent[root(b)] = root(key)
        groups.setdefault(key, []).append(line)
    merged: dict[str, list[str]] = {}
    for key, items in groups.items():
        merged.setdefault(root(key), []).extend(items)
    out: list[list[str]] = [[]]
    for items in merged.values():
        if out[-1] and len(out[-1]) + len(items) > size:
            out.append([])
        out[-1].extend(items)
    return [c for c in out if c]


def staging_name(load_id: str, graph: str) -> str:
    return f"{STAGING}{load_id}/{graph.rstrip('/').rsplit('/', 1)[-1]}"


def count(store: Store, graph: str) -> int:
    doc = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", f"count <{graph}>")
    rows = doc.get("results", {}).get("bindings", [])
    return int(rows[0]["n"]["value"]) if rows and "n" in rows[0] else 0


def staging_graphs(store: Store) -> list[str]:
    doc = store.select(f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} '
                       f'FILTER(STRSTARTS(STR(?g), "{STAGING}")) }}', "list staging graphs")
    return sorted(row["g"]["value"] for row in doc.get("results", {}).get("bindings", []) if "g" in row)


def load(store: Store, path: Path, *, progress: Callable[[str], None] = lambda _: None) -> LoadReport:
    """Load the build at ``path`` into ``store`` (see the module docstring for the steps and guarantees)."""
    started = time.monotonic()
    graphs = split_graphs(path)
    load_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8]
    method = "graph store protocol" if store.graph_store_url else "SPARQL Update"
    store.select("ASK { }", "is it up?")
    staged: list[str] = []
    current = None
    try:
        for graph, lines in graphs.items():
            current = graph
            target = staging_name(load_id, graph)
            staged.append(target)
            if store.graph_store_url:
                store.put_graph(target, ("\n".join(lines) + "\n").encode("utf-8"), f"PUT graph <{graph}>")
            else:
                store.update(f"DROP SILENT GRAPH <{target}>", f"clear staging for <{graph}>")
                for chunk in chunks(lines):
                    # INSERT … WHERE {} rather than INSERT DATA: Virtuoso refuses blank nodes in INSERT DATA
                    store.update(f"INSERT {{ GRAPH <{target}> {{\n{chr(10).join(chunk)}\n}} }} WHERE {{ }}",
                                 f"INSERT into graph <{graph}>")
            held = count(store, target)
            if held != len(lines):
                raise LoadError(f"graph <{graph}>: the store holds {held} of the {len(lines)} triples sent")
            progress(f"staged <{graph}>: {len(lines)} triples")
        current = None
        store.update(switch(load_id, graphs), "switch to the new graphs")
    except (StoreError, LoadError) as exc:
        for target in staged:
            try:
                store.update(f"DROP SILENT GRAPH <{target}>", "drop a staging graph")
            except StoreError:
                break  # the store is gone: the next load drops what is left
        where = f"graph <{current}>: " if current else ""
        raise LoadError(f"load failed, {where}{exc}; the store's previous crampkg graphs are unchanged") from None
    dropped = tuple(g for g in staging_graphs(store) if not g.startswith(f"{STAGING}{load_id}/"))
    for g in dropped:
        store.update(f"DROP SILENT GRAPH <{g}>", "drop a leftover staging graph")
    return LoadReport(load_id, {g: len(lines) for g, lines in graphs.items()}, time.monotonic() - started,
                      method, dropped)


def switch(load_id: str, graphs: dict[str, list[str]]) -> str:
    """The one update request that puts the staged graphs in place and records the load."""
    ops = [f"MOVE <{staging_name(load_id, g)}> TO <{g}>" if lines else f"DROP SILENT GRAPH <{g}>"
           for g, lines in graphs.items()]
    when = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    ops += [f"DROP SILENT GRAPH <{GRAPH_LOAD}>",
            f'INSERT DATA {{ GRAPH <{GRAPH_LOAD}> {{ <{GRAPH_LOAD}> <{DCTERMS.identifier}> "{load_id}" ; '
            f'<{DCTERMS.modified}> "{when}"^^<{XSD.dateTime}> }} }}']
    return " ;\n".join(ops)


def current_load(store: Store) -> str | None:
    """The id of the last completed load in ``store``, or None when crampkg was never loaded there."""
    doc = store.select(LOAD_ID_QUERY, "which load is current")
    rows = doc.get("results", {}).get("bindings", [])
    return rows[0]["id"]["value"] if rows and "id" in rows[0] else None
