"""Neo4j: CSV files for `neo4j-admin database import full` and a Cypher script that creates the same graph.

nodes.csv has `id:ID`, `:LABEL` (Resource plus the node's crampkg classes) and properties; relationships.csv
has `:START_ID`, `:END_ID`, `:TYPE` and the edge's relation, graph and evidence (quote, offsets, claim).
Arrays are separated by `;`, unless one of their values contains `;`: then the first separator no value
contains is used, and import.sh passes it as --array-delimiter. Evidence quotes are single strings (one
relationship per claim), so they never need splitting. Text may hold newlines: import with
--multiline-fields=true (import.sh does).
"""
from __future__ import annotations

import csv
import io
import re

from ..errors import CrampkgError
from ..namespaces import DISCLAIMER
from .property_graph import Edge, Node, PropertyGraph
from .selection import Selection

ARRAY_DELIMITERS = (";", "|", "\u00a6", "\u001f")
NODE_LABEL = "Resource"
RESERVED = {"id", "name", "kind", "iri", "description", "synonyms", "xrefs"}  # fixed columns win


def relationship_type(edge: Edge) -> str:
    """`CK:causes` → CAUSES, `CK:commonlyAffects` → COMMONLY_AFFECTS, `rdf:type` → TYPE."""
    name = edge.relation.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).replace("-", "_").upper() or "RELATED_TO"


def _property_columns(nodes: tuple[Node, ...]) -> list[tuple[str, str, bool]]:
    """(name, Neo4j type, is array) for every literal property a node has."""
    values: dict[str, list] = {}
    for n in nodes:
        for name, vals in n.properties:
            values.setdefault(name, []).append(vals)
    columns = []
    for name, groups in sorted(values.items()):
        if name in RESERVED:
            continue
        flat = [v for g in groups for v in g]
        if all(isinstance(v, bool) for v in flat):
            kind = "boolean"
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in flat):
            kind = "long"
        elif all(isinstance(v, int | float) and not isinstance(v, bool) for v in flat):
            kind = "double"
        else:
            kind = "string"
        columns.append((name, kind, any(len(g) > 1 for g in groups)))
    return columns


def array_delimiter(pg: PropertyGraph) -> str:
    """`;`, or the first candidate that no array value contains."""
    arrays = {name for name, _, array in _property_columns(pg.nodes) if array}
    values = [v for n in pg.nodes for v in (*n.kinds, *n.synonyms, *n.xrefs)]
    values += [str(v) for n in pg.nodes for name, vals in n.properties if name in arrays for v in vals]
    values += [f"{k}={v}" for e in pg.edges if e.evidence for k, v in e.evidence.qualifiers]
    for delimiter in ARRAY_DELIMITERS:
        if not any(delimiter in v for v in values):
            return delimiter
    raise CrampkgError("neo4j export: every array delimiter candidate occurs in a value; cannot write arrays")


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerows(rows)
    return buf.getvalue().encode("utf-8")


def node_rows(pg: PropertyGraph, delimiter: str) -> list[list[str]]:
    props = _property_columns(pg.nodes)
    header = ["id:ID", ":LABEL", "name", "kind", "iri", "description", "synonyms:string[]", "xrefs:string[]"]
    header += [f"{name}:{kind}{'[]' if array else ''}" for name, kind, array in props]
    rows = [header]
    for n in pg.nodes:
        own = dict(n.properties)
        row = [n.id, delimiter.join((NODE_LABEL, *n.kinds)), n.label, n.kind, n.iri, n.description,
               delimiter.join(n.synonyms), delimiter.join(n.xrefs)]
        row += [delimiter.join(_value(v) for v in own.get(name, ())) for name, _, _ in props]
        rows.append(row)
    return rows


