"""The floor of this stack: one static Flask route under waitress, configured as `crampkg serve` is."""
from __future__ import annotations

import argparse

from flask import Flask, Response
from waitress import serve

BODY = b'{"head":{"vars":["x"]},"results":{"bindings":[]}}'


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/static")
    def static_route():
        return Response(BODY, content_type="application/sparql-results+json")

    return app


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--threads", type=int, default=8)
    args = p.parse_args()
    serve(create_app(), host="127.0.0.1", port=args.port, threads=args.threads, ident="static")
