"""Completion for a SPARQL editor, answered from the graph being queried: crampkg's prefixes, the classes and
properties the dataset uses, and its entities found by label, each offered as the CURIE to insert.

The peers' editors complete from prefix.cc and the LOV API; this module never looks outside the dataset, so
what it offers is exactly what a query over this graph can match. It refuses input no editor would send (a
kind it does not know, control characters, a fragment longer than any name in the graph) with an error that
names the bad part.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.errors import CompletionError
from kg.graph.chains import CausalGraph
from kg.namespaces import CLAIM, ID, PREFIXES, curie

KINDS = ("prefix", "class", "property", "entity")
MAX_TEXT = 200  # far longer than any CURIE or label in the graph
MAX_LIMIT = 100
DEFAULT_LIMIT = 20
CONTROL_CHARS = r"\x00-\x1f\x7f-\x9f"  # refused in `q` (a regex character range, also used by /openapi.json)
_CONTROL = re.compile(f"[{CONTROL_CHARS}]")
# A local name that may follow `prefix:` in SPARQL as it is (no escapes needed).
_PLAIN_LOCAL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?$")
_CLASS_TYPES = (OWL.Class, RDFS.Class)
_PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)


@dataclass(frozen=True)
class Term:
    """One thing the editor may insert: its CURIE (or ``<iri>``), full IRI, label and alternative labels."""

    kind: str
    curie: str
    iri: str
    label: str
    alt_labels: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {"kind": self.kind, "curie": self.curie, "iri": self.iri, "label": self.label,
                "alt_labels": list(self.alt_labels)}

    def rank(self, prefix: str | None, fragment: str) -> int | None:
        """How well the typed text matches (0 best), or None. `prefix` limits the match to one namespace."""
        name, _, local = self.curie.partition(":")
        if prefix is not None:
            if self.kind == "prefix" or name != prefix:
                return None
        else:
            local = self.curie
        names = [self.label.casefold(), *(a.casefold() for a in self.alt_labels)]
        local = local.casefold()
        if not fragment:
            return 3
        if local == fragment or fragment in names:
            return 0
        if local.startswith(fragment):
            return 1
        if any(n.startswith(fragment) for n in names):
            return 2
        if any(w.startswith(fragment) for n in names for w in re.split(r"[\s\-/(),:]+", n)):
            return 3
        if fragment in local or any(fragment in n for n in names):
            return 4
        return None


def curie_of(iri: str) -> str:
    """``prefix:local`` with crampkg's prefixes when the local part needs no escaping, else ``<iri>``."""
    short = curie(iri)
    if short and _PLAIN_LOCAL.match(short.partition(":")[2]):
        return short
    return f"<{iri}>"


def check_request(kind: str | None, text: str | None, limit: int) -> tuple[str, str]:
    """The kind and the typed text, checked; a CompletionError names what is wrong and how to fix it."""
    valid = ", ".join(KINDS)
    if kind is None or not kind.strip():
        raise CompletionError(f"missing query parameter `kind`: give one of {valid}")
    if kind not in KINDS:
        raise CompletionError(f"unknown kind {kind[:40]!r} in `kind`: use one of {valid}")
    text = text or ""
    if len(text) > MAX_TEXT:
        raise CompletionError(f"`q` is {len(text)} characters long; send at most {MAX_TEXT} "
                              "(the start of a prefix, CURIE or label)")
    bad = _CONTROL.search(text)
    if bad:
        raise CompletionError(f"`q` contains the control character U+{ord(bad.group()):04X} at position "
                              f"{bad.start()}; send only the text typed in the editor")
    if not 1 <= limit <= MAX_LIMIT:
        raise CompletionError(f"`limit` must be from 1 to {MAX_LIMIT}, not {limit}")
    return kind, text


class Completions:
    """Everything the editor can complete, indexed once per loaded dataset (it is read-only)."""

    def __init__(self, causal: CausalGraph) -> None:
        graphs = (causal.ontology, causal.asserted, causal.inferred)
        self.terms: dict[str, list[Term]] = {
            "prefix": [Term("prefix", f"{p}:", str(ns), str(ns)) for p, ns in PREFIXES.items()]}
        classes = {c for g in graphs for t in _CLASS_TYPES for c in g.subjects(RDF.type, t)}
        classes |= {c for g in graphs for c in g.objects(None, RDF.type)}
        properties = {p for g in graphs for t in _PROPERTY_TYPES for p in g.subjects(RDF.type, t)}
        properties |= {p for g in graphs for p in g.predicates()}
        # the entities and the claims, not the parts of a claim (its evidence, selectors)
        entities = {s for s in causal.asserted.subjects() if isinstance(s, URIRef) and (
            (str(s).startswith(str(ID)) and "/" not in str(s)[len(str(ID)):])
            or (str(s).startswith(str(CLAIM)) and "/" not in str(s)[len(str(CLAIM)):]))}
        entities -= classes | properties

        def terms(kind: str, iris) -> list[Term]:
            out = [Term(kind, curie_of(str(i)), str(i), causal.label(i),
                        tuple(sorted(set(causal.alt_labels.get(i, [])))))
                   for i in iris if isinstance(i, URIRef)]
            return sorted(out, key=lambda t: (t.label.casefold(), t.curie))

        self.terms["class"] = terms("class", classes)
        self.terms["property"] = terms("property", properties)
        self.terms["entity"] = terms("entity", entities)

    def complete(self, kind: str | None, text: str | None, *, limit: int = DEFAULT_LIMIT) -> list[Term]:
        """The best `limit` terms of `kind` for what was typed: a prefix, a CURIE's start (``ck:Sub``), an
        IRI's start (``<https://…``) or any part of a label (``thiam`` finds ``id:vitamin-b1``)."""
        kind, text = check_request(kind, text, limit)
        typed = text.strip()
        prefix = None
        if typed.startswith("<"):
            fragment = typed[1:].rstrip(">")
            hits = [t for t in self.terms[kind] if t.iri.startswith(fragment)]
            return hits[:limit]
        head, sep, tail = typed.partition(":")
        if sep and head in PREFIXES and kind != "prefix":
            prefix, fragment = head, tail.casefold()
        else:
            fragment = typed.casefold()
        ranked = []
        for index, term in enumerate(self.terms[kind]):
            rank = term.rank(prefix, fragment)
            if rank is not None:
                ranked.append((rank, index, term))
        ranked.sort(key=lambda r: (r[0], r[1]))
        return [term for _, _, term in ranked[:limit]]
