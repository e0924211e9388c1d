"""The `crampkg` command line: build, summary, query, serve, export and load.

Whatever the user types ends in a result or in one line ``crampkg: error: …`` that names the bad part and
exit status 2, never in a traceback: values are checked by argparse types before any work starts, library
errors (:class:`CrampkgError`) and the operating system's (:class:`OSError`) are reported at one edge,
:func:`main`, and anything else is reported there as a bug to report, in one line.
"""
from __future__ import annotations

import argparse
import gc
import ipaddress
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

from kg.errors import CrampkgError, shown
from kg.export import CONTENTS, FORMATS, catalogue, export_bytes, format_options, get_format, select, write_export
from kg.export.rdf import check_context
from kg.graph.dataset import load_dataset
from kg.namespaces import BUILD_DIR, DATASET_FILE, DISCLAIMER
from kg.query import limits
from kg.query.catalogue import Catalogue, known_iris
from kg.query.engines import DEFAULT_ENGINE, ENGINES, open_engine
from kg.query.engines.remote import RemoteEngine
from kg.query.table import FORMATTERS
from kg.query.text import shape
from kg.store.client import check_url
from kg.store.snapshot import REFRESH_SECONDS

AUTO = "auto"  # --processes: one server process per CPU (kg.query.limits.AUTO_SERVER_PROCESSES at most)


def cmd_build(args: argparse.Namespace) -> int:
    # the build (owlrl, pyshacl) and the server (Flask, granian) are imported by the commands that use them,
    # so that `crampkg query` and `crampkg export` start without loading them
    from kg.build import Sources, build, format_summary

    sources = Sources.from_folder(Path(args.sources)) if args.sources else None
    result = build(Path(args.out), sources, force=args.force, reasoner=args.reasoner, validator=args.validator)
    print(format_summary(result.summary))
    print(f"{'reused cached build' if result.cached else 'built'}: {result.path}")
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from kg.build import SUMMARY_FILE, format_summary

    path = Path(args.out) / SUMMARY_FILE
    if not names_a_file(str(path)):
        raise CrampkgError(f"{shown(str(path))}: no build yet; run `crampkg build` first")
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
        text = format_summary(summary)
    except (ValueError, KeyError, TypeError) as exc:
        raise CrampkgError(f"{shown(str(path))}: not a crampkg build summary ({type(exc).__name__}: {exc}); "
                           "run `crampkg build --force` to write it again") from None
    print(text)
    return 0


MAX_QUERY_FILE = 10_000_000  # bytes; a query file larger than this is surely not a query


def names_a_file(arg: str) -> bool:
    """Whether `arg` names an existing regular file. Never raises: a name too long for the file system, or
    one holding a NUL byte, names no file (os.path.isfile catches both, Path.is_file does not)."""
    return os.path.isfile(arg)


def looks_like_a_file_name(arg: str) -> bool:
    """An argument ending in ``.rq`` on one line with no ``{`` is meant as a file name (every query but a
    bare DESCRIBE has a group, and a DESCRIBE ends with its IRI or variable, not ``.rq``)."""
    return arg.lower().endswith(".rq") and "\n" not in arg and "{" not in arg


