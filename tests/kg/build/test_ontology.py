"""The ontology's header and documentation, and the links to outside vocabularies."""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kg.build.vocabulary import VOCABULARY_FILE, allowed_identifiers, identifiers_in_markdown
from kg.namespaces import CK, ONTOLOGY_DIR, ONTOLOGY_IRI

SHARED_VOCABULARY = Path(__file__).resolve().parents[4] / "shared" / "VOCABULARY.md"


@pytest.fixture(scope="module")
def schema() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "crampkg.ttl")


def test_ontology_header(schema):
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in schema
    for prop in (OWL.versionIRI, DCTERMS.title, DCTERMS.description, DCTERMS.license, DCTERMS.created):
        assert schema.value(ONTOLOGY_IRI, prop) is not None, prop


def test_every_term_has_an_english_label_and_definition(schema):
    terms = [t for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
             for t in schema.subjects(RDF.type, kind) if isinstance(t, URIRef)]
    assert len(terms) > 60
    for term in terms:
        assert str(term).startswith(str(CK)), term
        labels = [lab for lab in schema.objects(term, RDFS.label) if lab.language == "en"]
        definitions = [d for d in schema.objects(term, SKOS.definition) if d.language == "en"]
        assert labels and definitions, term


def test_vocabulary_allow_list_matches_shared_vocabulary():
    if not SHARED_VOCABULARY.exists():
        raise AssertionError(f"{SHARED_VOCABULARY} is missing: cannot check the allow-list against it")
    expected = identifiers_in_markdown(SHARED_VOCABULARY.read_text(encoding="utf-8"))
    assert sorted(allowed_identifiers(VOCABULARY_FILE)) == expected


def test_every_outside_link_is_verified(dataset):
    allowed = allowed_identifiers(VOCABULARY_FILE)
    links = list(dataset.triples((None, SKOS.exactMatch, None))) + list(dataset.triples((None, SKOS.closeMatch, None)))
    assert len(links) > 40
    for s, _, o in links:
        assert str(o) in allowed, (s, o)


def test_limits_belong_to_the_right_substance(dataset):
    from kg.namespaces import ID, QUDT, UNIT

    d_limit = dataset.value(ID["vitamin-d"], CK.hasUpperLimit)
    b6_limit = dataset.value(ID["vitamin-b6"], CK.hasUpperLimit)
    assert dataset.value(d_limit, QUDT.hasUnit) == UNIT.IU
    assert float(dataset.value(d_limit, QUDT.numericValue)) == 4000
    assert dataset.value(b6_limit, QUDT.hasUnit) == UNIT["MilliGM-PER-DAY"]
    assert float(dataset.value(b6_limit, QUDT.numericValue)) == 100
    assert str(dataset.value(b6_limit, CK.targetPopulation)) == "adults"
