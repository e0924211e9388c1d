"""/openapi.json: the JSON API described in OpenAPI 3.0 (fuzzed by schemathesis in the tests)."""
from __future__ import annotations

from flask import Blueprint, jsonify

from kg import __version__
from kg.namespaces import curie
from server.completion import openapi_path as completion_path
from server.state import knowledge

bp = Blueprint("openapi", __name__)

ERROR = {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}
EVIDENCE = {"type": "object", "required": ["claim", "quote", "start", "end"],
            "properties": {"claim": {"type": "string"}, "quote": {"type": "string"},
                           "start": {"type": "integer", "minimum": 0}, "end": {"type": "integer", "minimum": 0},
                           "qualifiers": {"type": "object", "description": "the claim's qualifiers by name "
                                          "(wording, qualifier, doseCondition, …), each verbatim from the quote",
                                          "additionalProperties": {"type": "array", "items": {"type": "string"}}}}}
STEP = {"type": "object", "required": ["s", "p", "o", "asserted", "evidence"],
        "properties": {"s": {"type": "object"}, "p": {"type": "object"}, "o": {"type": "object"},
                       "asserted": {"type": "boolean"}, "evidence": {"type": "array", "items": EVIDENCE}}}
NODE = {"type": "object", "required": ["iri", "label"],
        "properties": {"iri": {"type": "string"}, "label": {"type": "string"}}}
SPARQL_JSON = {"type": "object", "required": ["head"],
               "properties": {"head": {"type": "object"}, "results": {"type": "object"},
                              "boolean": {"type": "boolean"}, "truncated": {"type": "boolean"},
                              "max_rows": {"type": "integer"}}}


def json_response(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def errors(*codes: int) -> dict:
    text = {400: "bad input, with the reason", 404: "no such entity or query", 406: "no acceptable format"}
    return {str(c): json_response(text[c], ERROR) for c in codes}


# The server strips whitespace as Python does, so a blank name is a 400; Python's whitespace also has
# U+001C..U+001F and U+0085, which a JSON Schema (ECMA-262) \S would let through.
NAME = {"type": "string", "pattern": r"[^\s\x1c-\x1f\x85]"}
CURIE = {"type": "string", "pattern": r"^(ck|rdf|rdfs|owl|skos):[A-Za-z]+$"}


def text_param(name: str, description: str, required: bool = True, schema: dict | None = None) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": schema or NAME}


def canned_parameter(param, iris: list[str]) -> dict:
    """A canned query's parameter: numbers by pattern, IRIs as the CURIEs of what is in the graph."""
    if param.type == "number":
        schema = {"type": "string", "pattern": r"^[+-]?(\d+(\.\d*)?|\.\d+)$"}
    elif param.type == "IRI":
        schema = {"type": "string", "enum": iris}
    else:
        schema = {"type": "string"}
    schema["example"] = param.example
    return {"name": param.name, "in": "query", "required": False, "schema": schema,
            "description": f"{param.description} ({param.type}; default {param.default})"}


def canned_path(query, iris: list[str]) -> dict:
    return {"get": {
        "summary": query.title,
        "description": f"{query.description} Answers: {query.answers}",
        "parameters": [canned_parameter(p, iris) for p in query.parameters],
        "responses": {"200": {"description": "the results", "content": {
            "application/sparql-results+json": {"schema": SPARQL_JSON},
            "text/turtle": {"schema": {"type": "string"}}}},
            **errors(400, 406)}}}


def document() -> dict:
    k = knowledge()
    iris = sorted(c for c in map(curie, k.catalogue.known_iris or ()) if c)  # an IRI no prefix shortens is left out
    return {
        "openapi": "3.0.3",
        "info": {"title": "crampkg JSON API", "version": __version__,
                 "description": "Causal chains, explanations, entities and canned queries over a knowledge "
                                "graph of one article on leg cramps and vitamin supplements. An educational "
                                "model of one article, not medical advice. The SPARQL 1.1 Protocol is at "
                                "/sparql."},
        "paths": {
            "/api/paths": {"get": {
                "summary": "Every simple causal chain between two entities",
                "parameters": [text_param("from", "IRI, CURIE or label of the cause"),
                               text_param("to", "IRI, CURIE or label of the effect")],
                "responses": {"200": json_response("the chains", {
                    "type": "object", "required": ["from", "to", "chains"],
                    "properties": {"from": NODE, "to": NODE, "chains": {"type": "array", "items": {
                        "type": "object", "required": ["text", "summary", "steps"],
                        "properties": {"text": {"type": "string"},
                                       "summary": {"type": "string", "description": "the article's words for each "
                                                   "step, joined: a chain is only as certain as its weakest step"},
                                       "steps": {"type": "array", "items": STEP}}}},
                        "disclaimer": {"type": "string"}}}), **errors(400, 404)}}},
            "/api/explain": {"get": {
                "summary": "Why a triple holds: its evidence, or the OWL rule and asserted steps behind it",
                "parameters": [text_param("s", "subject"),
                               text_param("p", "predicate (a CURIE such as ck:causallyUpstreamOf)", schema=CURIE),
                               text_param("o", "object")],
                "responses": {"200": json_response("the explanation", {
                    "type": "object", "required": ["s", "p", "o", "asserted"],
                    "properties": {"s": {"type": "string"}, "p": {"type": "string"}, "o": {"type": "string"},
                                   "asserted": {"type": "boolean"}}}), **errors(400, 404)}}},
            "/api/entities": {"get": {
                "summary": "Entities, optionally filtered by a case-insensitive label substring",
                "parameters": [text_param("q", "label substring", required=False)],
                "responses": {"200": json_response("the entities", {
                    "type": "object", "required": ["entities"],
                    "properties": {"entities": {"type": "array", "items": {
                        "type": "object", "required": ["iri", "label", "alt_labels"],
                        "properties": {"iri": {"type": "string"}, "label": {"type": "string"},
                                       "alt_labels": {"type": "array", "items": {"type": "string"}}}}}}})}}},
            "/api/queries": {"get": {
                "summary": "The canned queries and their parameters",
                "responses": {"200": json_response("the catalogue", {
                    "type": "object", "required": ["queries"],
                    "properties": {"queries": {"type": "array", "items": {
                        "type": "object", "required": ["name", "title", "description", "parameters", "url"],
                        "properties": {"name": {"type": "string"}, "title": {"type": "string"},
                                       "description": {"type": "string"}, "answers": {"type": "string"},
                                       "form": {"type": "string"}, "url": {"type": "string"},
                                       "parameters": {"type": "array", "items": {"type": "object"}}}}},
                        "disclaimer": {"type": "string"}}})}}},
            **{f"/api/queries/{q.name}": canned_path(q, iris) for q in k.catalogue},
            "/api/complete": completion_path(errors(400)),
        },
    }


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(document())
