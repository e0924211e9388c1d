"""Exports over HTTP (Flask's test client: the real server adds nothing here): downloads with the right
Content-Type and filename, the catalogue, the context, and the bounded download cache.

Bad inputs tried: an unknown format, an unknown content option, a non-boolean `inferred`; many spellings of
`inferred=true`, which must share one cached download; a `context` that is neither `embedded`, `remote` nor an
http(s) URL, and `context` on a format that has none.
"""
from __future__ import annotations

import io
import json
import zipfile

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from kg.export import FORMATS


def fetch(client, path: str, accept: str | None = None):
    r = client.get(path, headers={"Accept": accept} if accept else {})
    return r.status_code, r.headers, r.data


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_downloads(client, fmt):
    status, headers, body = fetch(client, f"/export/{fmt}")
    assert status == 200, body[:200]
    expected = "application/zip" if FORMATS[fmt].multi_file else FORMATS[fmt].media_type
    assert headers["Content-Type"].split(";")[0] == expected
    assert headers["Content-Disposition"].startswith("attachment; filename=")
    assert body
    if FORMATS[fmt].multi_file:
        assert zipfile.ZipFile(io.BytesIO(body)).namelist()


def test_turtle_download_is_the_dataset(client, dataset):
    _, _, body = fetch(client, "/export/turtle")
    union = Graph()
    for quad in dataset.quads((None, None, None, None)):
        union.add(quad[:3])
    assert isomorphic(Graph().parse(data=body, format="turtle"), union)


def test_nquads_asserted_only(client):
    _, headers, body = fetch(client, "/export/nquads?content=asserted")
    ds = Dataset()
    ds.parse(data=body, format="nquads")
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert names == {"https://w3id.org/crampkg/graph/asserted"}
    assert "asserted" in headers["Content-Disposition"]


def test_catalogue_lists_every_format_with_size_and_count(client):
    status, _headers, body = fetch(client, "/export/", accept="application/json")
    assert status == 200
    rows = json.loads(body)["formats"]
    assert {r["format"] for r in rows} == set(FORMATS)
    for row in rows:
        assert row["bytes"] > 0
        assert row.get("triples", 0) > 0 or row.get("edges", 0) > 0


def test_context_is_served_locally(client):
    status, headers, body = fetch(client, "/context.jsonld")
    assert status == 200 and headers["Content-Type"].startswith("application/ld+json")
    assert json.loads(body)["@context"]["ck"] == "https://w3id.org/crampkg/ontology#"


def test_jsonld_download_embeds_its_context(client):
    """A reader that fetches nothing (rdflib here, offline) reads the download as it comes."""
    status, _headers, body = fetch(client, "/export/jsonld?content=causal")
    assert status == 200
    doc = json.loads(body)
    assert doc["@context"]["ck"] == "https://w3id.org/crampkg/ontology#"
    assert len(Dataset().parse(data=body, format="json-ld")) > 0


def test_jsonld_remote_context_names_this_server(client):
    status, _headers, body = fetch(client, "/export/jsonld?content=causal&context=remote")
    assert status == 200
    assert json.loads(body)["@context"] == "http://localhost/context.jsonld"


@pytest.mark.parametrize("path,words", [
    ("/export/pdf", "turtle"),
    ("/export/turtle?content=everything", "asserted"),
    ("/export/turtle?inferred=maybe", "inferred"),
    ("/export/jsonld?context=file:///etc/passwd", "give `embedded`"),
    ("/export/turtle?context=remote", "context applies to the jsonld format only"),
])
def test_bad_requests_list_the_valid_values(client, path, words):
    status, _headers, body = fetch(client, path)
    assert status == 400
    assert words in body.decode()


def test_browsers_asking_the_catalogue_get_the_export_page(client):
    r = client.get("/export/?content=causal", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/exports?content=causal")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "crampkg-causal.graphml" in page and "not medical advice" in page


def test_many_spellings_of_inferred_share_one_cached_download(app, client):
    """The download cache is keyed on the checked selection, not the query string: ten spellings of
    `inferred=true` (and the default) keep one copy, and a refused value keeps none."""
    knowledge = app.extensions["crampkg"]

    def kept() -> list[tuple]:
        return [k for k in knowledge.derived_keys() if k[:3] == ("download", "trig", "all")]

    spellings = ["", "true", "TRUE", "True", "true%20", "%20yes", "yes", "YES", "1", "on", "On"]
    bodies = {client.get(f"/export/trig?inferred={word}").data for word in spellings}
    bodies.add(client.get("/export/trig").data)
    assert len(bodies) == 1
    assert kept() == [("download", "trig", "all", True)]
    assert client.get("/export/trig?inferred=maybe").status_code == 400
    assert kept() == [("download", "trig", "all", True)]


def test_the_view_cache_is_bounded(app, client):
    """Every format, content and inferred choice (and the catalogue's) fits; the total never passes the bound."""
    from server.state import DERIVED_VIEWS

    knowledge = app.extensions["crampkg"]
    for content in ("all", "asserted", "causal"):
        for inferred in ("true", "false"):
            client.get(f"/export/?content={content}&inferred={inferred}", headers={"Accept": "application/json"})
            client.get(f"/export/mermaid?content={content}&inferred={inferred}")
    assert len(knowledge.derived_keys()) <= DERIVED_VIEWS
