"""docs/fidelity.md is generated from the graph (scripts/fidelity.py) and must be current; no sentence of the
article may lose its claims."""
from __future__ import annotations

import importlib.util
import sys

import pytest
from conftest import ROOT


@pytest.fixture(scope="module")
def fidelity():
    spec = importlib.util.spec_from_file_location("fidelity", ROOT / "scripts" / "fidelity.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["fidelity"] = module  # dataclasses look their module up while the script loads
    spec.loader.exec_module(module)
    return module


def test_fidelity_doc_is_current(dataset, fidelity):
    committed = fidelity.FIDELITY_DOC.read_text(encoding="utf-8")
    assert committed == fidelity.render(dataset), (
        "docs/fidelity.md is out of date with the graph: run `make fidelity` (scripts/fidelity.py) and commit it")


def test_no_sentence_loses_its_claims(dataset, fidelity):
    """Every sentence and bullet point has at least one claim the article itself states (a curator's reading
    alone is not enough), and no heading is evidence."""
    table = fidelity.rows_by_sentence(dataset)
    statements = [(unit, rows) for unit, rows in table if unit.kind != "heading"]
    assert len(statements) == 34
    assert sum(1 for unit, _ in table if unit.kind == "heading") == 3
    assert sum(1 for unit, _ in table if unit.kind == "bullet") == 6
    for unit, rows in table:
        if unit.kind == "heading":
            assert rows == [], unit.text
        else:
            assert [r for r in rows if not r.reading], f"sentence {unit.index + 1} has no claim: {unit.text!r}"


def test_a_sentence_without_claims_is_caught(dataset, fidelity):
    """The check above can fail: drop every claim quoting the last bullet and it names that bullet."""
    from rdflib import Dataset

    from kg.namespaces import GRAPH_ASSERTED, GRAPH_ONTOLOGY

    last = [u for u in fidelity.rows_by_sentence(dataset) if u[0].kind == "bullet"][-1]
    doomed = {row.claim for row in last[1]}
    trimmed = Dataset()
    for name in (GRAPH_ONTOLOGY, GRAPH_ASSERTED):
        target = trimmed.graph(name)
        for s, p, o in dataset.graph(name):
            if str(s).rsplit("/", 1)[-1] not in doomed:
                target.add((s, p, o))
    bare = [u for u, rows in fidelity.rows_by_sentence(trimmed) if u.kind != "heading" and not rows]
    assert [u.text for u in bare] == [last[0].text]
