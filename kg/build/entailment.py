"""A fast OWL 2 RL reasoner for exactly the constructs crampkg's ontology uses, for corpora of many articles.

owlrl applies every OWL 2 RL rule to every triple, in pure Python, until nothing changes: about 2.4 ms per
asserted triple here. This module applies only the rules the ontology can trigger, once per new triple
(a work-list, i.e. semi-naive evaluation: each triple is joined against what is known exactly once), over
integer-coded triples, and only over triples whose predicate occurs in an axiom (rdf:type included):

* schema: subClassOf and subPropertyOf transitive (scm-sco, scm-spo), equivalentClass/equivalentProperty as
  two subClassOf/subPropertyOf (scm-eqc1, scm-eqp1), domain and range inherited (scm-dom1/2, scm-rng1/2),
  hasValue restrictions on sub-properties (scm-hv), an intersection below each of its classes (scm-int);
* instances: cax-sco, prp-dom, prp-rng, prp-spo1, prp-inv1/2, prp-trp, prp-spo2 (property chains of any
  length), cls-hv1, cls-hv2, cls-int1 (cls-int2 through scm-int and cax-sco);
* consistency: cax-dw and cax-adc (disjoint classes), and ill-typed literals, reported in the words of
  :func:`kg.build.closure.check_consistency`.

It refuses, naming the term, any other OWL construct (someValuesFrom, sameAs, functional properties, …):
those need the full rule set, so `crampkg build --reasoner owlrl` is the answer there. Its output after the
same hygiene filter as :func:`kg.build.closure.infer` is identical to owlrl's;
`tests/kg/build/test_entailment.py` proves it on the shipped article and on a synthetic corpus.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from kg.build.closure import check_consistency, informative
from kg.errors import InconsistencyError, UnsupportedConstruct

Triple = tuple[Node, Node, Node]

# OWL terms this reasoner understands (or that carry no rule): anything else in the owl: namespace is refused.
SUPPORTED_OWL = {
    OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.Ontology, OWL.versionIRI,
    OWL.versionInfo, OWL.imports, OWL.TransitiveProperty, OWL.inverseOf, OWL.propertyChainAxiom, OWL.hasValue,
    OWL.onProperty, OWL.Restriction, OWL.equivalentClass, OWL.equivalentProperty, OWL.disjointWith,
    OWL.AllDisjointClasses, OWL.members, OWL.Thing, OWL.NamedIndividual, OWL.intersectionOf,
}
SCHEMA_PREDICATES = {RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.inverseOf,
                     OWL.equivalentClass, OWL.equivalentProperty, OWL.propertyChainAxiom, OWL.onProperty,
                     OWL.hasValue, OWL.disjointWith, OWL.members, OWL.intersectionOf}
SCHEMA_TYPES = {OWL.TransitiveProperty, OWL.AllDisjointClasses, OWL.Restriction}


def _transitive(pairs: Iterable[tuple[Node, Node]]) -> dict[Node, set[Node]]:
    """Reflexive-free transitive closure of a small relation, as successor sets."""
    succ: dict[Node, set[Node]] = defaultdict(set)
    for a, b in pairs:
        succ[a].add(b)
    changed = True
    while changed:
        changed = False
        for a in list(succ):
            reach = set(succ[a])
            for b in list(succ[a]):
                reach |= succ.get(b, set())
            if reach != succ[a]:
                succ[a] = reach
                changed = True
    return succ


class Schema:
    """The axioms of a graph, closed under the schema rules; what instance rules consult."""

    def __init__(self, graph: Graph):
        def pairs(p: URIRef) -> set[tuple[Node, Node]]:
            return set(graph.subject_objects(p))

        eqc, eqp = pairs(OWL.equivalentClass), pairs(OWL.equivalentProperty)
        self.sub_property = _transitive(pairs(RDFS.subPropertyOf) | eqp | {(b, a) for a, b in eqp})
        # restriction -> (property, value)
        self.has_value: dict[Node, tuple[Node, Node]] = {}
        for r, v in pairs(OWL.hasValue):
            for p in graph.objects(r, OWL.onProperty):
                self.has_value[r] = (p, v)
        # scm-hv: a hasValue restriction on P is below the same restriction on any super-property of P;
        # added before the subclass closure so that it is closed too
        below_by_value = {(r1, r2) for r1, (p1, v1) in self.has_value.items()
                          for r2, (p2, v2) in self.has_value.items()
                          if r1 != r2 and v1 == v2 and p2 in self.sub_property.get(p1, set())}
        # class -> its intersection's members; scm-int: the class is below each member (cls-int2 follows)
        self.intersections: dict[Node, tuple[Node, ...]] = {
            c: tuple(graph.items(head)) for c, head in pairs(OWL.intersectionOf)}
        in_members = {(c, m) for c, members in self.intersections.items() for m in members}
        self.sub_class = _transitive(pairs(RDFS.subClassOf) | eqc | {(b, a) for a, b in eqc} | below_by_value
                                     | in_members)
        self.transitive = set(graph.subjects(RDF.type, OWL.TransitiveProperty))
        self.inverse: dict[Node, set[Node]] = defaultdict(set)
        for a, b in pairs(OWL.inverseOf):
            self.inverse[a].add(b)
            self.inverse[b].add(a)
        self.domain = self._inherited(pairs(RDFS.domain))
        self.range = self._inherited(pairs(RDFS.range))
        self.chains: dict[Node, list[tuple[Node, ...]]] = defaultdict(list)
        for prop, head in pairs(OWL.propertyChainAxiom):
            self.chains[prop].append(tuple(graph.items(head)))
        self.disjoint: set[tuple[Node, Node]] = set(pairs(OWL.disjointWith))
        for node in graph.subjects(RDF.type, OWL.AllDisjointClasses):
            for head in graph.objects(node, OWL.members):
                items = list(graph.items(head))
                self.disjoint |= {(x, y) for i, x in enumerate(items) for y in items[i + 1:]}

    def _inherited(self, axioms: set[tuple[Node, Node]]) -> dict[Node, set[Node]]:
        """scm-dom1/2 (and rng): a property's classes, their super-classes, and those of its super-properties."""
        direct: dict[Node, set[Node]] = defaultdict(set)
        for p, c in axioms:
            direct[p].add(c)
            direct[p] |= self.sub_class.get(c, set())
        out: dict[Node, set[Node]] = defaultdict(set)
        for p in set(direct) | set(self.sub_property):
            classes = set(direct.get(p, ()))
            for sup in self.sub_property.get(p, ()):
                classes |= direct.get(sup, set())
            if classes:
                out[p] = classes
        return out

    def axiom_triples(self) -> set[Triple]:
        """The schema triples the closure holds (scm-sco, scm-spo, scm-dom, scm-rng, scm-eqc2, scm-eqp2)."""
        out: set[Triple] = set()
        for a, bs in self.sub_class.items():
            out |= {(a, RDFS.subClassOf, b) for b in bs}
            out |= {(a, OWL.equivalentClass, b) for b in bs if a in self.sub_class.get(b, ())}
        for a, bs in self.sub_property.items():
            out |= {(a, RDFS.subPropertyOf, b) for b in bs}
            out |= {(a, OWL.equivalentProperty, b) for b in bs if a in self.sub_property.get(b, ())}
        for p, cs in self.domain.items():
            out |= {(p, RDFS.domain, c) for c in cs}
        for p, cs in self.range.items():
            out |= {(p, RDFS.range, c) for c in cs}
        return out

    def relevant_predicates(self) -> set[Node]:
        chained = {p for chains in self.chains.values() for chain in chains for p in chain}
        return ({RDF.type} | set(self.sub_property) | {q for qs in self.sub_property.values() for q in qs}
                | set(self.inverse) | self.transitive | set(self.domain) | set(self.range) | chained
                | set(self.chains) | {p for p, _ in self.has_value.values()})


