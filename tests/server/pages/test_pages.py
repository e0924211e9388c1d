"""The web pages over plain HTTP: content negotiation, escaping, the disclaimer, no outside resources."""
from __future__ import annotations

import json
import re
import shutil

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from kg.namespaces import ROOT
from server import create_app
from server.pages.views import RDF_FORMATS, article_layout, claim_index

VITAMIN_D = URIRef("https://w3id.org/crampkg/id/vitamin-d")
# Queries in this process (the server branch's executor forks worker processes otherwise; forking a process
# that also drives Chromium through Playwright threads can deadlock).
IN_PROCESS = {"QUERY_WORKERS": 0}
RDFLIB_PARSERS = {"turtle": "turtle", "jsonld": "json-ld", "ntriples": "nt", "rdfxml": "xml"}
PAGES = ["/", "/?from=diuretics&to=leg+cramp", "/article", "/article?claim=diuretic-depletes-potassium",
         "/id/vitamin-d", "/id/vitamin-b6-upper-limit", "/id/claim/diuretic-depletes-potassium", "/ontology",
         "/ontology/CrampRiskFactor", "/ontology/causes", "/query", "/advice", "/exports"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_html_with_title_disclaimer_and_only_local_resources(client, path):
    r = client.get(path, headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert r.content_type.startswith("text/html")
    page = r.get_data(as_text=True)
    assert re.search(r"<title>[^<]+ · crampkg</title>", page)
    assert "educational model of one article, not medical advice" in page
    for attr in re.findall(r'<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)="([^"]*)"', page):
        assert attr.startswith("/") and not attr.startswith("//"), f"{path} loads {attr} from elsewhere"
    assert "@import" not in page and "url(http" not in page
    for img in re.findall(r"<img\b[^>]*>", page):
        assert "alt=" in img
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), f"{path} repeats ids: {sorted({i for i in ids if ids.count(i) > 1})}"
    assert re.search(r'<html lang="en">', page) and '<meta name="viewport"' in page


def test_static_files_load_nothing_from_outside(client):
    for name in ("site.css", "explorer.js", "article.js", "query.js", "query.css"):
        text = client.get(f"/static/{name}").get_data(as_text=True)
        assert not re.search(r"https?://(?!w3id\.org/crampkg/)", text), name
        assert "innerHTML" not in text and "insertAdjacentHTML" not in text, f"{name} writes HTML"


def test_vendored_files_match_their_recorded_checksums():
    import hashlib

    vendor = ROOT / "server" / "pages" / "static" / "vendor"
    table = (vendor / "VENDORED.md").read_text()
    recorded = dict(re.findall(r"`([\w./-]+\.(?:js|css))`[^|]*\| `([0-9a-f]{64})`", table))
    assert len(recorded) == 5
    for name, digest in recorded.items():
        assert hashlib.sha256((vendor / name).read_bytes()).hexdigest() == digest, name
        assert (vendor / name.split("/")[0] / "LICENSE").exists()


# ----- content negotiation -----------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", list(RDF_FORMATS))
def test_entity_url_negotiates_every_rdf_format(client, fmt):
    media_type, _ = RDF_FORMATS[fmt]
    rdflib_format = RDFLIB_PARSERS[fmt]
    r = client.get("/id/vitamin-d", headers={"Accept": f"{media_type}, text/html;q=0.5"})
    assert r.status_code == 200
    assert r.mimetype == media_type
    assert "Accept" in r.headers["Vary"]
    g = Graph().parse(data=r.data, format=rdflib_format)
    assert (VITAMIN_D, RDFS.label, Literal("vitamin D", lang="en")) in g
    # and the ?format= override gives the same graph
    r2 = client.get(f"/id/vitamin-d?format={fmt}", headers={"Accept": "text/html"})
    assert r2.mimetype == media_type
    assert len(Graph().parse(data=r2.data, format=rdflib_format)) == len(g)


@pytest.mark.parametrize("accept,expected", [
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),  # a browser
    ("*/*", "text/html"),
    ("text/turtle;q=0.9, application/ld+json", "application/ld+json"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("application/n-triples", "application/n-triples"),
    ("application/json", "application/ld+json"),
])
def test_accept_header_picks_the_format(client, accept, expected):
    r = client.get("/id/leg-cramp", headers={"Accept": accept})
    assert r.status_code == 200
    assert r.mimetype == expected


def test_unacceptable_accept_gets_406_and_bad_format_400(client):
    """Tried: Accept: image/png (406, said in plain text: the client takes no HTML), ?format=pdf (400)."""
    refused = client.get("/id/leg-cramp", headers={"Accept": "image/png"})
    assert refused.status_code == 406 and refused.mimetype == "text/plain"
    assert "available as HTML, text/turtle" in refused.get_data(as_text=True)
    r = client.get("/id/leg-cramp?format=pdf")
    assert r.status_code == 400
    assert "turtle" in r.get_data(as_text=True)


def test_unknown_entity_is_404_in_html_and_rdf(client):
    assert client.get("/id/no-such-thing").status_code == 404
    assert client.get("/id/no-such-thing", headers={"Accept": "text/turtle"}).status_code == 404


@pytest.mark.parametrize("path", ["/explorer", "/no/such/page", "/static/no-such.css", "/id", "/%3Cscript%3E"])
def test_an_address_with_no_page_gets_the_sites_404_page(client, path):
    """Tried: a page name people guess (/explorer), a deep path, a missing static file, /id alone, and markup
    in the path (escaped). Werkzeug's bare page would have no navigation and no disclaimer."""
    r = client.get(path, headers={"Accept": "text/html"})
    assert r.status_code == 404 and r.content_type.startswith("text/html")
    page = r.get_data(as_text=True)
    assert "<title>Not found · crampkg</title>" in page
    assert "educational model of one article, not medical advice" in page
    assert 'href="/query"' in page and "There is no page at" in page
    assert "<script>" not in page


def test_a_method_a_page_does_not_take_gets_the_sites_405_page_with_allow(client):
    r = client.post("/advice")
    assert r.status_code == 405 and r.content_type.startswith("text/html")
    assert set(r.headers["Allow"].split(", ")) >= {"GET", "HEAD"}
    assert "educational model of one article, not medical advice" in r.get_data(as_text=True)


def test_machine_routes_keep_their_plain_errors(client):
    api = client.get("/api/no-such-thing", headers={"Accept": "text/html"})
    assert api.status_code == 404 and api.mimetype == "application/json" and set(api.get_json()) == {"error"}
    sparql = client.get("/sparql/no-such-thing", headers={"Accept": "text/html"})
    assert sparql.status_code == 404 and sparql.mimetype == "text/plain"


def test_terms_and_claims_negotiate_too(client):
    g = Graph().parse(data=client.get("/ontology/causes?format=ttl").data, format="turtle")
    assert (URIRef("https://w3id.org/crampkg/ontology#causes"), RDFS.label, Literal("can cause", lang="en")) in g
    whole = Graph().parse(data=client.get("/ontology", headers={"Accept": "text/turtle"}).data, format="turtle")
    assert len(whole) > 300
    claim = Graph().parse(data=client.get("/id/claim/diuretic-depletes-potassium?format=nt").data, format="nt")
    exact = [str(o) for o in claim.objects(None, URIRef("http://www.w3.org/ns/oa#exact"))]
    assert exact == ["this process also flushes out potassium and magnesium"]


def test_independent_turtle_parser_reads_an_entity(client, tmp_path):
    rapper = shutil.which("rapper")
    if rapper is None:
        pytest.fail("raptor2-utils (rapper) is not installed; `make test` installs it")
    import subprocess

    path = tmp_path / "vitamin-d.ttl"
    path.write_bytes(client.get("/id/vitamin-d", headers={"Accept": "text/turtle"}).data)
    out = subprocess.run([rapper, "-i", "turtle", "-c", str(path)], capture_output=True, text=True, check=True)
    assert "returned" in out.stderr


# ----- what the pages show -----------------------------------------------------------------------------
def test_explorer_lists_chains_without_javascript(client):
    page = client.get("/?from=diuretics&to=leg%20cramp").get_data(as_text=True)
    assert page.count('class="chain"') == 4
    assert "flushes out potassium and magnesium" in page
    assert "property chain" in page
    assert page.count('class="chain-summary"') == 4 and "is a classic trigger for" in page
    d = client.get("/?from=vitamin-d&to=leg-cramp").get_data(as_text=True)
    assert "taken as … can lead to … disrupts … leading to" in d and "often above the recommended upper limit" in d
    none = client.get("/?from=proper+hydration&to=leg+cramp").get_data(as_text=True)
    assert "no chain of causes" in none and "helps prevent" in none and "Maintaining proper hydration" in none
    r = client.get("/?from=nothing-like-this")
    assert r.status_code == 400
    assert "no entity named" in r.get_data(as_text=True)


def test_entity_page_shows_doses_identifiers_and_inferred_types(client):
    page = client.get("/id/vitamin-b6").get_data(as_text=True)
    assert "100 mg per day" in page and "safe upper limit" in page and "adults" in page
    assert "CHEBI:27306" in page
    assert "water-soluble vitamin" in page
    assert 'class="badge inferred"' in page


def test_article_layout_covers_the_text_exactly(client, built):
    from kg.build.article import article_text
    from kg.graph.chains import CausalGraph
    from kg.graph.dataset import load_dataset

    causal = CausalGraph(load_dataset(built.path))
    claims = claim_index(causal)
    blocks = article_layout(claims)
    text = article_text()
    for block in blocks:
        for s in block["sentences"]:
            assert "".join(seg["text"] for seg in s["segments"]) == text[s["start"]:s["end"]]
            for seg in s["segments"]:
                for name in seg["claims"]:
                    assert claims[name]["start"] <= seg["start"] and seg["end"] <= claims[name]["end"]
    anchored = {a for b in blocks for s in b["sentences"] for seg in s["segments"] for a in seg["anchors"]}
    assert anchored == set(claims)
    page = client.get("/article?claim=vitamin-d-excess-causes-hypercalcemia").get_data(as_text=True)
    assert 'id="claim-vitamin-d-excess-causes-hypercalcemia"' in page
    assert re.search(r'class="ev[^"]* marked"[^>]*>Excessive Vitamin D intake', page)


def test_advice_page_lists_the_six_warning_signs(client):
    page = client.get("/advice").get_data(as_text=True)
    for sign in ("severe discomfort or frequent cramps", "persistent leg swelling", "changes in skin colour or texture",
                 "warmth or redness around the cramp", "cramps regularly waking you from sleep",
                 "cramps persisting despite dose changes and hydration"):
        assert sign in page
    assert "venous insufficiency" in page


# ----- escaping: labels and quotes are data ------------------------------------------------------------
EVIL = '<script>alert("x")</script>'


@pytest.fixture(scope="module")
def evil_client(built, tmp_path_factory):
    """An app over the real build plus an entity and a claim whose label and quote carry markup."""
    path = tmp_path_factory.mktemp("evil") / "crampkg.nq"
    a = "<https://w3id.org/crampkg/graph/asserted>"
    evil = json.dumps(EVIL)
    ID, CK, OA = "https://w3id.org/crampkg/id/", "https://w3id.org/crampkg/ontology#", "http://www.w3.org/ns/oa#"
    RDF, RDFS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/2000/01/rdf-schema#"
    SKOS, XSD = "http://www.w3.org/2004/02/skos/core#", "http://www.w3.org/2001/XMLSchema#"
    extra = [
        f'<{ID}evil> <{RDFS}label> {evil}@en {a} .',
        f'<{ID}evil> <{SKOS}definition> {evil}@en {a} .',
        f'<{ID}evil> <{CK}causes> <{ID}leg-cramp> {a} .',
        f'<{ID}claim/evil> <{RDF}type> <{CK}Claim> {a} .',
        f'<{ID}claim/evil> <{RDF}subject> <{ID}evil> {a} .',
        f'<{ID}claim/evil> <{RDF}predicate> <{CK}causes> {a} .',
        f'<{ID}claim/evil> <{RDF}object> <{ID}leg-cramp> {a} .',
        f'<{ID}claim/evil> <{CK}claimOf> <{ID}evil> {a} .',
        f'<{ID}claim/evil> <{CK}hasEvidence> <{ID}claim/evil/evidence> {a} .',
        f'<{ID}claim/evil/evidence> <{OA}hasSelector> <{ID}claim/evil/q> {a} .',
        f'<{ID}claim/evil/evidence> <{OA}hasSelector> <{ID}claim/evil/p> {a} .',
        f'<{ID}claim/evil/q> <{RDF}type> <{OA}TextQuoteSelector> {a} .',
        f'<{ID}claim/evil/q> <{OA}exact> {evil} {a} .',
        f'<{ID}claim/evil/p> <{RDF}type> <{OA}TextPositionSelector> {a} .',
        f'<{ID}claim/evil/p> <{OA}start> "0"^^<{XSD}nonNegativeInteger> {a} .',
        f'<{ID}claim/evil/p> <{OA}end> "5"^^<{XSD}nonNegativeInteger> {a} .',
    ]
    path.write_text(built.path.read_text(encoding="utf-8") + "\n".join(extra) + "\n", encoding="utf-8")
    app = create_app({"DATASET_PATH": str(path), "TESTING": True, **IN_PROCESS})
    return app.test_client()


@pytest.mark.parametrize("path", ["/id/evil", "/id/claim/evil", "/?from=evil&to=leg-cramp", "/article", "/query",
                                  "/id/leg-cramp"])
def test_markup_in_labels_and_quotes_is_escaped(evil_client, path):
    r = evil_client.get(path)
    assert r.status_code == 200, path
    page = r.get_data(as_text=True)
    assert "<script>alert" not in page
    assert "alert(" in page or path in ("/article",), "the evil text should be on the page, escaped"
    # outside <script type=application/json> it is HTML-escaped, inside it is JSON-escaped
    assert "&lt;script&gt;alert" in page or "\\u003cscript\\u003ealert" in page


def test_article_states_boolean_claims_as_sentences(client):
    """Issue 10's rule for boolean facts holds on the article page too: "vitamin D accumulates in the body.",
    never the triple with "yes" as its object."""
    page = client.get("/article?claim=vitamin-d-accumulates").get_data(as_text=True)
    assert "vitamin D accumulates in the body." in page
    assert "vitamin B6 is excreted more rapidly." in page
    assert '<q class="literal">yes</q>' not in page
