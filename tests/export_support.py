"""Helpers for the export tests: a small fixture dataset with hostile literals, expected counts computed with
SPARQL straight from an rdflib dataset (never from an exporter), and the independent RDF readers."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from kg.namespaces import (
    ARTICLE,
    BIOLINK,
    CK,
    CLAIM,
    GRAPH_ASSERTED,
    GRAPH_INFERRED,
    GRAPH_ONTOLOGY,
    ID,
    OA,
    OBO,
    bind_prefixes,
    sparql_prologue,
)

# Every literal below must come back unchanged from every format.
LONG = ("Leg cramps, “quoted”, ‘single’, it’s; tab\there, newline\nthere, back\\slash, <angle> & amp, "
        "ünïcödé 🦵 — ") * 400  # ~40 000 characters
TRICKY_LABEL = 'He said "stop", then it\u2019s\tgone;\nnew line, comma | pipe & <tag> \\ end'
TRICKY_QUOTE = "quote with \"double\" and 'single' quotes,\ttab, newline\nand a curly apostrophe \u2019; ü 🦵"
TRICKY_SYNONYMS = ("synonym; with semicolon", "tab\tand newline\nin synonym", "d’apostrophe, comma")
TRICKY_NOTE = 'note "quoted" \\ back\\slash\r-free'
CHARACTERISTICS = ("sudden", "painful; sharp")


def tricky_dataset() -> Dataset:
    """Three named graphs like the real build, small, with literals that break naive writers."""
    ds = Dataset(default_union=True)
    bind_prefixes(ds)
    onto, asserted, inferred = ds.graph(GRAPH_ONTOLOGY), ds.graph(GRAPH_ASSERTED), ds.graph(GRAPH_INFERRED)
    thing, cramp, risk = ID["tricky-thing"], ID["tricky-cramp"], CK.TrickyRisk

    for cls, label in ((CK.Condition, "condition"), (CK.Substance, "substance"), (risk, "risk")):
        onto.add((cls, RDF.type, OWL.Class))
        onto.add((cls, RDFS.label, Literal(label, lang="en")))
    onto.add((CK.causallyUpstreamOf, RDF.type, OWL.TransitiveProperty))
    onto.add((CK.causallyUpstreamOf, RDFS.label, Literal("causally upstream of", lang="en")))
    onto.add((CK.causes, RDFS.subPropertyOf, CK.causallyUpstreamOf))
    onto.add((CK.causes, RDFS.label, Literal("causes", lang="en")))
    onto.add((CK.causes, SKOS.closeMatch, BIOLINK.causes))
    restriction = BNode()
    onto.add((risk, OWL.equivalentClass, restriction))
    onto.add((restriction, RDF.type, OWL.Restriction))
    onto.add((restriction, OWL.onProperty, CK.causallyUpstreamOf))
    onto.add((restriction, OWL.hasValue, cramp))
    disjoint, members = BNode(), BNode()
    onto.add((disjoint, RDF.type, OWL.AllDisjointClasses))
    onto.add((disjoint, OWL.members, members))
    Collection(onto, members, [CK.Condition, CK.Substance])

    asserted.add((thing, RDF.type, CK.Substance))
    asserted.add((thing, RDFS.label, Literal(TRICKY_LABEL, lang="en")))
    asserted.add((thing, SKOS.definition, Literal(LONG, lang="en")))
    for synonym in TRICKY_SYNONYMS:
        asserted.add((thing, SKOS.altLabel, Literal(synonym, lang="en")))
    asserted.add((thing, SKOS.exactMatch, OBO["CHEBI_27300"]))
    asserted.add((thing, CK.note, Literal(TRICKY_NOTE)))
    for value in CHARACTERISTICS:
        asserted.add((thing, CK.characteristic, Literal(value, lang="en")))
    asserted.add((thing, CK.accumulatesInBody, Literal(True)))
    asserted.add((cramp, RDF.type, CK.Condition))
    asserted.add((cramp, RDFS.label, Literal("tricky cramp", lang="en")))
    asserted.add((thing, CK.causes, cramp))
    claim = CLAIM["tricky-thing-causes-cramp"]
    evidence, quote, position = (URIRef(f"{claim}/evidence{s}") for s in ("", "/quote", "/position"))
    for t in [
        (claim, RDF.type, CK.Claim), (claim, RDF.subject, thing), (claim, RDF.predicate, CK.causes),
        (claim, RDF.object, cramp), (claim, CK.qualifier, Literal("can")), (claim, CK.hasEvidence, evidence),
        (claim, CK.claimOf, thing), (claim, CK.claimOf, cramp),
        (evidence, RDF.type, OA.SpecificResource), (evidence, OA.hasSource, ARTICLE),
        (evidence, OA.hasSelector, quote), (evidence, OA.hasSelector, position),
        (quote, RDF.type, OA.TextQuoteSelector), (quote, OA.exact, Literal(TRICKY_QUOTE)),
        (position, RDF.type, OA.TextPositionSelector),
        (position, OA.start, Literal(7, datatype=XSD.nonNegativeInteger)),
        (position, OA.end, Literal(7 + len(TRICKY_QUOTE), datatype=XSD.nonNegativeInteger)),
    ]:
        asserted.add(t)
    inferred.add((thing, CK.causallyUpstreamOf, cramp))
    inferred.add((thing, RDF.type, risk))
    return ds


# --- expectations, from the dataset with SPARQL ------------------------------------------------------

def _q(ds: Dataset, text: str):
    return list(ds.query(sparql_prologue() + text))


GRAPHS_OF = {
    ("all", True): [GRAPH_ONTOLOGY, GRAPH_ASSERTED, GRAPH_INFERRED], ("all", False): [GRAPH_ONTOLOGY, GRAPH_ASSERTED],
    ("asserted", True): [GRAPH_ASSERTED, GRAPH_INFERRED], ("asserted", False): [GRAPH_ASSERTED],
    ("causal", True): [GRAPH_ASSERTED, GRAPH_INFERRED], ("causal", False): [GRAPH_ASSERTED],
}
ENTITY = f'STRSTARTS(STR(?{{v}}), "{ID}") && !STRSTARTS(STR(?{{v}}), "{CLAIM}")'


def entity_filter(var: str) -> str:
    return ENTITY.format(v=var)


_CACHE: dict = {}


def cached(fn):
    """Memoise an expectation per (dataset object, arguments): the datasets are not changed by the tests."""
    def wrapper(ds, *args):
        key = (fn.__name__, id(ds), args)
        if key not in _CACHE:
            _CACHE[key] = (ds, fn(ds, *args))
        return _CACHE[key][1]
    wrapper.__doc__ = fn.__doc__
    return wrapper


@cached
def expected_quads(ds: Dataset, content: str, inferred: bool) -> dict[URIRef, Graph]:
    """graph name → triples an export of `content` should hold."""
    out: dict[URIRef, Graph] = {}
    graphs = GRAPHS_OF[(content, inferred)]
    if content != "causal":
        for g in graphs:
            out[g] = Graph()
            for t in ds.graph(g):
                out[g].add(t)
        return out
    values = " ".join(f"<{g}>" for g in graphs)
    rows = _q(ds, f"""SELECT DISTINCT ?g ?s ?p ?o WHERE {{
        VALUES ?g {{ {values} }}
        GRAPH ?g {{ ?s ?p ?o }}
        {{ SELECT DISTINCT ?p WHERE {{ ?p rdfs:subPropertyOf* ck:causallyUpstreamOf }} }}
        FILTER({entity_filter("s")} && {entity_filter("o")}) }}""")
    for g, s, p, o in rows:
        out.setdefault(g, Graph()).add((s, p, o))
    edges = [(s, p, o) for _, s, p, o in rows]
    nodes = {x for s, _, o in edges for x in (s, o)}
    asserted = out.setdefault(GRAPH_ASSERTED, Graph())
    for n in nodes:
        for label in ds.graph(GRAPH_ASSERTED).objects(n, RDFS.label):
            asserted.add((n, RDFS.label, label))
    claims = _q(ds, f"""SELECT ?c ?s ?p ?o WHERE {{ GRAPH <{GRAPH_ASSERTED}> {{
        ?c a ck:Claim ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }} }}""")
    wanted = {str(c) for c, s, p, o in claims if (s, p, o) in set(edges)}
    for s2, p2, o2 in ds.graph(GRAPH_ASSERTED):
        if str(s2) in wanted or ("/evidence" in str(s2) and str(s2).split("/evidence")[0] in wanted):
            asserted.add((s2, p2, o2))
    return {g: graph for g, graph in out.items() if len(graph)}


def union_of(graphs: dict[URIRef, Graph]) -> Graph:
    g = Graph()
    for part in graphs.values():
        for t in part:
            g.add(t)
    return g


@cached
def expected_property_graph(ds: Dataset, content: str, inferred: bool) -> tuple[set[str], int]:
    """(node IRIs, number of edges) of the property-graph exports, counted with SPARQL.

    Nodes: entities (id:…, not claims) in the included graphs, plus crampkg classes for `all`; for `causal`
    the ends of causal edges. Edges: triples between two nodes (a triple in two graphs counts once), one per
    backing claim for asserted triples; a definition's dcterms:source is not an edge."""
    graphs = GRAPHS_OF[(content, inferred)]
    values = " ".join(f"<{g}>" for g in graphs)
    if content == "causal":
        rows = _q(ds, f"""SELECT DISTINCT ?s ?o WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }}
            {{ SELECT DISTINCT ?p WHERE {{ ?p rdfs:subPropertyOf* ck:causallyUpstreamOf }} }}
            FILTER({entity_filter("s")} && {entity_filter("o")}) }}""")
        nodes = {x for s, o in rows for x in (s, o)}
    else:
        nodes = {r[0] for r in _q(ds, f"""SELECT DISTINCT ?n WHERE {{ VALUES ?g {{ {values} }}
            GRAPH ?g {{ {{ ?n ?p ?o }} UNION {{ ?s ?p ?n }} }} FILTER({entity_filter("n")}) }}""")}
        if content == "all":
            nodes |= {r[0] for r in _q(ds, f"""SELECT ?c WHERE {{ GRAPH <{GRAPH_ONTOLOGY}> {{ ?c a owl:Class }}
                FILTER(STRSTARTS(STR(?c), "{CK}")) }}""")}
    triples = set()
    for g in graphs:
        for s, p, o in ds.graph(g):
            # dcterms:source (where a definition comes from) is a node property, never an edge
            if s in nodes and o in nodes and p != DCTERMS.source and (content != "causal" or _is_causal(ds, p)):
                triples.add((s, p, o, g == GRAPH_ASSERTED))
    edges = 0
    seen = set()
    for s, p, o, from_asserted in sorted(triples, key=lambda t: not t[3]):
        if (s, p, o) in seen:
            continue
        seen.add((s, p, o))
        claims = len(_q(ds, f"""SELECT ?c WHERE {{ GRAPH <{GRAPH_ASSERTED}> {{ ?c a ck:Claim ; rdf:subject <{s}> ;
            rdf:predicate <{p}> ; rdf:object {o.n3()} }} }}""")) if from_asserted else 0
        edges += max(1, claims)
    return {str(n) for n in nodes}, edges


