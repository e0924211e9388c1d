"""Printing query results for people (table) and programs (JSON, CSV)."""
from __future__ import annotations

import csv
import io
import json

from rdflib import Literal, URIRef
from rdflib.query import Result

from .namespaces import PREFIXES


def shorten(term) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        text = str(term)
        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(str(kv[1]))):
            if text.startswith(str(ns)) and text != str(ns):
                return f"{prefix}:{text[len(str(ns)):]}"
        return f"<{text}>"
    if isinstance(term, Literal):
        return str(term)
    return str(term)


def as_table(result: Result) -> str:
    if result.type == "ASK":
        return "yes" if result.askAnswer else "no"
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return result.serialize(format="turtle").decode("utf-8")
    names = [str(v) for v in result.vars]
    rows = [[shorten(row[v]) for v in result.vars] for row in result]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    line = lambda cells: " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()  # noqa: E731
    out = [line(names), "-+-".join("-" * w for w in widths)] + [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def as_json(result: Result) -> str:
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return result.serialize(format="json-ld").decode("utf-8")
    return json.dumps(json.loads(result.serialize(format="json")), indent=2)


def as_csv(result: Result) -> str:
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return result.serialize(format="nt").decode("utf-8")
    if result.type == "ASK":
        return f"result\n{'true' if result.askAnswer else 'false'}\n"
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([str(v) for v in result.vars])
    for row in result:
        writer.writerow(["" if row[v] is None else str(row[v]) for v in result.vars])
    return buf.getvalue()


FORMATTERS = {"table": as_table, "json": as_json, "csv": as_csv}
