"""The query page in Debian's Chromium against the real server: the Yasqe editor (highlighting, bracket
matching, syntax errors as you type, completion from /api/complete), the Yasr results (sorting, paging,
filtering, links to /id/ pages, language and datatype of literals), downloads, the link that reopens a query,
the canned queries' forms, the phone layout, and a strict script Content-Security-Policy.

Every test fails on a console error, an uncaught page error, or any request that leaves 127.0.0.1 (tests/
chromium.py aborts and records those); the completion test also reads the whole request log.
"""
from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from chromium import ARTIFACTS, watch_page
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from rdflib import Graph

pytestmark = pytest.mark.browser

ENTITIES_QUERY = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?entity ?label WHERE {
  ?entity rdfs:label ?label .
  FILTER(STRSTARTS(STR(?entity), "https://w3id.org/crampkg/id/") && !CONTAINS(STR(?entity), "/claim/"))
}"""


def open_page(page, live_server, path: str = "/query") -> None:
    page.goto(live_server.url + path)
    page.wait_for_selector("body[data-ready=true]")


def set_query(page, text: str) -> None:
    page.evaluate("t => window.crampkgEditor.setValue(t)", text)


def editor_text(page) -> str:
    return page.evaluate("window.crampkgEditor.getValue()")


def type_at_end(page, text: str) -> None:
    page.evaluate("""() => { const e = window.crampkgEditor; e.focus();
        e.getDoc().setCursor(e.getDoc().lastLine(), e.getDoc().getLine(e.getDoc().lastLine()).length); }""")
    page.keyboard.type(text, delay=25)


def run(page) -> str:
    page.click("#run")
    page.wait_for_function("""() => { const s = document.getElementById('status').textContent;
        return / in \\d+ ms\\.|failed/.test(s); }""")
    return page.locator("#status").inner_text()


def pick_completion(page, expected: str) -> str:
    """Wait for the suggestion list, check its first entry offers `expected`, and take it with Enter."""
    # the list follows each keystroke, so wait for the one made for the whole fragment (it ends at the cursor)
    try:
        page.wait_for_function("""e => { const li = document.querySelector('.CodeMirror-hints li');
            const ed = window.crampkgEditor, active = ed.state.completionActive, cur = ed.getDoc().getCursor();
            return li && li.textContent.startsWith(e) && active && active.data && active.data.to
                && active.data.to.line === cur.line && active.data.to.ch === cur.ch; }""",
                               arg=expected, timeout=10_000)
    except PlaywrightTimeout as exc:
        offered = page.locator(".CodeMirror-hints li").all_inner_texts()
        raise AssertionError(f"{expected} not offered first: {offered}") from exc
    text = page.locator(".CodeMirror-hints li").first.inner_text()
    page.keyboard.press("Enter")
    return text


def table_column(page, index: int) -> list[str]:
    """The text of column `index` (1 = first variable; 0 is Yasr's row number) on the current page."""
    cells = page.locator(f".yasr table.dataTable tbody tr td:nth-child({index + 1})")
    return [t.strip() for t in cells.all_inner_texts()]


# ----- the editor --------------------------------------------------------------------------------------
def test_editor_highlights_matches_brackets_and_marks_errors_as_you_type(watched, live_server):
    page, _ = watched
    open_page(page, live_server)
    assert page.locator(".yasqe .CodeMirror").count() == 1
    assert not page.locator("textarea#sparql").is_visible(), "the plain textarea is only the no-script fallback"
    set_query(page, "PREFIX ck: <https://w3id.org/crampkg/ontology#>\nSELECT ?s WHERE { ?s a ck:Substance }")
    assert page.locator(".CodeMirror .cm-keyword", has_text="SELECT").count() == 1
    assert page.locator(".CodeMirror .cm-atom", has_text="?s").count() == 2  # variables
    assert page.locator(".CodeMirror .cm-string-2", has_text="ck:Substance").count() == 1  # prefixed names
    assert page.locator(".CodeMirror .cm-variable-3", has_text="<https://w3id.org/crampkg/ontology#>").count() == 1
    # the cursor just after `{` lights it and its partner
    page.evaluate("() => { const e = window.crampkgEditor; e.focus(); e.getDoc().setCursor({line: 1, ch: 17}); }")
    matched = page.locator(".CodeMirror .CodeMirror-matchingbracket")
    assert matched.all_inner_texts() == ["{", "}"]
    assert page.locator(".parseErrorIcon").count() == 0
    # typing a stray bracket marks the line at once; removing it clears the mark
    type_at_end(page, " }")
    page.locator(".parseErrorIcon").wait_for()
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.wait_for_function("document.querySelectorAll('.parseErrorIcon').length === 0")
    # Esc leaves the editor, so Tab moves on instead of indenting (no keyboard trap)
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "run"


def test_completion_comes_from_our_endpoint_and_inserts_curies(watched, live_server):
    page, watch = watched
    open_page(page, live_server)
    # a prefix after PREFIX, with its namespace
    set_query(page, "")
    type_at_end(page, "PREFIX i")
    pick_completion(page, "id: <https://w3id.org/crampkg/id/>")
    type_at_end(page, "\nSELECT ?s ?o WHERE {\n  ?s ?p ")
    assert editor_text(page).startswith("PREFIX id: <https://w3id.org/crampkg/id/>\nSELECT")
    # an entity by part of its alternative label
    type_at_end(page, "thiam")
    offered = pick_completion(page, "id:vitamin-b1")
    assert "vitamin B1" in offered and "thiamine" in offered
    assert editor_text(page).endswith("?s ?p id:vitamin-b1")
    # a class after `a`: the CURIE goes in and its PREFIX is declared for us
    type_at_end(page, " .\n  ?s a subst")
    pick_completion(page, "ck:Substance")
    assert editor_text(page).startswith("PREFIX ck: <https://w3id.org/crampkg/ontology#>\n")
    # a property in predicate position, by its label
    type_at_end(page, " ;\n     upstream")
    pick_completion(page, "ck:causallyUpstreamOf")
    type_at_end(page, " ?o }")
    assert re.match(r"\d+ results in \d+ ms", run(page))
    assert page.locator(".parseErrorIcon").count() == 0
    # Chromium's request log: every request went to this server, the completions to /api/complete
    hosts = {urlparse(u).hostname for u in watch.requests}
    assert hosts == {"127.0.0.1"}, sorted(hosts)
    asked = [parse_qs(urlparse(u).query) for u in watch.requests if urlparse(u).path == "/api/complete"]
    assert {"kind": ["entity"], "q": ["thiam"], "limit": ["30"]} in asked
    assert any(a.get("kind") == ["class"] for a in asked) and any(a.get("kind") == ["property"] for a in asked)
    assert not any(re.search(r"prefix\.cc|lov\.linkeddata|dbpedia|triply", u) for u in watch.requests)


# ----- results ------------------------------------------------------------------------------------------
def test_results_table_sorts_pages_and_filters(watched, live_server):
    page, _ = watched
    open_page(page, live_server)
    set_query(page, ENTITIES_QUERY)
    status = run(page)
    total = int(re.match(r"(\d+) results", status).group(1))
    assert total > 20
    info = page.locator(".yasr .dt-info")
    assert f"of {total} entries" in info.inner_text()
    labels = sorted({r["label"]["value"] for r in requests.post(
        f"{live_server.url}/sparql", data={"query": ENTITIES_QUERY},
        headers={"Accept": "application/sparql-results+json"}, timeout=10).json()["results"]["bindings"]},
        key=str.casefold)

    def shown_labels() -> list[str]:
        return [t.removeprefix('"').removesuffix('"@en') for t in table_column(page, 2)]

    # 10 a page, sorted by label both ways, then the second page
    page.locator(".yasr select.tableSizer").select_option("10")
    assert page.locator(".yasr table.dataTable tbody tr").count() == 10
    header = page.locator(".yasr table.dataTable thead th", has_text="label")

    def sort(direction: str) -> None:
        header.click()
        page.wait_for_function("d => document.querySelectorAll('.yasr table.dataTable thead th')[2]"
                               ".getAttribute('aria-sort') === d", arg=direction)

    sort("ascending")
    assert shown_labels() == labels[:10]
    sort("descending")
    assert shown_labels() == labels[::-1][:10]
    header.click()
    sort("ascending")
    page.locator(".yasr .dt-paging-button.next").click()
    assert "Showing 11 to 20" in info.inner_text()
    assert shown_labels() == labels[10:20]
    # filtering
    page.locator(".yasr .tableFilter").press_sequentially("vitamin", delay=20)
    page.wait_for_function("document.querySelector('.yasr .dt-info').textContent.includes('filtered')")
    rows = page.locator(".yasr table.dataTable tbody tr").all_inner_texts()
    assert rows and all("vitamin" in r.casefold() for r in rows)
    assert f"filtered from {total} total entries" in info.inner_text()


def test_iris_open_their_pages_and_literals_show_language_and_datatype(watched, live_server):
    page, _ = watched
    open_page(page, live_server, "/query?q=entity&entity=id:hypercalcemia")
    run(page)
    first_row = page.locator(".yasr table.dataTable tbody tr").first
    assert '"hypercalcemia"@en' in first_row.inner_text()
    cls = first_row.locator("a", has_text="ck:Condition")
    assert cls.get_attribute("href") == "/ontology/Condition"
    outside = first_row.locator("a", has_text="mesh:D006934")
    assert outside.get_attribute("href") == "http://id.nlm.nih.gov/mesh/D006934"
    assert outside.get_attribute("target") == "_blank"
    # a typed literal shows its datatype
    set_query(page, "PREFIX oa: <http://www.w3.org/ns/oa#>\nSELECT ?start WHERE { ?sel oa:start ?start } LIMIT 3")
    run(page)
    assert re.search(r'"\d+"\^\^xsd:\w+', page.locator(".yasr table.dataTable tbody tr").first.inner_text())
    # other schemes are not links, and quotes in an IRI stay inside its attribute
    set_query(page, 'SELECT ?js ?quote WHERE { BIND(IRI("javascript:alert(1)") AS ?js) '
                    'BIND(IRI("https://example.org/x\'onmouseover=\'alert(2)") AS ?quote) }')
    run(page)
    row = page.locator(".yasr table.dataTable tbody tr").first
    assert row.locator("a").count() == 1 and row.locator("span.iri", has_text="javascript:alert(1)").count() == 1
    ext = row.locator("a.iri.ext")
    assert ext.get_attribute("href") == "https://example.org/x'onmouseover='alert(2)"
    assert ext.get_attribute("onmouseover") is None
    assert ext.get_attribute("target") == "_blank" and ext.get_attribute("rel") == "noopener noreferrer"
    # an entity's IRI opens its page on this site
    set_query(page, "PREFIX ck: <https://w3id.org/crampkg/ontology#>\nPREFIX id: <https://w3id.org/crampkg/id/>\n"
                    "SELECT ?cause WHERE { ?cause ck:causes id:hypercalcemia }")
    run(page)
    link = page.locator(".yasr table.dataTable a.iri", has_text="id:vitamin-d-excess")
    assert link.get_attribute("href") == "/id/vitamin-d-excess"
    assert "excessive vitamin D intake" in link.get_attribute("title")
    link.click()
    page.wait_for_url(re.compile(r"/id/vitamin-d-excess$"))
    assert page.locator("h1").inner_text() == "excessive vitamin D intake"


def test_ask_and_construct_answers_and_errors_show_where_the_results_go(watched, live_server):
    page, watch = watched
    open_page(page, live_server)
    prologue = "PREFIX ck: <https://w3id.org/crampkg/ontology#>\nPREFIX id: <https://w3id.org/crampkg/id/>\n"
    set_query(page, prologue + "ASK { id:vitamin-d-excess ck:causallyUpstreamOf id:leg-cramp }")
    assert run(page).startswith("Answer: yes")
    assert page.locator(".yasr .yasr_results").inner_text().strip() == "True"
    set_query(page, prologue + "CONSTRUCT { ?s ck:causes ?o } WHERE { ?s ck:causes ?o }")
    triples = int(re.match(r"(\d+) triples", run(page)).group(1))
    assert page.locator(".yasr table.dataTable thead th").all_inner_texts()[1:] == ["subject", "predicate", "object"]
    assert page.locator(".yasr .dt-info").inner_text().endswith(f"of {triples} entries")
    # a query the server refuses: its message, with line and column, replaces the old results
    watch.allowed_console.append(re.compile(r"Failed to load resource: the server responded with a status of 400"))
    set_query(page, "SELECT * WHERE { ?s ?p ?o ")
    assert run(page).startswith("The query failed: 400: ")
    shown = page.locator(".yasr .yasr_results").inner_text()
    assert "syntax error at line 1, column 27" in shown
    assert page.locator(".yasr table.dataTable").count() == 0
    assert not page.locator("#downloads").is_visible()


def download(page, fmt: str) -> str:
    with page.expect_download() as info:
        page.click(f"#downloads button[data-format={fmt}]")
    path = ARTIFACTS / f"query-download.{fmt}"
    ARTIFACTS.mkdir(exist_ok=True)
    info.value.save_as(path)
    return path.read_text(encoding="utf-8")


def test_results_download_as_csv_tsv_and_json_and_graphs_as_rdf(watched, live_server):
    page, _ = watched
    open_page(page, live_server)
    rows = int(re.match(r"(\d+) results", run(page)).group(1))
    assert rows > 3
    table = list(csv.reader(io.StringIO(download(page, "csv"))))
    assert table[0] == ["cause", "label"] and len(table) == rows + 1
    tsv = download(page, "tsv").splitlines()
    assert tsv[0].split("\t") == ["?cause", "?label"] and len(tsv) == rows + 1
    doc = json.loads(download(page, "json"))
    assert doc["head"]["vars"] == ["cause", "label"] and len(doc["results"]["bindings"]) == rows
    assert {r[0] for r in table[1:]} == {b["cause"]["value"] for b in doc["results"]["bindings"]}
    # a CONSTRUCT (the canned causal network) downloads as RDF instead
    page.locator("#canned button[data-query=causal-network]").click()
    run(page)
    assert page.locator("#downloads button[data-format=csv]").count() == 0
    graph = Graph().parse(data=download(page, "ttl"), format="turtle")
    assert len(graph) > 20


def test_the_link_reopens_the_same_query(watched, live_server):
    page, _ = watched
    open_page(page, live_server)
    mine = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 7 # mine, with a hash & an ampersand"
    set_query(page, mine)
    href = page.locator("#share-link").get_attribute("href")
    assert href.startswith("/query?query=")
    open_page(page, live_server, href)
    assert editor_text(page) == mine
    assert "7 results" in run(page)
    # a canned query's link keeps its name and its parameters
    page.locator("#canned button[data-query=entity]").click()
    page.fill("#param-entity", "id:magnesium")
    href = page.locator("#share-link").get_attribute("href")
    assert parse_qs(urlparse(href).query) == {"q": ["entity"], "entity": ["id:magnesium"]}
    open_page(page, live_server, href)
    assert page.locator("#param-entity").input_value() == "id:magnesium"
    assert page.locator("#canned button[data-query=entity]").get_attribute("aria-pressed") == "true"
    run(page)
    assert '"magnesium"@en' in page.locator(".yasr table.dataTable tbody").inner_text()


# ----- canned queries -----------------------------------------------------------------------------------
def test_each_canned_query_loads_with_its_form_and_its_description_stays(watched, live_server):
    page, watch = watched
    open_page(page, live_server)
    catalogue = requests.get(f"{live_server.url}/api/queries", timeout=10).json()["queries"]
    assert page.locator("#canned button[data-query]").count() == len(catalogue)
    for q in catalogue:
        page.locator(f"#canned button[data-query='{q['name']}']").click()
        assert page.locator("#card-title").inner_text() == q["title"]
        assert page.locator("#card-desc").inner_text() == q["description"]
        fields = page.locator("#params input[data-param]")
        assert [fields.nth(i).get_attribute("data-param") for i in range(fields.count())] == \
            [p["name"] for p in q["parameters"]]
        for i, p in enumerate(q["parameters"]):
            assert fields.nth(i).input_value() == (p["default"] or p["example"] or "")
        assert f"# title: {q['title']}" in editor_text(page)
    # one with a parameter runs on /api/queries with the value from the form
    page.locator("#canned button[data-query=medication-depletes]").click()
    page.fill("#param-medication", "id:diuretic")
    run(page)
    assert any(urlparse(u).path == "/api/queries/medication-depletes" and "medication=id%3Adiuretic" in u
               for u in watch.requests)
    assert "id:low-potassium" in page.locator(".yasr table.dataTable tbody").inner_text()
    # an IRI parameter suggests entities by label from /api/complete
    page.locator("#param-medication").fill("")
    page.locator("#param-medication").press_sequentially("diure", delay=20)
    page.wait_for_function("[...document.querySelectorAll('#param-medication-list option')]"
                           ".some(o => o.value === 'id:diuretic')")
    # editing the text keeps the description in view and says the form no longer applies
    type_at_end(page, "\n# my change")
    assert page.locator("#canned-card").is_visible()
    assert page.locator("#card-desc").is_visible() and page.locator("#card-edited").is_visible()
    assert page.locator("#param-medication").is_disabled()
    page.click("#card-restore")
    assert not page.locator("#card-edited").is_visible()
    assert "# my change" not in editor_text(page)


# ----- phone width, strict CSP, screenshot --------------------------------------------------------------
def test_query_page_is_usable_at_390px(watched, live_server):
    page, _ = watched
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, live_server)
    assert not page.locator("#canned-box").evaluate("d => d.open"), "the list starts folded on a phone"
    editor = page.locator(".yasqe .CodeMirror").bounding_box()
    assert editor["x"] >= 0 and editor["x"] + editor["width"] <= 390 and editor["width"] > 300
    run(page)
    table = page.locator(".yasr table.dataTable")
    assert table.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
    # choose a canned query from the folded list: the list folds away and the form is in view
    page.locator("#canned-box > summary").click()
    page.locator("#canned button[data-query=entity]").click()
    box = page.locator("#canned-card").bounding_box()
    assert -1 <= box["y"] < 844
    page.locator("#run").scroll_into_view_if_needed()
    run(page)
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "query-page-390.png"), full_page=True)


