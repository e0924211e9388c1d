"""The verified outside identifiers (from shared/VOCABULARY.md) that entities may link to."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from kg.namespaces import ONTOLOGY_DIR

VOCABULARY_FILE = ONTOLOGY_DIR / "vocabulary.txt"

_OBO = re.compile(r"\b(HP|MONDO|DOID|CHEBI|UBERON|NCIT|MAXO|RO|BFO):(\d{4,8})\b")
_MESH = re.compile(r"\b(D\d{6})\b")
_WIKIDATA = re.compile(r"\b(Q\d+)\b")
_BIOLINK_LINE = re.compile(r"predicates\s*(.*?)categories\s*(.*?)\.\s", re.DOTALL)
_QUDT = re.compile(r"http://qudt\.org/vocab/unit/[A-Za-z-]+")


def identifiers_in_markdown(text: str) -> list[str]:
    """Every outside IRI a VOCABULARY.md names, in a stable order."""
    iris = {f"http://purl.obolibrary.org/obo/{p}_{n}" for p, n in _OBO.findall(text)}
    iris |= {f"http://id.nlm.nih.gov/mesh/{d}" for d in _MESH.findall(text)}
    iris |= {f"http://www.wikidata.org/entity/{q}" for q in _WIKIDATA.findall(text)}
    iris |= set(_QUDT.findall(text))
    m = _BIOLINK_LINE.search(text)
    if m:
        for name in re.findall(r"`([A-Za-z_]+)`", m.group(1) + m.group(2)):
            iris.add(f"https://w3id.org/biolink/vocab/{name}")
    for term in re.findall(r"`(?:schema:)?(maximumIntake|MaximumDoseSchedule|doseValue|doseUnit|frequency|"
                           r"targetPopulation)", text):
        iris.add(f"http://schema.org/{term}")
    return sorted(iris)


@lru_cache(maxsize=2)
def allowed_identifiers(path: Path = VOCABULARY_FILE) -> frozenset[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))
