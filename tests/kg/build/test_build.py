"""The build: deterministic, cached, and all-or-nothing on broken input.

Broken inputs tried (each must fail with a message naming the file, line or claim, and leave the previous good
build untouched): a Turtle syntax error, an escape that encodes no character (\\uD800), a subject followed by
`;` (both read by rdflib's lenient parser), a quote that is not in the article, offsets that do not match the
quote, a missing offset, an outside identifier not in VOCABULARY.md, an entity without a definition (SHACL), a
dose limit without a unit (SHACL), a contradiction with the disjointness axioms (a preventive measure made
causally upstream of cramps), a triple outside any claim, a missing source file.

Faults (issue 13): a cached dataset truncated, edited, or whose summary lost its recorded hash, is detected by
its hash, refused by the loader and rebuilt, never served; a build process killed in the middle leaves the
last good build in place, loadable and still the cached one.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.build import DATASET_FILE, SUMMARY_FILE, Sources, build
from kg.errors import BuildError, CrampkgError, InconsistencyError
from kg.graph.dataset import load_dataset
from kg.namespaces import ONTOLOGY_DIR, ROOT


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


@pytest.mark.parametrize(("old", "new", "reason"), [
    ('"calf"@en', '"calf \\uD800"@en', "not a valid unicode"),
    ("id:calf rdfs:label", "id:calf ; rdfs:label", "not a valid predicate"),
], ids=["escape that encodes no character", "subject followed by ;"])
def test_turtle_only_rdflib_would_take_is_refused(tmp_path, sources, old, new, reason):
    """Invalid Turtle that rdflib's lenient parser reads anyway: \\uD800 (half a surrogate pair, which the build
    once wrote as "?"), and a subject with no predicate before `;`. pyoxigraph refuses both; so does the build."""
    edit(sources.entities, old, new)
    assert_fails_untouched(tmp_path, sources, r"entities\.ttl", r"line \d+", reason)


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


# -- faults: a damaged cache, a build killed halfway ---------------------------------------------------------

def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def forget_the_hash(path: Path) -> None:
    summary = path.parent / SUMMARY_FILE
    recorded = json.loads(summary.read_text())
    del recorded["dataset_sha256"]
    summary.write_text(json.dumps(recorded))


@pytest.mark.parametrize("damage", [truncate, flip_a_byte, forget_the_hash],
                         ids=["truncated", "one byte changed", "summary without the hash"])
def test_damaged_cache_is_refused_and_rebuilt(tmp_path, good_build, damage):
    out = tmp_path / "build"
    shutil.copytree(good_build, out)
    good = (good_build / DATASET_FILE).read_bytes()
    assert build(out).cached  # the copy is a valid cache before the damage
    damage(out / DATASET_FILE)
    with pytest.raises(CrampkgError, match="crampkg build --force"):
        load_dataset(out / DATASET_FILE)
    rebuilt = build(out)
    assert not rebuilt.cached
    assert rebuilt.path.read_bytes() == good
    assert hashlib.sha256(good).hexdigest() == rebuilt.summary["dataset_sha256"]
    assert len(load_dataset(rebuilt.path)) > 0


def test_build_killed_halfway_keeps_the_last_good_build(tmp_path, good_build):
    """SIGKILL (no exception handler runs) while the forced rebuild is reasoning: the previous build is still
    there byte for byte, loads, and is what the next build reuses."""
    out = tmp_path / "build"
    shutil.copytree(good_build, out)
    before = digest(out)
    child = subprocess.Popen([sys.executable, "-m", "kg.cli", "--out", str(out), "build", "--force"], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # Past start-up (imports) and into the build proper: the owlrl closure of the shipped article takes
        # seconds of CPU, so the kill lands before the write.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and child.poll() is None and cpu_seconds(child.pid) < 2.5:
            time.sleep(0.05)
        assert child.poll() is None, "the build finished before it could be killed"
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(30)
    assert child.returncode == -signal.SIGKILL
    assert digest(out) == before
    assert len(load_dataset(out / DATASET_FILE)) > 0
    assert build(out).cached


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks (USER_HZ is 100 on Linux)


def test_every_module_the_build_imports_is_in_its_input_hash():
    """A change to the code that makes the build's bytes forces a rebuild: every kg module that kg/build (or a
    module it reads from kg/) imports is hashed with the sources; kg.errors only words the refusals."""
    from kg.build.pipeline import CODE_FILES, KG_DIR

    hashed = {f"kg.{name.removesuffix('.py').removesuffix('/__init__').replace('/', '.')}" for name in CODE_FILES}
    modules = sorted(hashed)
    imported: set[str] = set()
    while modules:
        path = KG_DIR.parent / (modules.pop().replace(".", "/") + ".py")
        if not path.exists():
            path = path.with_suffix("") / "__init__.py"
        for name in re.findall(r"^\s*from (kg(?:\.\w+)*) import", path.read_text(encoding="utf-8"), re.M):
            if name not in imported:
                imported.add(name)
                modules.append(name)
    assert imported - hashed - {"kg", "kg.errors"} == set()
