"""Every claim is tied to the exact words of the shipped article. That every statement of the article has a claim,
and no heading is evidence, is checked sentence by sentence in test_fidelity_doc.py."""
from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import RDF

from kg.build.article import article_text
from kg.build.closure import EDITORIAL
from kg.namespaces import CK, GRAPH_ASSERTED, GRAPH_ONTOLOGY, ID, OA

# The shipped article is pinned by sha256 in tests/test_shipped_copies.py.


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


def test_every_asserted_fact_has_a_claim_and_every_claim_its_fact(dataset):
    """One source of truth: direct triples and claim nodes agree both ways."""
    asserted = dataset.graph(GRAPH_ASSERTED)
    stated = {
        (asserted.value(c, RDF.subject), asserted.value(c, RDF.predicate), asserted.value(c, RDF.object))
        for c in asserted.subjects(RDF.type, CK.Claim)
    }
    for triple in stated:
        assert triple in asserted
    from kg.build.claims import ANNOTATION_PREDICATES

    claim_machinery = {RDF.subject, RDF.predicate, RDF.object, CK.hasEvidence, CK.claimOf, *ANNOTATION_PREDICATES,
                       URIRef("http://www.w3.org/ns/prov#wasQuotedFrom"),
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
    assert {str(o) for o in asserted.objects(None, CK.doseCondition)} == {
        "often above the recommended upper limit of 4,000 International Units (IU) per day",
        "chronic intake significantly exceeding the safe upper limit of 100 milligrams (mg) per day for adults",
        "extremely high amounts"}


def test_every_qualifier_is_the_articles_words_in_its_own_quote(dataset):
    """Issue 8: a hedge belongs to the claim it qualifies, so each qualifier, directness, dose condition and
    wording occurs (case aside) in that claim's own quote; none is a paraphrase or borrowed from elsewhere."""
    from kg.build.claims import QUALIFIER_PREDICATES

    asserted = dataset.graph(GRAPH_ASSERTED)
    quotes = {claim: exact for claim, exact, _, _ in evidence_spans(asserted)}
    checked = 0
    for p in QUALIFIER_PREDICATES:
        for claim, value in asserted.subject_objects(p):
            assert str(value).casefold() in quotes[claim].casefold(), f"{claim}: {p} {value!r} not in its quote"
            checked += 1
    assert checked > 60


def test_every_causal_claim_carries_the_articles_wording(dataset):
    """The chain summary strings wordings together, so no causal step may lack one."""
    from kg.graph.chains import causal_properties

    asserted = dataset.graph(GRAPH_ASSERTED)
    causal = causal_properties(dataset.graph(GRAPH_ONTOLOGY))
    for claim in asserted.subjects(RDF.type, CK.Claim):
        if asserted.value(claim, RDF.predicate) in causal:
            assert asserted.value(claim, CK.wording) is not None, claim
