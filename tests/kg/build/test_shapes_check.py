"""The fast SHACL validator (kg.build.shapes_check) reports exactly what pySHACL reports, on the shipped build and on
broken copies of it.

Each case breaks the built graphs in one way a source file could (the bad inputs tried are the case names),
then both validators run over the same graphs with the same shapes; the top-level results are compared as sets
of (focus node, path, constraint component, value). A case that pySHACL finds conforming would prove nothing,
so every broken case must also give at least one violation.
"""
from __future__ import annotations

import pytest
from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from kg.build import Sources
from kg.build.closure import infer
from kg.build.pipeline import assemble
from kg.build.shapes_check import SH, validate_fast, violations
from kg.errors import BuildError
from kg.namespaces import CK, ID, OA, SCHEMA

SHAPES = Sources().shapes
CLAIM = URIRef("https://w3id.org/crampkg/id/claim/vitamin-d-excess-causes-hypercalcemia")
EVIDENCE = URIRef(f"{CLAIM}/evidence")
LIMIT = ID["vitamin-d-upper-limit"]


@pytest.fixture(scope="module")
def shipped() -> tuple[Graph, Graph, Graph]:
    ontology, asserted = assemble(Sources())
    return ontology, asserted, infer(ontology, asserted)


def pyshacl_keys(graphs: tuple[Graph, ...]) -> set[tuple[str, str, str, str]]:
    data = Graph()
    for g in graphs:
        data += g
    shapes = Graph().parse(SHAPES, format="turtle")
    _, results, _ = shacl_validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                   allow_warnings=False)
    keys = set()
    # Top-level results only: pySHACL also lists, as sh:detail, why a value failed a nested sh:node shape.
    (report,) = results.subjects(RDF.type, SH.ValidationReport)
    for r in results.objects(report, SH.result):
        path = results.value(r, SH.resultPath)
        if isinstance(path, BNode):
            path_text = "^" + results.value(path, SH.inversePath).n3()
        else:
            path_text = "" if path is None else path.n3()
        value = results.value(r, SH.value)
        keys.add((results.value(r, SH.focusNode).n3(), path_text,
                  str(results.value(r, SH.sourceConstraintComponent)), "" if value is None else value.n3()))
    return keys


def copies(graphs: tuple[Graph, ...]) -> tuple[Graph, ...]:
    """Copies a case may break, leaving the module-scoped build as it is."""
    out = tuple(Graph() for _ in graphs)
    for copy, original in zip(out, graphs, strict=True):
        copy += original
    return out


def drop(g: Graph, s, p, o=None) -> None:
    g.remove((s, p, o))


CASES = {
    "entity without definition": lambda o, a, i: drop(a, ID["hypercalcemia"], SKOS.definition),
    "entity with two definitions": lambda o, a, i: a.add((ID["calf"], SKOS.definition, Literal("x", lang="en"))),
    "label without language": lambda o, a, i: (drop(a, ID["foot"], RDFS.label),
                                               a.add((ID["foot"], RDFS.label, Literal("foot")))),
    "label in another language": lambda o, a, i: a.add((ID["thigh"], RDFS.label, Literal("Oberschenkel", lang="de"))),
    "dose limit without unit": lambda o, a, i: drop(a, LIMIT, SCHEMA.doseUnit),
    "dose limit with an unknown unit": lambda o, a, i: (drop(a, LIMIT, SCHEMA.doseUnit),
                                                        a.add((LIMIT, SCHEMA.doseUnit, Literal("g")))),
    "negative dose": lambda o, a, i: (drop(a, LIMIT, SCHEMA.doseValue),
                                      a.add((LIMIT, SCHEMA.doseValue, Literal("-1", datatype=XSD.decimal)))),
    "dose as a string": lambda o, a, i: (drop(a, LIMIT, SCHEMA.doseValue),
                                         a.add((LIMIT, SCHEMA.doseValue, Literal("4000")))),
    "dose limit of two substances": lambda o, a, i: a.add((ID["vitamin-b6"], CK.hasUpperLimit, LIMIT)),
    "claim without evidence": lambda o, a, i: drop(a, CLAIM, CK.hasEvidence),
    "evidence without position": lambda o, a, i: drop(a, EVIDENCE, OA.hasSelector, URIRef(f"{EVIDENCE}/position")),
    "evidence from an undescribed source": lambda o, a, i: (drop(a, EVIDENCE, OA.hasSource),
                                                            a.add((EVIDENCE, OA.hasSource, ID["somewhere"]))),
    "empty quote": lambda o, a, i: (drop(a, URIRef(f"{EVIDENCE}/quote"), OA.exact),
                                    a.add((URIRef(f"{EVIDENCE}/quote"), OA.exact, Literal("")))),
    "offsets that do not span the quote": lambda o, a, i: (
        drop(a, URIRef(f"{EVIDENCE}/position"), OA.end),
        a.add((URIRef(f"{EVIDENCE}/position"), OA.end, Literal(1, datatype=XSD.nonNegativeInteger)))),
    "claim whose triple is not asserted": lambda o, a, i: drop(
        a, ID["vitamin-d-excess"], CK.causes, ID["hypercalcemia"]),
    "claim with two subjects": lambda o, a, i: a.add((CLAIM, RDF.subject, ID["calf"])),
    "ontology class without definition": lambda o, a, i: drop(o, CK.Symptom, SKOS.definition),
}


def test_shipped_build_conforms_for_both(shipped):
    assert pyshacl_keys(shipped) == set()
    assert violations(shipped, SHAPES) == []


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_violations_as_pyshacl(shipped, case):
    graphs = copies(shipped)
    CASES[case](*graphs)
    expected = pyshacl_keys(graphs)
    assert expected, f"{case}: pySHACL found nothing, so the case tests nothing"
    assert {v.key() for v in violations(graphs, SHAPES)} == expected


def test_report_names_the_claims_file_and_the_message(shipped):
    graphs = copies(shipped)
    CASES["claim without evidence"](*graphs)
    text = validate_fast(graphs, SHAPES, Sources().article_sources())
    assert text is not None
    assert "claims.ttl" in text and CLAIM.n3() in text
    assert "every claim needs exactly one piece of evidence into the article" in text


def test_unimplemented_shacl_is_refused(tmp_path, shipped):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(SHAPES.read_text(encoding="utf-8") + """
cks:Closed a sh:NodeShape ; sh:targetClass ck:Claim ; sh:closed true .
""", encoding="utf-8")
    with pytest.raises(BuildError, match=r"shacl#closed>, which the fast validator does not implement"):
        violations(shipped, shapes)
