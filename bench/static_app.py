"""The floor of this stack: one static Flask route under the HTTP server `crampkg serve` uses, configured alike."""
from __future__ import annotations

import argparse

from flask import Flask, Response

from kg.query import limits
from server.serving import serve

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
    p.add_argument("--threads", type=int, default=limits.SERVER_THREADS)
    args = p.parse_args()
    serve(create_app(), host="127.0.0.1", port=args.port, threads=args.threads)
