"""The ontology's header and documentation, and the links to outside vocabularies."""
from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kg.build.vocabulary import VOCABULARY_FILE, allowed_identifiers
from kg.namespaces import CK, ONTOLOGY_DIR, ONTOLOGY_IRI


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


def test_every_outside_link_is_verified(dataset):
    allowed = allowed_identifiers(VOCABULARY_FILE)
    from kg.build.closure import MATCHES

    links = [t for p in MATCHES for t in dataset.triples((None, p, None))]
    assert len(links) > 40
    for s, _, o in links:
        assert str(o) in allowed, (s, o)


def test_limits_belong_to_the_right_substance(dataset):
    from kg.namespaces import ID, SCHEMA

    d_limit = dataset.value(ID["vitamin-d"], CK.hasUpperLimit)
    b6_limit = dataset.value(ID["vitamin-b6"], CK.hasUpperLimit)
    assert str(dataset.value(d_limit, SCHEMA.doseUnit)) == "IU"
    assert float(dataset.value(d_limit, SCHEMA.doseValue)) == 4000
    assert str(dataset.value(b6_limit, SCHEMA.doseUnit)) == "mg"
    assert float(dataset.value(b6_limit, SCHEMA.doseValue)) == 100
    assert str(dataset.value(b6_limit, SCHEMA.targetPopulation)) == "adults"


def test_both_limits_state_their_period_once_the_same_way(dataset):
    """Issue 8: the B6 limit stated its period twice (a per-day unit and "per day"); both limits now use one
    representation: an amount unit and one schema:frequency."""
    from kg.namespaces import ID, SCHEMA

    for substance in (ID["vitamin-d"], ID["vitamin-b6"]):
        limit = dataset.value(substance, CK.hasUpperLimit)
        assert [str(f) for f in dataset.objects(limit, SCHEMA.frequency)] == ["per day"]
        assert "day" not in str(dataset.value(limit, SCHEMA.doseUnit))
        assert not any("qudt.org" in str(p) for p in dataset.predicates(limit, None)), limit
