"""Building a folder of articles: the synthetic corpus, `crampkg build --sources`, and its bad inputs.

Bad inputs tried (each must fail with a message naming the file or claim, leaving the previous build intact):
a claims file without its article text, an article text without a claims file, both layouts in one folder,
neither layout, a claim name used by two articles, an article not described in entities.ttl, a quote that is
not in its own article (though it is in another), a missing source folder, an unknown reasoner.
"""
from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import PROV

from bench.corpus import write_corpus
from kg.build import DATASET_FILE, Sources, build
from kg.errors import BuildError
from kg.graph.dataset import load_dataset
from kg.namespaces import CK, GRAPH_ASSERTED, GRAPH_INFERRED, ID, OA, ONTOLOGY_DIR

ROOT = Path(__file__).resolve().parents[3]


def files_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corpus") / "sources"
    write_corpus(4, folder, seed=3)
    return folder


@pytest.fixture(scope="module")
def corpus_build(corpus, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus-build") / "build"
    build(out, Sources.from_folder(corpus), force=True, reasoner="fast")
    return out


def test_corpus_is_deterministic_for_n_and_seed(tmp_path, corpus):
    write_corpus(4, tmp_path / "again", seed=3)
    assert files_digest(tmp_path / "again") == files_digest(corpus)
    write_corpus(4, tmp_path / "other", seed=4)
    assert files_digest(tmp_path / "other") != files_digest(corpus)


def test_every_quote_is_verbatim_at_its_offset(corpus):
    for claims in sorted((corpus / "claims").glob("*.ttl")):
        text = (corpus / "sources" / f"{claims.stem}.txt").read_text(encoding="utf-8")
        pairs = re.findall(r'ck:quote "((?:[^"\\]|\\.)*)" ;\n    ck:start (\d+) \.', claims.read_text())
        assert len(pairs) > 80
        for quote, start in pairs:
            quote = quote.replace('\\"', '"').replace("\\\\", "\\")
            assert text[int(start):int(start) + len(quote)] == quote


def test_claims_and_evidence_name_their_article(corpus_build):
    ds = load_dataset(corpus_build / DATASET_FILE)
    asserted = ds.graph(GRAPH_ASSERTED)
    article = ID["article/a00002"]
    claims = set(asserted.subjects(PROV.wasQuotedFrom, article))
    assert len(claims) > 80
    for claim in claims:
        assert str(claim).startswith(str(ID) + "claim/a00002-")
        evidence = asserted.value(claim, CK.hasEvidence)
        assert asserted.value(evidence, OA.hasSource) == article
    assert {str(g.identifier).rsplit("/", 1)[-1] for g in ds.graphs()} >= {"ontology", "asserted", "inferred"}


def test_chains_cross_articles(corpus_build):
    """Some inferred upstream link needs claims from two different articles."""
    ds = load_dataset(corpus_build / DATASET_FILE)
    asserted, inferred = ds.graph(GRAPH_ASSERTED), ds.graph(GRAPH_INFERRED)

    def articles_stating(s, o) -> set[URIRef]:
        return {a for c in asserted.subjects(CK.claimOf, s) if (c, CK.claimOf, o) in asserted
                for a in asserted.objects(c, PROV.wasQuotedFrom)}

    crossing = 0
    for s, _, o in inferred.triples((None, CK.causallyUpstreamOf, None)):
        for mid in asserted.objects(s, CK.causes):
            if (mid, CK.causes, o) in asserted and not articles_stating(s, mid) & articles_stating(mid, o):
                crossing += 1
    assert crossing > 0


def test_fast_and_owlrl_builds_give_the_same_bytes(tmp_path):
    """The whole pipeline, both ways, on two articles (owlrl is the slow part; ten are compared in
    test_entailment)."""
    write_corpus(2, tmp_path / "two", seed=5)
    sources = Sources.from_folder(tmp_path / "two")
    reference = build(tmp_path / "owlrl", sources, force=True, reasoner="owlrl", validator="pyshacl")
    fast = build(tmp_path / "fast", sources, force=True, reasoner="fast")
    assert reference.path.read_bytes() == fast.path.read_bytes()


def test_shipped_folder_through_sources_and_fast_gives_the_default_bytes(built, tmp_path):
    """`--sources ontology --reasoner fast` is byte-identical to the default build (owlrl, pySHACL)."""
    fast = build(tmp_path / "fast", Sources.from_folder(ONTOLOGY_DIR), force=True, reasoner="fast")
    assert fast.path.read_bytes() == built.path.read_bytes()
    assert Sources.from_folder(ONTOLOGY_DIR) == Sources()


def test_summary_has_stage_timings(corpus_build):
    import json

    summary = json.loads((corpus_build / "summary.json").read_text())
    assert summary["articles"] == 4 and summary["reasoner"] == "fast" and summary["validator"] == "fast"
    assert set(summary["stage_seconds"]) == {"parse", "claims", "reason", "validate", "write"}


def test_cli_builds_a_folder(corpus, tmp_path):
    out = tmp_path / "cli-build"
    done = subprocess.run([sys.executable, "-m", "kg.cli", "build", "--sources", str(corpus), "--out", str(out),
                           "--reasoner", "fast"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "claims: 380" in done.stdout and (out / DATASET_FILE).exists()


# -- bad inputs ---------------------------------------------------------------------------------------------

@pytest.fixture
def broken(corpus, tmp_path) -> Path:
    folder = tmp_path / "broken"
    shutil.copytree(corpus, folder)
    return folder


def fails_untouched(folder: Path, tmp_path: Path, *patterns: str) -> None:
    out = tmp_path / "out"
    build(out, Sources.from_folder(ONTOLOGY_DIR), force=True, reasoner="fast")
    before = files_digest(out)
    with pytest.raises(BuildError) as info:
        build(out, Sources.from_folder(folder), force=True, reasoner="fast")
    for pattern in patterns:
        assert re.search(pattern, str(info.value)), f"{pattern!r} not in: {info.value}"
    assert files_digest(out) == before


def test_claims_file_without_article_text(broken, tmp_path):
    (broken / "sources" / "a00001.txt").unlink()
    fails_untouched(broken, tmp_path, r"a00001\.ttl: no article text sources/a00001\.txt")


def test_article_text_without_claims_file(broken, tmp_path):
    (broken / "claims" / "a00003.ttl").unlink()
    fails_untouched(broken, tmp_path, r"a00003\.txt has no claims file", r"claims/<name>\.ttl")


def test_both_layouts_in_one_folder(broken, tmp_path):
    shutil.copyfile(ONTOLOGY_DIR / "claims.ttl", broken / "claims.ttl")
    fails_untouched(broken, tmp_path, "both claims.ttl and claims/")


def test_neither_layout(broken, tmp_path):
    shutil.rmtree(broken / "claims")
    fails_untouched(broken, tmp_path, "no claims.ttl and no claims/ folder")


def test_claim_name_used_by_two_articles(broken, tmp_path):
    path = broken / "claims" / "a00001.ttl"
    path.write_text(path.read_text().replace("claim:a00001-symptom-sudden ", "claim:a00000-symptom-sudden "))
    fails_untouched(broken, tmp_path, r"a00001\.ttl: claim `a00000-symptom-sudden` is also in a00000\.ttl")


def test_article_not_described(broken, tmp_path):
    path = broken / "entities.ttl"
    # still valid Turtle (`<…> ; rdfs:label` is not, and is refused as a syntax error before this check)
    path.write_text(path.read_text().replace("<https://w3id.org/crampkg/id/article/a00002> a ck:Article ;",
                                             "<https://w3id.org/crampkg/id/article/a00002>"))
    fails_untouched(broken, tmp_path, r"a00002\.ttl: its article .*a00002> is not described in entities\.ttl")


def test_quote_from_another_article(broken, tmp_path):
    """A quote that exists in article 0 but not in article 1 is refused for article 1, naming file and claim."""
    path = broken / "claims" / "a00001.ttl"
    first = (broken / "sources" / "a00000.txt").read_text(encoding="utf-8").splitlines()[5]
    text = path.read_text()
    quote = re.search(r'claim:a00001-fat-0-vitamin-type .*?ck:quote "([^"]*)"', text, re.S).group(1)
    path.write_text(text.replace(f'ck:quote "{quote}"', f'ck:quote "{first}"', 1))
    assert first not in (broken / "sources" / "a00001.txt").read_text(encoding="utf-8")
    fails_untouched(broken, tmp_path, r"a00001\.ttl:\d+: claim `a00001-fat-0-vitamin-type`: quote not found")


def test_missing_source_folder(tmp_path):
    with pytest.raises(BuildError, match="no such source folder"):
        Sources.from_folder(tmp_path / "nowhere")


def test_unknown_reasoner(corpus, tmp_path):
    with pytest.raises(BuildError, match="reasoner 'hermit': choose one of owlrl, fast"):
        build(tmp_path / "x", Sources.from_folder(corpus), reasoner="hermit")


def test_nquads_writer_gives_rdflib_serializer_bytes(corpus):
    """kg.graph.dataset.nquads_of_graphs writes what rdflib's N-Quads serializer writes for a Dataset of the same
    graphs (sorted)."""
    from rdflib import Dataset

    from kg.build.entailment import infer_fast
    from kg.build.pipeline import assemble
    from kg.graph.dataset import nquads_of_graphs
    from kg.namespaces import GRAPH_ONTOLOGY

    ontology, asserted = assemble(Sources.from_folder(corpus))
    graphs = ((GRAPH_ONTOLOGY, ontology), (GRAPH_ASSERTED, asserted), (GRAPH_INFERRED, infer_fast(ontology, asserted)))
    ds = Dataset()
    for name, graph in graphs:
        target = ds.graph(name)
        for t in graph:
            target.add(t)
    lines = {line for line in ds.serialize(format="nquads").splitlines() if line.strip()}
    assert nquads_of_graphs(graphs) == ("\n".join(sorted(lines)) + "\n").encode("utf-8")
