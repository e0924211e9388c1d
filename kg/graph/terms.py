"""pyoxigraph's terms as rdflib's: the one conversion every reader of a pyoxigraph store or parser uses (the
build's Turtle reader, the fast validator's SPARQL constraints, the serving engine's results).

RDF 1.1 makes a plain string literal an xsd:string, and pyoxigraph reports it so; rdflib writes and compares
`Literal("x")` and `Literal("x", datatype=XSD.string)` as different terms, so a plain string comes back as the
former, the term rdflib's own parsers make. A term it does not know (an RDF-star triple) raises ValueError
rather than passing through as something else.
"""
from __future__ import annotations

import pyoxigraph
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

XSD_STRING = str(XSD.string)


def from_oxigraph(term: object, *, normalize: bool | None = None) -> Node | None:
    """The rdflib term for a pyoxigraph term (None for an unbound variable). `normalize` is rdflib's Literal
    option: None (rdflib's default, as its parsers do: ``"01"^^xsd:integer`` becomes ``"1"``) for data read into
    the build, False to keep the lexical form a store holds, as a query result shows it."""
    if term is None:
        return None
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype), normalize=normalize)
    raise ValueError(f"unsupported RDF term {term!r}")