def read_query_text(arg: str) -> str:
    """The query: the file `arg` names if it names an existing file, else `arg` itself as SPARQL text.

    An argument that looks like a ``.rq`` file name but names no file is an error, not query text."""
    if names_a_file(arg):
        try:
            if os.path.getsize(arg) > MAX_QUERY_FILE:
                raise CrampkgError(f"{shown(arg)}: the file is larger than {MAX_QUERY_FILE} bytes; "
                                   "is it really a query?")
            raw = Path(arg).read_bytes()
        except OSError as exc:
            raise CrampkgError(f"{shown(arg)}: cannot read the query file ({exc.strerror or exc})") from None
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CrampkgError(f"{shown(arg)}: the query file is not UTF-8 text (byte {raw[exc.start]:#04x} at "
                               f"offset {exc.start}); save it as UTF-8") from None
    if looks_like_a_file_name(arg):
        what = "is a folder, not a query file" if os.path.isdir(arg) else "no such query file"
        raise CrampkgError(f"{shown(arg)}: {what}; give the path of an existing .rq file, or the query text")
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

    catalogue = Catalogue.load()
    text = None
    if args.query not in catalogue.queries:
        if args.param:
            raise CrampkgError(f"--param only applies to canned queries: {', '.join(catalogue.queries)}")
        text = read_query_text(args.query)
        if text is args.query and not text.split(maxsplit=1)[1:] and text.strip():
            raise CrampkgError(f"{shown(text)} is not a canned query, an existing file, or SPARQL text; "
                               f"the canned queries are: {', '.join(catalogue.queries)}")
        shape(text)  # a malformed request fails before any engine is loaded
    if args.endpoint is not None:
        engine = RemoteEngine(check_url(args.endpoint, "--endpoint"))
    else:
        engine = open_engine(args.engine, built_dataset(args.out))
    bindings = None
    if text is None:
        query = catalogue.get(args.query)
        if args.endpoint is None:  # an IRI must name something in the graph; a remote graph is not checked
            catalogue.known_iris = known_iris(engine)
        bindings = catalogue.bind(query, parse_params(args.param))
        text = query.text
    result = engine.query(text, bindings=bindings)
    sys.stdout.write(FORMATTERS[args.format](result).rstrip("\n") + "\n")
    return 0