class _Closure:
    """Integer-coded triples with subject and object indexes per predicate; `add` runs the instance rules."""

    def __init__(self, schema: Schema):
        self.ids: dict[Node, int] = {}
        self.terms: list[Node] = []
        self.out: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
        self.into: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
        self.literal: list[bool] = []
        c = self.code
        self.type = c(RDF.type)
        self.sub_class = {c(a): {c(b) for b in bs} for a, bs in schema.sub_class.items()}
        self.super_props = {c(a): {c(b) for b in bs} for a, bs in schema.sub_property.items()}
        self.inverse = {c(a): {c(b) for b in bs} for a, bs in schema.inverse.items()}
        self.transitive = {c(p) for p in schema.transitive}
        self.domain = {c(p): {c(x) for x in cs} for p, cs in schema.domain.items()}
        self.range = {c(p): {c(x) for x in cs} for p, cs in schema.range.items()}
        self.value_of = {c(r): (c(p), c(v)) for r, (p, v) in schema.has_value.items()}
        # member class -> (intersection class, all its members): cls-int1
        self.intersections_with: dict[int, list[tuple[int, tuple[int, ...]]]] = defaultdict(list)
        for cls, members in schema.intersections.items():
            coded_members = tuple(c(m) for m in members)
            for m in coded_members:
                self.intersections_with[m].append((c(cls), coded_members))
        self.restrictions_on: dict[tuple[int, int], set[int]] = defaultdict(set)
        for r, pv in self.value_of.items():
            self.restrictions_on[pv].add(r)
        # chain (p1 .. pn) for prop: for each position, the chains passing through that predicate
        self.chains: dict[int, list[tuple[int, tuple[int, ...], int]]] = defaultdict(list)
        for prop, chains in schema.chains.items():
            for chain in chains:
                coded = tuple(c(p) for p in chain)
                for i, p in enumerate(coded):
                    self.chains[p].append((c(prop), coded, i))
        self.new: list[tuple[int, int, int]] = []

    def code(self, term: Node) -> int:
        n = self.ids.get(term)
        if n is None:
            n = self.ids[term] = len(self.terms)
            self.terms.append(term)
            self.literal.append(isinstance(term, Literal))
        return n

    def load(self, triples: Iterable[tuple[int, int, int]]) -> None:
        """File the input triples, then run the rules over every one of them; `new` gets what they add."""
        work = []
        for s, p, o in triples:
            objs = self.out[p][s]
            if o not in objs:
                objs.add(o)
                self.into[p][o].add(s)
                work.append((s, p, o))
        self._run(work)

    def _run(self, work: list[tuple[int, int, int]]) -> None:
        out, into, literal = self.out, self.into, self.literal
        new = self.new

        def emit(s: int, p: int, o: int) -> None:
            if literal[s]:
                return
            by_s = out[p]
            objs = by_s.get(s)
            if objs is not None and o in objs:
                return
            by_s[s].add(o)
            into[p][o].add(s)
            new.append((s, p, o))
            work.append((s, p, o))

        t = self.type
        while work:
            s, p, o = work.pop()
            if p == t:
                for c in self.sub_class.get(o, ()):  # cax-sco
                    emit(s, t, c)
                pv = self.value_of.get(o)
                if pv is not None:  # cls-hv1
                    emit(s, pv[0], pv[1])
                for cls, members in self.intersections_with.get(o, ()):  # cls-int1
                    types = out[t].get(s, ())
                    if all(m in types for m in members):
                        emit(s, t, cls)
                continue
            for c in self.domain.get(p, ()):  # prp-dom
                emit(s, t, c)
            if not literal[o]:
                for c in self.range.get(p, ()):  # prp-rng
                    emit(o, t, c)
            for q in self.super_props.get(p, ()):  # prp-spo1
                emit(s, q, o)
            for q in self.inverse.get(p, ()):  # prp-inv1/2
                if not literal[o]:
                    emit(o, q, s)
            for r in self.restrictions_on.get((p, o), ()):  # cls-hv2
                emit(s, t, r)
            if p in self.transitive:  # prp-trp, joined both ways
                by_s = out[p]
                for z in list(by_s.get(o, ())):
                    emit(s, p, z)
                for x in list(into[p].get(s, ())):
                    emit(x, p, o)
            for prop, chain, i in self.chains.get(p, ()):  # prp-spo2
                for x in self._walk_back(chain, i, s):
                    for z in self._walk_forward(chain, i, o):
                        emit(x, prop, z)

    def _walk_back(self, chain: tuple[int, ...], i: int, node: int) -> set[int]:
        frontier = {node}
        for p in reversed(chain[:i]):
            into = self.into[p]
            frontier = {x for y in frontier for x in into.get(y, ())}
        return frontier

    def _walk_forward(self, chain: tuple[int, ...], i: int, node: int) -> set[int]:
        frontier = {node}
        for p in chain[i + 1:]:
            out = self.out[p]
            frontier = {z for y in frontier for z in out.get(y, ())}
        return frontier


