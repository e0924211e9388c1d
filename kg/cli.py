"""The `crampkg` command line: build, summary, query, serve and export."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kg.errors import CrampkgError
from kg.export import CONTENTS, FORMATS, catalogue, export_bytes, get_format, select, write_export
from kg.graph.dataset import load_dataset
from kg.namespaces import BUILD_DIR, DATASET_FILE, DISCLAIMER
from kg.query import limits
from kg.query.catalogue import Catalogue, known_iris
from kg.query.engines import ENGINES, open_engine
from kg.query.engines.remote import RemoteEngine
from kg.query.table import FORMATTERS


def cmd_build(args: argparse.Namespace) -> int:
    # the build (owlrl, pyshacl) and the server (Flask, granian) are imported by the commands that use them,
    # so that `crampkg query` and `crampkg export` start without loading them
    from kg.build import build, format_summary

    result = build(Path(args.out), force=args.force)
    print(format_summary(result.summary))
    print(f"{'reused cached build' if result.cached else 'built'}: {result.path}")
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from kg.build import SUMMARY_FILE, format_summary

    path = Path(args.out) / SUMMARY_FILE
    if not path.exists():
        raise CrampkgError(f"{path}: no build yet; run `crampkg build` first")
    print(format_summary(json.loads(path.read_text())))
    return 0


# Longer text is a query, never a file name (and would make the operating system refuse the path).
MAX_PATH_LENGTH = 4096


def read_query_text(arg: str) -> str:
    path = Path(arg)
    if arg.endswith(".rq") or (len(arg) < MAX_PATH_LENGTH and path.is_file()):
        if not path.is_file():
            raise CrampkgError(f"{arg}: no such query file")
        return path.read_text(encoding="utf-8")
    return arg


def parse_params(pairs: list[str]) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise CrampkgError(f"--param {pair!r}: write name=value")
        values.setdefault(name, []).append(value)
    return values


def cmd_query(args: argparse.Namespace) -> int:
    """A canned query by name, SPARQL text, or a .rq file; on the local build or a remote endpoint."""

    engine = (RemoteEngine(args.endpoint) if args.endpoint
              else open_engine(args.engine, Path(args.out) / DATASET_FILE))
    catalogue = Catalogue.load()
    bindings = None
    if args.query in catalogue.queries:
        query = catalogue.get(args.query)
        if not args.endpoint:  # an IRI must name something in the graph; a remote graph is not checked
            catalogue.known_iris = known_iris(engine)
        bindings = catalogue.bind(query, parse_params(args.param))
        text = query.text
    else:
        if args.param:
            raise CrampkgError(f"--param only applies to canned queries: {', '.join(catalogue.queries)}")
        text = read_query_text(args.query)
    result = engine.query(text, bindings=bindings)
    sys.stdout.write(FORMATTERS[args.format](result).rstrip("\n") + "\n")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the built graph under granian, a production HTTP server (never Flask's dev server)."""
    from kg.build import build, format_summary
    from server import create_app
    from server.serving import serve

    result = build(Path(args.out))
    print(format_summary(result.summary), flush=True)
    app = create_app({"DATASET_PATH": str(result.path), "ENGINE": args.engine, "QUERY_TIMEOUT": args.timeout,
                      "QUERY_WORKERS": args.workers, "QUERY_QUEUE": args.queue, "MAX_ROWS": args.max_rows,
                      "QUERY_CACHE": args.cache, "MAX_CONTENT_LENGTH": args.max_request})
    print(f"crampkg: serving {result.path} on http://{args.host}:{args.port}/  ({DISCLAIMER})", flush=True)
    serve(app, host=args.host, port=args.port, threads=args.threads)
    return 0