# The one <style> element the bundle adds (column-resizer's grips, in Yasr's table), allowed by its hash.
RESIZER_STYLE = "'sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk='"
STRICT = (f"default-src 'self'; script-src 'self'; style-src 'self' {RESIZER_STYLE}; img-src 'self' data:; "
          "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")


def test_works_under_a_strict_script_policy(browser, live_server):
    """`script-src 'self'` with no inline script and no eval, `style-src 'self'` plus the hash of the one
    <style> element Yasr's column resizer adds: the page, completion, a run and sorting work, with no
    violation reported."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    page, watch = watch_page(context)

    def with_policy(route):
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": STRICT})

    page.route(re.compile(r"/query(\?|$)"), with_policy)
    page.add_init_script("""window.__violations = [];
        document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective));""")
    try:
        open_page(page, live_server)
        # the policy is in force: an inline script does not run (Chromium logs that refusal, and only that)
        watch.allowed_console.append(re.compile(r"^Executing inline script violates"))
        assert page.evaluate("""() => { const s = document.createElement('script');
            s.textContent = 'window.__inline = true'; document.head.appendChild(s);
            return !!window.__inline; }""") is False
        set_query(page, "PREFIX id: <https://w3id.org/crampkg/id/>\nSELECT ?p WHERE { ?s ?p ")
        type_at_end(page, "pyrid")
        pick_completion(page, "id:vitamin-b6")
        type_at_end(page, " }")
        assert re.match(r"\d+ results", run(page))
        page.locator(".yasr table.dataTable thead th", has_text="p").click()
        page.locator(".yasr_btn.select_response").click()
        page.locator(".yasr .CodeMirror").first.wait_for()
        assert page.evaluate("window.__violations") == ["script-src-elem"]  # the inline script above, nothing else
    finally:
        context.close()
    watch.check()


def test_screenshot_for_the_readme(watched, live_server):
    """docs/query-page.png is this picture (`make screenshots` copies it there): results of the default
    query, and the editor offering an entity for a label fragment."""
    page, _ = watched
    open_page(page, live_server)
    run(page)
    page.evaluate("""() => { const e = window.crampkgEditor; e.focus();
        e.getDoc().setCursor({line: 7, ch: e.getDoc().getLine(7).length}); }""")
    page.keyboard.type("\n  ?cause ck:causes hypercal", delay=25)
    page.locator(".CodeMirror-hints li", has_text="id:hypercalcemia").wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "query-page.png"))
