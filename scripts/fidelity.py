#!/usr/bin/env python3
"""Write docs/fidelity.md: each sentence of the article, the claims whose quotes fall in it, and what they assert.

The table is generated from the built graph, never written by hand, so it cannot drift from the model:
tests/kg/build/test_fidelity_doc.py fails when the committed file differs from what this script writes now. Run it
after changing ontology/*.ttl (``make fidelity``).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rdflib import Dataset, Literal
from rdflib.namespace import RDF, SKOS

from kg.build.article import Sentence, sentences
from kg.graph.chains import CausalGraph
from kg.graph.index import claim_qualifiers
from kg.namespaces import CK, DISCLAIMER, GRAPH_ASSERTED, OA, ROOT

FIDELITY_DOC = ROOT / "docs" / "fidelity.md"


@dataclass(frozen=True)
class Row:
    claim: str
    start: int
    end: int
    asserts: str
    words: str
    reading: bool


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def claim_rows(ds: Dataset) -> list[Row]:
    """Every claim of the built dataset, with its span and a readable statement, in article order."""
    causal = CausalGraph(ds)
    a = ds.graph(GRAPH_ASSERTED)
    rows = []
    for claim in a.subjects(RDF.type, CK.Claim):
        s, p, o = a.value(claim, RDF.subject), a.value(claim, RDF.predicate), a.value(claim, RDF.object)
        position = next(sel for sel in a.objects(a.value(claim, CK.hasEvidence), OA.hasSelector)
                        if (sel, RDF.type, OA.TextPositionSelector) in a)
        verb = "is a" if p == RDF.type else causal.label(p)
        obj = f"“{o}”" if isinstance(o, Literal) else causal.label(o)
        words = [f"{causal.label(q)}: “{v}”" for q, v in claim_qualifiers(a, claim)]
        words += [f"in the context of {causal.label(c)}" for c in sorted(a.objects(claim, CK.context))]
        reading = (claim, RDF.type, CK.CuratorReading) in a
        if reading:
            words.append(f"curator's reading: {a.value(claim, SKOS.editorialNote)}")
        rows.append(Row(str(claim).rsplit("/", 1)[-1], int(a.value(position, OA.start)),
                        int(a.value(position, OA.end)), f"{causal.label(s)} — {verb} → {obj}",
                        "; ".join(words), reading))
    return sorted(rows, key=lambda r: (r.start, r.claim))


def rows_by_sentence(ds: Dataset) -> list[tuple[Sentence, list[Row]]]:
    """Each sentence, bullet and heading of the article with the claims whose quotes overlap it."""
    rows = claim_rows(ds)
    return [(unit, [r for r in rows if r.start < unit.end and r.end > unit.start]) for unit in sentences()]


def render(ds: Dataset) -> str:
    table = rows_by_sentence(ds)
    statements = [(u, rows) for u, rows in table if u.kind != "heading"]
    claims = {r.claim for _, rows in table for r in rows}
    readings = {r.claim for _, rows in table for r in rows if r.reading}
    out = [
        "# Fidelity: the article, sentence by sentence, and the claims that encode it",
        "",
        f"{DISCLAIMER}",
        "",
        "Generated from the built graph by `scripts/fidelity.py` (`make fidelity`); do not edit by hand.",
        "`tests/kg/build/test_fidelity_doc.py` fails when this file is not what the script writes, and when a sentence",
        "has no claim. A claim appears under every sentence its quote overlaps. *Article's words* are the",
        "qualifiers kept on the claim, each verbatim from its quote. A **curator's reading** is implied by the",
        "quoted text but not stated in so many words.",
        "",
        f"{len(statements)} sentences and bullet points (and {len(table) - len(statements)} headings, never "
        f"evidence); {len(claims)} claims, {len(readings)} of them curator's readings.",
        "",
    ]
    for unit, rows in table:
        where = f"characters {unit.start}–{unit.end}"
        if unit.kind == "heading":
            out += [f"## Heading: {unit.text}", "", f"*{where}; a heading, never evidence.*", ""]
            continue
        counted = f"{len(rows)} claim{'' if len(rows) == 1 else 's'}"
        out += [f"### {unit.index + 1}. {_cell(unit.text)}", "", f"*{unit.kind}, {where}; {counted}*", "",
                "| claim | asserts | article's words |", "|---|---|---|"]
        for r in rows:
            name = f"**{r.claim}** (curator's reading)" if r.reading else f"`{r.claim}`"
            out.append(f"| {name} | {_cell(r.asserts)} | {_cell(r.words)} |")
        out.append("")
    return "\n".join(out)


def main() -> int:
    from kg.build import build
    from kg.graph.dataset import load_dataset

    ds = load_dataset(build().path)
    FIDELITY_DOC.parent.mkdir(exist_ok=True)
    FIDELITY_DOC.write_text(render(ds), encoding="utf-8")
    print(f"wrote {FIDELITY_DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
