"""The web pages: one blueprint (:mod:`server.pages.blueprint`), the views it renders (:mod:`server.pages.views`:
URLs, display labels, evidence links; :mod:`server.pages.network`: the explorer's Cytoscape elements), and
their ``templates/`` and ``static/`` files."""
