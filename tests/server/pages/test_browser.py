"""The web pages in a real browser: Debian's Chromium driven by Playwright, against the real server.

Every test fails on a console error, an uncaught page error, or any request that leaves 127.0.0.1
(such requests are aborted and recorded). Screenshots of every page at 1280 and 390 px go to
test-artifacts/.
"""
from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest
from chromium import ARTIFACTS
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

pytestmark = pytest.mark.browser

VITAMIN_D = "https://w3id.org/crampkg/id/vitamin-d"


def url(live_server, path: str) -> str:
    return live_server.url + path


# ----- the causal chain explorer -----------------------------------------------------------------------
def chains_of(page) -> list[str]:
    return [t.strip() for t in page.locator("li.chain:visible .chain-btn").all_inner_texts()]


def assert_every_step_has_a_quote(page) -> None:
    steps = page.locator("li.chain:visible li.step")
    assert steps.count() > 0
    for i in range(steps.count()):
        step = steps.nth(i)
        quotes = step.locator("blockquote.quote")
        assert quotes.count() >= 1, f"step without a quote: {step.inner_text()}"
        assert quotes.first.inner_text().strip().startswith("“")


def test_explorer_finds_both_vitamin_d_chains_with_quotes(watched, live_server):
    page, _ = watched
    page.goto(url(live_server, "/"))
    assert page.locator("#from").input_value() == "vitamin D"
    assert page.locator("#to").input_value() == "leg cramp"
    chains = chains_of(page)
    assert chains == [
        "vitamin D → excessive vitamin D intake → altered calcium level → electrolyte imbalance → leg cramp",
        "vitamin D → excessive vitamin D intake → hypercalcemia → disrupted muscle function → leg cramp",
    ]
    assert_every_step_has_a_quote(page)
    assert "can lead to hypercalcemia" in page.locator("li.chain").nth(1).inner_text()
    # the graph is drawn, laid out top to bottom, and the chains' edges are highlighted
    page.wait_for_function("window.crampkgGraph && window.crampkgGraph.edges('.inchain').length === 7")
    ys = page.evaluate("""() => { const cy = window.crampkgGraph;
        return [cy.getElementById('vitamin-d').position('y'), cy.getElementById('leg-cramp').position('y')]; }""")
    assert ys[0] < ys[1], "causes should be drawn above the leg cramp"


def test_explorer_finds_the_diuretic_chains_via_the_form(watched, live_server):
    page, _ = watched
    page.goto(url(live_server, "/"))
    page.fill("#from", "diuretics")
    page.fill("#to", "leg cramp")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"from=diuretic"))
    chains = chains_of(page)
    assert "diuretics → potassium deficiency → leg cramp" in chains
    assert "diuretics → magnesium deficiency → leg cramp" in chains
    assert "diuretics → potassium deficiency → muscle hyperexcitability → leg cramp" in chains
    assert len(chains) == 4
    assert_every_step_has_a_quote(page)
    assert "flushes out potassium and magnesium" in page.locator("li.chain").first.inner_text()


def test_clicking_an_inferred_edge_shows_its_explanation(watched, live_server):
    page, _ = watched
    page.goto(url(live_server, "/?from=diuretics&to=leg+cramp"))
    page.wait_for_function("window.crampkgGraph && window.crampkgGraph.edges('.inchain').length > 0")
    edge = "diuretic|inducesDeficiencyOf|low-potassium"
    point = page.evaluate("""(id) => { const cy = window.crampkgGraph; const e = cy.getElementById(id);
        const box = cy.container().getBoundingClientRect(); const m = e.renderedMidpoint();
        return {x: box.left + m.x, y: box.top + m.y, asserted: e.data('asserted'),
                dashed: e.style('line-style')}; }""", edge)
    assert point["asserted"] is False and point["dashed"] == "dashed"
    page.mouse.click(point["x"], point["y"])
    detail = page.locator("#detail")
    detail.locator(".explanation").wait_for()
    text = detail.inner_text()
    assert "inferred" in text
    assert "Why it is inferred" in text and "property chain" in text
    assert "flushes out potassium and magnesium" in text  # the quote of the fact it rests on
    assert "edge=diuretic" in page.url.replace("%7C", "|")


