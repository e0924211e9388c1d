"""The serving engine: pyoxigraph's in-memory store, loaded from the built N-Quads in milliseconds.

Answers go out two ways. :meth:`OxigraphEngine.query` gives the engine-neutral :class:`Result` (rdflib terms) that
every interface can use. :meth:`OxigraphEngine.answer` writes the formats that SPARQL clients ask for most (results
JSON, N-Triples, N-Quads) straight from Oxigraph's terms to bytes, with no rdflib object in between: that is most
of the cost of a small query otherwise. Both are written by Oxigraph's own writers (in Rust), stopped soon after
the row cap is passed: triples as N-Triples lines, counted by their newlines; solutions as results JSON, counted
by sequences that only a row's and a term's opening write (see :func:`solutions_json`). Measured in a worker,
one query at a time with the CPU idle in between, as under load: 141 µs of CPU per light SELECT when this module
wrote the JSON by string joins, 110 µs with Oxigraph's writer (the join was as fast only in a tight loop, with
the interpreter's code and objects in the cache). Either way the bytes are the same as :mod:`kg.query.formats`
writes for the same answer (a test compares them).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox

from kg.errors import QueryError, QuerySyntaxError
from kg.graph.terms import from_oxigraph
from kg.namespaces import PREFIXES
from kg.query.engines.base import DatasetSpec, cap
from kg.query.formats import BY_KEY, GRAPH, Result
from kg.query.text import QueryShape, shape, with_values

# The formats :meth:`OxigraphEngine.answer` writes itself (N-Quads of a graph result are its N-Triples lines).
DIRECT_FORMATS = ("json", "ntriples", "nquads")
# Oxigraph lists every token it expected; past about two lines of them the message stops helping.
MAX_DETAIL_CHARS = 160


def to_rdflib(term: object):
    """A result term as rdflib's, its lexical form kept as the store holds it (``"01"^^xsd:integer`` stays
    ``01``, as the other formats show it); a term rdflib has no kind for raises ValueError (a QueryError below)."""
    return from_oxigraph(term, normalize=False)


def syntax_message(text: str) -> str:
    """Oxigraph's ``error at 4:11: expected one of …`` as a message a person can read."""
    m = re.match(r"error at (\d+):(\d+): (.*)", text, re.DOTALL)
    if not m:
        return f"syntax error: {text}"
    detail = " ".join(m.group(3).split())
    if len(detail) > MAX_DETAIL_CHARS:
        detail = detail[:MAX_DETAIL_CHARS].rsplit(",", 1)[0] + ", …"
    return f"syntax error at line {m.group(1)}, column {m.group(2)}: {detail}"


def _truncation(truncated: bool, max_rows: int | None) -> str:
    return f',"truncated":true,"max_rows":{json.dumps(max_rows)}' if truncated else ""


class _Enough(Exception):
    """Raised by a :class:`_Sink` to stop Oxigraph's writer once more than the row cap has been written."""


class _Sink:
    """A binary file for Oxigraph's writers that keeps what it is given and stops the writer (by raising
    :class:`_Enough`) once :meth:`past_cap` says that more than the row cap has surely come: a capped answer is
    never written out in full."""

    def __init__(self, max_rows: int | None) -> None:
        self.chunks: list[bytes] = []
        self.max_rows = max_rows

    def write(self, data: bytes) -> int:
        data = bytes(data)
        self.chunks.append(data)
        if self.past_cap(data):
            raise _Enough
        return len(data)

    def past_cap(self, data: bytes) -> bool:
        """Whether more than ``max_rows`` rows have surely come, with ``data`` (always False without a cap)."""
        raise NotImplementedError

    def flush(self) -> None:
        pass