def _scan(triples: Iterable[Triple], closure: _Closure | None = None, relevant: set[int] | frozenset[int] = frozenset(),
          ill_typed: set[Literal] | None = None) -> list[tuple[int, int, int]]:
    """One pass over a graph: refuse a construct outside the supported set (naming the first triple that uses
    it), code the triples whose predicate the rules read (with `closure`), and collect ill-typed literal objects
    (into `ill_typed`). A corpus's millions of triples are walked once for all three, and what depends only on
    the predicate is decided once per distinct predicate."""
    owl = str(OWL)
    coded: list[tuple[int, int, int]] = []
    # predicate -> (its code, or -1 when no rule reads it; owl:sameAs; an axiom predicate)
    seen: dict[Node, tuple[int, bool, bool]] = {}
    code = closure.code if closure is not None else None
    for s, p, o in triples:
        known = seen.get(p)
        if known is None:
            if p != RDF.type and isinstance(p, URIRef) and p.startswith(owl) and p not in SUPPORTED_OWL:
                _unsupported(s, p, o, p)
            cp = code(p) if code is not None else -1
            known = seen[p] = (cp if cp in relevant else -1, p == OWL.sameAs,
                               isinstance(p, URIRef) and p in SCHEMA_PREDICATES)
        cp, same_as, axiom = known
        if isinstance(o, URIRef):
            if o.startswith(owl) and o not in SUPPORTED_OWL:
                _unsupported(s, p, o, o)
        elif ill_typed is not None and isinstance(o, Literal) and o.ill_typed:
            ill_typed.add(o)
        if same_as and s != o:
            raise UnsupportedConstruct(f"{s.n3()} owl:sameAs {o.n3()}: the fast reasoner does not implement "
                                       "owl:sameAs; build with --reasoner owlrl")
        if axiom and isinstance(s, Literal):
            raise UnsupportedConstruct(f"{s.n3()} {p.n3()} {o.n3()}: a literal cannot carry an axiom")
        if cp >= 0:
            coded.append((code(s), cp, code(o)))
    return coded


