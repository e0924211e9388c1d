"""What an entity leads to, and what leads to it: the causal chains through it, as its page shows them.

A page about vitamin D must say where vitamin D leads (hypercalcemia, leg cramps) although those hang off its
intake state, not off vitamin D itself. So chains here walk the explorer's network: the causal steps of
:class:`~kg.chains.CausalGraph`, plus the hop from a substance to its intake or deficiency state
(:meth:`CausalGraph.state_hops`). Downstream, a chain runs from the entity to an end (a node that leads
nowhere further); upstream, from an origin (a node nothing leads to) to the entity, or for a substance to
one of its states. Chains are grouped by that end or origin, each with the explorer link that shows them.

It adds no causal claim of its own: every step is a step of the network, with its quotes, qualifiers and,
for an inferred step, the explanation.
"""
from __future__ import annotations

from urllib.parse import urlencode

from rdflib import URIRef

from .chains import CausalGraph
from .namespaces import CK, CLAIM, ID

MAX_STEPS = 12
MAX_CHAINS = 200  # per direction; the article's network gives at most a few dozen

QUALIFIERS = (CK.qualifier, CK.directness, CK.doseCondition)


def slug(iri: URIRef) -> str:
    return str(iri).removeprefix(str(ID))


def page_path(iri: URIRef) -> str | None:
    text = str(iri)
    return "/id/" + text[len(str(ID)):] if text.startswith(str(ID)) and len(text) > len(str(ID)) else None


def explorer_href(source: URIRef, target: URIRef, index: int | None = None) -> str:
    """The explorer showing the chains from `source` to `target` (and selecting chain `index`)."""
    params = {"from": slug(source), "to": slug(target)}
    if index is not None:
        params["chain"] = str(index)
    return "/?" + urlencode(params)


def qualifiers(causal: CausalGraph, claim: str) -> list[dict]:
    """The claim's qualifiers in the article's words ("may", "direct", "above the upper limit")."""
    iri = CLAIM[claim]
    return [{"name": causal.label(q), "value": str(v)} for q in QUALIFIERS
            for v in sorted(causal.asserted.objects(iri, q))]


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


def _evidence(causal: CausalGraph, items: list[dict]) -> list[dict]:
    return [{**e, "href": f"/article?claim={e['claim']}#claim-{e['claim']}",
             "qualifiers": qualifiers(causal, e["claim"])} for e in items]


def _step(causal: CausalGraph, s: URIRef, p: URIRef, o: URIRef, asserted: bool) -> dict:
    step = causal.step_dict(s, p, o, asserted)
    step["from_href"], step["to_href"] = page_path(s), page_path(o)
    step["evidence"] = _evidence(causal, step["evidence"])
    if step.get("explanation"):  # the facts an inferred step rests on, linked like the step itself
        step["explanation"] = {**step["explanation"], "because": [
            {**f, "subject_href": page_path(URIRef(f["subject"])),
             "object_href": page_path(URIRef(f["object"])) if f["object"].startswith("http") else None,
             "evidence": _evidence(causal, f["evidence"])}
            for f in step["explanation"].get("because", [])]}
    return step


def _chain(causal: CausalGraph, path: list[tuple]) -> dict:
    """A chain for the page: its steps, its text, and the explorer link that selects it."""
    steps = [_step(causal, *t) for t in path]
    source, target = path[0][0], path[-1][2]
    listed = causal.chains(source, target)
    wanted = [(str(s), str(p), str(o)) for s, p, o, _ in path]
    index = next((i for i, c in enumerate(listed)
                  if [(x["from"], x["relation"], x["to"]) for x in c] == wanted), None)
    return {"text": causal.chain_text(steps), "steps": steps, "explorer": explorer_href(source, target, index)}


def _groups(causal: CausalGraph, paths: list[list[tuple]], *, by_end: bool) -> list[dict]:
    groups: dict[URIRef, list] = {}
    for path in paths:
        key = path[-1][2] if by_end else path[0][0]
        groups.setdefault(key, []).append(path)
    out = []
    for key, members in groups.items():
        members.sort(key=lambda c: (len(c), [causal.label(t[2]) for t in c]))
        first = members[0]
        source, target = first[0][0], first[-1][2]
        out.append({"node": {"text": causal.label(key), "href": page_path(key), "iri": str(key)},
                    "chains": [_chain(causal, c) for c in members],
                    "explorer": explorer_href(source, target)})
    out.sort(key=lambda g: (-len(g["chains"]), g["node"]["text"].casefold()))
    return out


def states_of(causal: CausalGraph, iri: URIRef) -> list[dict]:
    """A substance's intake and deficiency states that take part in the network, with how they relate."""
    return [{"relation": causal.label(p), "kind": "intake state" if p == CK.hasIntakeState else "deficiency state",
             "state": {"text": causal.label(o), "href": page_path(o), "iri": str(o)}}
            for s, p, o, _ in causal.state_hops() if s == iri]


def pathways(causal: CausalGraph, iri: URIRef) -> dict:
    """What `iri` leads to and what leads to it, as chains grouped by their end or origin.

    ``{"leads_to": [group], "led_to_by": [group], "through": [state]}``; a group is ``{"node": {text, href,
    iri}, "chains": [{text, steps, explorer}], "explorer": href}``. For a substance, `through` names the
    intake or deficiency states its chains pass through, and the chains that lead to it end at those states.
    """
    forward, backward = _network(causal)
    downstream = _walk(iri, forward, frozenset())
    states = [URIRef(s["state"]["iri"]) for s in states_of(causal, iri)]
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
    return {"leads_to": _groups(causal, downstream, by_end=True),
            "led_to_by": _groups(causal, upstream, by_end=False),
            "through": states_of(causal, iri)}
