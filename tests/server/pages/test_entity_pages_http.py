"""Entity pages over plain HTTP: the new chains are HTML only; the RDF formats of the same URL are unchanged.

Bad inputs tried: an unknown ?format=, an entity that does not exist (HTML and Turtle).
"""
from __future__ import annotations

import pytest
import requests
from rdflib import BNode, Graph, URIRef

VITAMIN_D = URIRef("https://w3id.org/crampkg/id/vitamin-d")
HYPERCALCEMIA = URIRef("https://w3id.org/crampkg/id/hypercalcemia")


@pytest.mark.parametrize("accept,fmt", [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                                        ("application/n-triples", "nt"), ("application/rdf+xml", "xml")])
def test_rdf_of_an_entity_is_still_about_the_entity_alone(live_server, accept, fmt):
    """The page walks chains; its RDF does not: every triple is about vitamin D (or a structure it owns)."""
    r = requests.get(f"{live_server.url}/id/vitamin-d", headers={"Accept": accept}, timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith(accept)
    g = Graph().parse(data=r.content, format=fmt)
    assert len(g) > 10
    for s, _, o in g:
        assert s == VITAMIN_D or o == VITAMIN_D or isinstance(s, BNode), (s, o)
    assert (None, None, HYPERCALCEMIA) not in g and (HYPERCALCEMIA, None, None) not in g


def test_html_page_lists_the_chains_and_links_the_explorer(live_server):
    r = requests.get(f"{live_server.url}/id/vitamin-d", headers={"Accept": "text/html"}, timeout=30)
    assert r.status_code == 200
    page = r.text
    assert 'id="leads-to"' in page and 'id="led-to-by"' in page
    assert "/?from=vitamin-d&amp;to=leg-cramp&amp;chain=1" in page
    assert "vitamin D accumulates in the body." in page
    assert "educational model of one article, not medical advice" in page


@pytest.mark.parametrize("path,accept,status,words", [
    ("/id/vitamin-d?format=pdf", "text/html", 400, "unknown format"),
    ("/id/unobtainium", "text/html", 404, "Nothing in crampkg is called"),
    ("/id/unobtainium", "text/turtle", 404, "nothing in the graph is called"),
])
def test_bad_requests(live_server, path, accept, status, words):
    r = requests.get(live_server.url + path, headers={"Accept": accept}, timeout=30)
    assert r.status_code == status and words in r.text
