"""The explorer's drawing in Debian's Chromium at 1280 and 390 px: no node is cut off without a cue.

The drawing opens zoomed to the chains. Where the network goes on beyond the panel, the panel shows an arrow
on that edge (a button that pans that way); where it does not, none. "Show the whole network" fits every node
inside the panel. The list of chains and the table of steps are the drawing's keyboard equivalents, and the
page says so.
"""
from __future__ import annotations

import pytest
from chromium import ARTIFACTS, watch_page

pytestmark = pytest.mark.browser

# Where each node lies relative to the panel (rendered pixels), which sides the drawing goes on beyond, and
# which cues are showing.
LAYOUT = """() => {
  const cy = window.crampkgGraph, w = cy.width(), h = cy.height(), m = 2;
  const nodes = cy.nodes(':visible').map(n => { const b = n.renderedBoundingBox();
    return {id: n.id(), inchain: n.hasClass('inchain'),
            inside: b.x1 >= -m && b.x2 <= w + m && b.y1 >= -m && b.y2 <= h + m,
            left: b.x1 < -m, right: b.x2 > w + m, up: b.y1 < -m, down: b.y2 > h + m}; });
  const cues = {};
  document.querySelectorAll('.pan-cue').forEach(c => { cues[c.dataset.side] = !c.hidden; });
  const beyond = {};
  for (const side of ['left', 'right', 'up', 'down']) beyond[side] = nodes.some(n => n[side]);
  return {nodes, cues, beyond, pan: cy.pan(), zoom: cy.zoom()};
}"""


def layout(page) -> dict:
    return page.evaluate(LAYOUT)


def settle(page) -> None:
    """Wait for a pan or fit animation to end."""
    page.wait_for_function("!window.crampkgGraph.animated()")
    page.wait_for_timeout(100)


@pytest.fixture(params=[1280, 390], ids=["1280px", "390px"])
def explorer(request, browser, live_server):
    width = request.param
    context = browser.new_context(viewport={"width": width, "height": 900}, service_workers="block")
    page, watch = watch_page(context)
    page.goto(f"{live_server.url}/")
    page.wait_for_function("window.crampkgGraph && window.crampkgGraph.edges('.inchain').length === 7")
    settle(page)
    yield page, width
    context.close()
    watch.check()


def test_chains_fit_and_every_cut_edge_has_a_cue(explorer):
    page, width = explorer
    state = layout(page)
    chain_nodes = [n for n in state["nodes"] if n["inchain"]]
    assert len(chain_nodes) == 7
    assert all(n["inside"] for n in chain_nodes), [n["id"] for n in chain_nodes if not n["inside"]]
    # the network is wider than the panel at both widths: nodes lie beyond the left and the right edges …
    assert state["beyond"]["left"] and state["beyond"]["right"], state["beyond"]
    # … and each such edge shows its cue, and only those
    assert state["cues"] == state["beyond"]
    for side, shown in state["cues"].items():
        cue = page.locator(f".pan-cue[data-side={side}]")
        assert cue.is_visible() == shown
        if shown:
            frame, box = page.locator(".graph-frame").bounding_box(), cue.bounding_box()
            assert frame["x"] - 1 <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"] + 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(".explorer-main").screenshot(path=str(ARTIFACTS / f"explorer-fit-{width}.png"))


def test_a_cue_pans_the_drawing_its_way(explorer):
    page, _ = explorer
    before = layout(page)
    page.locator(".pan-cue[data-side=right]").click()
    settle(page)
    after = layout(page)
    assert after["pan"]["x"] < before["pan"]["x"], "the drawing should move left to show what lies right"
    assert after["cues"] == after["beyond"], "the cues follow the drawing"
    page.locator(".pan-cue[data-side=left]").click()
    settle(page)
    assert layout(page)["pan"]["x"] == pytest.approx(before["pan"]["x"], abs=1)


def test_whole_network_fits_the_panel(explorer):
    page, width = explorer
    page.locator("#fit-all").click()
    settle(page)
    state = layout(page)
    assert all(n["inside"] for n in state["nodes"]), [n["id"] for n in state["nodes"] if not n["inside"]]
    assert not any(state["cues"].values())
    assert not any(page.locator(".pan-cue").nth(i).is_visible() for i in range(4))
    page.locator(".explorer-main").screenshot(path=str(ARTIFACTS / f"explorer-whole-{width}.png"))


def test_keyboard_equivalents_are_stated_and_reachable(explorer):
    """The canvas is not keyboard-operable; the page says the list and the table are, and they are: every
    drawn arrow is a button in the table, and the cues are buttons too."""
    page, _ = explorer
    help_text = page.locator("#graph-help").inner_text()
    assert "Keyboard" in help_text and "list of chains" in help_text and "table of all steps" in help_text
    drawn = set(page.evaluate("window.crampkgGraph.edges().map(e => e.id())"))
    listed = {page.locator(".edge-btn").nth(i).get_attribute("data-edge")
              for i in range(page.locator(".edge-btn").count())}
    assert drawn == listed
    width_before = page.evaluate("window.crampkgGraph.width()")
    page.locator("details.edge-table summary").click()
    # the open table scrolls in its own box: the page does not widen, nor does the drawing
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
    assert page.evaluate("window.crampkgGraph.width()") == width_before
    button = page.locator(".edge-btn").first
    button.focus()
    page.keyboard.press("Enter")
    assert page.locator("#detail h2").inner_text() == "Step details"
    assert page.locator("#detail .triple").count() == 1
    cue = page.locator(".pan-cue[data-side=right]")
    cue.focus()
    before = layout(page)["pan"]["x"]
    page.keyboard.press("Enter")
    settle(page)
    assert layout(page)["pan"]["x"] < before
