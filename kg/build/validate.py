"""SHACL validation of the built graph with pySHACL."""
from __future__ import annotations

from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph

from kg.errors import BuildError


def validate(data: Graph, shapes_path: Path) -> str | None:
    """None when `data` conforms to the shapes, else pySHACL's readable report."""
    shapes = Graph()
    try:
        shapes.parse(shapes_path, format="turtle")
    except Exception as exc:
        raise BuildError(f"{shapes_path.name}: Turtle syntax error: {exc}") from None
    conforms, _, text = shacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=False
    )
    return None if conforms else text