def _unsupported(s: Node, p: Node, o: Node, term: Node) -> None:
    raise UnsupportedConstruct(f"{s.n3()} {p.n3()} {o.n3()}: the fast reasoner does not implement {term.n3()}; "
                               "build with --reasoner owlrl")


def infer_fast(ontology: Graph, asserted: Graph) -> Graph:
    """The informative triples OWL 2 RL adds to ontology + asserted (as kg.build.closure.infer); raises on
    inconsistency and on OWL constructs outside the supported set."""
    _scan(ontology)
    schema = Schema(ontology)
    closure = _Closure(schema)
    code = closure.code
    relevant = {code(p) for p in schema.relevant_predicates()}
    ill_typed: set[Literal] = set()
    coded = _scan(ontology, closure, relevant) + _scan(asserted, closure, relevant, ill_typed)
    schema_in_asserted = [t for p in SCHEMA_PREDICATES for t in asserted.triples((None, p, None))]
    schema_in_asserted += [t for c in SCHEMA_TYPES for t in asserted.triples((None, RDF.type, c))]
    if schema_in_asserted:
        raise UnsupportedConstruct(
            f"{' '.join(x.n3() for x in schema_in_asserted[0])}: an axiom among the asserted triples; the fast "
            "reasoner reads axioms from the ontology only, so put it there or build with --reasoner owlrl"
        )
    closure.load(coded)
    del coded
    inferred = Graph(store="SimpleMemory")
    terms = closure.terms
    for s, p, o in closure.new:
        t = (terms[s], terms[p], terms[o])
        if informative(*t):
            inferred.add(t)
    for t in schema.axiom_triples():
        if t not in ontology and t not in asserted and informative(*t):
            inferred.add(t)
    _check_literals(ill_typed)
    _check_disjoint(schema, closure, ontology, asserted)
    return inferred


def _check_literals(ill_typed: set[Literal]) -> None:
    bad = sorted(ill_typed)
    if bad:
        # owlrl's words, so both reasoners refuse the same input with the same message
        raise InconsistencyError("the graph is inconsistent:\n" + "\n".join(
            f"Lexical value of the literal '{lit}' does not match its datatype ({lit.datatype})" for lit in bad))


def _check_disjoint(schema: Schema, closure: _Closure, ontology: Graph, asserted: Graph) -> None:
    """cax-dw / cax-adc through kg.build.closure.check_consistency, on just the types that could clash."""
    classes = {c for pair in schema.disjoint for c in pair}
    t = closure.type
    members = {c: closure.into[t].get(closure.ids[c], set()) if c in closure.ids else set() for c in classes}
    clash = any(members[a] & members[b] for a, b in schema.disjoint)
    if not clash:
        return
    view = Graph()
    view += ontology
    terms = closure.terms
    for c, xs in members.items():
        for x in xs:
            view.add((terms[x], RDF.type, c))
    check_consistency(view, asserted, [])