def built_dataset(out: str) -> Path:
    path = Path(out) / DATASET_FILE
    if not names_a_file(str(path)):
        raise CrampkgError(f"{shown(str(path))}: no build there; run `crampkg --out {shown(out)} build` first "
                           "(or give the --out folder of an existing build)")
    return path


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the built graph under granian, a production HTTP server (never Flask's dev server)."""
    from kg.build import build, format_summary
    from kg.store.client import public_url
    from server import create_app
    from server.serving import Processes, Server

    count = server_processes(args)
    config = serve_config(args, count)
    if args.endpoint:
        source = f"the store at {public_url(check_url(args.endpoint, '--endpoint'))}"
        config["ENDPOINT"] = args.endpoint
        config["STORE_REFRESH"] = args.store_refresh
    else:
        result = build(Path(args.out))
        print(format_summary(result.summary), flush=True)
        source = str(result.path)
        config["DATASET_PATH"] = str(result.path)
    app = create_app(config)
    # What is loaded now (the dataset, the causal network, the app) lives as long as the server: without this,
    # every full collection would walk all of it (tens of ms, now and then in the middle of a request: the p99)
    gc.freeze()
    if args.endpoint:
        try:
            sizes = app.extensions["crampkg"].version().sizes
            print(f"crampkg: {source} holds {sum(sizes.values())} triples in {len(sizes)} graphs", flush=True)
        except CrampkgError as exc:  # the server starts anyway and recovers when the store answers
            print(f"crampkg: warning: {exc}; answering 502 until it does", flush=True)
    try:
        server = Server(app, host=args.host, port=args.port, threads=share(args.threads, count),
                        max_header_bytes=args.max_header, shared=count > 1)
    except (OSError, ValueError) as exc:
        raise CrampkgError(f"cannot listen on {args.host}:{args.port}: {getattr(exc, 'strerror', None) or exc}; "
                           "choose another --host or --port") from None
    where = f"http://{args.host}:{server.effective_port}/"
    if count == 1:
        print(f"crampkg: serving {source} on {where}  ({DISCLAIMER})", flush=True)
        server.run()
        return 0
    knowledge = app.extensions["crampkg"]

    def after_fork() -> Callable[[], None]:
        return knowledge.start_executor().close

    processes = Processes(server, count, after_fork, pin=args.pin_cpus)
    try:
        processes.start()
    except OSError as exc:
        raise CrampkgError(f"cannot serve from {count} processes: {exc}; see the messages above, "
                           "or give fewer --processes") from None
    print(f"crampkg: serving {source} on {where} from {count} processes  ({DISCLAIMER})", flush=True)
    return processes.run()


def cmd_load(args: argparse.Namespace) -> int:
    """Push the build into an external store (kg.store.load); credentials come from the environment only."""
    from kg.store.client import Credentials, Store
    from kg.store.load import load

    store = Store(check_url(args.endpoint, "--endpoint"),
                  check_url(args.update_endpoint, "--update-endpoint") if args.update_endpoint else None,
                  check_url(args.graph_store, "--graph-store") if args.graph_store else None,
                  Credentials.from_env(), timeout=args.timeout)
    report = load(store, built_dataset(args.out), progress=lambda line: print(line, flush=True))
    for graph, n in report.graphs.items():
        print(f"  {graph}: {n} triples")
    if report.dropped:
        print(f"  dropped {len(report.dropped)} staging graph(s) left by interrupted loads")
    print(f"loaded {len(report.graphs)} graphs, {report.triples} triples into {store.name} by "
          f"{report.method} in {report.seconds:.2f} s (load {report.load_id})", flush=True)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    if not args.list and not args.format:
        raise CrampkgError(f"give --format FORMAT (one of: {', '.join(FORMATS)}) or --list")
    if args.format and format_options(get_format(args.format), {"context": args.context}):
        check_context(args.context)
    ds = load_dataset(built_dataset(args.out))
    if args.list:
        for row in catalogue(args.content, args.inferred, ds=ds):
            count = (f"{row['triples']} triples" if "triples" in row
                     else f"{row['nodes']} nodes, {row['edges']} edges")
            print(f"{row['format']:<10} {row['filename']:<40} {row['bytes']:>9} bytes  {count:<24} "
                  f"{row['description']}")
        return 0
    fmt = get_format(args.format)
    out = export_bytes(fmt.name, selection=select(ds, args.content, args.inferred, fmt=fmt.name),
                       context=args.context)
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


def whole_number(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number in [minimum, maximum], with the range in the error."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{shown(text)} is not a whole number") from None
        if value < minimum or (maximum is not None and value > maximum):
            bounds = f"from {minimum} to {maximum}" if maximum is not None else f"{minimum} or more"
            raise argparse.ArgumentTypeError(f"{value} is out of range; give a number {bounds}")
        return value
    parse.__name__ = "whole number"
    return parse


def seconds(text: str) -> float:
    """An argparse type: a time limit in seconds, more than 0 (and finite)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{shown(text)} is not a number of seconds") from None
    if not 0 < value < 86_400:
        raise argparse.ArgumentTypeError(f"{shown(text)} is out of range; give seconds above 0 and below 86400")
    return value


def wait(text: str) -> float:
    """An argparse type: a wait in seconds, 0 (no wait) or more (and finite)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{shown(text)} is not a number of seconds") from None
    if not 0 <= value < 86_400:
        raise argparse.ArgumentTypeError(f"{shown(text)} is out of range; give seconds from 0 to below 86400")
    return value


def max_workers(args: argparse.Namespace) -> int:
    """``--max-workers``, checked against ``--workers`` (its default follows ``--workers`` up)."""
    if args.max_workers is None:
        return max(limits.QUERY_WORKERS_MAX, args.workers)
    if args.max_workers < args.workers:
        raise CrampkgError(f"--max-workers {args.max_workers} is below --workers {args.workers}; "
                           f"give --max-workers {args.workers} or more")
    return args.max_workers


def server_processes(args: argparse.Namespace) -> int:
    """How many server processes ``crampkg serve`` forks: ``--processes``, or with ``auto`` one per CPU this
    process may run on, at most :data:`~kg.query.limits.AUTO_SERVER_PROCESSES`. A client budget is counted in
    one process's memory, so it needs a single process: ``auto`` gives one then, and more is refused."""
    budget = args.client_budget > 0
    if args.processes == AUTO:
        return 1 if budget else auto_processes()
    if budget and args.processes > 1:
        raise CrampkgError(f"--client-budget is counted within one server process, so a client could spend it "
                           f"{args.processes} times over with --processes {args.processes}; give --processes 1 "
                           "(or auto) with a client budget")
    return args.processes


def auto_processes() -> int:
    """``--processes auto`` without a client budget: one per CPU this process may run on, at most
    :data:`~kg.query.limits.AUTO_SERVER_PROCESSES`."""
    return max(1, min(len(os.sched_getaffinity(0)), limits.AUTO_SERVER_PROCESSES))


def share(total: int, count: int) -> int:
    """The share of a server-wide limit each of ``count`` server processes gets: the limit divided among
    them, rounded up (so no process gets 0 of a limit that is not 0)."""
    return -(-total // count)


def serve_config(args: argparse.Namespace, count: int) -> dict:
    """The app's configuration in each of ``count`` server processes: the server-wide limits of ``args``
    shared out among them (the threads too, given to the HTTP server). Pinned server processes let their query
    workers run on every CPU."""
    workers = share(args.workers, count)
    threads, queue = share(args.threads, count), share(args.queue, count)
    return {"ENGINE": args.engine, "QUERY_TIMEOUT": args.timeout, "QUERY_WORKERS": workers,
            "QUERY_WORKERS_MAX": share(max_workers(args), count), "QUERY_QUEUE": queue,
            "QUEUE_WAITING": limits.waiting_room(threads, queue),
            "QUEUE_WAIT": args.queue_wait, "MAX_ROWS": args.max_rows, "QUERY_CACHE": share(args.cache, count),
            "MAX_CONTENT_LENGTH": args.max_request,
            "MAX_HEADER_BYTES": args.max_header, "WORKER_MEMORY_MB": args.memory,
            "CLIENT_BUDGET": args.client_budget, "BUDGET_WINDOW": args.budget_window,
            "BUDGET_LOOPBACK": args.budget_loopback, "EXECUTOR_AFTER_FORK": count > 1,
            "WORKER_CPUS": sorted(os.sched_getaffinity(0)) if count > 1 and args.pin_cpus else None}


def processes_option(text: str) -> int | str:
    """An argparse type for ``--processes``: ``auto`` or a whole number in range."""
    if text.strip().lower() == AUTO:
        return AUTO
    try:
        int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{shown(text)} is neither {AUTO} nor a whole number") from None
    return whole_number(1, limits.MAX_SERVER_PROCESSES)(text)


processes_option.__name__ = "process count"


def host(text: str) -> str:
    """An argparse type: an IP address or a host name, checked by its syntax alone (no lookup is made)."""
    try:
        ipaddress.ip_address(text)
        return text
    except ValueError:
        pass
    label = r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)"
    if len(text) <= 253 and re.fullmatch(rf"{label}(\.{label})*\.?", text) and not text.replace(".", "").isdigit():
        return text
    raise argparse.ArgumentTypeError(f"{shown(text)} is not an IP address or a host name; "
                                     "give 127.0.0.1 (this machine only) or an address of this machine")


def folder(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("the folder name is empty; give a folder such as build")
    return text


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="crampkg", description=f"The crampkg knowledge graph. {DISCLAIMER}")
    p.add_argument("--out", default=str(BUILD_DIR), type=folder, help="build folder (default: %(default)s)")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="parse, reason, validate and write build/crampkg.nq")
    b.add_argument("--force", action="store_true", help="rebuild even if the inputs are unchanged")
    b.add_argument("--out", default=argparse.SUPPRESS, help="build folder (same as the global --out)")
    b.add_argument("--sources", metavar="DIR", default=None,
                   help="source folder laid out like ontology/ (default: the shipped ontology/)")
    b.add_argument("--reasoner", choices=["owlrl", "fast"], default="owlrl",
                   help="owlrl (reference, default) or fast (the ontology's OWL 2 RL rules only, for corpora)")
    b.add_argument("--validator", choices=["pyshacl", "fast"], default=None,
                   help="SHACL validator (default: pyshacl with owlrl, fast with the fast reasoner)")
    b.set_defaults(func=cmd_build)

    s = sub.add_parser("summary", help="print the summary of the last build")
    s.set_defaults(func=cmd_summary)

    q = sub.add_parser("query", help="run a canned query, SPARQL text or a .rq file on the graph")
    q.add_argument("query", help="a canned query name (see queries/), SPARQL text, or a path to a .rq file")
    q.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="a canned query's parameter (repeatable)")
    q.add_argument("--format", choices=["table", "json", "csv"], default="table")
    q.add_argument("--engine", choices=ENGINES, default=DEFAULT_ENGINE, help="local engine (default: %(default)s)")
    q.add_argument("--endpoint", metavar="URL", help="query this SPARQL endpoint instead of the local build")
    q.set_defaults(func=cmd_query)

    v = sub.add_parser("serve", help="build if needed, then serve the graph over HTTP")
    v.add_argument("--host", type=host, default="127.0.0.1")
    v.add_argument("--port", type=whole_number(0, 65535), default=8000, help="0: any free port")
    v.add_argument("--threads", type=whole_number(1, 1000), default=limits.SERVER_THREADS,
                   help="Python threads running requests, server-wide (default: %(default)s)")
    v.add_argument("--processes", type=processes_option, default=AUTO,
                   help="server processes forked after loading, all serving the one port; auto: one per CPU, at "
                        f"most {limits.AUTO_SERVER_PROCESSES}, or 1 with --client-budget. --threads, --workers, "
                        "--max-workers, --queue and --cache are for the whole server: each process gets its "
                        "share, rounded up (default: %(default)s)")
    v.add_argument("--pin-cpus", action=argparse.BooleanOptionalAction, default=True,
                   help="with several --processes, run each on its own share of the CPUs, its query workers on any "
                        "(default: %(default)s)")
    v.add_argument("--engine", choices=ENGINES, default=DEFAULT_ENGINE, help="query engine (default: %(default)s)")
    v.add_argument("--timeout", type=seconds, default=limits.QUERY_TIMEOUT,
                   help="seconds per query (default: %(default)s)")
    v.add_argument("--workers", type=whole_number(0, 64), default=limits.QUERY_WORKERS,
                   help="query worker processes kept running, server-wide; 0 runs queries in the server, with no "
                        "time limit (default: %(default)s)")
    v.add_argument("--max-workers", type=whole_number(1, 64),
                   help="query workers, at most: more are forked while all are busy "
                        f"(default: {limits.QUERY_WORKERS_MAX}, or --workers if that is more)")
    v.add_argument("--queue", type=whole_number(1, 10_000), default=limits.QUERY_QUEUE,
                   help="queries running or waiting for a worker, server-wide (default: %(default)s)")
    v.add_argument("--queue-wait", type=wait, default=limits.QUEUE_WAIT,
                   help="seconds a query waits for room in a full queue before 503 (default: %(default)s; "
                        "0: refuse at once)")
    v.add_argument("--max-rows", type=whole_number(1), default=limits.MAX_ROWS,
                   help="result rows before truncation")
    v.add_argument("--max-request", type=whole_number(1), default=limits.MAX_REQUEST_BYTES,
                   help="bytes per request body or query")
    v.add_argument("--cache", type=whole_number(0), default=limits.RESPONSE_CACHE,
                   help="cached answers, server-wide; 0 turns the cache off")
    v.add_argument("--endpoint", metavar="QUERY_URL",
                   help="serve the graphs loaded into this SPARQL store (`crampkg load`) instead of the build; "
                        "credentials, if it needs them: CRAMPKG_STORE_USER, CRAMPKG_STORE_PASSWORD, CRAMPKG_STORE_AUTH")
    v.add_argument("--store-refresh", type=seconds, default=REFRESH_SECONDS, metavar="SECONDS",
                   help="with --endpoint: seconds between checks for a new load (default: %(default)s)")
    v.add_argument("--max-header", type=int, default=limits.MAX_HEADER_BYTES,
                   help="bytes of request headers before 431 (default: %(default)s; 0: no cap)")
    v.add_argument("--memory", type=int, default=limits.WORKER_MEMORY_MB,
                   help="MB a query worker may allocate before its query is stopped (default: %(default)s; 0: no cap)")
    v.add_argument("--client-budget", type=float, default=limits.CLIENT_BUDGET,
                   help="seconds of server time per client per --budget-window before 429 (default: 0, off)")
    v.add_argument("--budget-window", type=float, default=limits.BUDGET_WINDOW,
                   help="seconds over which --client-budget is counted (default: %(default)s)")
    v.add_argument("--budget-loopback", action=argparse.BooleanOptionalAction, default=limits.BUDGET_LOOPBACK,
                   help="apply --client-budget to clients on 127.0.0.1 and ::1 too (default: %(default)s)")
    v.set_defaults(func=cmd_serve)

    ld = sub.add_parser("load", help="push the built graphs into an external SPARQL store (replacing them as one step)",
                        description="Credentials, if the store needs them: CRAMPKG_STORE_USER, CRAMPKG_STORE_PASSWORD "
                                    "and CRAMPKG_STORE_AUTH (basic or digest) in the environment.")
    ld.add_argument("--endpoint", required=True, metavar="QUERY_URL", help="the store's SPARQL query endpoint")
    ld.add_argument("--update-endpoint", metavar="URL", help="its SPARQL Update endpoint (default: QUERY_URL)")
    ld.add_argument("--graph-store", metavar="URL",
                    help="its Graph Store HTTP Protocol endpoint (default: write with SPARQL Update)")
    ld.add_argument("--timeout", type=seconds, default=120.0, help="seconds per request (default: %(default)s)")
    ld.set_defaults(func=cmd_load)

    e = sub.add_parser("export", help="export the built graph for other tools (RDF, Neo4j, KGX, GraphML, …)")
    e.add_argument("--format", "-f", metavar="FORMAT", help=f"one of: {', '.join(FORMATS)}")
    e.add_argument("--list", action="store_true", help="list every format with its size and triple/edge count")
    e.add_argument("--content", metavar="CONTENT", default=None,
                   help=f"one of: {', '.join(CONTENTS)} (default: all; causal for dot and mermaid)")
    e.add_argument("--inferred", action=argparse.BooleanOptionalAction, default=None,
                   help="include the inferred triples (default: yes, except for --content asserted)")
    e.add_argument("--context", metavar="embedded|URL", default=None,
                   help="jsonld: embed the context (default), or name the URL where a copy is served "
                        "(`crampkg serve` serves one at /context.jsonld)")
    e.add_argument("-o", "--output", metavar="FILE|DIR", default=None,
                   help="file (or folder, for neo4j and kgx; a .zip path gets a zip) to write; "
                        "default or -: standard output")
    e.set_defaults(func=cmd_export)
    return p


