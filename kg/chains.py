"""Causal chains between two entities, and explanations of inferred triples.

A :class:`CausalGraph` is read once from the built dataset. Its *steps* are the direct causal edges: every
asserted triple whose predicate is below ``ck:causallyUpstreamOf``, plus the inferred ones that add a new
link rather than a shortcut (e.g. ``diuretics induces-deficiency-of potassium deficiency`` from the
property chain). The transitive ``ck:causallyUpstreamOf`` edges themselves are never steps: they are what
a chain of steps explains.
"""
from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from .errors import CrampkgError
from .namespaces import CK, GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_ONTOLOGY, ID, OA

MAX_STEPS = 12
MAX_CHAINS = 500


class NotFound(CrampkgError):
    """No entity or triple by that name (HTTP 404)."""


class Ambiguous(CrampkgError):
    """A name matches several entities (HTTP 400)."""


@dataclass(frozen=True)
class Evidence:
    claim: str
    quote: str
    start: int
    end: int

    def as_dict(self) -> dict:
        return {"claim": self.claim, "quote": self.quote, "start": self.start, "end": self.end}


def super_properties(ontology: Graph) -> dict[URIRef, set[URIRef]]:
    """Every property's super-properties (rdfs:subPropertyOf, transitively), read from the ontology."""
    sups: dict[URIRef, set[URIRef]] = defaultdict(set)
    for p, q in ontology.subject_objects(RDFS.subPropertyOf):
        sups[p].add(q)
    changed = True
    while changed:  # transitive closure, small
        changed = False
        for found in list(sups.values()):
            extra = set().union(*(sups.get(q, set()) for q in found)) - found
            if extra:
                found |= extra
                changed = True
    return sups


def causal_properties(ontology: Graph) -> frozenset[URIRef]:
    """The causal relations: ck:causallyUpstreamOf and every property below it. The one definition the
    chains, the explorer and the exports share."""
    below = {p for p, sups in super_properties(ontology).items() if CK.causallyUpstreamOf in sups}
    return frozenset(below | {CK.causallyUpstreamOf})