def cmd_export(args: argparse.Namespace) -> int:


    ds = load_dataset(Path(args.out) / DATASET_FILE)
    if args.list:
        for row in catalogue(args.content, args.inferred, ds=ds):
            count = (f"{row['triples']} triples" if "triples" in row
                     else f"{row['nodes']} nodes, {row['edges']} edges")
            print(f"{row['format']:<10} {row['filename']:<40} {row['bytes']:>9} bytes  {count:<24} "
                  f"{row['description']}")
        return 0
    if not args.format:
        raise CrampkgError(f"give --format FORMAT (one of: {', '.join(FORMATS)}) or --list")
    fmt = get_format(args.format)
    out = export_bytes(fmt.name, selection=select(ds, args.content, args.inferred, fmt=fmt.name))
    if args.output in (None, "-"):
        if isinstance(out.payload, dict):
            raise CrampkgError(f"format {fmt.name} writes several files ({', '.join(sorted(out.payload))}); "
                               "give -o FOLDER (or -o FILE.zip)")
        sys.stdout.buffer.write(out.payload)
        sys.stdout.buffer.flush()
        return 0
    path = write_export(out, Path(args.output))
    print(f"wrote {path} ({FORMATS[fmt.name].description})", file=sys.stderr)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="crampkg", description=f"The crampkg knowledge graph. {DISCLAIMER}")
    p.add_argument("--out", default=str(BUILD_DIR), help="build folder (default: %(default)s)")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="parse, reason, validate and write build/crampkg.nq")
    b.add_argument("--force", action="store_true", help="rebuild even if the inputs are unchanged")
    b.set_defaults(func=cmd_build)

    s = sub.add_parser("summary", help="print the summary of the last build")
    s.set_defaults(func=cmd_summary)

    q = sub.add_parser("query", help="run a canned query, SPARQL text or a .rq file on the graph")
    q.add_argument("query", help="a canned query name (see queries/), SPARQL text, or a path to a .rq file")
    q.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="a canned query's parameter (repeatable)")
    q.add_argument("--format", choices=["table", "json", "csv"], default="table")
    q.add_argument("--engine", choices=ENGINES, default="oxigraph", help="local engine (default: %(default)s)")
    q.add_argument("--endpoint", metavar="URL", help="query this SPARQL endpoint instead of the local build")
    q.set_defaults(func=cmd_query)

    v = sub.add_parser("serve", help="build if needed, then serve the graph over HTTP")
    v.add_argument("--host", default="127.0.0.1")
    v.add_argument("--port", type=int, default=8000)
    v.add_argument("--threads", type=int, default=limits.SERVER_THREADS,
                   help="Python threads running requests (default: %(default)s)")
    v.add_argument("--engine", choices=ENGINES, default="oxigraph", help="query engine (default: %(default)s)")
    v.add_argument("--timeout", type=float, default=limits.QUERY_TIMEOUT,
                   help="seconds per query (default: %(default)s)")
    v.add_argument("--workers", type=int, default=limits.QUERY_WORKERS,
                   help="query worker processes (default: %(default)s)")
    v.add_argument("--queue", type=int, default=limits.QUERY_QUEUE,
                   help="queries running or waiting for a worker before 503 (default: %(default)s)")
    v.add_argument("--max-rows", type=int, default=limits.MAX_ROWS, help="result rows before truncation")
    v.add_argument("--max-request", type=int, default=limits.MAX_REQUEST_BYTES,
                   help="bytes per request body or query")
    v.add_argument("--cache", type=int, default=limits.RESPONSE_CACHE, help="cached answers; 0 turns the cache off")
    v.set_defaults(func=cmd_serve)


    e = sub.add_parser("export", help="export the built graph for other tools (RDF, Neo4j, KGX, GraphML, …)")
    e.add_argument("--format", "-f", metavar="FORMAT", help=f"one of: {', '.join(FORMATS)}")
    e.add_argument("--list", action="store_true", help="list every format with its size and triple/edge count")
    e.add_argument("--content", metavar="CONTENT", default=None,
                   help=f"one of: {', '.join(CONTENTS)} (default: all; causal for dot and mermaid)")
    e.add_argument("--inferred", action=argparse.BooleanOptionalAction, default=None,
                   help="include the inferred triples (default: yes, except for --content asserted)")
    e.add_argument("-o", "--output", metavar="FILE|DIR", default=None,
                   help="file (or folder, for neo4j and kgx; a .zip path gets a zip) to write; "
                        "default or -: standard output")
    e.set_defaults(func=cmd_export)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except CrampkgError as exc:
        print(f"crampkg: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
