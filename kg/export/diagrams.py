"""Diagrams of the property graph (by default the causal network): Graphviz DOT and a Mermaid flowchart.
Asserted edges are solid, inferred ones dashed; the evidence quote is the DOT edge tooltip."""
from __future__ import annotations

from ..namespaces import DISCLAIMER
from .property_graph import PropertyGraph
from .selection import Selection


def dot_string(value: str) -> str:
    """A DOT double-quoted string (newlines become the \\n line break)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "\\n")
    return f'"{escaped}"'


def dot_document(pg: PropertyGraph) -> str:
    lines = [f"// {DISCLAIMER}", "digraph crampkg {", "  rankdir=LR;",
             f'  label={dot_string(DISCLAIMER)}; labelloc=b; fontsize=10; fontname="Helvetica";',
             '  node [shape=box, style="rounded,filled", fillcolor="#f5f5f5", fontname="Helvetica"];',
             '  edge [fontname="Helvetica", fontsize=10];']
    for n in pg.nodes:
        lines.append(f"  {dot_string(n.id)} [label={dot_string(n.label)}, tooltip={dot_string(n.kind)}];")
    for e in pg.edges:
        attrs = [f"label={dot_string(e.label)}"]
        if e.inferred:
            attrs.append("style=dashed")
        if e.evidence:
            attrs.append(f"tooltip={dot_string(e.evidence.quote)}")
        lines.append(f"  {dot_string(e.source)} -> {dot_string(e.target)} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def mermaid_text(value: str) -> str:
    """Text inside a Mermaid "…" label: quotes and markup characters as entity codes, newlines as <br>."""
    out = value.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    out = out.replace("|", "#124;").replace("\r", "").replace("\n", "<br>")
    return out


def mermaid_document(pg: PropertyGraph) -> str:
    ids = {n.id: f"n{i}" for i, n in enumerate(pg.nodes)}
    lines = [f"%% {DISCLAIMER}", "flowchart LR"]
    for n in pg.nodes:
        lines.append(f'  {ids[n.id]}["{mermaid_text(n.label)}"]')
    for e in pg.edges:
        arrow = "-.->" if e.inferred else "-->"
        lines.append(f'  {ids[e.source]} {arrow}|"{mermaid_text(e.label)}"| {ids[e.target]}')
    return "\n".join(lines) + "\n"


def dot(sel: Selection) -> bytes:
    return dot_document(sel.property_graph).encode("utf-8")


def mermaid(sel: Selection) -> bytes:
    return mermaid_document(sel.property_graph).encode("utf-8")
