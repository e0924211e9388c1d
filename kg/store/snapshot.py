"""crampkg's graphs read from a store through the engine, in one query, and kept until a new load replaces them.

The pages, the chain search, the explanations, the entity look-up and the exports work on whole structures
(the causal network, every label, every claim's evidence). Asking the store for each piece would cost a page
hundreds of round trips, so a :class:`Snapshot` reads the three graphs with one ``SELECT ?g ?s ?p ?o`` (one
answer document, so blank nodes keep their identity) into an rdflib Dataset that those views share.

Freshness: ``crampkg load`` records each load's id in ``graph:load`` in the same update that switches the
graphs. The snapshot asks for that id at most once every ``refresh`` seconds (:data:`REFRESH_SECONDS`) and
reads the graphs again only when it has changed. While the store is down, the last snapshot goes on serving
the pages (and the failed check is retried on the next request); with no snapshot yet, the views answer with
the store's error (502/504) until it is back. Nothing here needs a restart.

It refuses a partial read: the rows received must match the store's own count of each graph (Virtuoso, for
one, cuts results at its ``ResultSetMaxRows`` without an error).
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from rdflib import Dataset, URIRef

from kg.errors import StoreUnavailable
from kg.namespaces import GRAPHS, bind_prefixes
from kg.store.load import LOAD_ID_QUERY

REFRESH_SECONDS = 30.0  # how stale a front end may be after a load: one cheap query per this interval
SNAPSHOT_QUERY = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"


@dataclass(frozen=True)
class Version:
    """One snapshot: its dataset, the load it came from, and the triples per graph."""

    dataset: Dataset
    load_id: str | None
    sizes: dict[str, int]


def read_dataset(engine) -> tuple[Dataset, dict[str, int]]:
    """crampkg's named graphs, read through ``engine`` in one query, and the store's count of each."""
    wanted = {str(g) for g in GRAPHS.values()}
    sizes = {g: n for g, n in engine.graph_sizes().items() if g in wanted}
    result = engine.query(SNAPSHOT_QUERY, max_rows=None)
    ds = Dataset(default_union=True)
    bind_prefixes(ds)
    got: dict[str, int] = {}
    for g, s, p, o in result.rows:
        if str(g) in wanted:
            ds.graph(URIRef(str(g))).add((s, p, o))
            got[str(g)] = got.get(str(g), 0) + 1
    if got != sizes:
        raise StoreUnavailable(f"{getattr(engine, 'label', engine.name)} sent {sum(got.values())} of the "
                               f"{sum(sizes.values())} triples of crampkg's graphs; if it caps result rows "
                               "(Virtuoso: ResultSetMaxRows in virtuoso.ini), raise the cap above that")
    if not sizes:
        raise StoreUnavailable(f"{getattr(engine, 'label', engine.name)} holds none of crampkg's graphs; "
                               "load them with `crampkg load --endpoint …`")
    return ds, sizes


def load_id(engine) -> str | None:
    rows = engine.query(LOAD_ID_QUERY).rows
    return str(rows[0][0]) if rows else None


class Snapshot:
    """The current snapshot of a store's crampkg graphs (thread-safe; one refresh at a time)."""

    def __init__(self, engine, *, refresh: float = REFRESH_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.engine = engine
        self.refresh = refresh
        self.clock = clock
        self._version: Version | None = None
        self._checked = float("-inf")
        self._lock = threading.Lock()

    def current(self) -> Version:
        """The snapshot, read again first if the store has a newer load (checked at most every ``refresh`` s).

        Raises the store's error only when there is no snapshot to fall back on."""
        version = self._version
        if version is not None and self.clock() - self._checked < self.refresh:
            return version
        with self._lock:
            version = self._version
            if version is not None and self.clock() - self._checked < self.refresh:
                return version
            try:
                current_id = load_id(self.engine)
                stale = (version is None or current_id != version.load_id
                         or (current_id is None and self._sizes_changed(version)))
                if stale:
                    ds, sizes = read_dataset(self.engine)
                    version = Version(ds, current_id, sizes)
                self._version = version
                self._checked = self.clock()
            except Exception:
                if version is None:
                    raise
                self._checked = self.clock()  # serve the last snapshot; try the store again after `refresh`
            return version

    def _sizes_changed(self, version: Version) -> bool:
        """For graphs not loaded by `crampkg load` (no load id): whether their sizes moved."""
        return {g: n for g, n in self.engine.graph_sizes().items() if g in version.sizes} != version.sizes
