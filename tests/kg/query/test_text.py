"""The lexical checks that run before any engine: query form, update and SERVICE refusal, the nesting limit,
VALUES binding."""
from __future__ import annotations

import pytest
from rdflib import Literal, URIRef

from kg.errors import QueryError, RemoteRefused, UpdateRefused
from kg.query.catalogue import Catalogue
from kg.query.limits import MAX_NESTING
from kg.query.text import keywords, scanned_shape, shape, with_values


@pytest.mark.parametrize("text,form", [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
    ("PREFIX ex: <http://example.org/>\nBASE <http://x/>\nask { ?s ?p ?o }", "ASK"),
    ("# a comment naming SERVICE and INSERT\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("DESCRIBE <http://example.org/SERVICE>", "DESCRIBE"),
    ('SELECT ?service WHERE { ?service ?p "SERVICE <http://x/>" }', "SELECT"),
    ("PREFIX service: <http://example.org/> SELECT * { service:x ?p ?o }", "SELECT"),
])
def test_forms_and_harmless_look_alikes(text, form):
    assert shape(text).form == form


@pytest.mark.parametrize("text", [
    "SELECT * { SERVICE <http://example.org/> { ?s ?p ?o } }",
    "select * { service silent <http://example.org/> { ?s ?p ?o } }",
    "SELECT * { ?s ?p ?o OPTIONAL { SERVICE ?endpoint { ?s ?p ?o } } }",
])
def test_service_is_refused(text):
    with pytest.raises(RemoteRefused):
        shape(text)


@pytest.mark.parametrize("text", [
    "INSERT DATA { <a:b> <a:c> <a:d> }", "PREFIX x: <http://x/> DELETE WHERE { ?s ?p ?o }",
    "load <http://example.org/>", "CLEAR DEFAULT", "DROP GRAPH <a:g>", "CREATE GRAPH <a:g>",
    "COPY <a:g> TO <a:h>", "MOVE <a:g> TO <a:h>", "ADD <a:g> TO <a:h>", "WITH <a:g> DELETE { ?s ?p ?o } WHERE {}",
])
def test_updates_are_refused(text):
    with pytest.raises(UpdateRefused):
        shape(text)


@pytest.mark.parametrize("text", ["", "   ", "hello", "PREFIX ex: <http://x/>"])
def test_not_a_query(text):
    with pytest.raises(QueryError):
        shape(text)


def test_from_is_noticed():
    assert shape("SELECT * FROM <a:g> WHERE { ?s ?p ?o }").has_dataset
    assert not shape("SELECT ?from WHERE { ?from ?p ?o }").has_dataset


def test_values_open_the_where_group_not_the_template():
    text = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    bound = with_values(text, {"s": URIRef("https://example.org/a"), "o": Literal('x" } ; DROP ALL ; {')})
    assert bound.startswith("CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?s ?o) { (<https://example.org/a> "
                            '"x\\" } ; DROP ALL ; {") }')
    assert with_values(text, {}) == text


def nested(depth: int) -> str:
    return "SELECT * WHERE " + "{" * depth + " ?s ?p ?o " + "}" * depth


def test_nesting_is_refused_past_the_limit_before_parsing():
    """The limit counts groups, parentheses and brackets together; braces inside strings, IRIs and comments
    do not count; the message names the line where the limit is passed."""
    assert shape(nested(MAX_NESTING)).form == "SELECT"
    with pytest.raises(QueryError, match=f"more than {MAX_NESTING} deep \\(line 1\\)"):
        shape(nested(MAX_NESTING + 1))
    mixed = "ASK {\n" + "(" * 40 + "[" * 40 + "\n"  # 81 deep by line 2, however it would close
    with pytest.raises(QueryError, match="line 2"):
        shape(mixed)
    harmless = 'SELECT * WHERE { ?s ?p "' + "{" * 500 + '" # ' + "(" * 500 + "\n}"
    assert shape(harmless).form == "SELECT"
    with pytest.raises(QueryError, match="more than 3 deep"):
        keywords("{{{{ }}}}", max_nesting=3)


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { ?s ?p ?o }", "select*{?s ?p ?o}", "ASK{}", "  \n# c\nPREFIX : <http://x/>\nASK { :a ?p ?o }",
    "PREFIX ex:<http://x/>BASE<http://y/>CONSTRUCT WHERE { ?s ?p ?o }", "DESCRIBE <http://example.org/a>",
    "SELECT-x { }", "SELECTED { }", "PREFIX ex: <http://x/> SELECTx { }", "PREFIX ex: <http://x> DELETE WHERE {}",
    "prefix ex: <http://x/> select ?from { ?from ?p ?o }", "# SELECT\nINSERT DATA {}",
    "PREFIX ex: <http://x/ y> SELECT * {}", "ASK\u00b7 {}", "SELECT * { ?s ?p 'service' }",
])
def test_shortcut_agrees_with_the_full_scan(text):
    """The shortcut of `shape` reads every text as the token scan does (or refuses it the same way); tried:
    look-alikes of the form keyword, updates after a prologue, names and strings holding SERVICE or FROM."""
    def outcome(read):
        try:
            return read(text)
        except QueryError as exc:
            return type(exc)

    assert outcome(shape) == outcome(scanned_shape)


def test_shortcut_agrees_on_every_canned_query():
    for query in Catalogue.load().queries.values():
        assert shape(query.text) == scanned_shape(query.text), query.name


@pytest.mark.parametrize("depth", [MAX_NESTING - 1, MAX_NESTING, MAX_NESTING + 1, 3000])
def test_shortcut_never_skips_the_nesting_check(depth):
    """A plain query (no SERVICE, no FROM) nested past the limit is refused by `shape` as by the scan, whether
    its brackets are groups, parentheses or brackets; the shortcut is only taken below the limit."""
    for opener, closer in (("{", "}"), ("(", ")"), ("[", "]")):
        text = "SELECT * WHERE { " + opener * depth + " ?s " + closer * depth + " }"
        expected = pytest.raises(QueryError, match="deep") if depth + 1 > MAX_NESTING else None
        if expected is None:
            assert shape(text) == scanned_shape(text)
        else:
            with expected:
                shape(text)
