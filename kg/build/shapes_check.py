"""SHACL validation for corpora: the SHACL Core subset `ontology/shapes.ttl` uses, over an index of the graphs.

pySHACL takes minutes on a corpus of a hundred articles: it walks rdflib graphs per focus node and parses each
SPARQL constraint per focus node. This module reads the same shapes file and checks the same constraints over a
dictionary index of just the predicates the shapes' paths name, and runs each SPARQL constraint once over the
whole dataset in pyoxigraph, binding `$this` as a variable and keeping the rows whose `$this` is a focus node
(the same answer as pre-binding, since `$this` occurs in a triple pattern of every query here).

It refuses a shapes file that uses any SHACL term outside the implemented set, naming the term, rather than
silently skipping a constraint (use `crampkg build --validator pyshacl` there). `tests/kg/build/test_shapes_check.py`
checks that its results (focus node, path, constraint component, value) equal pySHACL's on the shipped build and
on broken copies of it.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD
from rdflib.term import Node

from kg.build.sources import ArticleSource
from kg.errors import BuildError
from kg.graph.dataset import nquads_of_graphs
from kg.graph.terms import from_oxigraph
from kg.namespaces import OA

SH = Namespace("http://www.w3.org/ns/shacl#")
# Made once: a namespace attribute is a new URIRef at every access, compared by value in every dict lookup, and
# these are read for every value of every focus node.
TYPE, SUB_CLASS_OF, LANG_STRING, STRING = RDF.type, RDFS.subClassOf, RDF.langString, XSD.string

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
        for p in predicates | {TYPE, SUB_CLASS_OF}:
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
        self.types = self.forward[TYPE]
        self.instances: dict[Node, set[Node]] = defaultdict(set)
        for s, classes in self.types.items():
            for c in classes:
                self.instances[c].add(s)
        self._subclasses: dict[Node, set[Node]] = {}

    def subclasses(self, cls: Node) -> set[Node]:
        """cls and every class below it by rdfs:subClassOf in the data (SHACL's rdfs:subClassOf*)."""
        if cls not in self._subclasses:
            below: dict[Node, list[Node]] = defaultdict(list)
            for s, os in self.forward[SUB_CLASS_OF].items():
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
        return not self.subclasses(cls).isdisjoint(self.types.get(node, ()))


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


@dataclass
class _Shape:
    """One shape's constraints, read from the shapes graph once."""

    node: Node
    path: Node | None = None
    inverse: bool = False
    path_label: str = ""  # the path in SPARQL property-path syntax: <p> or ^<p>
    message: str | None = None
    node_kind: tuple[type, ...] | None = None
    datatype: Node | None = None
    languages: list[str] | None = None
    pattern: re.Pattern | None = None
    min_length: int | None = None
    min_exclusive: Node | None = None
    allowed: set[Node] | None = None
    cls: Node | None = None
    nodes: list[_Shape] = field(default_factory=list)
    alternatives: list[_Shape] = field(default_factory=list)
    negated: _Shape | None = None
    properties: list[_Shape] = field(default_factory=list)
    min_count: int | None = None
    max_count: int | None = None
    has_value: Node | None = None
    qualified: _Shape | None = None
    qualified_min: int | None = None
    qualified_max: int | None = None


def _compile(shapes: Shapes, node: Node, memo: dict[Node, _Shape]) -> _Shape:
    if node in memo:
        return memo[node]
    g = shapes.g
    shape = memo[node] = _Shape(node)

    def one(p: URIRef) -> Node | None:
        return g.value(node, p)

    def number(p: URIRef) -> int | None:
        v = one(p)
        return None if v is None else int(v)

    path = one(SH.path)
    if path is not None and not isinstance(path, URIRef):
        shape.path, shape.inverse = g.value(path, SH.inversePath), True
    else:
        shape.path = path
    shape.path_label = ("^" if shape.inverse else "") + _n3(shape.path)
    msg = one(SH.message)
    shape.message = None if msg is None else str(msg)
    kind = one(SH.nodeKind)
    shape.node_kind = None if kind is None else NODE_KINDS[kind]
    shape.datatype = one(SH.datatype)
    if one(SH.languageIn) is not None:
        shape.languages = [str(x) for x in shapes.items(node, SH.languageIn)]
    pattern = one(SH.pattern)
    shape.pattern = None if pattern is None else re.compile(str(pattern))
    shape.min_length = number(SH.minLength)
    shape.min_exclusive = one(SH.minExclusive)
    if one(SH["in"]) is not None:
        shape.allowed = set(shapes.items(node, SH["in"]))
    shape.cls = one(SH["class"])
    shape.nodes = [_compile(shapes, n, memo) for n in g.objects(node, SH.node)]
    shape.alternatives = [_compile(shapes, n, memo) for n in shapes.items(node, SH["or"])]
    negated = one(SH["not"])
    shape.negated = None if negated is None else _compile(shapes, negated, memo)
    shape.properties = [_compile(shapes, n, memo) for n in g.objects(node, SH.property)]
    shape.min_count, shape.max_count = number(SH.minCount), number(SH.maxCount)
    shape.has_value = one(SH.hasValue)
    qualified = one(SH.qualifiedValueShape)
    shape.qualified = None if qualified is None else _compile(shapes, qualified, memo)
    shape.qualified_min, shape.qualified_max = number(SH.qualifiedMinCount), number(SH.qualifiedMaxCount)
    return shape


class Validator:
    def __init__(self, shapes: Shapes, index: _Index):
        self.shapes, self.index = shapes, index
        self._compiled: dict[Node, _Shape] = {}
        self._conforms: dict[tuple[Node, Node], bool] = {}

    def compiled(self, node: Node) -> _Shape:
        return _compile(self.shapes, node, self._compiled)

    # -- value-level constraints -------------------------------------------------------------------------
    def _value_failures(self, shape: _Shape, value: Node) -> list[URIRef]:
        """The constraint components of `shape` that `value` violates (those that judge one value at a time)."""
        failed = []
        if shape.node_kind is not None and not isinstance(value, shape.node_kind):
            failed.append(NODE_KIND)
        if shape.datatype is not None and not _has_datatype(value, shape.datatype):
            failed.append(DATATYPE)
        if shape.languages is not None and not (
                isinstance(value, Literal) and value.language
                and any(_lang_matches(value.language, x) for x in shape.languages)):
            failed.append(LANGUAGE_IN)
        if shape.pattern is not None and (isinstance(value, BNode) or not shape.pattern.search(str(value))):
            failed.append(PATTERN)
        if shape.min_length is not None and (isinstance(value, BNode) or len(str(value)) < shape.min_length):
            failed.append(MIN_LENGTH)
        if shape.min_exclusive is not None and not _greater(value, shape.min_exclusive):
            failed.append(MIN_EXCLUSIVE)
        if shape.allowed is not None and value not in shape.allowed:
            failed.append(IN)
        if shape.cls is not None and (isinstance(value, Literal) or not self.index.is_instance(value, shape.cls)):
            failed.append(CLASS)
        for other in shape.nodes:
            if not self.conforms(value, other):
                failed.append(NODE)
        if shape.alternatives and not any(self.conforms(value, a) for a in shape.alternatives):
            failed.append(OR)
        if shape.negated is not None and self.conforms(value, shape.negated):
            failed.append(NOT)
        return failed

    def conforms(self, node: Node, shape: _Shape) -> bool:
        key = (node, shape.node)
        if key not in self._conforms:
            self._conforms[key] = not self.check(node, shape)
        return self._conforms[key]

    def values(self, focus: Node, shape: _Shape) -> list[Node]:
        table = self.index.backward if shape.inverse else self.index.forward
        return table[shape.path].get(focus, [])

    # -- a shape on one focus node -----------------------------------------------------------------------
    def check(self, focus: Node, shape: _Shape) -> list[tuple[Node, str, URIRef, Node | None, _Shape]]:
        """(focus, path, component, value, source shape) for each violation of `shape` by `focus`."""
        out = [(focus, "", c, focus, shape) for c in self._value_failures(shape, focus)]
        for prop in shape.properties:
            path = prop.path_label
            values = self.values(focus, prop)
            for v in values:
                out += [(focus, path, c, v, prop) for c in self._value_failures(prop, v)]
            if prop.min_count is not None and len(values) < prop.min_count:
                out.append((focus, path, MIN_COUNT, None, prop))
            if prop.max_count is not None and len(values) > prop.max_count:
                out.append((focus, path, MAX_COUNT, None, prop))
            if prop.has_value is not None and prop.has_value not in values:
                out.append((focus, path, HAS_VALUE, None, prop))
            if prop.qualified is not None:
                n = sum(1 for v in values if self.conforms(v, prop.qualified))
                if prop.qualified_min is not None and n < prop.qualified_min:
                    out.append((focus, path, QUALIFIED_MIN, None, prop))
                if prop.qualified_max is not None and n > prop.qualified_max:
                    out.append((focus, path, QUALIFIED_MAX, None, prop))
        return out


NODE_KIND, DATATYPE, LANGUAGE_IN, PATTERN = (SH.NodeKindConstraintComponent, SH.DatatypeConstraintComponent,
                                             SH.LanguageInConstraintComponent, SH.PatternConstraintComponent)
MIN_LENGTH, MIN_EXCLUSIVE, IN, CLASS = (SH.MinLengthConstraintComponent, SH.MinExclusiveConstraintComponent,
                                        SH.InConstraintComponent, SH.ClassConstraintComponent)
NODE, OR, NOT = SH.NodeConstraintComponent, SH.OrConstraintComponent, SH.NotConstraintComponent
MIN_COUNT, MAX_COUNT, HAS_VALUE = (SH.MinCountConstraintComponent, SH.MaxCountConstraintComponent,
                                   SH.HasValueConstraintComponent)
QUALIFIED_MIN, QUALIFIED_MAX = SH.QualifiedMinCountConstraintComponent, SH.QualifiedMaxCountConstraintComponent


def _lang_matches(tag: str, wanted: str) -> bool:
    tag, wanted = tag.lower(), wanted.lower()
    return wanted == "*" or tag == wanted or tag.startswith(wanted + "-")


def _has_datatype(value: Node, dt: Node) -> bool:
    if not isinstance(value, Literal):
        return False
    if dt == LANG_STRING:
        return bool(value.language)
    actual = value.datatype or (None if value.language else STRING)
    return actual == dt and not value.ill_typed


def _greater(value: Node, low: Node) -> bool:
    try:
        return isinstance(value, Literal) and bool(value.value > low.value)
    except TypeError:
        return False


def _message(text: str | None, component: URIRef, value: Node | None) -> str:
    if text is not None:
        return text.replace("{?value}", _n3(value) if value is not None else "")
    return f"{component.rsplit('#', 1)[-1].removesuffix('ConstraintComponent')} constraint not met"


def _sparql_violations(shapes: Shapes, shape: Node, focus: set[Node], store: pyoxigraph.Store) -> list[Violation]:
    out = []
    for constraint in shapes.g.objects(shape, SH.sparql):
        text = str(shapes.one(constraint, SH.select))
        if "$this" not in text:
            raise BuildError(f"{shapes.path.name}: a SPARQL constraint of {shape.n3()} does not use $this")
        query = text.replace("$this", "?this")
        for row in store.query(query, use_default_graph_as_union=True):
            this, value = from_oxigraph(row["this"]), from_oxigraph(row["value"])
            if this in focus:
                out.append(Violation(_n3(this), "", str(SH.SPARQLConstraintComponent), _n3(value),
                                     _message(shapes.one(constraint, SH.message), SH.SPARQLConstraintComponent,
                                              value)))
    return out


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
        compiled = validator.compiled(shape)
        for node in sorted(focus, key=str):
            for f, path, comp, value, source in validator.check(node, compiled):
                found.append(Violation(_n3(f), path, str(comp), _n3(value),
                                       _message(source.message, comp, value)))
        if any(True for _ in shapes.g.objects(shape, SH.sparql)) and focus:
            if store is None:
                store = pyoxigraph.Store()
                # load, not bulk_load: into an in-memory store it costs a sixth less CPU (6.0 s against 7.1 s
                # for the 2.4 million quads of a 1,000-article corpus)
                store.load(nquads if nquads is not None else _nquads(graphs), pyoxigraph.RdfFormat.N_QUADS)
            found += _sparql_violations(shapes, shape, focus, store)
    return sorted(set(found))


def _nquads(graphs: Iterable[Graph]) -> bytes:
    return nquads_of_graphs((URIRef(f"urn:crampkg:graph:{i}"), g) for i, g in enumerate(graphs))


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


def validate_fast(graphs: Sequence[Graph], shapes_path: Path, articles: Sequence[ArticleSource] = (),
                  nquads: bytes | None = None) -> str | None:
    """None when the union of `graphs` conforms, else a report naming each focus node's claims file."""
    found = violations(graphs, shapes_path, nquads)
    if not found:
        return None
    files = {a.iri: a.claims.name for a in articles}
    where: dict[str, str] = {}
    for v in found:
        node = URIRef(v.focus.strip("<>"))
        base = URIRef(str(node).split("/evidence", 1)[0])
        for g in graphs:
            for article in list(g.objects(base, PROV.wasQuotedFrom)) + list(g.objects(node, OA.hasSource)):
                if article in files:
                    where[v.focus] = files[article]
    return report(found, where)