def test_step_selection_filters_and_url_state(watched, live_server):
    page, _ = watched
    page.goto(url(live_server, "/"))
    # keyboard: Tab to the first step and press Enter
    first = page.locator(".step-btn").first
    first.focus()
    page.keyboard.press("Enter")
    assert "taken as" in page.locator("#detail").inner_text()
    # filter out the inferred steps: both vitamin D chains start with one, so both are hidden
    page.locator("#filters input[value=inferred]").uncheck()
    assert chains_of(page) == []
    assert "2 of 2 chains hidden" in page.locator("#hidden-note").inner_text()
    assert "hide=inferred" in page.url
    page.reload()
    assert not page.locator("#filters input[value=inferred]").is_checked()
    assert page.evaluate("window.crampkgGraph.edges('.filtered').length") == 5


def test_step_quote_links_into_the_article(watched, live_server):
    page, _ = watched
    page.goto(url(live_server, "/"))
    page.locator("li.chain").nth(1).get_by_role("link", name="read it in the article").nth(1).click()
    page.wait_for_url(re.compile(r"/article\?claim="))
    marked = page.locator(".ev.marked")
    assert marked.count() >= 1
    assert "hypercalcemia" in " ".join(marked.all_inner_texts())


# ----- the article view --------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/article#claim-vitamin-d-excess-causes-hypercalcemia",
                                  "/article?claim=vitamin-d-excess-causes-hypercalcemia"])
def test_article_marks_the_claim_reached_by_link(watched, live_server, path):
    page, _ = watched
    page.goto(url(live_server, path))
    marked = page.locator(".ev.marked")
    marked.first.wait_for()
    text = "".join(marked.all_inner_texts())
    assert text.startswith("Excessive Vitamin D intake")
    assert text.endswith("(too much calcium in the blood).")
    assert marked.first.is_visible()
    box = marked.first.bounding_box()
    assert 0 <= box["y"] <= 900, "the marked span should be scrolled into view"
    side = page.locator("#side").inner_text()
    assert "excessive vitamin D intake" in side and "hypercalcemia" in side


def choose_span_by_keyboard(page, live_server, words: str) -> None:
    """Open the article and pick the evidence span holding ``words`` as a keyboard user does (focus, Enter)."""
    page.goto(url(live_server, "/article"))
    page.locator(".ev", has_text=words).first.focus()
    page.keyboard.press("Enter")


def test_selecting_a_span_lists_its_triples_with_entity_links(watched, live_server):
    page, _ = watched
    choose_span_by_keyboard(page, live_server, "flushes out potassium")
    side = page.locator("#side")
    assert "depletes" in side.inner_text()
    links = side.locator("a[href^='/id/']")
    hrefs = {links.nth(i).get_attribute("href") for i in range(links.count())}
    assert {"/id/diuretic", "/id/potassium"} <= hrefs
    side.get_by_role("link", name="potassium", exact=True).first.click()
    page.wait_for_url(re.compile(r"/id/potassium$"))
    assert page.locator("h1").inner_text() == "potassium"


def test_a_boolean_claim_reads_as_a_sentence_in_the_side_panel(watched, live_server):
    page, _ = watched
    choose_span_by_keyboard(page, live_server, "accumulates in the body")
    side = page.locator("#side-list").inner_text()
    assert "vitamin D accumulates in the body." in side
    assert not re.search(r"\byes\b", side), side


# ----- entity pages ------------------------------------------------------------------------------------
def test_entity_page_shows_labels_not_iris(watched, live_server):
    page, _ = watched
    page.goto(url(live_server, "/id/vitamin-d"))
    assert page.title().startswith("vitamin D")
    assert page.locator("h1").inner_text() == "vitamin D"
    main = page.locator("main")
    visible = main.inner_text()
    iri_text = page.locator("p.iri").inner_text()
    assert "https://w3id.org/" not in visible.replace(iri_text, ""), "IRIs printed where labels belong"
    assert "4,000 IU per day" in visible  # the dose with its unit
    assert "fat-soluble vitamin" in visible and "excessive vitamin D intake" in visible
    assert "CHEBI:27300" in visible and "Wikidata" in visible
    page.get_by_role("link", name="excessive vitamin D intake").first.click()
    page.wait_for_url(re.compile(r"/id/vitamin-d-excess$"))
    assert "hypercalcemia" in page.locator("main").inner_text()


