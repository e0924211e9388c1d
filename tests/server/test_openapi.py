"""/openapi.json describes the JSON API, and schemathesis fuzzes every operation against the live server:
no 5xx, status codes, content types and response bodies as documented (bounded examples).

schemathesis' pytest plugin (``from_fixture``) does not run under pytest 9, so the test drives its
hypothesis strategies directly: one test per operation, 25 generated requests each (10 per canned query).
"""
from __future__ import annotations

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings

from kg.query.catalogue import Catalogue

OPERATIONS = ["GET /api/paths", "GET /api/explain", "GET /api/entities", "GET /api/queries", "GET /api/complete",
              *[f"GET /api/queries/{name}" for name in sorted(Catalogue.load().queries)]]


@pytest.fixture(scope="session")
def api_schema(live_server):
    return schemathesis.openapi.from_url(f"{live_server.url}/openapi.json")


def test_openapi_lists_the_json_api(api_schema):
    listed = {f"{op.ok().method.upper()} {op.ok().path}" for op in api_schema.get_all_operations()}
    assert listed == set(OPERATIONS)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_operation_conforms(api_schema, live_server, operation):
    method, path = operation.split(" ")
    op = api_schema[path][method]
    seen: list[int] = []

    @given(case=op.as_strategy())
    @settings(max_examples=10 if "/queries/" in path else 25, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def fuzz(case):
        response = case.call_and_validate(base_url=live_server.url, timeout=10)
        seen.append(response.status_code)

    fuzz()
    assert seen and all(code < 500 for code in seen)


def test_document_is_served_as_json(live_server):
    r = requests.get(f"{live_server.url}/openapi.json", timeout=10)
    assert r.headers["Content-Type"] == "application/json" and r.json()["openapi"].startswith("3.")
