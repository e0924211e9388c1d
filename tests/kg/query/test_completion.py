"""kg.query.completion: what the query editor may insert, indexed from the graph, and the input it refuses."""
from __future__ import annotations

import pytest

from kg.errors import CompletionError
from kg.graph.chains import CausalGraph
from kg.query.completion import Completions, curie_of


@pytest.fixture(scope="module")
def completions(dataset):
    return Completions(CausalGraph(dataset))


def test_entities_are_things_not_the_parts_of_a_claim(completions):
    entities = {t.curie for t in completions.terms["entity"]}
    assert "id:vitamin-d" in entities and "claim:diuretic-depletes-potassium" in entities
    assert not any("/evidence" in c for c in entities)
    assert not {t.curie for t in completions.terms["class"]} & entities


def test_curies_are_only_made_where_sparql_accepts_them():
    assert curie_of("https://w3id.org/crampkg/id/vitamin-d") == "id:vitamin-d"
    assert curie_of("https://w3id.org/crampkg/id/claim/x") == "claim:x"
    assert curie_of("https://w3id.org/crampkg/id/x/evidence") == "<https://w3id.org/crampkg/id/x/evidence>"
    assert curie_of("https://example.org/x") == "<https://example.org/x>"


def test_the_library_refuses_the_same_input(completions):
    with pytest.raises(CompletionError, match="unknown kind"):
        completions.complete("nope", "x")
    with pytest.raises(CompletionError, match="control character"):
        completions.complete("entity", "\x01")
    with pytest.raises(CompletionError, match="`limit` must be from 1"):
        completions.complete("entity", "x", limit=0)
