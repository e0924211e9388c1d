"""Compact identifiers (CURIEs) for the property-graph exports (Neo4j, KGX, GraphML, Cytoscape.js, DOT, Mermaid).

crampkg's own terms use the prefixes `CRAMPKG:` (entities and claims, https://w3id.org/crampkg/id/) and `CK:`
(ontology terms); outside identifiers use their usual prefixes (HP:0003394, MESH:D009120, WIKIDATA:Q175621).
"""
from __future__ import annotations

import re

from .. import namespaces
from ..namespaces import BIOLINK, CK, ID, OBO, PREFIXES, QUDT, UNIT, local_name, longest_first

__all__ = ["CURIE_PREFIXES", "curie", "expand", "local_name"]

CURIE_PREFIXES: dict[str, str] = {
    "CRAMPKG": str(ID),
    "CK": str(CK),
    "MESH": str(PREFIXES["mesh"]),
    "WIKIDATA": str(PREFIXES["wd"]),
    "biolink": str(BIOLINK),
    "UNIT": str(UNIT),
    "QUDT": str(QUDT),
}
# Remaining crampkg prefixes (rdf, rdfs, owl, skos, oa, prov, schema …) keep their usual short names.
for _name, _ns in PREFIXES.items():
    if str(_ns) not in CURIE_PREFIXES.values() and str(_ns) != str(OBO) and _name not in ("claim", "graph"):
        CURIE_PREFIXES[_name] = str(_ns)
_LONGEST_FIRST = longest_first(CURIE_PREFIXES)
_OBO_LOCAL = re.compile(r"^([A-Za-z]+)_(\w+)$")


def curie(iri: str) -> str:
    """`https://w3id.org/crampkg/id/vitamin-d` → `CRAMPKG:vitamin-d`; `…/obo/HP_0003394` → `HP:0003394`.

    >>> curie("http://purl.obolibrary.org/obo/HP_0003394")
    'HP:0003394'
    >>> curie("https://w3id.org/crampkg/id/vitamin-d")
    'CRAMPKG:vitamin-d'
    """
    iri = str(iri)
    if iri.startswith(str(OBO)):
        m = _OBO_LOCAL.match(iri[len(str(OBO)):])
        if m:
            return f"{m.group(1)}:{m.group(2)}"
    return namespaces.curie(iri, _LONGEST_FIRST) or iri


def expand(value: str) -> str:
    """The IRI of a CURIE made by :func:`curie` (the inverse, for checking)."""
    iri = namespaces.expand(value, CURIE_PREFIXES)
    if iri != value:
        return iri
    prefix, _, local = value.partition(":")
    if re.fullmatch(r"[A-Za-z]+", prefix) and prefix.isupper():
        return f"{OBO}{prefix}_{local}"
    return value
