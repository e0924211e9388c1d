"""Every claim is tied to the exact words of the shipped article, and every statement of the article has a claim."""
from __future__ import annotations

import hashlib
from pathlib import Path

from rdflib import URIRef
from rdflib.namespace import RDF

from kg.build.article import article_text, sentences
from kg.build.closure import EDITORIAL
from kg.namespaces import ARTICLE_PATH, ARTICLE_SHA256, CK, GRAPH_ASSERTED, ID, OA

SHARED_SOURCE = Path(__file__).resolve().parents[4] / "shared" / "source" / "leg-cramps-and-vitamin-supplements.txt"


def test_shipped_article_has_the_published_hash():
    data = ARTICLE_PATH.read_bytes()
    assert hashlib.sha256(data).hexdigest() == ARTICLE_SHA256
    assert not data.endswith(b"\n")


def test_shipped_article_is_byte_identical_to_the_shared_source():
    if not SHARED_SOURCE.exists():  # the shared folder lies beside every clone here; say so if it ever does not
        raise AssertionError(f"{SHARED_SOURCE} is missing: cannot compare the shipped copy")
    assert ARTICLE_PATH.read_bytes() == SHARED_SOURCE.read_bytes()


def evidence_spans(asserted):
    """(claim, exact, start, end) for every claim, read from its Web Annotation selectors."""
    for claim in asserted.subjects(RDF.type, CK.Claim):
        target = asserted.value(claim, CK.hasEvidence)
        assert (target, OA.hasSource, ID.article) in asserted
        quote = position = None
        for sel in asserted.objects(target, OA.hasSelector):
            if (sel, RDF.type, OA.TextQuoteSelector) in asserted:
                quote = sel
            if (sel, RDF.type, OA.TextPositionSelector) in asserted:
                position = sel
        assert quote is not None and position is not None, claim
        yield (claim, str(asserted.value(quote, OA.exact)), int(asserted.value(position, OA.start)),
               int(asserted.value(position, OA.end)))


def test_every_quote_is_verbatim_and_its_offsets_slice_it(dataset):
    text = article_text()
    spans = list(evidence_spans(dataset.graph(GRAPH_ASSERTED)))
    assert len(spans) >= 100
    for claim, exact, start, end in spans:
        assert exact in text, claim
        assert text[start:end] == exact, claim


def test_prefix_and_suffix_match_the_text_around_the_quote(dataset):
    asserted = dataset.graph(GRAPH_ASSERTED)
    text = article_text()
    for sel in asserted.subjects(RDF.type, OA.TextQuoteSelector):
        exact, prefix, suffix = (str(asserted.value(sel, p)) for p in (OA.exact, OA.prefix, OA.suffix))
        assert prefix + exact + suffix in text


def test_every_sentence_except_headings_supports_a_claim(dataset):
    spans = [(s, e) for _, _, s, e in evidence_spans(dataset.graph(GRAPH_ASSERTED))]
    units = sentences()
    assert sum(1 for u in units if u.kind == "heading") == 3
    assert sum(1 for u in units if u.kind == "bullet") == 6
    for unit in units:
        if unit.kind == "heading":
            continue
        assert any(s < unit.end and e > unit.start for s, e in spans), f"no claim quotes: {unit.text!r}"


def test_headings_are_never_evidence(dataset):
    headings = [u for u in sentences() if u.kind == "heading"]
    for _, _, s, e in evidence_spans(dataset.graph(GRAPH_ASSERTED)):
        for h in headings:
            assert not (s < h.end and e > h.start), h.text


def test_every_asserted_fact_has_a_claim_and_every_claim_its_fact(dataset):
    """One source of truth: direct triples and claim nodes agree both ways."""
    asserted = dataset.graph(GRAPH_ASSERTED)
    stated = {
        (asserted.value(c, RDF.subject), asserted.value(c, RDF.predicate), asserted.value(c, RDF.object))
        for c in asserted.subjects(RDF.type, CK.Claim)
    }
    for triple in stated:
        assert triple in asserted
    claim_machinery = {RDF.subject, RDF.predicate, RDF.object, CK.hasEvidence, CK.claimOf, CK.qualifier,
                       CK.directness, CK.doseCondition, URIRef("http://www.w3.org/ns/prov#wasQuotedFrom"),
                       URIRef("http://purl.org/dc/terms/format")}
    for s, p, o in asserted:
        entity = isinstance(s, URIRef) and str(s).startswith(str(ID)) and "/claim/" not in str(s) and s != ID.article
        if entity and p not in EDITORIAL and p not in claim_machinery:
            assert (s, p, o) in stated, f"asserted without a claim: {s} {p} {o}"


def test_qualifiers_of_the_article_are_kept(dataset):
    asserted = dataset.graph(GRAPH_ASSERTED)
    qualifiers = {str(o) for o in asserted.objects(None, CK.qualifier)}
    assert {"rarely", "most frequent", "classic trigger", "often", "may"} <= qualifiers
    assert {str(o) for o in asserted.objects(None, CK.directness)} == {"direct", "indirect"}
    assert {str(o) for o in asserted.objects(None, CK.doseCondition)} == {"above the upper limit", "chronic intake"}