class CausalGraph:
    """The causal network of a built dataset, with labels, evidence and the ontology's axioms."""

    def __init__(self, ds: Dataset) -> None:
        self.ontology = ds.graph(GRAPH_ONTOLOGY)
        self.asserted = ds.graph(GRAPH_ASSERTED)
        self.inferred = ds.graph(GRAPH_INFERRED)
        self.labels: dict[URIRef, str] = {}
        self.alt_labels: dict[URIRef, list[str]] = defaultdict(list)
        for g in (self.ontology, self.asserted):
            for s, label in g.subject_objects(RDFS.label):
                if isinstance(s, URIRef) and (s not in self.labels or getattr(label, "language", None) == "en"):
                    self.labels[s] = str(label)
            for s, label in g.subject_objects(SKOS.altLabel):
                self.alt_labels[s].append(str(label))
        self._read_axioms()
        self._read_evidence()
        self._read_steps()

    # ----- the ontology ----------------------------------------------------------------------------
    def _read_axioms(self) -> None:
        o = self.ontology
        self.super_properties = super_properties(o)
        self.causal_properties = causal_properties(o) - {CK.causallyUpstreamOf}
        self.inverse: dict[URIRef, URIRef] = {}
        for p, q in o.subject_objects(OWL.inverseOf):
            self.inverse[p], self.inverse[q] = q, p
        self.chain_axioms: dict[URIRef, list[URIRef]] = {
            p: list(o.items(lst)) for p, lst in o.subject_objects(OWL.propertyChainAxiom)
        }
        self.transitive = set(o.subjects(RDF.type, OWL.TransitiveProperty))

    def _read_evidence(self) -> None:
        a = self.asserted
        self.evidence: dict[tuple, list[Evidence]] = defaultdict(list)
        for claim in a.subjects(RDF.type, CK.Claim):
            triple = (a.value(claim, RDF.subject), a.value(claim, RDF.predicate), a.value(claim, RDF.object))
            target = a.value(claim, CK.hasEvidence)
            exact = start = end = None
            for sel in a.objects(target, OA.hasSelector):
                if (sel, RDF.type, OA.TextQuoteSelector) in a:
                    exact = str(a.value(sel, OA.exact))
                else:
                    start, end = int(a.value(sel, OA.start)), int(a.value(sel, OA.end))
            self.evidence[triple].append(Evidence(str(claim).rsplit("/", 1)[-1], exact or "", start or 0, end or 0))
        for items in self.evidence.values():
            items.sort(key=lambda e: (e.start, e.claim))

    def _read_steps(self) -> None:
        self.steps: dict[URIRef, list[tuple[URIRef, URIRef, bool]]] = defaultdict(list)
        seen: dict[tuple[URIRef, URIRef], set[URIRef]] = defaultdict(set)
        for s, p, o in self.asserted:
            if p in self.causal_properties and isinstance(o, URIRef):
                seen[(s, o)].add(p)
        for s, p, o in self.inferred:
            if p not in self.causal_properties or p in self.transitive or not isinstance(o, URIRef):
                continue
            # an inferred super-property of an edge we already have is not a new step
            if any(p in self.super_properties.get(q, ()) for q in seen.get((s, o), ())):
                continue
            seen[(s, o)].add(p)
        for (s, o), preds in seen.items():
            # keep the most specific predicate(s) between the pair
            specific = {p for p in preds if not any(p in self.super_properties.get(q, ()) for q in preds - {p})}
            for p in sorted(specific):
                self.steps[s].append((p, o, (s, p, o) in self.asserted))
        for edges in self.steps.values():
            edges.sort()

    # ----- names -------------------------------------------------------------------------------------
    def label(self, term) -> str:
        if isinstance(term, Literal):
            return str(term)
        if term in self.labels:
            return self.labels[term]
        text = str(term)
        return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]

    def entities(self) -> list[URIRef]:
        return sorted(
            e for e in self.labels if str(e).startswith(str(ID)) and "/claim/" not in str(e)
        )

    def resolve(self, name: str) -> URIRef:
        """An entity from an IRI, `id:slug`, a slug, or a label / alternative label (case-insensitive)."""
        text = (name or "").strip()
        if not text:
            raise CrampkgError("empty entity name: give an IRI, a slug such as `vitamin-d`, or a label")
        if text.startswith("id:"):
            text = str(ID) + text[3:]
        candidates = [] if any(ch.isspace() or ch in '<>"{}|^`\\' for ch in text) else (
            [URIRef(text)] if "://" in text else [ID[text]]
        )
        for c in candidates:
            if c in self.labels:
                return c
        folded = text.casefold()
        hits = sorted({e for e in self.entities() if self.labels[e].casefold() == folded})
        if not hits:
            hits = sorted({e for e in self.entities() if folded in (a.casefold() for a in self.alt_labels[e])})
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            names = ", ".join(f"{self.label(h)} ({str(h).rsplit('/', 1)[-1]})" for h in hits)
            raise Ambiguous(f"{name!r} matches several entities: {names}; give the slug instead")
        close = [self.label(e) for e in self.entities() if folded in self.label(e).casefold()][:8]
        hint = f"; did you mean: {', '.join(close)}" if close else ""
        raise NotFound(f"no entity named {name!r}{hint}")

    def expand(self, name: str) -> str:
        """A full IRI from a CURIE with one of crampkg's prefixes (or the IRI itself)."""
        from .namespaces import PREFIXES

        text = name.strip().strip("<>")
        prefix, _, local = text.partition(":")
        if prefix in PREFIXES and not local.startswith("//"):
            return str(PREFIXES[prefix]) + local
        if "://" in text:
            return text
        raise CrampkgError(f"{name!r} is neither an IRI nor a CURIE with a known prefix ({', '.join(PREFIXES)})")

    # ----- chains ------------------------------------------------------------------------------------
    def step_dict(self, s: URIRef, p: URIRef, o: URIRef, asserted: bool) -> dict:
        step = {
            "from": str(s),
            "from_label": self.label(s),
            "relation": str(p),
            "relation_label": self.label(p),
            "to": str(o),
            "to_label": self.label(o),
            "asserted": asserted,
            "evidence": [e.as_dict() for e in self.evidence.get((s, p, o), [])],
        }
        if not asserted:
            step["explanation"] = self.explain(s, p, o)
        return step

    def _starts(self, source: URIRef) -> list[tuple[URIRef, URIRef, bool]]:
        """The first steps from `source`: its causal edges, or for a substance its intake states."""
        first = list(self.steps.get(source, []))
        for state in sorted(self.asserted.subjects(CK.intakeOf, source)):
            if self.steps.get(state):
                first.append((CK.hasIntakeState, state, (source, CK.hasIntakeState, state) in self.asserted))
        return first

    def chains(self, source: URIRef, target: URIRef, *, max_steps: int = MAX_STEPS) -> list[list[dict]]:
        """Every simple chain of causal steps from `source` to `target`, shortest first."""
        found: list[list[tuple]] = []

        def walk(node: URIRef, path: list[tuple], visited: set[URIRef]) -> None:
            if len(found) >= MAX_CHAINS or len(path) >= max_steps:
                return
            edges = self._starts(node) if not path else self.steps.get(node, [])
            for p, o, asserted in edges:
                if o in visited:
                    continue
                step = (node, p, o, asserted)
                if o == target:
                    found.append(path + [step])
                else:
                    walk(o, path + [step], visited | {o})

        if source != target:
            walk(source, [], {source})
        found.sort(key=lambda c: (len(c), [self.label(s[2]) for s in c]))
        return [[self.step_dict(*step) for step in chain] for chain in found]

    def chain_text(self, chain: list[dict]) -> str:
        return " → ".join([chain[0]["from_label"]] + [step["to_label"] for step in chain])

    # ----- explanations ------------------------------------------------------------------------------
    def _fact(self, s, p, o) -> dict:
        asserted = (s, p, o) in self.asserted or (s, p, o) in self.ontology
        return {
            "subject": str(s), "subject_label": self.label(s),
            "predicate": str(p), "predicate_label": self.label(p),
            "object": str(o), "object_label": self.label(o),
            "asserted": asserted,
            "evidence": [e.as_dict() for e in self.evidence.get((s, p, o), [])],
        }

    def holds(self, s, p, o) -> bool:
        return (s, p, o) in self.asserted or (s, p, o) in self.inferred or (s, p, o) in self.ontology

    def _shortest_steps(self, s: URIRef, o: URIRef) -> list[tuple] | None:
        queue, parent = deque([s]), {s: None}
        while queue:
            node = queue.popleft()
            if node == o:
                break
            for p, nxt, _ in self.steps.get(node, []):
                if nxt not in parent:
                    parent[nxt] = (node, p)
                    queue.append(nxt)
        if o not in parent:
            return None
        path, node = [], o
        while parent[node] is not None:
            prev, p = parent[node]
            path.append((prev, p, node))
            node = prev
        return list(reversed(path))

    def explain(self, s, p, o) -> dict:
        """Why a triple holds: its claims if asserted, else the OWL 2 RL rule and the triples it used."""
        s, p = URIRef(str(s)), URIRef(str(p))
        if (s, p, o) in self.asserted:
            return {"asserted": True, "rule": None, "because": [], "evidence": self._fact(s, p, o)["evidence"]}
        if (s, p, o) not in self.inferred:
            raise NotFound(f"the triple {s.n3()} {p.n3()} {o.n3()} is neither asserted nor inferred")
        for rule in (self._by_asserted_inverse, self._by_chain, self._by_sub_property, self._by_transitivity,
                     self._by_inverse, self._by_has_value, self._by_intersection, self._by_sub_class,
                     self._by_domain_range):
            found = rule(s, p, o)
            if found:
                name, text, facts = found
                return {"asserted": False, "rule": name, "rule_text": text,
                        "because": [self._fact(*f) for f in facts]}
        return {"asserted": False, "rule": "owl2rl", "rule_text": "derived by the OWL 2 RL closure", "because": []}

    def _by_asserted_inverse(self, s, p, o):
        q = self.inverse.get(p)
        if q is not None and isinstance(o, URIRef) and (o, q, s) in self.asserted:
            return self._by_inverse(s, p, o)
        return None

    def _by_inverse(self, s, p, o):
        q = self.inverse.get(p)
        if q is not None and isinstance(o, URIRef) and self.holds(o, q, s):
            return ("prp-inv", f"{self.label(p)} is the inverse of {self.label(q)} (owl:inverseOf)", [(o, q, s)])
        return None

    def _by_chain(self, s, p, o):
        for chain_p, (p1, p2) in ((cp, lst) for cp, lst in self.chain_axioms.items() if len(lst) == 2):
            if chain_p != p and p not in self.super_properties.get(chain_p, ()):
                continue
            for x in self.asserted.objects(s, p1):
                if self.holds(x, p2, o):
                    sub = [] if chain_p == p else [(s, chain_p, o)]
                    return ("prp-spo2", (f"property chain: {self.label(p1)} then {self.label(p2)} gives "
                                         f"{self.label(chain_p)} (owl:propertyChainAxiom)"),
                            [(s, p1, x), (x, p2, o), *sub])
        return None

    def _by_sub_property(self, s, p, o):
        for q, sups in sorted(self.super_properties.items()):
            if q != p and p in sups and (s, q, o) in self.asserted:
                return ("prp-spo1", f"{self.label(q)} is a sub-property of {self.label(p)} (rdfs:subPropertyOf)",
                        [(s, q, o)])
        return None

    def _by_transitivity(self, s, p, o):
        if p not in self.transitive or not isinstance(o, URIRef):
            return None
        forward = p if p == CK.causallyUpstreamOf else None
        if forward is None and self.inverse.get(p) == CK.causallyUpstreamOf:
            path = self._shortest_steps(o, s)
            if path:
                return ("prp-trp", (f"{self.label(p)} is transitive and the inverse of causally upstream of; "
                                    "chain of steps:"), path)
            return None
        path = self._shortest_steps(s, o)
        if path:
            return ("prp-trp", (f"{self.label(p)} is transitive (owl:TransitiveProperty), and each step is a "
                                "sub-property of it (rdfs:subPropertyOf); chain of steps:"), path)
        return None

    def _by_has_value(self, s, p, o):
        if p != RDF.type:
            return None
        for restriction in self.ontology.objects(o, OWL.equivalentClass):
            prop = self.ontology.value(restriction, OWL.onProperty)
            value = self.ontology.value(restriction, OWL.hasValue)
            if prop is not None and value is not None and self.holds(s, prop, value):
                return ("cls-hv2", (f"{self.label(o)} is everything that is {self.label(prop)} "
                                    f"{self.label(value)} (owl:hasValue restriction)"), [(s, prop, value)])
        return None

    def _by_intersection(self, s, p, o):
        if p != RDF.type:
            return None
        for expression in self.ontology.objects(o, OWL.equivalentClass):
            members = self.ontology.value(expression, OWL.intersectionOf)
            if members is None:
                continue
            parts = list(self.ontology.items(members))
            if parts and all(self.holds(s, RDF.type, part) for part in parts):
                names = " and ".join(self.label(part) for part in parts)
                return ("cls-int1", f"{self.label(o)} is everything that is {names} (owl:intersectionOf)",
                        [(s, RDF.type, part) for part in parts])
        return None

    def _by_sub_class(self, s, p, o):
        if p != RDF.type:
            return None
        for sub in sorted(self.ontology.subjects(RDFS.subClassOf, o)):
            if (s, RDF.type, sub) in self.asserted or (s, RDF.type, sub) in self.inferred:
                return ("cax-sco", f"{self.label(sub)} is a subclass of {self.label(o)} (rdfs:subClassOf)",
                        [(s, RDF.type, sub)])
        return None

    def _by_domain_range(self, s, p, o):
        if p != RDF.type:
            return None
        for prop in sorted(self.ontology.subjects(RDFS.domain, o)):
            for x in sorted(self.asserted.objects(s, prop), key=str):
                return ("prp-dom", f"the domain of {self.label(prop)} is {self.label(o)} (rdfs:domain)", [(s, prop, x)])
        for prop in sorted(self.ontology.subjects(RDFS.range, o)):
            for x in sorted(self.asserted.subjects(prop, s)):
                return ("prp-rng", f"the range of {self.label(prop)} is {self.label(o)} (rdfs:range)", [(x, prop, s)])
        return None
