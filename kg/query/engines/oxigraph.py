"""The serving engine: pyoxigraph's in-memory store, loaded from the built N-Quads in milliseconds.

Answers go out two ways. :meth:`OxigraphEngine.query` gives the engine-neutral :class:`Result` (rdflib terms) that
every interface can use. :meth:`OxigraphEngine.answer` writes the formats that SPARQL clients ask for most (results
JSON, N-Triples, N-Quads) straight from Oxigraph's terms to bytes, with no rdflib object in between: that is most
of the cost of a small query otherwise. Triples are written by Oxigraph's own N-Triples writer (in Rust), stopped
as soon as the row cap is passed; solutions by a few string joins here, as the row cap must be counted as they
come and Oxigraph's results-JSON writer cannot be stopped at a row. Either way the bytes are the same as
:mod:`kg.query.formats` writes for the same answer (a test compares them).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox

from kg.errors import QueryError, QuerySyntaxError
from kg.graph.terms import XSD_STRING, from_oxigraph
from kg.namespaces import PREFIXES
from kg.query.engines.base import DatasetSpec, cap
from kg.query.formats import BY_KEY, GRAPH, Result
from kg.query.text import QueryShape, shape, with_values

_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_json_string = json.encoder.encode_basestring  # what json.dumps(..., ensure_ascii=False) writes for a str
# The formats :meth:`OxigraphEngine.answer` writes itself (N-Quads of a graph result are its N-Triples lines).
DIRECT_FORMATS = ("json", "ntriples", "nquads")
# Variable lists whose JSON names are kept (a bound on memory against queries that each invent new variables).
MAX_KEPT_VARIABLE_LISTS = 1024
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


def json_term(term) -> str:
    """A term as SPARQL results JSON, as :func:`kg.query.formats.json_term` and ``json.dumps`` write it."""
    kind = type(term)
    if kind is ox.NamedNode:
        return '{"type":"uri","value":' + _json_string(term.value) + "}"
    if kind is ox.Literal:
        if term.language:
            return ('{"type":"literal","value":' + _json_string(term.value) + ',"xml:lang":'
                    + _json_string(term.language) + "}")
        datatype = term.datatype.value
        if datatype in (XSD_STRING, _RDF_LANG_STRING):
            return '{"type":"literal","value":' + _json_string(term.value) + "}"
        return ('{"type":"literal","value":' + _json_string(term.value) + ',"datatype":' + _json_string(datatype)
                + "}")
    if kind is ox.BlankNode:
        return '{"type":"bnode","value":' + _json_string(term.value) + "}"
    raise QueryError(f"unsupported term in a result: {term!r}")


def _truncation(truncated: bool, max_rows: int | None) -> str:
    return f',"truncated":true,"max_rows":{json.dumps(max_rows)}' if truncated else ""


def solutions_json(variables: list[str], solutions, max_rows: int | None) -> tuple[bytes, int, bool]:
    """SELECT solutions as results JSON: (bytes, rows written, truncated)."""
    names = _binding_names(variables)
    rows = []
    truncated = False
    for solution in solutions:
        if max_rows is not None and len(rows) >= max_rows:
            truncated = True
            break
        rows.append("{" + ",".join([names[i] + json_term(t) for i, t in enumerate(solution) if t is not None]) + "}")
    head = '{"head":{"vars":' + json.dumps(variables, ensure_ascii=False, separators=(",", ":"))
    body = head + '},"results":{"bindings":[' + ",".join(rows) + "]}" + _truncation(truncated, max_rows) + "}"
    return body.encode("utf-8"), len(rows), truncated


_NAMES: dict[tuple[str, ...], list[str]] = {}


def _binding_names(variables: list[str]) -> list[str]:
    """``"name":`` for each variable, kept per variable list (queries reuse few)."""
    key = tuple(variables)
    names = _NAMES.get(key)
    if names is None:
        names = [_json_string(v) + ":" for v in variables]
        if len(_NAMES) < MAX_KEPT_VARIABLE_LISTS:
            _NAMES[key] = names
    return names


class _Enough(Exception):
    """Raised by :class:`_Lines` to stop Oxigraph's writer once it has written more lines than are kept."""


class _Lines:
    """A binary file for Oxigraph's N-Triples writer that keeps what it is given and stops it (by raising
    :class:`_Enough`) as soon as more than ``max_lines`` lines have come: a capped answer is never written out
    in full."""

    def __init__(self, max_lines: int | None) -> None:
        self.chunks: list[bytes] = []
        self.lines = 0
        self.max_lines = max_lines

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        self.lines += data.count(b"\n")
        if self.max_lines is not None and self.lines > self.max_lines:
            raise _Enough
        return len(data)

    def flush(self) -> None:
        pass


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
        options: dict = {"prefixes": self.prefixes}
        if base_iri:
            options["base_iri"] = base_iri
        if dataset is not None and dataset.given:
            options["default_graph"] = [ox.NamedNode(g) for g in dataset.default_graphs or ()]
            options["named_graphs"] = [ox.NamedNode(g) for g in dataset.named_graphs or ()]
        elif not form.has_dataset:
            options["use_default_graph_as_union"] = True
        try:
            answer = self.store.query(text, **options)
        except SyntaxError as exc:
            raise QuerySyntaxError(syntax_message(str(exc))) from None
        except (OSError, ValueError, TypeError, RuntimeError) as exc:
            raise QueryError(f"query failed: {exc}") from None
        return answer

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
                body, count, truncated = solutions_json([v.value for v in answer.variables], answer, max_rows)
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
