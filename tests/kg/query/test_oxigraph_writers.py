"""The Oxigraph engine's own writers (results JSON, N-Triples, N-Quads straight from Oxigraph's terms) give the
same bytes, counts and truncation as the general path (rdflib terms through kg.query.formats)."""
from __future__ import annotations

import json

import pytest

from kg.errors import QueryError, QuerySyntaxError
from kg.query.catalogue import Catalogue
from kg.query.engines.oxigraph import DIRECT_FORMATS, OxigraphEngine, solutions_json
from kg.query.formats import BY_KEY, result_kind
from kg.query.text import shape

XSD = "http://www.w3.org/2001/XMLSchema#"
QUERIES = [
    "SELECT * WHERE { ?s ?p ?o }",
    "CONSTRUCT WHERE { ?s ?p ?o }",
    "DESCRIBE <https://w3id.org/crampkg/id/leg-cramp>",
    "ASK { ?s ?p ?o }",
    "ASK { <urn:x:nothing> ?p ?o }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    # escapes, a language tag with a region, typed literals, unbound cells
    f'SELECT ?x ?y WHERE {{ VALUES (?x ?y) {{ ("a\\"b\\\\c\\n\\t\\r\\u00e9 \\u2028"@en-US 1) (<http://x/é> UNDEF)'
    f' (UNDEF "2.5"^^<{XSD}decimal>) ("plain" "x"^^<{XSD}string>) }} }}',
    "CONSTRUCT { ?s <urn:x:says> ?o } WHERE { VALUES (?s ?o) { (<urn:x:a> \"tab\\there\"@fr) } }",
    # what could mislead the results-JSON row count, read from the bytes: strings holding the sequences it counts,
    # strings ending in a brace (subtracted), rows that bind nothing (scanned instead), a variable named "type"
    'SELECT ?type ?v WHERE { VALUES (?type ?v) { ("{}" "a,{\\"b\\":1}") ("[{" "x{") ("{" UNDEF) (UNDEF UNDEF)'
    ' ("\\"type\\":\\"uri\\"" "},{") ("triple" "ends with a brace {") } }',
    "SELECT * WHERE { }",
    "SELECT ?nothing WHERE { ?s ?p ?o }",
    'SELECT ?s ?x WHERE { ?s ?p ?o BIND(CONCAT(STR(?p), "{") AS ?x) }',
]


@pytest.fixture(scope="module")
def engine(built):
    return OxigraphEngine.from_file(built.path)


def canned() -> list[str]:
    return [q.text for q in Catalogue.load().queries.values() if not q.parameters]


@pytest.mark.parametrize("max_rows", [None, 1, 5, 10_000])
@pytest.mark.parametrize("key", DIRECT_FORMATS)
def test_direct_writers_match_the_general_path(engine, key, max_rows):
    written = 0
    for text in QUERIES + canned():
        direct = engine.answer(text, key, max_rows=max_rows)
        if direct is None:  # a format of the other kind: left to the general path
            assert BY_KEY[key].kind != result_kind(shape(text).form)
            continue
        body, _form, count, truncated = direct
        result = engine.query(text, max_rows=max_rows)
        assert body == BY_KEY[key].serialize(result), text
        assert (count, truncated) == (len(result), result.truncated), text
        written += 1
    assert written >= 3


def test_formats_it_does_not_write_are_left_to_the_general_path(engine):
    assert engine.answer("SELECT * WHERE { ?s ?p ?o }", "csv") is None
    assert engine.answer("CONSTRUCT WHERE { ?s ?p ?o }", "turtle") is None


@pytest.mark.parametrize("max_rows", [1, 100])
def test_results_json_stops_soon_after_the_row_cap(engine, max_rows):
    """Oxigraph's writer is stopped once the cap is passed: the solutions not written are never evaluated (the
    iterator still holds them), and the answer ends after exactly ``max_rows`` rows."""
    solutions = engine.store.query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")
    body, count, truncated = solutions_json(solutions, max_rows)
    assert (count, truncated) == (max_rows, True)
    assert next(solutions, None) is not None  # left unwritten
    document = json.loads(body)
    assert len(document["results"]["bindings"]) == max_rows and document["truncated"] is True


def test_a_triple_term_is_refused_by_both_paths(engine):
    """RDF 1.2 triple terms, which Oxigraph evaluates but no other format here writes, are refused alike."""
    text = "SELECT ?t WHERE { BIND(TRIPLE(<urn:x:a>, <urn:x:b>, <urn:x:c>) AS ?t) }"
    with pytest.raises(QueryError, match="unsupported term"):
        engine.answer(text, "json")
    with pytest.raises(QueryError):
        engine.query(text)
    # its parts are plain terms
    body, _form, count, _truncated = engine.answer(
        "SELECT (SUBJECT(?t) AS ?s) WHERE { BIND(TRIPLE(<urn:x:a>, <urn:x:b>, <urn:x:c>) AS ?t) }", "json")
    assert count == 1 and json.loads(body)["results"]["bindings"][0]["s"]["value"] == "urn:x:a"


def test_crampkgs_prefixes_are_known_and_a_query_may_declare_its_own(engine):
    """A text that uses crampkg's prefixes without declaring them is answered with them; one that declares a
    prefix of the same name uses its own; a syntax error is reported as one, whatever the prefixes."""
    body, *_ = engine.answer("SELECT (ck:causes AS ?x) WHERE {}", "json")
    assert json.loads(body)["results"]["bindings"][0]["x"]["value"] == "https://w3id.org/crampkg/ontology#causes"
    body, *_ = engine.answer("PREFIX ck: <urn:x:> SELECT (ck:causes AS ?x) WHERE {}", "json")
    assert json.loads(body)["results"]["bindings"][0]["x"]["value"] == "urn:x:causes"
    with pytest.raises(QuerySyntaxError, match="line 1"):
        engine.answer("SELECT ?x WHERE { ?x nosuchprefix:p ?y }", "json")
    with pytest.raises(QuerySyntaxError):
        engine.answer("SELECT ?x WHERE { ?x ck:causes }", "json")
