"""The build: deterministic, cached, and all-or-nothing on broken input.

Broken inputs tried (each must fail with a message naming the file, line or claim, and leave the previous
good build untouched): a Turtle syntax error, a quote that is not in the article, offsets that do not
match the quote, a missing offset, an outside identifier not in VOCABULARY.md, an entity without a
definition (SHACL), a dose limit without a unit (SHACL), a contradiction with the disjointness axioms
(a preventive measure made causally upstream of cramps), a triple outside any claim, a missing source file.
"""
from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from kg.build import DATASET_FILE, Sources, build
from kg.errors import BuildError, InconsistencyError
from kg.namespaces import ONTOLOGY_DIR


@pytest.fixture
def sources(tmp_path) -> Sources:
    """A private copy of the sources that a test may break."""
    src = tmp_path / "ontology"
    shutil.copytree(ONTOLOGY_DIR, src)
    return Sources(
        schema=src / "crampkg.ttl", entities=src / "entities.ttl", claims=src / "claims.ttl",
        shapes=src / "shapes.ttl", article=src / "sources" / "leg-cramps-and-vitamin-supplements.txt",
        vocabulary=src / "vocabulary.txt",
    )


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def good_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("good") / "build"
    build(out, force=True)
    return out


def test_two_builds_give_the_same_bytes(tmp_path, good_build):
    other = build(tmp_path / "again", force=True)
    assert other.path.read_bytes() == (good_build / DATASET_FILE).read_bytes()
    lines = other.path.read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines)


def test_unchanged_inputs_reuse_the_cached_build(tmp_path, sources):
    out = tmp_path / "build"
    first = build(out, sources)
    second = build(out, sources)
    assert not first.cached and second.cached
    assert second.summary["input_sha256"] == first.summary["input_sha256"]
    edit(sources.entities, '"calf"@en', '"calf (lower leg)"@en')
    third = build(out, sources)
    assert not third.cached and "calf (lower leg)" in third.path.read_text(encoding="utf-8")


def test_dataset_has_the_three_named_graphs(good_build):
    graphs = {m.group(1) for m in re.finditer(r"<(https://w3id.org/crampkg/graph/\w+)> \.$",
                                               (good_build / DATASET_FILE).read_text(encoding="utf-8"), re.M)}
    assert graphs == {f"https://w3id.org/crampkg/graph/{n}" for n in ("ontology", "asserted", "inferred")}


def assert_fails_untouched(tmp_path: Path, sources: Sources, *patterns: str, error=BuildError) -> str:
    out = tmp_path / "build"
    good = build(out, Sources(), force=True)
    before = digest(out)
    with pytest.raises(error) as info:
        build(out, sources)
    message = str(info.value)
    for pattern in patterns:
        assert re.search(pattern, message), f"{pattern!r} not in: {message}"
    assert digest(out) == before and good.path.exists()
    assert not list(tmp_path.glob(".build-*")), "staging folder left behind"
    return message


def test_turtle_syntax_error_names_file_and_line(tmp_path, sources):
    edit(sources.claims, "claim:leg-cramp-sudden a ck:Claim ;", "claim:leg-cramp-sudden a ck:Claim ;;; ]")
    assert_fails_untouched(tmp_path, sources, r"claims\.ttl", r"line \d+")


def test_quote_not_in_article_names_the_claim(tmp_path, sources):
    edit(sources.claims, 'ck:quote "painful contraction"', 'ck:quote "painless contraction"')
    assert_fails_untouched(tmp_path, sources, r"claims\.ttl:\d+", "leg-cramp-painful", "not found in the article")


def test_offsets_that_do_not_slice_the_quote(tmp_path, sources):
    edit(sources.claims, 'ck:quote "sudden" ;\n    ck:start 31 .', 'ck:quote "sudden" ;\n    ck:start 32 .')
    assert_fails_untouched(tmp_path, sources, "leg-cramp-sudden", r"offsets 32-38", r"occurs at \[31\]")


def test_missing_offset(tmp_path, sources):
    edit(sources.claims, 'ck:quote "sudden" ;\n    ck:start 31 .', 'ck:quote "sudden" .')
    assert_fails_untouched(tmp_path, sources, "leg-cramp-sudden", "no ck:start", "anchor_claims")


def test_unknown_outside_identifier(tmp_path, sources):
    edit(sources.entities, "obo:HP_0003072", "obo:HP_9999999")
    assert_fails_untouched(tmp_path, sources, r"entities\.ttl:\d+", "HP_9999999", "VOCABULARY.md")


def test_entity_without_definition_fails_shacl(tmp_path, sources):
    edit(sources.entities, 'id:calf rdfs:label "calf"@en ; skos:definition "The back of the lower leg."@en ;',
         'id:calf rdfs:label "calf"@en ;')
    assert_fails_untouched(tmp_path, sources, "SHACL", "definition", "calf")


def test_dose_limit_without_unit_fails_shacl(tmp_path, sources):
    """A unit that restates the period ("IU/day") is refused: the period is stated once, as schema:frequency."""
    edit(sources.claims, 'rdf:predicate schema:doseUnit ; rdf:object "IU" ;',
         'rdf:predicate schema:doseUnit ; rdf:object "IU/day" ;')
    assert_fails_untouched(tmp_path, sources, "SHACL", "doseUnit", "vitamin-d-upper-limit")


def test_contradiction_names_the_triples_at_fault(tmp_path, sources):
    """Hydration made a cause of hyperexcitability becomes upstream of leg cramp, disjoint with preventive
    measures."""
    claims = sources.claims.read_text(encoding="utf-8")
    claims += (
        "\nclaim:broken-hydration-causes a ck:Claim ;\n"
        "    rdf:subject id:hydration ; rdf:predicate ck:causes ; rdf:object id:muscle-hyperexcitability ;\n"
        '    ck:quote "Maintaining proper hydration" ;\n    ck:start 3216 .\n'
    )
    sources.claims.write_text(claims, encoding="utf-8")
    message = assert_fails_untouched(tmp_path, sources, "inconsistent", "hydration", "UpstreamOfLegCramp",
                                     "PreventiveMeasure", "broken-hydration-causes", error=InconsistencyError)
    assert "muscle-hyperexcitability" in message


def test_triple_outside_any_claim(tmp_path, sources):
    sources.claims.write_text(sources.claims.read_text(encoding="utf-8")
                              + "\nid:hydration ck:prevents id:hypercalcemia .\n", encoding="utf-8")
    assert_fails_untouched(tmp_path, sources, "outside any claim", "hydration")


def test_missing_source_file(tmp_path, sources):
    sources.shapes.unlink()
    assert_fails_untouched(tmp_path, sources, "shapes.ttl", "not found")


def test_altered_article_is_refused(tmp_path, sources):
    sources.article.write_bytes(sources.article.read_bytes() + b"\n")
    assert_fails_untouched(tmp_path, sources, "sha256", "restore the shipped copy")
