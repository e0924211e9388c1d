"""Exports over real HTTP: downloads with the right Content-Type and filename, the catalogue, the context.

Bad inputs tried: an unknown format, an unknown content option, a non-boolean `inferred`, a `context` that is
neither `embedded`, `remote` nor an http(s) URL, and `context` on a format that has none.
"""
from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
import zipfile

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from kg.export import FORMATS


def fetch(url: str, accept: str | None = None):
    req = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_downloads(live_server, fmt):
    status, headers, body = fetch(f"{live_server.url}/export/{fmt}")
    assert status == 200, body[:200]
    expected = "application/zip" if FORMATS[fmt].multi_file else FORMATS[fmt].media_type
    assert headers["Content-Type"].split(";")[0] == expected
    assert headers["Content-Disposition"].startswith("attachment; filename=")
    assert body
    if FORMATS[fmt].multi_file:
        assert zipfile.ZipFile(io.BytesIO(body)).namelist()


def test_turtle_download_is_the_dataset(live_server, dataset):
    _, _, body = fetch(f"{live_server.url}/export/turtle")
    union = Graph()
    for quad in dataset.quads((None, None, None, None)):
        union.add(quad[:3])
    assert isomorphic(Graph().parse(data=body, format="turtle"), union)


def test_nquads_asserted_only(live_server):
    _, headers, body = fetch(f"{live_server.url}/export/nquads?content=asserted")
    ds = Dataset()
    ds.parse(data=body, format="nquads")
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert names == {"https://w3id.org/crampkg/graph/asserted"}
    assert "asserted" in headers["Content-Disposition"]


def test_catalogue_lists_every_format_with_size_and_count(live_server):
    status, _headers, body = fetch(f"{live_server.url}/export/", accept="application/json")
    assert status == 200
    rows = json.loads(body)["formats"]
    assert {r["format"] for r in rows} == set(FORMATS)
    for row in rows:
        assert row["bytes"] > 0
        assert row.get("triples", 0) > 0 or row.get("edges", 0) > 0


def test_context_is_served_locally(live_server):
    status, headers, body = fetch(f"{live_server.url}/context.jsonld")
    assert status == 200 and headers["Content-Type"].startswith("application/ld+json")
    assert json.loads(body)["@context"]["ck"] == "https://w3id.org/crampkg/ontology#"


def test_jsonld_download_embeds_its_context(live_server):
    """A reader that fetches nothing (rdflib here, offline) reads the download as it comes."""
    status, _headers, body = fetch(f"{live_server.url}/export/jsonld?content=causal")
    assert status == 200
    doc = json.loads(body)
    assert doc["@context"]["ck"] == "https://w3id.org/crampkg/ontology#"
    assert len(Dataset().parse(data=body, format="json-ld")) > 0


def test_jsonld_remote_context_names_this_server(live_server):
    status, _headers, body = fetch(f"{live_server.url}/export/jsonld?content=causal&context=remote")
    assert status == 200
    assert json.loads(body)["@context"] == f"{live_server.url}/context.jsonld"


@pytest.mark.parametrize("path,words", [
    ("/export/pdf", "turtle"),
    ("/export/turtle?content=everything", "asserted"),
    ("/export/turtle?inferred=maybe", "inferred"),
    ("/export/jsonld?context=file:///etc/passwd", "give `embedded`"),
    ("/export/turtle?context=remote", "context applies to the jsonld format only"),
])
def test_bad_requests_list_the_valid_values(live_server, path, words):
    status, _headers, body = fetch(live_server.url + path)
    assert status == 400
    assert words in body.decode()


def test_browsers_asking_the_catalogue_get_the_export_page(live_server):
    import requests

    r = requests.get(f"{live_server.url}/export/?content=causal", timeout=30, allow_redirects=False,
                     headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/exports?content=causal")
    page = requests.get(live_server.url + r.headers["Location"], timeout=30).text
    assert "crampkg-causal.graphml" in page and "not medical advice" in page
