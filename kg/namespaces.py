"""The one place that knows crampkg's IRIs, graph names, prefixes and shipped files, and the only
:func:`curie` / :func:`expand` / :func:`slug` that turn IRIs into short names and back."""
from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

DISCLAIMER = "crampkg is an educational model of one article, not medical advice."

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = ROOT / "ontology"
QUERIES_DIR = ROOT / "queries"
BUILD_DIR = ROOT / "build"
DATASET_FILE = "crampkg.nq"  # the build's output in BUILD_DIR (or `crampkg --out DIR`): sorted N-Quads
SUMMARY_FILE = "summary.json"  # beside it: what `crampkg summary` prints
ARTICLE_PATH = ONTOLOGY_DIR / "sources" / "leg-cramps-and-vitamin-supplements.txt"
ARTICLE_SHA256 = "5dbec31bcea9fc7d2b926175b0cb273197cf784256d419632e1a80145d3f83f8"

CK = Namespace("https://w3id.org/crampkg/ontology#")
ID = Namespace("https://w3id.org/crampkg/id/")
CLAIM = Namespace("https://w3id.org/crampkg/id/claim/")
GRAPH = Namespace("https://w3id.org/crampkg/graph/")
OA = Namespace("http://www.w3.org/ns/oa#")
QUDT = Namespace("http://qudt.org/schema/qudt/")
UNIT = Namespace("http://qudt.org/vocab/unit/")
OBO = Namespace("http://purl.obolibrary.org/obo/")
BIOLINK = Namespace("https://w3id.org/biolink/vocab/")
SCHEMA = Namespace("http://schema.org/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")

ONTOLOGY_IRI = URIRef("https://w3id.org/crampkg/ontology")
# The JSON-LD context of the exports: embedded in them by default, and served at /context.jsonld.
CONTEXT_PATH = Path(__file__).resolve().parent / "context.jsonld"
ARTICLE = ID["article"]

GRAPH_ONTOLOGY = GRAPH["ontology"]
GRAPH_ASSERTED = GRAPH["asserted"]
GRAPH_INFERRED = GRAPH["inferred"]
GRAPHS = {"ontology": GRAPH_ONTOLOGY, "asserted": GRAPH_ASSERTED, "inferred": GRAPH_INFERRED}

PREFIXES = {
    "ck": CK,
    "id": ID,
    "claim": CLAIM,
    "graph": GRAPH,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "oa": OA,
    "qudt": QUDT,
    "unit": UNIT,
    "obo": OBO,
    "biolink": BIOLINK,
    "mesh": Namespace("http://id.nlm.nih.gov/mesh/"),
    "wd": Namespace("http://www.wikidata.org/entity/"),
    "schema": SCHEMA,
    "sd": SD,
    "void": VOID,
}


def longest_first(prefixes: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    """A prefix table as (prefix, namespace) pairs, longest namespace first, the order :func:`curie` tries."""
    return tuple(sorted(((prefix, str(ns)) for prefix, ns in prefixes.items()), key=lambda kv: -len(kv[1])))


_PREFIXES_LONGEST_FIRST = longest_first(PREFIXES)


def curie(iri, prefixes: tuple[tuple[str, str], ...] = _PREFIXES_LONGEST_FIRST) -> str | None:
    """``prefix:local`` for the longest namespace of ``prefixes`` (crampkg's by default, see
    :func:`longest_first`) that ``iri`` starts with and goes beyond; None when no namespace fits."""
    text = str(iri)
    for prefix, ns in prefixes:
        if text.startswith(ns) and len(text) > len(ns):
            return f"{prefix}:{text[len(ns):]}"
    return None


def expand(value: str, prefixes: Mapping[str, object] = PREFIXES) -> str:
    """The IRI of ``<iri>`` or of a CURIE whose prefix is in ``prefixes``; any other value comes back as it is,
    for the caller to accept as an IRI or refuse (``http://x`` is an IRI, not the CURIE ``http:`` + ``//x``)."""
    if value.startswith("<") and value.endswith(">"):
        return value[1:-1]
    prefix, sep, local = value.partition(":")
    if sep and prefix in prefixes and not local.startswith("//"):
        return str(prefixes[prefix]) + local
    return value


def slug(iri) -> str:
    """An entity's name in crampkg's URLs and element ids: its IRI without the ``id:`` namespace."""
    return str(iri).removeprefix(str(ID))


def local_name(iri) -> str:
    """The part of an IRI after the last `#` or `/`."""
    return re.split(r"[#/]", str(iri))[-1]


def is_entity(term) -> bool:
    """An entity of the article (id:…), not a claim or its evidence."""
    return isinstance(term, URIRef) and str(term).startswith(str(ID)) and not str(term).startswith(str(CLAIM))


def sparql_prologue() -> str:
    """PREFIX lines for every prefix above, for queries written in code."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def bind_prefixes(graph) -> None:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
