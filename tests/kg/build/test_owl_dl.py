"""An independent OWL 2 DL reasoner agrees with the build: HermiT (bundled with owlready2, run on Debian's JDK)
finds the ontology and the article's facts consistent, and classifies the individuals into the defined classes
exactly as owlrl's OWL 2 RL closure does.

HermiT is a complete OWL 2 DL reasoner and shares no code with owlrl, so agreement is evidence that the
defined classes (ck:UpstreamOfLegCramp, ck:CrampRiskFactor) mean what the README says, not an artefact of
one rule engine. The input is the ontology plus the asserted facts about entities; claim nodes and their
evidence are provenance, not facts about the body, and stay out. Outside terms the ontology only refers to
(skos:broader, schema.org's dose properties) get the declarations OWL 2 DL needs, here and nowhere else.
"""
from __future__ import annotations

import shutil

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS

from kg.build.closure import EDITORIAL
from kg.namespaces import CK, GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_ONTOLOGY, ID, SCHEMA

DEFINED_CLASSES = (CK.UpstreamOfLegCramp, CK.CrampRiskFactor, CK.ExposureOrDeficiency)
DECLARATIONS = [
    (SKOS.broader, RDF.type, OWL.ObjectProperty),
    (SCHEMA.MaximumDoseSchedule, RDF.type, OWL.Class),
    (SCHEMA.doseValue, RDF.type, OWL.DatatypeProperty),
    (SCHEMA.doseUnit, RDF.type, OWL.DatatypeProperty),
    (SCHEMA.frequency, RDF.type, OWL.DatatypeProperty),
    (SCHEMA.targetPopulation, RDF.type, OWL.DatatypeProperty),
    *((p, RDF.type, OWL.AnnotationProperty) for p in EDITORIAL if not str(p).startswith(str(OWL))),
    (DCTERMS.format, RDF.type, OWL.AnnotationProperty),
]


def is_fact(s, p, o) -> bool:
    """A triple about one of the article's entities (not a claim, its evidence or the article itself)."""
    return (isinstance(s, URIRef) and str(s).startswith(str(ID)) and "/claim/" not in str(s)
            and s != ID.article)


def dl_input(dataset) -> Graph:
    g = Graph()
    for t in dataset.graph(GRAPH_ONTOLOGY):
        # ck:Claim is a kind of rdf:Statement for RDF readers; OWL 2 DL reserves the RDF vocabulary
        if t[2] != RDF.Statement:
            g.add(t)
    for t in dataset.graph(GRAPH_ASSERTED):
        if is_fact(*t):
            g.add(t)
    for t in DECLARATIONS:
        g.add(t)
    return g


@pytest.fixture(scope="module")
def hermit(dataset, tmp_path_factory):
    """The owlready2 world after HermiT has classified ontology + facts."""
    if shutil.which("java") is None:
        raise AssertionError("no `java` on PATH: HermiT needs Debian's JDK (make system-deps installs "
                             "default-jre-headless)")
    import owlready2

    path = tmp_path_factory.mktemp("owl-dl") / "crampkg-dl.nt"
    dl_input(dataset).serialize(path, format="nt", encoding="utf-8")
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    with onto:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    return world


def members(world, cls: URIRef) -> set[str]:
    found = world.search(iri=str(cls))
    assert found, f"HermiT's world has no class {cls}"
    return {ind.iri for ind in found[0].instances(world=world)}


def test_hermit_finds_the_ontology_and_facts_consistent(hermit):
    import owlready2

    nothing = set(hermit.inconsistent_classes())
    assert nothing == set(), f"unsatisfiable classes: {sorted(map(str, nothing))}"
    assert owlready2.Nothing not in {c for c in hermit.classes()}


@pytest.mark.parametrize("cls", DEFINED_CLASSES, ids=lambda c: str(c).rsplit("#", 1)[-1])
def test_hermit_agrees_with_owlrl_on_the_defined_classes(dataset, hermit, cls):
    owlrl = {str(x) for g in (GRAPH_ASSERTED, GRAPH_INFERRED) for x in dataset.graph(g).subjects(RDF.type, cls)
             if str(x).startswith(str(ID))}
    assert owlrl, cls
    assert members(hermit, cls) == owlrl


def test_hermit_agrees_with_owlrl_on_every_named_class(dataset, hermit):
    """Not only the defined classes: every class of the ontology (subclass, domain and range entailments
    included) has the same individuals under HermiT as in owlrl's asserted + inferred graphs."""
    ontology = dataset.graph(GRAPH_ONTOLOGY)
    named = sorted(c for c in ontology.subjects(RDF.type, OWL.Class) if str(c).startswith(str(CK)))
    disagreements = {}
    compared = 0
    for cls in named:
        owlrl = {str(x) for g in (GRAPH_ASSERTED, GRAPH_INFERRED) for x in dataset.graph(g).subjects(RDF.type, cls)
                 if is_fact(x, RDF.type, cls)}
        by_hermit = members(hermit, cls)
        compared += bool(owlrl)
        if by_hermit != owlrl:
            disagreements[str(cls)] = {"owlrl only": sorted(owlrl - by_hermit),
                                       "HermiT only": sorted(by_hermit - owlrl)}
    assert compared >= 25, compared
    assert disagreements == {}


def test_hermit_catches_an_inconsistency(dataset, tmp_path):
    """The check can fail: a preventive measure that is also upstream of leg cramp is inconsistent for HermiT."""
    import owlready2

    g = dl_input(dataset)
    g.add((ID.hydration, CK.causes, ID["muscle-hyperexcitability"]))
    path = tmp_path / "broken.nt"
    g.serialize(path, format="nt", encoding="utf-8")
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    with onto, pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)


def test_dl_input_keeps_the_facts_and_drops_provenance(dataset):
    g = dl_input(dataset)
    assert (ID["vitamin-d-excess"], CK.causes, ID["hypercalcemia"]) in g
    assert not any("/claim/" in str(s) for s in g.subjects())
    assert all(not isinstance(s, Literal) for s in g.subjects())
