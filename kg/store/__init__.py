"""External SPARQL stores (Oxigraph server, Virtuoso, any SPARQL 1.1 store): ``client`` talks HTTP to one
with a deadline and credentials from the environment, ``load`` pushes the build into it (``crampkg load``),
``snapshot`` reads crampkg's graphs back for the views of ``crampkg serve --endpoint``.

The queries themselves go through :mod:`kg.query.engines.remote`, like any engine's.
"""