# How rows are counted in Oxigraph's results JSON (``{"head":{"vars":[…]},"results":{"bindings":[ROW,ROW,…]}}``,
# each ROW ``{"name":TERM,…}``, each TERM ``{"type":"…","value":"…",…}``) without reading it back. ``{"`` opens the
# document, "head", "results", every row that binds a variable and every term; of those, only a term has the key
# "type" with a string value. Inside a string every quote is escaped, so neither occurs there, but for ``{"`` where
# a string ends with ``{``: then it is followed by a comma or a brace, as no key is.
_OPENING = b'{"'
_TERM = b'"type":"'
_STRING_ENDS = (b'{",', b'{"}')
_DOCUMENT_OPENINGS = 3  # the document, "head" and "results"
# What those counts cannot read: a row that binds nothing (``{}``; where every ``{`` is followed by a quote,
# there is none). Such answers are scanned token by token: a string, or a row's start (``[{`` or ``,{``; a term's
# object follows a colon).
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[,]\{')
# A triple term (RDF 1.2), which no other format here can write: refused, as it always was.
_TRIPLE = b'"type":"triple"'
# No row that binds a variable is shorter (``{"v":{"type":"uri","value":""}}``): below this many bytes a row
# each, an answer cannot have passed the row cap, and its rows are not counted as it is written.
ROW_BYTES = 32


def _openings(data: bytes) -> int:
    """The rows that bind a variable in ``data``, plus the document's own openings (see above)."""
    return data.count(_OPENING) - data.count(_TERM) - sum(data.count(end) for end in _STRING_ENDS)


class _Rows(_Sink):
    """The sink for results JSON. Rows are only counted once the answer is long enough to hold more than the
    cap. A chunk's count can be off where a sequence is cut between two chunks, so the bound allows two rows a
    chunk."""

    def __init__(self, max_rows: int | None) -> None:
        super().__init__(max_rows)
        self.size = 0
        self.rows: int | None = None  # not counted yet

    def past_cap(self, data: bytes) -> bool:
        if self.max_rows is None:
            return False
        self.size += len(data)
        if self.size <= (self.max_rows + 1) * ROW_BYTES:
            return False
        if self.rows is None:
            self.rows = sum(map(_openings, self.chunks)) - _DOCUMENT_OPENINGS
        else:
            self.rows += _openings(data)
        return self.rows > self.max_rows + 2 * len(self.chunks)


def _row_starts(body: bytes) -> list[int]:
    """Where each row of a results-JSON document starts (the ``[`` or ``,`` before it), strings skipped."""
    return [m.start() for m in _TOKENS.finditer(body) if body[m.start()] != 0x22]  # 0x22: a string's quote


def solutions_json(solutions: ox.QuerySolutions, max_rows: int | None) -> tuple[bytes, int, bool]:
    """SELECT solutions as results JSON, written by Oxigraph's own (Rust) writer and stopped soon after the row
    cap is passed: (bytes, rows written, truncated). The bytes are those :mod:`kg.query.formats` writes (a test
    compares them); a truncated answer ends after ``max_rows`` rows and says so, as that module's does."""
    rows = _Rows(max_rows)
    try:
        solutions.serialize(rows, format=ox.QueryResultsFormat.JSON)
        stopped = False
    except _Enough:
        stopped = True
    body = b"".join(rows.chunks)
    if _TRIPLE in body:
        raise QueryError("unsupported term in a result: a triple term; select its parts with SUBJECT(), "
                         "PREDICATE() and OBJECT()")
    if not stopped and body.count(b"{") == body.count(_OPENING):  # no row that binds nothing
        count = _openings(body) - _DOCUMENT_OPENINGS
        if max_rows is None or count <= max_rows:
            return body, count, False
    starts = _row_starts(body)
    if max_rows is None or len(starts) <= max_rows:
        if stopped:  # the writer is only stopped past the cap
            raise QueryError("query failed: the results were cut short before the row cap")
        return body, len(starts), False
    cut = starts[max_rows]  # the comma before the first row past the cap
    return body[:cut] + b"]}" + _truncation(True, max_rows).encode("utf-8") + b"}", max_rows, True


class _Lines(_Sink):
    """The sink for N-Triples: a line a triple."""

    def __init__(self, max_rows: int | None) -> None:
        super().__init__(max_rows)
        self.lines = 0

    def past_cap(self, data: bytes) -> bool:
        self.lines += data.count(b"\n")
        return self.max_rows is not None and self.lines > self.max_rows


def triples_ntriples(triples: ox.QueryTriples, max_rows: int | None) -> tuple[bytes, int, bool]:
    """CONSTRUCT or DESCRIBE triples as N-Triples lines, written by Oxigraph's own (Rust) writer, one triple a
    line: (bytes, triples written, truncated)."""
    lines = _Lines(max_rows)
    try:
        triples.serialize(lines, format=ox.RdfFormat.N_TRIPLES)
    except _Enough:
        body = b"".join(lines.chunks)
        end = -1
        for _ in range(max_rows or 0):
            end = body.index(b"\n", end + 1)
        return body[: end + 1], max_rows or 0, True
    return b"".join(lines.chunks), lines.lines, False


class OxigraphEngine:
    name = "oxigraph"

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.prefixes = {p: str(ns) for p, ns in PREFIXES.items()}

    @classmethod
    def from_file(cls, path: Path) -> OxigraphEngine:
        store = ox.Store()
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        return cls(store)

    def graph_sizes(self) -> dict[str, int]:
        q = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        return {s["g"].value: int(s["n"].value) for s in self.store.query(q)}

    def _evaluate(self, text: str, form: QueryShape, dataset: DatasetSpec | None, bindings: dict | None,
                  base_iri: str | None):
        if bindings:
            text = with_values(text, bindings)
        options: dict = {}
        if base_iri:
            options["base_iri"] = base_iri
        if dataset is not None and dataset.given:
            options["default_graph"] = [ox.NamedNode(g) for g in dataset.default_graphs or ()]
            options["named_graphs"] = [ox.NamedNode(g) for g in dataset.named_graphs or ()]
        elif not form.has_dataset:
            options["use_default_graph_as_union"] = True
        try:
            try:
                return self.store.query(text, **options)
            except SyntaxError:
                # crampkg's prefixes are known to every query, but given to Oxigraph only when the text needs
                # them: given, they cost a query that declares its own (as the query page writes them, and as
                # SPARQL clients do) about 7 µs of its 70. A text that parses without them parses alike with them:
                # its own declarations come first.
                return self.store.query(text, prefixes=self.prefixes, **options)
        except SyntaxError as exc:
            raise QuerySyntaxError(syntax_message(str(exc))) from None
        except (OSError, ValueError, TypeError, RuntimeError) as exc:
            raise QueryError(f"query failed: {exc}") from None

    def answer(self, text: str, format_key: str, *, dataset: DatasetSpec | None = None,
               bindings: dict | None = None, max_rows: int | None = None,
               base_iri: str | None = None) -> tuple[bytes, str, int, bool] | None:
        """The answer as (bytes in the format ``format_key``, query form, rows or triples, truncated), written
        straight from Oxigraph's terms; None for a format that only :meth:`query` and :mod:`kg.query.formats`
        write (the caller goes that way then)."""
        if format_key not in DIRECT_FORMATS:
            return None
        form = shape(text)
        if form.is_graph != (BY_KEY[format_key].kind == GRAPH):
            return None  # a format that cannot carry this form: the general path says so
        answer = self._evaluate(text, form, dataset, bindings, base_iri)
        try:
            if isinstance(answer, ox.QueryBoolean):
                body = '{"head":{},"boolean":' + ("true" if answer else "false") + "}"
                return body.encode("utf-8"), "ASK", 0, False
            if isinstance(answer, ox.QuerySolutions):
                body, count, truncated = solutions_json(answer, max_rows)
                return body, "SELECT", count, truncated
            body, count, truncated = triples_ntriples(answer, max_rows)
            return body, form.form, count, truncated
        except (OSError, ValueError, TypeError, RuntimeError) as exc:
            raise QueryError(f"query failed: {exc}") from None

    def query(self, text: str, *, dataset: DatasetSpec | None = None, bindings: dict | None = None,
              max_rows: int | None = None, base_iri: str | None = None) -> Result:
        form = shape(text)  # refuses updates and SERVICE before the engine sees them
        answer = self._evaluate(text, form, dataset, bindings, base_iri)
        try:
            if isinstance(answer, ox.QueryBoolean):
                return Result("ASK", boolean=bool(answer))
            if isinstance(answer, ox.QuerySolutions):
                names = [v.value for v in answer.variables]
                rows, truncated = cap(answer, max_rows)
                return Result("SELECT", vars=names, rows=[tuple(to_rdflib(s[i]) for i in range(len(names)))
                                                          for s in rows],
                              truncated=truncated, max_rows=max_rows)
            triples, truncated = cap(answer, max_rows)
            return Result(form.form, triples=[(to_rdflib(t.subject), to_rdflib(t.predicate),
                                               to_rdflib(t.object)) for t in triples],
                          truncated=truncated, max_rows=max_rows)
        except (OSError, ValueError, TypeError, RuntimeError) as exc:
            raise QueryError(f"query failed: {exc}") from None
