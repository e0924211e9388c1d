"""The one place that knows crampkg's IRIs, graph names and shipped files."""
from __future__ import annotations

from pathlib import Path

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

DISCLAIMER = "crampkg is an educational model of one article, not medical advice."

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = ROOT / "ontology"
QUERIES_DIR = ROOT / "queries"
BUILD_DIR = ROOT / "build"
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


def sparql_prologue() -> str:
    """PREFIX lines for every prefix above, for queries written in code."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def bind_prefixes(graph) -> None:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
