"""The SPARQL 1.1 Service Description of crampkg's endpoint, as triples."""
from __future__ import annotations

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg.namespaces import SD, VOID
from kg.query.formats import FORMATS, Result


def service_description(endpoint: str, graph_sizes: dict[str, int]) -> Result:
    """``sd:Service`` for ``endpoint``: language, formats, the default dataset and its named graphs."""
    service = URIRef(endpoint)
    dataset, default = BNode("dataset"), BNode("defaultGraph")
    t = [
        (service, RDF.type, SD.Service),
        (service, SD.endpoint, service),
        (service, SD.supportedLanguage, SD.SPARQL11Query),
        (service, SD.feature, SD.UnionDefaultGraph),
        (service, SD.defaultDataset, dataset),
        (dataset, RDF.type, SD.Dataset),
        (dataset, SD.defaultGraph, default),
        (default, RDF.type, SD.Graph),
        (default, VOID.triples, Literal(sum(graph_sizes.values()), datatype=XSD.integer)),
    ]
    for fmt in FORMATS:
        t.append((service, SD.resultFormat, URIRef(fmt.w3c)))
    for i, (name, size) in enumerate(sorted(graph_sizes.items())):
        named, graph = BNode(f"named{i}"), BNode(f"graph{i}")
        t += [
            (dataset, SD.namedGraph, named),
            (named, RDF.type, SD.NamedGraph),
            (named, SD.name, URIRef(name)),
            (named, SD.graph, graph),
            (graph, RDF.type, SD.Graph),
            (graph, VOID.triples, Literal(size, datatype=XSD.integer)),
        ]
    return Result("CONSTRUCT", triples=t)
