"""The one table of content types: query results and RDF graphs, serialised and negotiated.

Every interface (``/sparql``, ``/api/queries``, the service description, the command line) picks its format
here, with :func:`negotiate`, and writes with the :class:`Format` it gets back. Results are engine-neutral
(:class:`Result`, rdflib terms), so all engines serialise the same way.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg.errors import NotAcceptable
from kg.namespaces import PREFIXES, bind_prefixes

RESULTS, GRAPH = "results", "graph"
# The SPARQL query forms, and those whose result is a graph (the rest give solutions or a boolean).
QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")


def result_kind(form: str) -> str:
    """:data:`GRAPH` for CONSTRUCT and DESCRIBE, :data:`RESULTS` for SELECT and ASK: what :func:`negotiate` needs."""
    return GRAPH if form in GRAPH_FORMS else RESULTS


@dataclass
class Result:
    """An engine-neutral query result: solutions, a boolean, or triples."""

    form: str  # SELECT, ASK, CONSTRUCT, DESCRIBE
    vars: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)  # one tuple of terms (or None) per solution
    boolean: bool | None = None
    triples: list[tuple] = field(default_factory=list)
    truncated: bool = False
    max_rows: int | None = None

    @property
    def kind(self) -> str:
        return result_kind(self.form)

    def __len__(self) -> int:
        return len(self.triples) if self.kind == GRAPH else len(self.rows)


# ----- terms ------------------------------------------------------------------------------------------
def nt_string(value: str) -> str:
    return '"' + (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                  .replace("\r", "\\r").replace("\t", "\\t")) + '"'


def nt(term) -> str:
    """A term in N-Triples syntax (also the TSV results syntax)."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        text = nt_string(str(term))
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype and term.datatype != XSD.string:
            return f"{text}^^<{term.datatype}>"
        return text
    raise TypeError(f"not an RDF term: {term!r}")


def json_term(term) -> dict:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype and term.datatype not in (XSD.string, RDF.langString):
        out["datatype"] = str(term.datatype)
    return out


# ----- SELECT / ASK ------------------------------------------------------------------------------------
def results_json(r: Result) -> bytes:
    if r.form == "ASK":
        doc = {"head": {}, "boolean": bool(r.boolean)}
    else:
        bindings = [{v: json_term(t) for v, t in zip(r.vars, row) if t is not None} for row in r.rows]
        doc = {"head": {"vars": r.vars}, "results": {"bindings": bindings}}
    if r.truncated:  # extra members are ignored by SPARQL clients; people and scripts see the cut
        doc["truncated"] = True
        doc["max_rows"] = r.max_rows
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _xml_term(term) -> str:
    if isinstance(term, URIRef):
        return f"<uri>{xml_escape(str(term))}</uri>"
    if isinstance(term, BNode):
        return f"<bnode>{xml_escape(str(term))}</bnode>"
    attrs = ""
    if term.language:
        attrs = f" xml:lang={quoteattr(term.language)}"
    elif term.datatype and term.datatype not in (XSD.string, RDF.langString):
        attrs = f" datatype={quoteattr(str(term.datatype))}"
    return f"<literal{attrs}>{xml_escape(str(term))}</literal>"