def relationship_rows(pg: PropertyGraph, delimiter: str) -> list[list[str]]:
    header = [":START_ID", ":END_ID", ":TYPE", "id", "relation", "label", "iri", "graph", "inferred:boolean",
              "causal:boolean", "quote", "start:long", "end:long", "claim", "qualifiers:string[]"]
    rows = [header]
    for e in pg.edges:
        ev = e.evidence
        rows.append([
            e.source, e.target, relationship_type(e), e.id, e.relation, e.label, e.relation_iri, e.graph,
            _value(e.inferred), _value(e.causal), ev.quote if ev else "",
            "" if not ev or ev.start is None else str(ev.start), "" if not ev or ev.end is None else str(ev.end),
            ev.claim if ev else "", delimiter.join(f"{k}={v}" for k, v in ev.qualifiers) if ev else "",
        ])
    return rows


def import_script(delimiter: str) -> bytes:
    return (
        "#!/bin/sh\n"
        "# Load crampkg into an empty Neo4j database (educational model of one article, not medical advice).\n"
        "# Run from this folder; DATABASE defaults to neo4j. Stop the database first.\n"
        "set -e\n"
        'neo4j-admin database import full "${DATABASE:-neo4j}" --overwrite-destination \\\n'
        "  --nodes=nodes.csv --relationships=relationships.csv \\\n"
        f"  --array-delimiter='{delimiter}' --multiline-fields=true\n"
    ).encode()


def cypher_string(value: str) -> str:
    """A Cypher string literal: single-quoted, with backslash escapes."""
    escaped = (value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r")
               .replace("\t", "\\t"))
    return f"'{escaped}'"


def _cypher_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, tuple | list):
        return "[" + ", ".join(_cypher_value(x) for x in v) + "]"
    return cypher_string(str(v))


def _cypher_map(props: dict) -> str:
    return "{" + ", ".join(f"`{k}`: {_cypher_value(v)}" for k, v in props.items() if v not in ("", (), None)) + "}"


def cypher(pg: PropertyGraph) -> bytes:
    """One CREATE per node and one MATCH … CREATE per relationship, in the order of the CSV files."""
    lines = [
        f"// {DISCLAIMER}",
        f"CREATE CONSTRAINT crampkg_id IF NOT EXISTS FOR (n:{NODE_LABEL}) REQUIRE n.id IS UNIQUE;",
    ]
    columns = _property_columns(pg.nodes)
    for n in pg.nodes:
        labels = "".join(f":`{k}`" for k in (NODE_LABEL, *n.kinds))
        own = dict(n.properties)
        props = {"id": n.id, "name": n.label, "kind": n.kind, "iri": n.iri, "description": n.description,
                 "synonyms": n.synonyms, "xrefs": n.xrefs}
        for name, _, array in columns:
            if name in own:
                props[name] = own[name] if array else own[name][0]
        lines.append(f"CREATE ({labels} {_cypher_map(props)});")
    for e in pg.edges:
        ev = e.evidence
        props = {"id": e.id, "relation": e.relation, "label": e.label, "iri": e.relation_iri, "graph": e.graph,
                 "inferred": e.inferred, "causal": e.causal}
        if ev:
            props.update(quote=ev.quote, start=ev.start, end=ev.end, claim=ev.claim,
                         qualifiers=tuple(f"{k}={v}" for k, v in ev.qualifiers))
        lines.append(
            f"MATCH (a:{NODE_LABEL} {{id: {cypher_string(e.source)}}}), "
            f"(b:{NODE_LABEL} {{id: {cypher_string(e.target)}}}) "
            f"CREATE (a)-[:`{relationship_type(e)}` {_cypher_map(props)}]->(b);"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def neo4j(sel: Selection) -> dict[str, bytes]:
    pg = sel.property_graph
    delimiter = array_delimiter(pg)
    return {
        "nodes.csv": _csv(node_rows(pg, delimiter)),
        "relationships.csv": _csv(relationship_rows(pg, delimiter)),
        "import.sh": import_script(delimiter),
        "crampkg.cypher": cypher(pg),
    }
