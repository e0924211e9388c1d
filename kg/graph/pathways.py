"""What an entity leads to, and what leads to it: the causal chains through it, as its page shows them.

A page about vitamin D must say where vitamin D leads (hypercalcemia, leg cramps) although those hang off its
intake state, not off vitamin D itself. So chains here walk the explorer's network: the causal steps of
:class:`~kg.graph.chains.CausalGraph`, plus the hop from a substance to its intake or deficiency state
(:meth:`CausalGraph.state_hops`). Downstream, a chain runs from the entity to an end (a node that leads
nowhere further); upstream, from an origin (a node nothing leads to) to the entity, or for a substance to
one of its states. Chains are grouped by that end or origin, each with where the explorer shows it (its two
ends and its index there); the pages turn that, and the IRIs, into links.

It adds no causal claim of its own: every step is a step of the network, with its quotes, qualifiers and,
for an inferred step, the explanation.
"""
from __future__ import annotations

from rdflib import URIRef

from kg.graph.chains import MAX_STEPS, CausalGraph
from kg.graph.index import claim_qualifiers
from kg.namespaces import CK, CLAIM

MAX_CHAINS = 200  # per direction; the article's network gives at most a few dozen


def qualifiers(causal: CausalGraph, claim: str) -> list[dict]:
    """The claim's qualifiers in the article's words ("may", "direct", "above the upper limit")."""
    return [{"name": causal.label(q), "value": str(v)} for q, v in claim_qualifiers(causal.asserted, CLAIM[claim])]


def _network(causal: CausalGraph) -> tuple[dict, dict]:
    """Forward and backward edges of the explorer's network: {node: [(relation, other, asserted)]}."""
    forward: dict[URIRef, list] = {}
    backward: dict[URIRef, list] = {}
    for s, p, o, asserted in causal.network_edges():
        forward.setdefault(s, []).append((p, o, asserted))
        backward.setdefault(o, []).append((p, s, asserted))
    return forward, backward


def _walk(start: URIRef, edges: dict, avoid: frozenset) -> list[list[tuple]]:
    """Every simple path from `start` along `edges` to a node with no further edge (as (node, p, next,
    asserted) tuples), never entering `avoid`."""
    found: list[list[tuple]] = []

    def go(node: URIRef, path: list[tuple], seen: set) -> None:
        if len(found) >= MAX_CHAINS:
            return
        nexts = [(p, o, a) for p, o, a in edges.get(node, []) if o not in seen and o not in avoid]
        if (not nexts or len(path) >= MAX_STEPS) and path:
            found.append(path)
            return
        for p, o, a in nexts:
            go(o, [*path, (node, p, o, a)], seen | {o})

    go(start, [], {start})
    return found


def _chain(causal: CausalGraph, path: list[tuple], shown: dict) -> dict:
    """A chain: its steps (:meth:`CausalGraph.step_dict`, each quote with its claim's qualifiers), its text,
    and where the explorer shows it: the chain ``index`` among the chains from ``source`` to ``target``.

    ``shown`` keeps the explorer's chains per (source, target) for one :func:`pathways` call: the chains of a
    group share their ends, and searching them again for each chain repeated the same search."""
    steps = [causal.step_dict(*t) for t in path]
    for step in steps:
        step["evidence"] = [{**e, "qualifiers": qualifiers(causal, e["claim"])} for e in step["evidence"]]
    source, target = path[0][0], path[-1][2]
    if (source, target) not in shown:
        shown[(source, target)] = [[(x["from"], x["relation"], x["to"]) for x in c]
                                   for c in causal.chains(source, target)]
    wanted = [(str(s), str(p), str(o)) for s, p, o, _ in path]
    index = next((i for i, c in enumerate(shown[(source, target)]) if c == wanted), None)
    return {"text": causal.chain_text(steps), "steps": steps, "source": source, "target": target,
            "index": index}


def _groups(causal: CausalGraph, paths: list[list[tuple]], shown: dict, *, by_end: bool) -> list[dict]:
    groups: dict[URIRef, list] = {}
    for path in paths:
        key = path[-1][2] if by_end else path[0][0]
        groups.setdefault(key, []).append(path)
    out = []
    for key, members in groups.items():
        members.sort(key=lambda c: (len(c), [causal.label(t[2]) for t in c]))
        out.append({"node": key, "label": causal.label(key), "chains": [_chain(causal, c, shown) for c in members],
                    "source": members[0][0][0], "target": members[0][-1][2]})
    out.sort(key=lambda g: (-len(g["chains"]), g["label"].casefold()))
    return out


def states_of(causal: CausalGraph, iri: URIRef) -> list[dict]:
    """A substance's intake and deficiency states that take part in the network."""
    return [{"state": o, "label": causal.label(o),
             "kind": "intake state" if p == CK.hasIntakeState else "deficiency state"}
            for s, p, o, _ in causal.state_hops() if s == iri]


def pathways(causal: CausalGraph, iri: URIRef) -> dict:
    """What `iri` leads to and what leads to it, as chains grouped by their end or origin.

    ``{"leads_to": [group], "led_to_by": [group], "through": [state]}``; a group is ``{"node", "label",
    "chains", "source", "target"}`` (the explorer shows the group's chains from ``source`` to ``target``), a
    chain ``{"text", "steps", "source", "target", "index"}``. For a substance, `through` names the intake or
    deficiency states its chains pass through, and the chains that lead to it end at those states.
    """
    forward, backward = _network(causal)
    downstream = _walk(iri, forward, frozenset())
    states = [s["state"] for s in states_of(causal, iri)]
    hops = {(s, p, o) for s, p, o, _ in causal.state_hops()}
    upstream = []
    for end in ([iri] + states):
        # walked backwards from `end`, then turned round so each chain reads from its origin; a substance's
        # own hop to its state is not something that leads to the substance
        for path in _walk(end, backward, frozenset({iri}) if end != iri else frozenset()):
            chain = [(o, p, s, a) for s, p, o, a in reversed(path)]
            if len(chain) == 1 and chain[0][:3] in hops:
                continue  # "magnesium has deficiency state magnesium deficiency" is not a cause of it
            upstream.append(chain)
    shown: dict = {}
    return {"leads_to": _groups(causal, downstream, shown, by_end=True),
            "led_to_by": _groups(causal, upstream, shown, by_end=False),
            "through": states_of(causal, iri)}