def _is_causal(ds: Dataset, p) -> bool:
    return bool(ds.query(sparql_prologue() + f"ASK {{ <{p}> rdfs:subPropertyOf* ck:causallyUpstreamOf }}").askAnswer)


# --- independent readers -----------------------------------------------------------------------------

def cypher_unescape(text: str) -> str:
    """The text of a Cypher string literal's body (without its quotes), its backslash escapes decoded."""
    table = {"n": "\n", "t": "\t", "r": "\r", "'": "'", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: table.get(m.group(1), "\\" + m.group(1)), text)


def tool(name: str, package: str) -> str:
    path = shutil.which(name)
    assert path, f"`{name}` is missing: install the Debian package {package} (make system-deps)"
    return path


def rapper_count(path: Path, syntax: str) -> int:
    """Triples Raptor's rapper parses from `path` (it must exit 0)."""
    proc = subprocess.run([tool("rapper", "raptor2-utils"), "-i", syntax, "-c", str(path)],
                          check=False, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"rapper -i {syntax} failed on {path}: {proc.stderr[-2000:]}"
    marker = "Parsing returned "
    line = next(line for line in proc.stderr.splitlines() if marker in line)
    return int(line.split(marker)[1].split()[0])


def serdi_count(path: Path, syntax: str) -> int:
    """Statements serd's serdi parses from `path`, re-written as N-Quads (it must exit 0)."""
    proc = subprocess.run([tool("serdi", "serdi"), "-i", syntax, "-o", "nquads", str(path)],
                          check=False, capture_output=True, timeout=120)
    assert proc.returncode == 0, f"serdi -i {syntax} failed on {path}: {proc.stderr.decode()[-2000:]}"
    return sum(1 for line in proc.stdout.decode("utf-8").splitlines() if line.strip())
