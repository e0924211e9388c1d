"""The query page's script against a small stand-in for the server branch's /sparql and /api/queries.

The real endpoints come with the `server` branch; `test_pages_browser.py` runs the query page against them
(marked `needs_sparql`). Until the branches meet, this test checks the page's own behaviour against the
contract in issue 3 (`GET /api/queries` lists the catalogue; `GET /api/queries/<name>?param=…` runs one;
`/sparql` answers by content negotiation): parameter form, run, results table with labels, CSV download,
editor queries sent to /sparql, errors shown. The stand-in is test code only, not part of the product.
"""
from __future__ import annotations

import importlib.util
import threading

import pytest
from chromium import ARTIFACTS, watch_page
from flask import Blueprint, Response, jsonify, request
from rdflib import URIRef

from server.app import create_app, knowledge

pytestmark = pytest.mark.browser

LEADS_TO = """# title: What a substance leads to
# param: substance | IRI | id:vitamin-d | id:vitamin-b6 | the substance
PREFIX ck: <https://w3id.org/crampkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?effect ?label WHERE { ?substance ck:hasIntakeState/ck:causallyUpstreamOf ?effect . ?effect rdfs:label ?label }
ORDER BY ?label
"""
SUMMARY = "# title: Graph summary\nSELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }\n"

# The listing's shape as the server branch's kg.catalogue gives it: no query text (the page shows the .rq files).
CATALOGUE = [
    {"name": "leads-to", "title": "What a substance leads to", "description": "Everything downstream of a substance.",
     "answers": "What does too much of a substance lead to?", "form": "SELECT", "url": "/api/queries/leads-to",
     "parameters": [{"name": "substance", "type": "IRI", "default": "id:vitamin-d", "example": "id:vitamin-b6",
                     "description": "the substance"}]},
    {"name": "summary", "title": "Graph summary", "description": "Triples per graph.", "answers": "How big is it?",
     "form": "SELECT", "url": "/api/queries/summary", "parameters": []},
]
TEXTS = {"leads-to": LEADS_TO, "summary": SUMMARY}
MEDIA = {"application/sparql-results+json": "json", "text/csv": "csv", "application/sparql-results+xml": "xml"}


def answer(result):
    accept = request.accept_mimetypes.best_match(list(MEDIA)) or "application/sparql-results+json"
    return Response(result.serialize(format=MEDIA[accept]), mimetype=accept)


def stand_in() -> Blueprint:
    bp = Blueprint("stand_in", __name__)

    @bp.get("/api/queries")
    def listing():
        return jsonify({"queries": CATALOGUE})

    @bp.get("/api/queries/<name>")
    def run(name):
        q = next(q for q in CATALOGUE if q["name"] == name)
        causal = knowledge().causal
        bindings = {p["name"]: URIRef(causal.expand(request.args.get(p["name"], p["default"])))
                    for p in q["parameters"]}
        return answer(knowledge().dataset.query(TEXTS[name], initBindings=bindings))

    @bp.route("/sparql", methods=["GET", "POST"])
    def sparql():
        text = request.values.get("query", "")
        try:
            result = knowledge().dataset.query(text)
        except Exception as exc:  # noqa: BLE001  (a stand-in: any parse error is the client's)
            return Response(f"syntax error: {exc}", status=400, mimetype="text/plain")
        return answer(result)

    return bp


@pytest.fixture(scope="module")
def stand_in_server(built, tmp_path_factory):
    from werkzeug.serving import make_server

    if importlib.util.find_spec("server.sparql") is not None:
        pytest.skip("the real /sparql and /api/queries are here: test_pages_browser.py tests the page against them")

    from server import pages

    queries = tmp_path_factory.mktemp("queries")
    for name, text in TEXTS.items():
        (queries / f"{name}.rq").write_text(text, encoding="utf-8")
    patch = pytest.MonkeyPatch()
    patch.setattr(pages, "QUERIES_DIR", queries)
    app = create_app({"DATASET_PATH": str(built.path)})
    app.register_blueprint(stand_in())
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    patch.undo()


@pytest.fixture
def stand_in_page(browser, stand_in_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page, watch = watch_page(context)
    yield page, watch
    context.close()
    watch.check()


def test_query_page_with_the_stand_in_catalogue(stand_in_page, stand_in_server, tmp_path):
    page, watch = stand_in_page
    page.goto(stand_in_server + "/query")
    page.locator("#canned button", has_text="What a substance leads to").click()
    assert page.locator("#param-substance").input_value() == "id:vitamin-d"
    assert "hasIntakeState" in page.locator("#sparql").input_value()
    assert page.locator("#canned details pre").count() == 2
    assert "q=leads-to" in page.url
    page.click("#run")
    table = page.locator("#results-table")
    table.wait_for()
    text = table.inner_text()
    assert "hypercalcemia" in text and "leg cramp" in text
    # IRIs are shown by label and link to their pages
    assert "https://w3id.org" not in table.locator("tbody").inner_text()
    assert table.locator("a[href='/id/hypercalcemia']").count() == 1
    # a parameter changes the answer
    page.fill("#param-substance", "id:vitamin-b6")
    page.click("#run")
    page.wait_for_function("document.querySelector('#results-table').innerText.includes('peripheral neuropathy')")
    with page.expect_download() as info:
        page.click("#downloads button[data-format=csv]")
    saved = tmp_path / "results.csv"
    info.value.save_as(saved)
    lines = saved.read_text(encoding="utf-8").splitlines()
    assert lines[0].strip() == "effect,label"
    assert any("peripheral neuropathy" in line for line in lines)
    # an ad-hoc query goes to /sparql; a bad one shows the server's message, the console stays clean
    page.fill("#sparql", "SELECT ?x WHERE { ?x a <https://w3id.org/crampkg/ontology#WarningSign> }")
    page.locator("#sparql").press("Control+Enter")
    page.wait_for_function("document.querySelector('#status').innerText.includes('6 results')")
    page.fill("#sparql", "SELECT WHERE {")
    page.click("#run")
    page.wait_for_function("document.querySelector('#status').innerText.includes('failed')")
    assert "400" in page.locator("#status").inner_text()
    watch.console_errors[:] = [e for e in watch.console_errors if "400" not in e]  # the bad query's own 400
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "query-stand-in-1280.png"), full_page=True)
