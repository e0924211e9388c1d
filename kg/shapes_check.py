"""SHACL validation for corpora: the SHACL Core subset `ontology/shapes.ttl` uses, over an index of the graphs.

pySHACL takes minutes on a corpus of a hundred articles: it walks rdflib graphs per focus node and parses each
SPARQL constraint per focus node. This module reads the same shapes file and checks the same constraints over a
dictionary index of just the predicates the shapes' paths name, and runs each SPARQL constraint once over the
whole dataset in pyoxigraph, binding `$this` as a variable and keeping the rows whose `$this` is a focus node
(the same answer as pre-binding, since `$this` occurs in a triple pattern of every query here).

It refuses a shapes file that uses any SHACL term outside the implemented set, naming the term, rather than
silently skipping a constraint (use `crampkg build --validator pyshacl` there). `tests/test_shapes_check.py`
checks that its results (focus node, path, constraint component, value) equal pySHACL's on the shipped build and
on broken copies of it.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from .errors import BuildError

SH = Namespace("http://www.w3.org/ns/shacl#")

# Shapes-graph terms this validator implements (or that carry no constraint).
SUPPORTED = {
    SH.NodeShape, SH.PropertyShape, SH.targetClass, SH.targetNode, SH.property, SH.path, SH.inversePath,
    SH.node, SH["or"], SH["not"], SH.nodeKind, SH.datatype, SH.languageIn, SH.minCount, SH.maxCount,
    SH.pattern, SH.minLength, SH.minExclusive, SH["in"], SH["class"], SH.hasValue, SH.qualifiedValueShape,
    SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.sparql, SH.select, SH.message, SH.name, SH.description,
    SH.IRI, SH.BlankNode, SH.Literal, SH.BlankNodeOrIRI, SH.BlankNodeOrLiteral, SH.IRIOrLiteral,
}
NODE_KINDS = {
    SH.IRI: (URIRef,), SH.BlankNode: (BNode,), SH.Literal: (Literal,), SH.BlankNodeOrIRI: (BNode, URIRef),
    SH.BlankNodeOrLiteral: (BNode, Literal), SH.IRIOrLiteral: (URIRef, Literal),
}


@dataclass(frozen=True, order=True)
class Violation:
    """One validation result, as pySHACL would report it."""

    focus: str
    path: str
    component: str
    value: str
    message: str

    def key(self) -> tuple[str, str, str, str]:
        return (self.focus, self.path, self.component, self.value)


def _n3(term: Node | None) -> str:
    return "" if term is None else term.n3()


class _Index:
    """subject -> objects for each predicate the shapes read, and object -> subjects for inverse paths."""

    def __init__(self, graphs: Sequence[Graph], predicates: set[URIRef], inverse: set[URIRef]):
        self.forward: dict[URIRef, dict[Node, list[Node]]] = {}
        self.backward: dict[URIRef, dict[Node, list[Node]]] = {}
        for p in predicates | {RDF.type, RDFS.subClassOf}:
            fwd: dict[Node, set[Node]] = defaultdict(set)
            for g in graphs:
                for s, o in g.subject_objects(p):
                    fwd[s].add(o)
            self.forward[p] = {s: list(os) for s, os in fwd.items()}
        for p in inverse:
            back: dict[Node, list[Node]] = defaultdict(list)
            for s, os in self.forward[p].items():
                for o in os:
                    back[o].append(s)
            self.backward[p] = back
        self.instances: dict[Node, set[Node]] = defaultdict(set)
        for s, classes in self.forward[RDF.type].items():
            for c in classes:
                self.instances[c].add(s)
        self._subclasses: dict[Node, set[Node]] = {}

    def subclasses(self, cls: Node) -> set[Node]:
        """cls and every class below it by rdfs:subClassOf in the data (SHACL's rdfs:subClassOf*)."""
        if cls not in self._subclasses:
            below: dict[Node, list[Node]] = defaultdict(list)
            for s, os in self.forward[RDFS.subClassOf].items():
                for o in os:
                    below[o].append(s)
            seen, todo = {cls}, [cls]
            while todo:
                for sub in below.get(todo.pop(), ()):
                    if sub not in seen:
                        seen.add(sub)
                        todo.append(sub)
            self._subclasses[cls] = seen
        return self._subclasses[cls]

    def instances_of(self, cls: Node) -> set[Node]:
        return {x for c in self.subclasses(cls) for x in self.instances.get(c, ())}

    def is_instance(self, node: Node, cls: Node) -> bool:
        return bool(set(self.forward[RDF.type].get(node, ())) & self.subclasses(cls))


class Shapes:
    """A parsed shapes graph: top-level shapes with their targets, and the constraints of every shape."""

    def __init__(self, path: Path):
        g = Graph()
        try:
            g.parse(path, format="turtle")
        except Exception as exc:
            raise BuildError(f"{path.name}: Turtle syntax error: {exc}") from None
        for s, p, o in g:
            for term in (p, o):
                if isinstance(term, URIRef) and str(term).startswith(str(SH)) and term not in SUPPORTED:
                    raise BuildError(f"{path.name}: {s.n3()} uses {term.n3()}, which the fast validator does not "
                                     "implement; build with --validator pyshacl")
        self.g = g
        self.path = path

    def targeted(self) -> list[Node]:
        return sorted(set(self.g.subjects(SH.targetClass)) | set(self.g.subjects(SH.targetNode)), key=str)

    def paths(self) -> tuple[set[URIRef], set[URIRef]]:
        forward, inverse = set(), set()
        for path in self.g.objects(None, SH.path):
            if isinstance(path, URIRef):
                forward.add(path)
            else:
                inv = self.g.value(path, SH.inversePath)
                if not isinstance(inv, URIRef):
                    raise BuildError(f"{self.path.name}: only IRI and sh:inversePath paths are implemented by the "
                                     "fast validator; build with --validator pyshacl")
                forward.add(inv)
                inverse.add(inv)
        return forward, inverse

    def one(self, shape: Node, p: URIRef) -> Node | None:
        return self.g.value(shape, p)

    def items(self, shape: Node, p: URIRef) -> list[Node]:
        head = self.g.value(shape, p)
        return list(self.g.items(head)) if head is not None else []


class Validator:
    def __init__(self, shapes: Shapes, index: _Index):
        self.shapes, self.index = shapes, index
        self._conforms: dict[tuple[Node, Node], bool] = {}

    # -- value-level constraints -------------------------------------------------------------------------
    def _value_failures(self, shape: Node, value: Node) -> list[URIRef]:
        """The constraint components of `shape` that `value` violates (those that judge one value at a time)."""
        s, idx, failed = self.shapes, self.index, []
        kind = s.one(shape, SH.nodeKind)
        if kind is not None and not isinstance(value, NODE_KINDS[kind]):
            failed.append(SH.NodeKindConstraintComponent)
        dt = s.one(shape, SH.datatype)
        if dt is not None and not _has_datatype(value, dt):
            failed.append(SH.DatatypeConstraintComponent)
        langs = s.items(shape, SH.languageIn)
        if langs and not (isinstance(value, Literal) and value.language
                          and any(_lang_matches(value.language, str(x)) for x in langs)):
            failed.append(SH.LanguageInConstraintComponent)
        pattern = s.one(shape, SH.pattern)
        if pattern is not None and (isinstance(value, BNode) or not re.search(str(pattern), str(value))):
            failed.append(SH.PatternConstraintComponent)
        min_length = s.one(shape, SH.minLength)
        if min_length is not None and (isinstance(value, BNode) or len(str(value)) < int(min_length)):
            failed.append(SH.MinLengthConstraintComponent)
        low = s.one(shape, SH.minExclusive)
        if low is not None and not _greater(value, low):
            failed.append(SH.MinExclusiveConstraintComponent)
        allowed = s.items(shape, SH["in"])
        if s.one(shape, SH["in"]) is not None and value not in allowed:
            failed.append(SH.InConstraintComponent)
        cls = s.one(shape, SH["class"])
        if cls is not None and (isinstance(value, Literal) or not idx.is_instance(value, cls)):
            failed.append(SH.ClassConstraintComponent)
        for other in s.g.objects(shape, SH.node):
            if not self.conforms(value, other):
                failed.append(SH.NodeConstraintComponent)
        alternatives = s.items(shape, SH["or"])
        if alternatives and not any(self.conforms(value, a) for a in alternatives):
            failed.append(SH.OrConstraintComponent)
        negated = s.one(shape, SH["not"])
        if negated is not None and self.conforms(value, negated):
            failed.append(SH.NotConstraintComponent)
        return failed

    def conforms(self, node: Node, shape: Node) -> bool:
        key = (node, shape)
        if key not in self._conforms:
            self._conforms[key] = not self.check(node, shape)
        return self._conforms[key]

    def values(self, focus: Node, path: Node) -> list[Node]:
        if isinstance(path, URIRef):
            return self.index.forward[path].get(focus, [])
        inv = self.shapes.g.value(path, SH.inversePath)
        return self.index.backward[inv].get(focus, [])

    # -- a shape on one focus node -----------------------------------------------------------------------
    def check(self, focus: Node, shape: Node) -> list[tuple[Node, Node | None, URIRef, Node | None, Node]]:
        """(focus, path, component, value, source shape) for each violation of `shape` by `focus`."""
        s = self.shapes
        out = [(focus, None, c, focus, shape) for c in self._value_failures(shape, focus)]
        for prop in s.g.objects(shape, SH.property):
            path = s.one(prop, SH.path)
            values = self.values(focus, path)
            for v in values:
                out += [(focus, path, c, v, prop) for c in self._value_failures(prop, v)]
            low, high = s.one(prop, SH.minCount), s.one(prop, SH.maxCount)
            if low is not None and len(values) < int(low):
                out.append((focus, path, SH.MinCountConstraintComponent, None, prop))
            if high is not None and len(values) > int(high):
                out.append((focus, path, SH.MaxCountConstraintComponent, None, prop))
            wanted = s.one(prop, SH.hasValue)
            if wanted is not None and wanted not in values:
                out.append((focus, path, SH.HasValueConstraintComponent, None, prop))
            qualified = s.one(prop, SH.qualifiedValueShape)
            if qualified is not None:
                n = sum(1 for v in values if self.conforms(v, qualified))
                qmin, qmax = s.one(prop, SH.qualifiedMinCount), s.one(prop, SH.qualifiedMaxCount)
                if qmin is not None and n < int(qmin):
                    out.append((focus, path, SH.QualifiedMinCountConstraintComponent, None, prop))
                if qmax is not None and n > int(qmax):
                    out.append((focus, path, SH.QualifiedMaxCountConstraintComponent, None, prop))
        return out


def _lang_matches(tag: str, wanted: str) -> bool:
    tag, wanted = tag.lower(), wanted.lower()
    return wanted == "*" or tag == wanted or tag.startswith(wanted + "-")


def _has_datatype(value: Node, dt: Node) -> bool:
    if not isinstance(value, Literal):
        return False
    if dt == RDF.langString:
        return bool(value.language)
    actual = value.datatype or (None if value.language else XSD.string)
    return actual == dt and not value.ill_typed


def _greater(value: Node, low: Node) -> bool:
    try:
        return isinstance(value, Literal) and bool(value.value > low.value)
    except TypeError:
        return False


def _message(shapes: Shapes, shape: Node, component: URIRef, value: Node | None) -> str:
    text = shapes.one(shape, SH.message)
    if text is not None:
        return str(text).replace("{?value}", _n3(value) if value is not None else "")
    return f"{component.rsplit('#', 1)[-1].removesuffix('ConstraintComponent')} constraint not met"


def _sparql_violations(shapes: Shapes, shape: Node, focus: set[Node], store: pyoxigraph.Store) -> list[Violation]:
    out = []
    for constraint in shapes.g.objects(shape, SH.sparql):
        text = str(shapes.one(constraint, SH.select))
        if "$this" not in text:
            raise BuildError(f"{shapes.path.name}: a SPARQL constraint of {shape.n3()} does not use $this")
        query = text.replace("$this", "?this")
        for row in store.query(query, use_default_graph_as_union=True):
            this, value = _from_ox(row["this"]), _from_ox(row["value"])
            if this in focus:
                out.append(Violation(_n3(this), "", str(SH.SPARQLConstraintComponent), _n3(value),
                                     _message(shapes, constraint, SH.SPARQLConstraintComponent, value)))
    return out


def _from_ox(term) -> Node | None:
    if term is None:
        return None
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    lang = term.language
    return Literal(term.value, lang=lang) if lang else Literal(term.value, datatype=URIRef(term.datatype.value))


def violations(graphs: Sequence[Graph], shapes_path: Path, nquads: bytes | None = None) -> list[Violation]:
    """Every violation of the shapes by the union of `graphs` (nquads: the same data as N-Quads, for the
    SPARQL constraints; serialised here when not given)."""
    shapes = Shapes(shapes_path)
    forward, inverse = shapes.paths()
    index = _Index(graphs, forward, inverse)
    validator = Validator(shapes, index)
    store = None
    found: list[Violation] = []
    for shape in shapes.targeted():
        focus = set(shapes.g.objects(shape, SH.targetNode))
        for cls in shapes.g.objects(shape, SH.targetClass):
            focus |= index.instances_of(cls)
        for node in sorted(focus, key=str):
            for f, path, comp, value, source in validator.check(node, shape):
                found.append(Violation(_n3(f), _n3(path), str(comp), _n3(value),
                                       _message(shapes, source, comp, value)))
        if any(True for _ in shapes.g.objects(shape, SH.sparql)) and focus:
            if store is None:
                store = pyoxigraph.Store()
                store.bulk_load(nquads if nquads is not None else _nquads(graphs), pyoxigraph.RdfFormat.N_QUADS)
            found += _sparql_violations(shapes, shape, focus, store)
    return sorted(set(found))


def _nquads(graphs: Iterable[Graph]) -> bytes:
    from .nquads import nquads_bytes

    return nquads_bytes((URIRef(f"urn:crampkg:graph:{i}"), g) for i, g in enumerate(graphs))


def report(found: list[Violation], claims_files: dict[str, str] | None = None) -> str:
    """A readable report, one violation a line, naming the claims file of a focus node when known."""
    lines = [f"Conforms: False ({len(found)} violation{'s' if len(found) != 1 else ''})"]
    for v in found:
        where = f" [{claims_files[v.focus]}]" if claims_files and v.focus in claims_files else ""
        path = f" path {v.path}" if v.path else ""
        value = f" value {v.value}" if v.value and v.value != v.focus else ""
        lines.append(f"- {v.focus}{where}{path}{value}: {v.message} "
                     f"({v.component.rsplit('#', 1)[-1]})")
    return "\n".join(lines)


def validate_fast(graphs: Sequence[Graph], shapes_path: Path, articles: Sequence = (),
                  nquads: bytes | None = None) -> str | None:
    """None when the union of `graphs` conforms, else a report naming each focus node's claims file."""
    from rdflib.namespace import PROV

    found = violations(graphs, shapes_path, nquads)
    if not found:
        return None
    files = {a.iri: a.claims.name for a in articles}
    where: dict[str, str] = {}
    for v in found:
        node = URIRef(v.focus.strip("<>"))
        base = URIRef(str(node).split("/evidence", 1)[0])
        for g in graphs:
            for article in list(g.objects(base, PROV.wasQuotedFrom)) + list(g.objects(node, SH_HAS_SOURCE)):
                if article in files:
                    where[v.focus] = files[article]
    return report(found, where)


SH_HAS_SOURCE = URIRef("http://www.w3.org/ns/oa#hasSource")
