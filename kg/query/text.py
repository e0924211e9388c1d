"""What a SPARQL request is before any engine sees it: its form, and whether it may run here.

A lexical scan (strings, IRIs and comments skipped) is enough to tell the query form (so content
negotiation can happen before evaluation), to refuse updates with a clear message instead of a parse error,
and to refuse ``SERVICE`` — Oxigraph would otherwise send an HTTP request to any URL it is given. The scan
errs on the side of refusing: a keyword that only *looks* like ``SERVICE`` gets a 400, never a request.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.errors import QueryError, RemoteRefused, UpdateRefused
from kg.query import limits
from kg.query.formats import GRAPH_FORMS, QUERY_FORMS, nt

UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")
PROLOGUE_KEYWORDS = ("PREFIX", "BASE")

_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                 |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\s]*>)
    | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
    | (?P<name>[\w\-.:%\u00b7]+)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
# The common case read in one match instead of a token scan: a prologue (PREFIX and BASE declarations, comments)
# and then the query form as a whole word (the characters of _TOKEN's names may not follow it). It only ever
# accepts what the scan would read the same way; anything else takes the scan: any text that mentions SERVICE or
# FROM in any case, anywhere, and any text with more opening brackets than the nesting limit (with fewer, it
# cannot nest deeper however they close, so the scan's nesting check could not refuse it). The prologue is
# matched possessively (``*+``): a comment may not give back its words for the form to match.
_IRI = r"<[^<>\"{}|^`\\\s]*>"
_PLAIN_QUERY = re.compile(
    rf"""(?:\s+|\#[^\n\r]*|PREFIX\s+[A-Za-z][\w.\-]*:\s*{_IRI}|PREFIX\s+:\s*{_IRI}|BASE\s*{_IRI})*+
        (SELECT|CONSTRUCT|DESCRIBE|ASK)(?![\w\-.:%\u00b7])""",
    re.VERBOSE | re.IGNORECASE,
)
_SCAN_WORDS = ("service", "from")


@dataclass(frozen=True)
class QueryShape:
    form: str  # SELECT, CONSTRUCT, DESCRIBE or ASK
    has_dataset: bool = False  # FROM / FROM NAMED in the query

    @property
    def is_graph(self) -> bool:
        return self.form in GRAPH_FORMS


OPENERS = {"{": "}", "(": ")", "[": "]"}


def keywords(text: str, max_nesting: int = limits.MAX_NESTING) -> list[str]:
    """The bare words of a query (upper-cased), outside strings, IRIs, comments, variables and prefixed names.

    Raises :class:`QueryError` when groups, brackets or parentheses nest deeper than ``max_nesting``: the
    engines' parsers recurse once per level, so a few thousand levels would overflow a worker's stack. The
    scan is linear, so a deep query is refused in milliseconds without reaching a worker.
    """
    words = []
    depth = 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "name":
            word = m.group()
            if ":" not in word:
                words.append(word.upper())
        elif kind == "other":
            char = m.group()
            if char in OPENERS:
                depth += 1
                if depth > max_nesting:
                    line = text.count("\n", 0, m.start()) + 1
                    raise QueryError(f"the query nests groups, brackets or parentheses more than {max_nesting} "
                                     f"deep (line {line}); flatten it")
            elif char in ("}", ")", "]"):
                depth = max(0, depth - 1)
    return words


def shape(text: str) -> QueryShape:
    """The form of a query; raises :class:`UpdateRefused`, :class:`RemoteRefused` or :class:`QueryError`."""
    if not text.strip():
        raise QueryError("the query is empty")
    lowered = text.lower()
    openers = text.count("{") + text.count("(") + text.count("[")
    if openers <= limits.MAX_NESTING and not any(word in lowered for word in _SCAN_WORDS):
        plain = _PLAIN_QUERY.match(text)
        if plain:
            return QueryShape(plain.group(1).upper())
    return scanned_shape(text)


def scanned_shape(text: str) -> QueryShape:
    """:func:`shape` by a full token scan, for any text (``shape`` takes a shortcut for the common case)."""
    words = keywords(text)
    first = next((w for w in words if w not in PROLOGUE_KEYWORDS), None)
    if first in UPDATE_KEYWORDS:
        raise UpdateRefused(f"this endpoint is read-only: SPARQL update ({first}) is not accepted")
    if "SERVICE" in words:
        raise RemoteRefused("SERVICE is not allowed: crampkg never fetches remote data")
    form = first if first in QUERY_FORMS else next((w for w in words if w in QUERY_FORMS), None)
    if form is None:
        raise QueryError("not a SPARQL query: expected SELECT, CONSTRUCT, DESCRIBE or ASK")
    return QueryShape(form, "FROM" in words)


def with_values(text: str, bindings: dict) -> str:
    """``text`` with ``VALUES (?a ?b) { (t1 t2) }`` opening the first group after the query form.

    This is how every engine binds parameters, so they all give the same answers: the values are RDF terms
    written by :func:`kg.query.formats.nt` from checked input, never the user's text, and a ``VALUES`` block at
    the start of the group is seen by every pattern and ``FILTER`` of that group.
    """
    if not bindings:
        return text
    seen_form = False
    for m in _TOKEN.finditer(text):
        if m.lastgroup == "name" and m.group().upper() in QUERY_FORMS:
            seen_form = True
        if seen_form and m.lastgroup == "other" and m.group() == "{":
            if text[: m.start()].upper().rstrip().endswith("CONSTRUCT"):
                continue  # the template, not the pattern
            names = " ".join(f"?{k}" for k in bindings)
            values = " ".join(nt(v) for v in bindings.values())
            return f"{text[: m.end()]} VALUES ({names}) {{ ({values}) }} {text[m.end():]}"
    raise QueryError("cannot find the query's WHERE group to bind parameters")