def results_xml(r: Result) -> bytes:
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
    if r.form == "ASK":
        out.append(f"<head/><boolean>{'true' if r.boolean else 'false'}</boolean>")
    else:
        out.append("<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in r.vars) + "</head><results>")
        for row in r.rows:
            cells = "".join(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                            for v, t in zip(r.vars, row) if t is not None)
            out.append(f"<result>{cells}</result>")
        out.append("</results>")
    out.append("</sparql>\n")
    return "\n".join(out).encode("utf-8")


def results_csv(r: Result) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    if r.form == "ASK":
        writer.writerows([["_askResult"], ["true" if r.boolean else "false"]])
    else:
        writer.writerow(r.vars)
        for row in r.rows:
            writer.writerow(["" if t is None else (f"_:{t}" if isinstance(t, BNode) else str(t)) for t in row])
    return buf.getvalue().encode("utf-8")


def results_tsv(r: Result) -> bytes:
    if r.form == "ASK":
        return f"?_askResult\n{'true' if r.boolean else 'false'}\n".encode()
    lines = ["\t".join(f"?{v}" for v in r.vars)]
    lines += ["\t".join("" if t is None else nt(t) for t in row) for row in r.rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


# ----- CONSTRUCT / DESCRIBE ----------------------------------------------------------------------------
def as_graph(triples: Iterable[tuple]) -> Graph:
    g = Graph()
    bind_prefixes(g)
    for t in triples:
        g.add(t)
    return g


def graph_ntriples(r: Result) -> bytes:
    return "".join(f"{nt(s)} {nt(p)} {nt(o)} .\n" for s, p, o in r.triples).encode("utf-8")


def _rdflib(fmt: str, **options) -> Callable[[Result], bytes]:
    def write(r: Result) -> bytes:
        return as_graph(r.triples).serialize(format=fmt, encoding="utf-8", **options)

    return write


# JSON-LD compacted with crampkg's prefixes, given inline: a reader never has to fetch a context
JSONLD_CONTEXT = {prefix: str(ns) for prefix, ns in PREFIXES.items()}


# RDF syntaxes that are UTF-8 text although their media type is not text/*.
_TEXT_SYNTAXES = ("application/n-triples", "application/n-quads", "application/trig")


def content_type(media_type: str) -> str:
    """The Content-Type header for ``media_type``, the one "add charset" rule: text formats name their charset
    (always UTF-8); JSON, XML and binary formats do not (JSON is UTF-8 by definition, XML declares its own)."""
    textual = media_type.startswith("text/") or media_type in _TEXT_SYNTAXES
    return f"{media_type}; charset=utf-8" if textual and "charset" not in media_type else media_type


@dataclass(frozen=True)
class Format:
    key: str
    media_type: str
    kind: str
    write: Callable[[Result], bytes]
    aliases: tuple[str, ...] = ()
    w3c: str = ""  # the format's IRI in http://www.w3.org/ns/formats/ (service descriptions)

    @property
    def content_type(self) -> str:
        return content_type(self.media_type)

    def serialize(self, result: Result) -> bytes:
        if result.kind != self.kind:
            raise NotAcceptable(f"{self.media_type} cannot carry a {result.form} result")
        return self.write(result)


W3C = "http://www.w3.org/ns/formats/"
# Server preference is table order: the first of a kind is the default when the client accepts anything.
FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", RESULTS, results_json, ("application/json",),
           W3C + "SPARQL_Results_JSON"),
    Format("xml", "application/sparql-results+xml", RESULTS, results_xml, ("application/xml", "text/xml"),
           W3C + "SPARQL_Results_XML"),
    Format("csv", "text/csv", RESULTS, results_csv, (), W3C + "SPARQL_Results_CSV"),
    Format("tsv", "text/tab-separated-values", RESULTS, results_tsv, (), W3C + "SPARQL_Results_TSV"),
    Format("turtle", "text/turtle", GRAPH, _rdflib("turtle"), ("application/x-turtle",), W3C + "Turtle"),
    Format("ntriples", "application/n-triples", GRAPH, graph_ntriples, ("text/plain",), W3C + "N-Triples"),
    Format("jsonld", "application/ld+json", GRAPH, _rdflib("json-ld", context=JSONLD_CONTEXT, auto_compact=True),
           ("application/json",), W3C + "JSON-LD"),
    Format("rdfxml", "application/rdf+xml", GRAPH, _rdflib("xml"), ("application/xml", "text/xml"),
           W3C + "RDF_XML"),
    # a graph result is the default graph of a dataset: N-Quads lines are N-Triples lines
    Format("nquads", "application/n-quads", GRAPH, graph_ntriples, (), W3C + "N-Quads"),
    # ... and Turtle is TriG whose triples are all in the default graph
    Format("trig", "application/trig", GRAPH, _rdflib("turtle"), (), W3C + "TriG"),
)
BY_KEY = {f.key: f for f in FORMATS}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """``Accept`` as (media range, q) pairs; malformed q-values count as 1, as browsers expect."""
    ranges = []
    for part in (header or "").split(","):
        items = [p.strip() for p in part.split(";")]
        media = items[0].lower()
        if not media:
            continue
        q = 1.0
        for param in items[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 1.0
        ranges.append((media, q))
    return ranges


def quality(media_types: Iterable[str], ranges: list[tuple[str, float]]) -> float:
    """The q-value the client gives a format known by ``media_types`` (its main type first, then aliases).

    The most specific range that matches decides, so ``type;q=0`` excludes a format even when ``*/*`` is
    accepted. Wildcards match the main type only: ``text/*`` asks for CSV, not for XML via ``text/xml``.
    """
    match: tuple[int, float] | None = None
    for i, media in enumerate(media_types):
        kind = media.split("/")[0] + "/*"
        for rng, q in ranges:
            specificity = 2 if rng == media else -1 if i else 1 if rng == kind else 0 if rng == "*/*" else -1
            if specificity < 0:
                continue
            if match is None or specificity > match[0] or (specificity == match[0] and q > match[1]):
                match = (specificity, q)
    return match[1] if match else 0.0


def choose(accept: str | None, offers: Sequence[Sequence[str]]) -> int | None:
    """Which offer the client prefers, by index; an offer is a media type and its aliases. Ties go to the earlier
    offer (server preference); no ``Accept`` header takes the first; None when the client accepts none."""
    ranges = parse_accept(accept)
    if not ranges:
        return 0
    q, best = max(((quality(offer, ranges), -i) for i, offer in enumerate(offers)), default=(0.0, 0))
    return -best if q > 0 else None


def negotiate(accept: str | None, kind: str, *, only: Iterable[str] | None = None) -> Format:
    """The format of ``kind`` the client prefers; ties go to server preference. Raises :class:`NotAcceptable`."""
    candidates = [f for f in FORMATS if f.kind == kind and (only is None or f.key in set(only))]
    best = choose(accept, [(f.media_type, *f.aliases) for f in candidates])
    if best is None:
        offered = ", ".join(f.media_type for f in candidates)
        raise NotAcceptable(f"cannot produce any type in Accept: {accept!r}; this result is offered as {offered}")
    return candidates[best]
