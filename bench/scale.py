"""`make bench` (corpus part): build time per stage and peak memory for synthetic corpora of N articles.

For each N, `bench.corpus` writes N articles (not timed), then a fresh Python process runs the whole build
(`kg.build.build`, forced) and reports the seconds of each stage (parse, claims, reason, validate, write, from
the build's own stopwatch), the triple counts and its peak resident memory (getrusage of that process alone).
The fast reasoner and validator build every N; the reference pipeline (owlrl + pySHACL, the default for the
shipped article) builds the N given to --reference, so the ratio between the two is measured on the same
machine in the same run. The machine is shared: the load average is recorded with the figures.

Results go to bench/results/corpus.md and corpus.json. Nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from kg.namespaces import ROOT

RESULTS = ROOT / "bench" / "results"
SHIPPED_ASSERTED = 2813  # asserted triples of the shipped article's build, the unit of "× the graph"
STAGES = ("parse", "claims", "reason", "validate", "write")


def measure_one(sources: Path, out: Path, reasoner: str) -> dict:
    """Run in a child process: one forced build, its stage times and this process's peak RSS."""
    from kg.build import Sources, build

    started = time.perf_counter()
    result = build(out, Sources.from_folder(sources), force=True, reasoner=reasoner)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_kb = usage.ru_maxrss
    s = result.summary
    return {"stages": s["stage_seconds"], "cpu_stages": s["stage_cpu_seconds"], "seconds": round(wall, 2),
            "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2), "triples": s["triples"],
            "claims": s["claims"], "articles": s["articles"], "peak_rss_mb": round(peak_kb / 1024)}


def run(articles: int, reasoner: str, work: Path, seed: int) -> dict:
    from bench.corpus import write_corpus

    sources = work / f"corpus-{articles}"
    if not (sources / "claims").is_dir() or len(list((sources / "claims").glob("*.ttl"))) != articles:
        write_corpus(articles, sources, seed=seed)
    load_before = os.getloadavg()[0]
    done = subprocess.run(
        [sys.executable, "-m", "bench.scale", "--child", str(sources), str(work / f"build-{articles}-{reasoner}"),
         reasoner], cwd=ROOT, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(f"build of {articles} articles ({reasoner}) failed:\n{done.stderr[-2000:]}")
    row = json.loads(done.stdout.strip().splitlines()[-1])
    row.update(reasoner=reasoner, load=[round(load_before, 1), round(os.getloadavg()[0], 1)])
    return row


def table(rows: list[dict]) -> str:
    lines = [
        "| articles | pipeline | asserted triples (× shipped article) | inferred | " + " | ".join(STAGES)
        + " | build s (wall) | build s (CPU) | µs CPU per asserted triple | µs CPU per output triple "
          "(asserted + inferred) | peak RSS MB | load avg (before/after) |",
        "|---:|---|---:|---:|" + "---:|" * len(STAGES) + "---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        asserted = r["triples"]["asserted"]
        output = asserted + r["triples"]["inferred"]
        pipeline = "fast + shapes_check" if r["reasoner"] == "fast" else "owlrl + pySHACL"
        stages = " | ".join(f"{r['stages'][k]:.1f} ({r['cpu_stages'][k]:.1f})" for k in STAGES)
        build_wall, build_cpu = sum(r["stages"].values()), sum(r["cpu_stages"].values())
        lines.append(
            f"| {r['articles']:,} | {pipeline} | {asserted:,} ({asserted / SHIPPED_ASSERTED:.0f}×) | "
            f"{r['triples']['inferred']:,} | {stages} | {build_wall:.1f} | {build_cpu:.1f} | "
            f"{build_cpu / asserted * 1e6:.1f} | {build_cpu / output * 1e6:.1f} | {r['peak_rss_mb']:,} | "
            f"{r['load'][0]} / {r['load'][1]} |")
    return "\n".join(lines)


def ratios(rows: list[dict]) -> list[str]:
    by = {(r["articles"], r["reasoner"]): r for r in rows}
    out = []
    for (n, reasoner), r in sorted(by.items()):
        ref = by.get((n, "owlrl"))
        if reasoner == "fast" and ref:
            cpu, ref_cpu = r["cpu_stages"], ref["cpu_stages"]
            out.append(f"{n} article(s), CPU time: fast pipeline {sum(ref_cpu.values()) / sum(cpu.values()):.1f}× "
                       f"faster than owlrl + pySHACL overall, reasoning "
                       f"{ref_cpu['reason'] / max(cpu['reason'], 1e-3):.0f}×, validation "
                       f"{ref_cpu['validate'] / max(cpu['validate'], 1e-3):.0f}×")
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        sources, out, reasoner = argv[1:4]
        print(json.dumps(measure_one(Path(sources), Path(out), reasoner)))
        return 0
    p = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.split("\n\n")[0])
    p.add_argument("--articles", type=int, nargs="+", default=[1, 10, 100])
    p.add_argument("--reference", type=int, nargs="*", default=[1, 10],
                   help="sizes also built with owlrl + pySHACL (default: %(default)s)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--work", type=Path, default=None, help="folder for corpora and builds (default: a temp dir)")
    p.add_argument("--output", default="corpus", help="results file stem under bench/results")
    args = p.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="crampkg-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in args.articles:
        for reasoner in (["owlrl"] if n in args.reference else []) + ["fast"]:
            row = run(n, reasoner, work, args.seed)
            rows.append(row)
            print(table([row]).splitlines()[-1], flush=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    separate = RESULTS / "corpus-1000.json"
    note = []
    if args.output == "corpus" and separate.exists() and 1000 not in args.articles:
        earlier = json.loads(separate.read_text())
        rows += earlier["rows"]
        note = [f"- The 1,000-article row is from `make bench-corpus-1000`, run {earlier['run']}."]
    head = (f"Run {stamp} on {platform.machine()}, {os.cpu_count()} cores (shared with other jobs: see the load "
            f"average column), Python {platform.python_version()}; synthetic corpora from bench.corpus, seed "
            f"{args.seed}; each build a fresh process, forced. Stage cells: wall seconds (CPU seconds of the build "
            "process); the CPU figures are the fairer ones on a loaded machine.")
    text = "\n".join([head, "", table(rows), "", *[f"- {line}" for line in ratios(rows)], *note]) + "\n"
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.output}.md").write_text(text, encoding="utf-8")
    (RESULTS / f"{args.output}.json").write_text(json.dumps({"run": stamp, "rows": rows}, indent=2) + "\n")
    print()
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
