"""The Cypher script parsed by an independent openCypher parser (the ANTLR grammar of the antlr4-cypher package):
every CREATE / MATCH … CREATE statement parses without a syntax error, and the string tokens its lexer finds
decode to the original literals, hostile ones included.

The openCypher grammar has no Neo4j 5 schema commands, so the one `CREATE CONSTRAINT` line is compared with
its expected text instead of being parsed. A deliberately broken statement is rejected, so the parser is not
one that accepts anything."""
from __future__ import annotations

import pytest
from antlr4 import CommonTokenStream, InputStream
from antlr4.error.ErrorListener import ErrorListener
from antlr4_cypher import CypherLexer, CypherParser
from export_support import (
    LONG,
    TRICKY_LABEL,
    TRICKY_NOTE,
    TRICKY_QUOTE,
    TRICKY_SYNONYMS,
    cypher_unescape,
    expected_property_graph,
    tricky_dataset,
)

from kg.export import export_bytes

CONSTRAINT = "CREATE CONSTRAINT crampkg_id IF NOT EXISTS FOR (n:Resource) REQUIRE n.id IS UNIQUE;"


class Errors(ErrorListener):
    def __init__(self) -> None:
        self.found: list[str] = []

    def syntaxError(self, recognizer, offendingSymbol, line, column, msg, e):
        self.found.append(f"{line}:{column} {msg}")


def parse(statement: str) -> tuple[list[str], list[str]]:
    """(syntax errors, string literal tokens) of one statement."""
    errors = Errors()
    lexer = CypherLexer(InputStream(statement))
    lexer.removeErrorListeners()
    lexer.addErrorListener(errors)
    tokens = CommonTokenStream(lexer)
    parser = CypherParser(tokens)
    parser.removeErrorListeners()
    parser.addErrorListener(errors)
    parser.script()
    strings = [t.text for t in tokens.tokens if t.type == CypherLexer.STRING_LITERAL]
    return errors.found, strings


def statements(script: str) -> list[str]:
    return [line for line in script.splitlines() if line and not line.startswith("//")]


def test_the_parser_rejects_broken_cypher():
    assert parse("CREATE (:`A` {`id`: 'it's'})")[0]
    assert not parse("CREATE (:`A` {`id`: 'it\\'s'})")[0]


@pytest.mark.parametrize("source", ["build", "tricky"])
@pytest.mark.parametrize("content", ["all", "asserted", "causal"])
def test_every_statement_parses(dataset, source, content):
    ds = dataset if source == "build" else tricky_dataset()
    script = export_bytes("neo4j", content, True, ds=ds).payload["crampkg.cypher"].decode("utf-8")
    lines = statements(script)
    assert lines[0] == CONSTRAINT
    nodes, edges = expected_property_graph(ds, content, True)
    assert len(lines) == 1 + len(nodes) + edges
    for line in lines[1:]:
        errors, _ = parse(line)
        assert not errors, f"{errors} in {line[:200]}"


def test_string_tokens_decode_to_the_hostile_literals():
    script = export_bytes("neo4j", "all", True, ds=tricky_dataset()).payload["crampkg.cypher"].decode("utf-8")
    strings = {cypher_unescape(s[1:-1]) for line in statements(script)[1:] for s in parse(line)[1]}
    assert {TRICKY_LABEL, LONG, TRICKY_QUOTE, TRICKY_NOTE, *TRICKY_SYNONYMS} <= strings
