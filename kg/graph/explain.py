"""Why an inferred triple holds: the OWL 2 RL rule that derived it and the triples it used, down to the asserted
ones and their evidence.

The rules are those the closure (:mod:`kg.build.closure`) applies to crampkg's ontology: inverse properties,
property chains, sub-properties, transitivity, ``owl:hasValue`` and ``owl:intersectionOf`` classes, sub-classes,
domain and range. They are methods of :class:`~kg.graph.chains.CausalGraph` (through :class:`Explanations`),
which supplies the graphs, the axioms, the labels, the evidence and the causal steps; a triple no rule explains
is reported as derived by the closure, never guessed at.
"""
from __future__ import annotations

from collections import deque

from rdflib import URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.errors import NotFound
from kg.graph import index
from kg.namespaces import CK


class Explanations:
    """The explanation rules, mixed into :class:`~kg.graph.chains.CausalGraph`."""

    def _fact(self, s, p, o) -> dict:
        asserted = (s, p, o) in self.asserted or (s, p, o) in self.ontology
        evidence = self.evidence.get((s, p, o), [])
        return {
            "subject": str(s), "subject_label": self.label(s),
            "predicate": str(p), "predicate_label": self.label(p),
            "object": str(o), "object_label": self.label(o),
            "asserted": asserted,
            "qualifiers": index.qualifier_dict(evidence),
            "evidence": [e.as_dict() for e in evidence],
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
                because = [self._fact(*f) for f in facts]
                explained = {"asserted": False, "rule": name, "rule_text": text, "because": because}
                if name == "prp-trp":
                    # the shortcut has no words of its own: it is as hedged as the steps it stands for
                    words = [index.SAME_STEP.join(f["qualifiers"].get("wording", [])) or f["predicate_label"]
                             for f in because]
                    explained["summary"] = index.SUMMARY_GAP.join(words)
                return explained
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
