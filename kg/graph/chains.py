"""Causal chains between two entities, and explanations of inferred triples.

A :class:`CausalGraph` is read once from the built dataset. Its *steps* are the direct causal edges: every
asserted triple whose predicate is below ``ck:causallyUpstreamOf``, plus the inferred ones that add a new
link rather than a shortcut (e.g. ``diuretics induces-deficiency-of potassium deficiency`` from the
property chain). The transitive ``ck:causallyUpstreamOf`` edges themselves are never steps: they are what
a chain of steps explains.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.errors import Ambiguous, CrampkgError, NotFound
from kg.graph import index
from kg.graph.explain import Explanations
from kg.namespaces import CK, GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_ONTOLOGY, ID, PREFIXES, expand

# A chain longer than the longest the article supports is a search gone astray; 12 is twice that.
MAX_STEPS = 12
# Chains listed for one pair at most: every pair in the article has a handful; this bounds a page's work.
MAX_CHAINS = 500
# Entities suggested when a name matches none ("did you mean").
MAX_SUGGESTIONS = 8


@dataclass(frozen=True)
class Evidence:
    claim: str
    quote: str
    start: int
    end: int
    qualifiers: tuple[tuple[str, str], ...] = ()  # (name, value), each verbatim from the quote

    def as_dict(self) -> dict:
        return {"claim": self.claim, "quote": self.quote, "start": self.start, "end": self.end,
                "qualifiers": index.qualifier_dict([self])}


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


def causal_predicates(ds: Dataset) -> frozenset[URIRef]:
    """The causal relations of a built dataset, read from its ontology graph."""
    return causal_properties(ds.graph(GRAPH_ONTOLOGY))


class CausalGraph(Explanations):
    """The causal network of a built dataset, with labels, evidence and the ontology's axioms."""

    def __init__(self, ds: Dataset) -> None:
        self.ontology = ds.graph(GRAPH_ONTOLOGY)
        self.asserted = ds.graph(GRAPH_ASSERTED)
        self.inferred = ds.graph(GRAPH_INFERRED)
        self.labels: dict[URIRef, str] = index.labels((self.ontology, self.asserted))
        self.alt_labels: dict[URIRef, list[str]] = index.alt_labels((self.ontology, self.asserted))
        self.types: dict[URIRef, set[URIRef]] = index.types((self.asserted, self.inferred))
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
        self.evidence: dict[tuple, list[Evidence]] = {
            triple: [Evidence(str(e.claim).rsplit("/", 1)[-1], e.quote, e.start or 0, e.end or 0, e.qualifiers)
                     for e in items]
            for triple, items in index.evidence(self.asserted).items()
        }

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
        return index.label(self.labels, term)

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
        close = [self.label(e) for e in self.entities() if folded in self.label(e).casefold()][:MAX_SUGGESTIONS]
        hint = f"; did you mean: {', '.join(close)}" if close else ""
        raise NotFound(f"no entity named {name!r}{hint}")

    def expand(self, name: str) -> str:
        """A full IRI from ``<iri>``, an IRI, or a CURIE with one of crampkg's prefixes
        (:func:`kg.namespaces.expand`)."""
        text = name.strip()
        iri = expand(text)
        if iri != text or "://" in text:
            return iri
        raise CrampkgError(f"{name!r} is neither an IRI nor a CURIE with a known prefix ({', '.join(PREFIXES)})")

    # ----- chains ------------------------------------------------------------------------------------
    def hedge(self, s, p, o) -> str:
        """The article's own words for one link: the wordings of the claims that state it ("can lead to"), or
        for an inferred link the wordings of the links it was inferred from, marked as inferred; "" if the
        article gives none."""
        words = index.qualifier_dict(self.evidence.get((s, p, o), [])).get("wording", [])
        if words or (s, p, o) in self.asserted:
            return index.SAME_STEP.join(words)
        because = self.explain(s, p, o).get("because", [])
        inner = [w for f in because for w in f.get("qualifiers", {}).get("wording", [])]
        return f"{index.SAME_STEP.join(inner)} (inferred)" if inner else ""

    def step_dict(self, s: URIRef, p: URIRef, o: URIRef, asserted: bool) -> dict:
        evidence = self.evidence.get((s, p, o), [])
        step = {
            "from": str(s),
            "from_label": self.label(s),
            "relation": str(p),
            "relation_label": self.label(p),
            "to": str(o),
            "to_label": self.label(o),
            "asserted": asserted,
            "hedge": self.hedge(s, p, o),
            "qualifiers": index.qualifier_dict(evidence),
            "evidence": [e.as_dict() for e in evidence],
        }
        if not asserted:
            step["explanation"] = self.explain(s, p, o)
        return step

    def state_hops(self) -> list[tuple[URIRef, URIRef, URIRef, bool]]:
        """(substance, relation, state, asserted) from each substance to its intake or deficiency states that
        take part in a causal step: how chains start from a substance (vitamin D → excessive vitamin D
        intake → …, magnesium → magnesium deficiency → …)."""
        hops = set()
        for link, inverse in ((CK.hasIntakeState, CK.intakeOf), (CK.hasDeficiencyState, CK.deficiencyStateOf)):
            pairs = set(self.asserted.subject_objects(link)) | {
                (o, s) for s, o in self.asserted.subject_objects(inverse)}
            for substance, state in pairs:
                if self.steps.get(state):
                    hops.add((substance, link, state, (substance, link, state) in self.asserted))
        return sorted(hops)

    def network_edges(self) -> list[tuple[URIRef, URIRef, URIRef, bool]]:
        """(subject, relation, object, asserted) for every edge of the causal network: the steps and the
        substance → state hops. What the explorer draws and what entity pages walk."""
        steps = [(s, p, o, asserted) for s, items in self.steps.items() for p, o, asserted in items]
        return sorted(set(steps) | set(self.state_hops()))

    def _starts(self, source: URIRef) -> list[tuple[URIRef, URIRef, bool]]:
        """The first steps from `source`: its causal edges, or for a substance its intake and deficiency
        states."""
        first = list(self.steps.get(source, []))
        first += [(p, state, asserted) for s, p, state, asserted in self.state_hops() if s == source]
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

    @staticmethod
    def chain_summary(chain: list[dict]) -> str:
        """The article's words along a chain, one hedge per step ("taken as … can lead to … leading to"): a
        chain is only as certain as its weakest step, so the reader sees every step's hedge, not one arrow."""
        return index.SUMMARY_GAP.join(step["hedge"] or step["relation_label"] for step in chain)
