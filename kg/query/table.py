"""Printing query results for people (table) and programs (JSON, CSV) on the command line.

JSON and CSV are the serialisers of :mod:`kg.query.formats` (SPARQL JSON / CSV for solutions, JSON-LD / N-Triples
for graphs); the table is for reading in a terminal.
"""
from __future__ import annotations

from rdflib import Literal, URIRef

from kg.namespaces import curie
from kg.query.formats import BY_KEY, GRAPH, Result


def shorten(term) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return curie(term) or f"<{term}>"
    if isinstance(term, Literal):
        return str(term)
    return str(term)


def as_table(result: Result) -> str:
    if result.form == "ASK":
        return "yes" if result.boolean else "no"
    if result.kind == GRAPH:
        return BY_KEY["turtle"].serialize(result).decode("utf-8")
    names = result.vars
    rows = [[shorten(t) for t in row] for row in result.rows]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]

    def line(cells: list[str]) -> str:
        return " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(names), "-+-".join("-" * w for w in widths)] + [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''}"
               f"{f'; truncated at {result.max_rows}' if result.truncated else ''})")
    return "\n".join(out)


def as_json(result: Result) -> str:
    return BY_KEY["jsonld" if result.kind == GRAPH else "json"].serialize(result).decode("utf-8")


def as_csv(result: Result) -> str:
    return BY_KEY["ntriples" if result.kind == GRAPH else "csv"].serialize(result).decode("utf-8")


FORMATTERS = {"table": as_table, "json": as_json, "csv": as_csv}