def test_the_same_url_gives_turtle_to_an_rdf_client(live_server):
    request = urllib.request.Request(url(live_server, "/id/vitamin-d"), headers={"Accept": "text/turtle"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/turtle")
        assert "Accept" in response.headers.get("Vary", "")
        body = response.read().decode("utf-8")
    g = Graph().parse(data=body, format="turtle")
    assert (URIRef(VITAMIN_D), RDFS.label, Literal("vitamin D", lang="en")) in g


# The query page has its own file, tests/server/pages/test_query_page.py.


# ----- screenshots and layout at phone and desktop widths ---------------------------------------------
PAGES = [
    ("explorer", "/"),
    ("explorer-diuretics", "/?from=diuretics&to=leg+cramp&edge=diuretic%7CinducesDeficiencyOf%7Clow-potassium"),
    ("article", "/article#claim-vitamin-d-excess-causes-hypercalcemia"),
    ("entity", "/id/vitamin-d"),
    ("entity-limit", "/id/vitamin-b6-upper-limit"),
    ("claim", "/id/claim/diuretic-depletes-potassium"),
    ("ontology", "/ontology"),
    ("term", "/ontology/CrampRiskFactor"),
    ("query", "/query"),
    ("advice", "/advice"),
    ("exports", "/exports"),
]


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("name,path", PAGES)
def test_screenshots_and_layout(watched, live_server, name, path, width):
    page, _ = watched
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(url(live_server, path))
    page.wait_for_load_state("networkidle")
    if name.startswith("explorer"):
        page.wait_for_function("window.crampkgGraph && window.crampkgGraph.nodes().length > 0")
    assert "not medical advice" in page.locator(".disclaimer").inner_text()
    assert page.title().endswith("crampkg")
    assert page.evaluate("[...document.images].every(i => i.hasAttribute('alt'))")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{path} scrolls sideways at {width}px by {overflow}px"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=width == 390 or name != "article")


def test_choosing_a_chain_highlights_only_it_and_is_kept_in_the_url(watched, live_server):
    page, _ = watched
    page.goto(url(live_server, "/?from=diuretics&to=leg+cramp"))
    page.wait_for_function("window.crampkgGraph && window.crampkgGraph.edges('.inchain').length === 7")
    page.locator(".chain-btn").first.click()
    assert page.locator(".chain-btn").first.get_attribute("aria-pressed") == "true"
    assert page.evaluate("window.crampkgGraph.edges('.inchain').length") == 2
    assert "chain=0" in page.url
    page.reload()
    page.wait_for_function("window.crampkgGraph && window.crampkgGraph.edges('.inchain').length === 2")


def test_phone_width_article_panel_opens_on_selection(watched, live_server):
    page, _ = watched
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url(live_server, "/article"))
    side = page.locator("#side")
    assert not side.is_visible()
    page.locator(".ev", has_text="hypercalcemia").first.click()
    assert side.is_visible()
    assert "hypercalcemia" in side.inner_text()
    page.locator("#side-close").click()
    assert not side.is_visible()


def test_export_page_lists_every_format_and_downloads_one(watched, live_server):
    from kg.export import FORMATS

    page, _ = watched
    page.goto(url(live_server, "/exports?content=causal"))
    rows = page.locator("table.exports tbody tr")
    assert rows.count() == len(FORMATS)
    link = page.locator("table.exports a", has_text="crampkg-causal.graphml")
    with page.expect_download() as info:
        link.click()
    path = info.value.path()
    import networkx

    graph = networkx.read_graphml(path)
    assert graph.number_of_nodes() > 10 and graph.number_of_edges() > 10