def check_text(argv: list[str]) -> None:
    """Refuse an argument that is not UTF-8: Python hands such bytes over as lone surrogates, which no query,
    file name in a message, or engine can use."""
    for i, arg in enumerate(argv, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError as exc:
            raw = os.fsencode(arg)
            raise CrampkgError(f"argument {i} is not UTF-8 text (byte {raw[exc.start]:#04x} at offset "
                               f"{exc.start}): {shown(arg)}; type it as UTF-8") from None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        check_text(argv)
        args = parser().parse_args(argv)
        status = args.func(args)
        sys.stdout.flush()  # here, so that a closed pipe is reported below and not at exit
        return status
    except CrampkgError as exc:
        print(f"crampkg: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("crampkg: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`crampkg export … | head`): nothing more to say, and nowhere to say it.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as exc:
        where = f"{shown(str(exc.filename), 160)}: " if exc.filename else ""
        print(f"crampkg: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        # A bug, not bad input: one line the user can report, the traceback only when asked for.
        if os.environ.get("CRAMPKG_DEBUG"):
            raise
        print(f"crampkg: internal error ({type(exc).__name__}: {exc}); please report it with the command you "
              "ran (CRAMPKG_DEBUG=1 shows the traceback)", file=sys.stderr)
        return 70


if __name__ == "__main__":
    sys.exit(main())
