"""The canned queries of ``queries/*.rq``: their headers, and the one place that binds their parameters.

Each file starts with comment lines::

    # title: Which upper limit a daily intake exceeds
    # description: … (continued on indented comment lines)
    # answers: Is 5,000 IU of vitamin D a day over the limit?
    # param: amount | number | 5000 | 150 | the daily amount taken

A parameter is a variable of the query (``?amount``). Values arrive as text and leave as RDF terms — an IRI
that names something in the graph, a literal, or an ``xsd:decimal``/``xsd:integer`` number — bound the same
way by every engine: a ``VALUES`` block written from the checked terms (:func:`kg.query.text.with_values`).
The user's text is never pasted into the query.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import XSD

from kg.errors import CrampkgError, QueryError, UnknownQuery
from kg.namespaces import QUERIES_DIR, expand
from kg.query.text import shape

TYPES = ("IRI", "literal", "number")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_IRI_CHARS = re.compile(r'[^<>"{}|^`\\\s\x00-\x20]+')
MAX_VALUE_LENGTH = 2000  # characters per parameter value: far above any IRI or number in the graph


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: str | None
    example: str | None
    description: str

    def as_dict(self) -> dict:
        return {"name": self.name, "type": self.type, "default": self.default, "example": self.example,
                "description": self.description}


@dataclass(frozen=True)
class CannedQuery:
    name: str
    title: str
    description: str
    answers: str
    parameters: tuple[Parameter, ...]
    text: str
    form: str
    path: Path = field(compare=False)

    def as_dict(self) -> dict:
        return {"name": self.name, "title": self.title, "description": self.description,
                "answers": self.answers, "form": self.form,
                "parameters": [p.as_dict() for p in self.parameters]}


def parse_header(path: Path) -> dict:
    fields: dict = {"param": []}
    last = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        body = line[1:]
        m = re.match(r"\s*(title|description|answers|param):\s*(.*)", body)
        if m:
            last = m.group(1)
            if last == "param":
                fields["param"].append(m.group(2).strip())
            else:
                fields[last] = m.group(2).strip()
        elif last in ("description", "answers") and body.startswith("   "):
            fields[last] += " " + body.strip()
    return fields


def parse_parameter(text: str, where: str) -> Parameter:
    parts = [p.strip() for p in text.split("|")]
    if len(parts) != 5:
        raise CrampkgError(f"{where}: `# param:` needs `name | type | default | example | description`")
    name, kind, default, example, description = parts
    if not _NAME.fullmatch(name) or kind not in TYPES:
        raise CrampkgError(f"{where}: parameter `{name}`: bad name or type `{kind}` (types: {', '.join(TYPES)})")
    return Parameter(name, kind, default or None, example or None, description)


def load_query(path: Path) -> CannedQuery:
    header = parse_header(path)
    where = path.name
    for key in ("title", "description", "answers"):
        if not header.get(key):
            raise CrampkgError(f"{where}: the header needs a `# {key}:` line")
    params = tuple(parse_parameter(p, where) for p in header["param"])
    text = path.read_text(encoding="utf-8")
    for p in params:
        if not re.search(rf"[?$]{p.name}\b", text):
            raise CrampkgError(f"{where}: parameter `{p.name}` is not a variable of the query")
    return CannedQuery(path.stem, header["title"], header["description"], header["answers"], params, text,
                       shape(text).form, path)


class Catalogue:
    """The canned queries, and the binding of request parameters to RDF terms."""

    def __init__(self, queries: dict[str, CannedQuery], known_iris: set[str] | None = None) -> None:
        self.queries = queries
        self.known_iris = known_iris  # None: do not check that IRIs are in the graph (remote endpoints)

    @classmethod
    def load(cls, directory: Path = QUERIES_DIR, known_iris: set[str] | None = None) -> Catalogue:
        return cls({p.stem: load_query(p) for p in sorted(directory.glob("*.rq"))}, known_iris)

    def __iter__(self):
        return iter(self.queries.values())

    def get(self, name: str) -> CannedQuery:
        try:
            return self.queries[name]
        except KeyError:
            raise UnknownQuery(f"no canned query `{name}`; see /api/queries for the list") from None

    def term(self, param: Parameter, value: str):
        """The RDF term for a textual value, or :class:`QueryError` saying why not."""
        if len(value) > MAX_VALUE_LENGTH:
            raise QueryError(f"parameter `{param.name}`: value longer than {MAX_VALUE_LENGTH} characters")
        if param.type == "number":
            value = value.strip()
            if not _NUMBER.fullmatch(value):
                raise QueryError(f"parameter `{param.name}` must be a number (like {param.example or 42}), "
                                 f"not {value!r}")
            return Literal(value, datatype=XSD.decimal if "." in value else XSD.integer)
        if param.type == "literal":
            return Literal(value)
        iri = expand(value.strip())
        if not _IRI_CHARS.fullmatch(iri) or ":" not in iri:
            raise QueryError(f"parameter `{param.name}` must be an IRI or a CURIE like {param.example}, "
                             f"not {value!r}")
        if self.known_iris is not None and iri not in self.known_iris:
            raise QueryError(f"parameter `{param.name}`: <{iri}> is not in the graph")
        return URIRef(iri)

    def bind(self, query: CannedQuery, values: dict[str, list[str]]) -> dict:
        """Variable name → RDF term for every parameter: given values, else defaults."""
        declared = {p.name: p for p in query.parameters}
        unknown = sorted(set(values) - set(declared))
        if unknown:
            takes = ", ".join(declared) or "no parameters"
            raise QueryError(f"query `{query.name}` has no parameter {', '.join(f'`{u}`' for u in unknown)}; "
                             f"it takes {takes}")
        bindings = {}
        for name, param in declared.items():
            given = values.get(name)
            if given is not None and len(given) != 1:
                raise QueryError(f"parameter `{name}` given {len(given)} times; give it once")
            value = given[0] if given else param.default
            if value is None:
                raise QueryError(f"query `{query.name}` needs parameter `{name}` ({param.description})")
            bindings[name] = self.term(param, value)
        return bindings


KNOWN_IRIS_QUERY = """SELECT DISTINCT ?x WHERE {
  { ?x ?p ?o } UNION { ?s ?x ?o } UNION { ?s ?p ?x } FILTER(isIRI(?x)) }"""


def known_iris(engine) -> set[str]:
    """Every IRI used in the dataset (and its graph names): what a canned query's IRI parameter may name."""
    result = engine.query(KNOWN_IRIS_QUERY)
    return {str(row[0]) for row in result.rows} | set(engine.graph_sizes())


def dataset_iris(ds: Dataset) -> set[str]:
    """:func:`known_iris` read from a loaded dataset instead of asked of an engine (a store's snapshot is one)."""
    out = set()
    for quad in ds.quads():
        out.update(str(t) for t in quad if isinstance(t, URIRef))
    return out
