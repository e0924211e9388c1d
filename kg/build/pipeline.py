"""Build: parse the sources, check the evidence, reason, validate, write `build/crampkg.nq` and a summary.

The sources are a folder laid out like `ontology/` with one article or many (kg.build.sources); the reasoner
is owlrl (the reference) or kg.build.entailment's fast one, the validator pySHACL or kg.build.shapes_check; the
summary records the seconds of each stage (parse, claims, reason, validate, write).

The build is all-or-nothing: it writes into a fresh folder and swaps it in only when every check passed,
so a broken input leaves the previous good build untouched. A build whose inputs (sources and the code
that builds them) hash the same as the cached one is reused instead of reasoning again, unless its dataset
no longer hashes as the build recorded (truncated, corrupted): then it is rebuilt, never served.
"""
from __future__ import annotations

import gc
import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF, RDFS, SKOS

from kg import __version__
from kg.build.article import read_article
from kg.build.claims import check_evidence, expand_claims, line_of, read_claims
from kg.build.closure import infer
from kg.build.entailment import infer_fast
from kg.build.shapes_check import validate_fast
from kg.build.sources import ArticleSource, articles_in, shipped_article
from kg.build.summary import summarize
from kg.build.turtle import converter, read_turtle
from kg.build.validate import validate
from kg.build.vocabulary import VOCABULARY_FILE, allowed_identifiers
from kg.errors import BuildError
from kg.graph.dataset import damage, dataset_sha256, nquads_of_graphs
from kg.namespaces import (
    ARTICLE,
    ARTICLE_PATH,
    BUILD_DIR,
    CK,
    DATASET_FILE,
    GRAPH_ASSERTED,
    GRAPH_INFERRED,
    GRAPH_ONTOLOGY,
    ID,
    ONTOLOGY_DIR,
    SUMMARY_FILE,
)

# The code whose change changes the build: every module of kg/build (a new one is included without being listed)
# and the modules outside it that shape the bytes. A change to any of them forces a rebuild.
KG_DIR = Path(__file__).resolve().parent.parent
CODE_FILES = tuple(sorted(p.relative_to(KG_DIR).as_posix() for p in (KG_DIR / "build").glob("*.py"))) + (
    "namespaces.py", "graph/dataset.py", "graph/terms.py")
REASONERS = {"owlrl": infer, "fast": infer_fast}
VALIDATORS = ("pyshacl", "fast")
STAGES = ("parse", "claims", "reason", "validate", "write")


@dataclass(frozen=True)
class Sources:
    """The files a build reads. Tests point these at broken fixtures."""

    schema: Path = ONTOLOGY_DIR / "crampkg.ttl"
    entities: Path = ONTOLOGY_DIR / "entities.ttl"
    claims: Path = ONTOLOGY_DIR / "claims.ttl"
    shapes: Path = ONTOLOGY_DIR / "shapes.ttl"
    article: Path = ARTICLE_PATH
    vocabulary: Path = VOCABULARY_FILE
    # Several articles (a folder with claims/<name>.ttl); empty means the one `article` with `claims`.
    articles: tuple[ArticleSource, ...] = ()

    @classmethod
    def from_folder(cls, folder: Path) -> Sources:
        """The sources of a folder laid out like ontology/ (see kg.build.sources)."""
        if not folder.is_dir():
            raise BuildError(f"{folder}: no such source folder")
        articles = articles_in(folder)
        vocabulary = folder / "vocabulary.txt"
        files = {"schema": folder / "crampkg.ttl", "entities": folder / "entities.ttl", "shapes": folder / "shapes.ttl",
                 "vocabulary": vocabulary if vocabulary.is_file() else VOCABULARY_FILE}
        shipped_layout = len(articles) == 1 and articles[0].iri == ARTICLE
        return cls(claims=articles[0].claims, article=articles[0].text, articles=() if shipped_layout else articles,
                   **files)

    def article_sources(self) -> tuple[ArticleSource, ...]:
        return self.articles or (shipped_article(self.claims, self.article),)

    def files(self) -> list[Path]:
        if not self.articles:
            return [self.schema, self.entities, self.claims, self.shapes, self.article, self.vocabulary]
        return [self.schema, self.entities, self.shapes, self.vocabulary] + [
            path for a in self.articles for path in (a.claims, a.text)]

    def digest(self, *settings: str) -> str:
        h = hashlib.sha256(__version__.encode())
        for setting in settings:
            h.update(setting.encode())
        for path in self.files() + [KG_DIR / name for name in CODE_FILES]:
            h.update(path.name.encode())
            h.update(path.read_bytes())
        return h.hexdigest()


@dataclass
class BuildResult:
    path: Path
    summary: dict
    cached: bool


class Stopwatch:
    """Seconds spent per build stage, accumulated over the articles: wall clock, and this process's CPU time
    (the fairer figure on a machine shared with other jobs)."""

    def __init__(self) -> None:
        self.seconds = dict.fromkeys(STAGES, 0.0)
        self.cpu_seconds = dict.fromkeys(STAGES, 0.0)
        self._stage, self._since, self._cpu_since = "", 0.0, 0.0

    def start(self, stage: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        if self._stage:
            self.seconds[self._stage] += now - self._since
            self.cpu_seconds[self._stage] += cpu - self._cpu_since
        self._stage, self._since, self._cpu_since = stage, now, cpu

    def stop(self) -> dict[str, float]:
        self.start("")
        return {k: round(v, 3) for k, v in self.seconds.items()}

    def cpu(self) -> dict[str, float]:
        return {k: round(v, 3) for k, v in self.cpu_seconds.items()}


def parse_turtle(path: Path) -> Graph:
    g = Graph()
    try:
        g.parse(path, format="turtle")
    except FileNotFoundError:
        raise BuildError(f"{path}: file not found") from None
    except Exception as exc:
        raise BuildError(f"{path.name}: Turtle syntax error: {exc}") from None
    return g


def check_outside_links(graph: Graph, path: Path, allowed: frozenset[str]) -> None:
    for prop in (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch):
        for s, o in sorted(graph.subject_objects(prop)):
            if str(o) not in allowed:
                local = str(o).rsplit("/", 1)[-1]
                line = line_of(path, local)
                where = f"{path.name}:{line}" if line else path.name
                raise BuildError(
                    f"{where}: {s.n3()} links to {o.n3()}, which is not a verified identifier; "
                    f"use only identifiers listed in shared/VOCABULARY.md ({VOCABULARY_FILE.name})"
                )


def assemble(sources: Sources, watch: Stopwatch | None = None) -> tuple[Graph, Graph]:
    """Ontology graph and asserted graph from the sources, every quote and outside link checked."""
    watch = watch or Stopwatch()
    watch.start("parse")
    ontology = parse_turtle(sources.schema)
    convert = converter()
    entities = read_turtle(sources.entities, parse_turtle, convert)
    watch.start("claims")
    allowed = allowed_identifiers(sources.vocabulary)
    check_outside_links(ontology, sources.schema, allowed)
    check_outside_links(entities, sources.entities, allowed)
    asserted = Graph(store="SimpleMemory")  # no per-triple events or contexts: 3x faster adds
    first_seen: dict[URIRef, Path] = {}
    for source in sources.article_sources():
        watch.start("parse")
        article = read_article(source.text, expected_sha256=source.expected_sha256)
        claim_source = read_turtle(source.claims, parse_turtle, convert)
        watch.start("claims")
        add_article(source, article, claim_source, entities, asserted, first_seen)
    asserted += entities
    check_entities_described(asserted, sources)
    # Blank nodes of OWL axioms get canonical labels, so the output is the same bytes every time.
    return to_canonical_graph(ontology), asserted


def add_article(source: ArticleSource, article: str, claim_source: Graph, entities: Graph, asserted: Graph,
                first_seen: dict[URIRef, Path]) -> None:
    """Check one article's claims against its text and add their triples and evidence to `asserted`."""
    path = source.claims
    claims = read_claims(claim_source, path)
    if not claims:
        raise BuildError(f"{path.name}: no ck:Claim found")
    check_evidence(claims, article, path)
    names = {c.iri for c in claims}
    stray = {(s, p, o) for s, p, o in claim_source if s not in names}
    if stray:
        s, p, o = min(stray)
        raise BuildError(
            f"{path.name}: {len(stray)} triple(s) outside any claim, e.g. {s.n3()} {p.n3()} {o.n3()}; "
            "write article facts as claims with a quote"
        )
    for c in claims:
        other = first_seen.setdefault(c.iri, path)
        if other != path:
            raise BuildError(f"{path.name}: claim `{c.name}` is also in {other.name}; claim names must be unique "
                             "across articles (prefix them with the article's name)")
    if (source.iri, RDF.type, CK.Article) not in entities:
        raise BuildError(f"{path.name}: its article {source.iri.n3()} is not described in entities.ttl; "
                         "add it there as a ck:Article with an rdfs:label")
    expand_claims(claims, article, source=source.iri, into=asserted)


def check_entities_described(asserted: Graph, sources: Sources) -> None:
    """Every entity a claim mentions is named in entities.ttl (and only those)."""
    mentioned = {
        t for c in asserted.subjects(RDF.type, CK.Claim) for t in asserted.objects(c, CK.claimOf)
    }
    for entity in sorted(mentioned):
        if str(entity).startswith(str(ID)) and (entity, RDFS.label, None) not in asserted:
            raise BuildError(
                f"{sources.entities.name}: {entity.n3()} is used by a claim but has no rdfs:label; "
                "add it to entities.ttl with a label and a definition"
            )


def check_out_dir(out_dir: Path) -> None:
    """A build replaces `out_dir` whole, so it must be new, empty, or a previous build: never a folder that
    holds anything else (``--out .`` or ``--out ~`` would otherwise be swapped out and deleted)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise BuildError(f"{out_dir}: is a file; give a folder for the build (new, empty or a previous build)")
    if out_dir.is_dir():
        others = sorted(p.name for p in out_dir.iterdir() if p.name not in (DATASET_FILE, SUMMARY_FILE))
        if others:
            raise BuildError(f"{out_dir}: holds files that are not a crampkg build ({', '.join(others[:5])}"
                             f"{', …' if len(others) > 5 else ''}); give a new or empty folder")


def build(out_dir: Path = BUILD_DIR, sources: Sources | None = None, *, force: bool = False,
          reasoner: str = "owlrl", validator: str | None = None) -> BuildResult:
    """Build the dataset into `out_dir` (or reuse the cached build when the inputs are unchanged).

    `reasoner` is "owlrl" (the reference) or "fast" (kg.build.entailment); `validator` is "pyshacl" or "fast"
    (kg.build.shapes_check), by default the one that goes with the reasoner."""
    sources = sources or Sources()
    out_dir = Path(os.path.abspath(out_dir))  # "." and "x/.." name the folder they mean
    check_out_dir(out_dir)
    if reasoner not in REASONERS:
        raise BuildError(f"reasoner {reasoner!r}: choose one of {', '.join(REASONERS)}")
    validator = validator or ("pyshacl" if reasoner == "owlrl" else "fast")
    if validator not in VALIDATORS:
        raise BuildError(f"validator {validator!r}: choose one of {', '.join(VALIDATORS)}")
    for path in sources.files():
        if not path.exists():
            raise BuildError(f"{path}: file not found")
    key = sources.digest(reasoner, validator)
    summary_path = out_dir / SUMMARY_FILE
    if not force and summary_path.exists() and (out_dir / DATASET_FILE).exists():
        try:
            previous = json.loads(summary_path.read_text())
        except ValueError:
            previous = {}
        if previous.get("input_sha256") == key and damage(out_dir / DATASET_FILE) is None:
            return BuildResult(out_dir / DATASET_FILE, previous, cached=True)

    # The build makes millions of long-lived objects and almost no garbage cycles: the cyclic collector would
    # only rescan them again and again (a quarter of the CPU time on a 100-article corpus).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build(out_dir, sources, key, reasoner, validator)
    finally:
        if collecting:
            gc.enable()


def _build(out_dir: Path, sources: Sources, key: str, reasoner: str, validator: str) -> BuildResult:
    started = time.perf_counter()
    watch = Stopwatch()
    ontology, asserted = assemble(sources, watch)
    watch.start("reason")
    inferred = REASONERS[reasoner](ontology, asserted)
    watch.start("write")
    named = {"ontology": GRAPH_ONTOLOGY, "asserted": GRAPH_ASSERTED, "inferred": GRAPH_INFERRED}
    data = nquads_of_graphs(((GRAPH_ONTOLOGY, ontology), (GRAPH_ASSERTED, asserted), (GRAPH_INFERRED, inferred)))
    watch.start("validate")
    if validator == "pyshacl":
        report = validate(ontology + asserted + inferred, sources.shapes)
    else:
        report = validate_fast((ontology, asserted, inferred), sources.shapes, sources.article_sources(), data)
    if report is not None:
        raise BuildError(f"SHACL validation failed ({sources.shapes.name}):\n{report}")

    # Triples per graph are the lines that end with its name: counted in the bytes (C speed), where an rdflib
    # memory graph counts by walking every triple. A line ends at the first newline, which no term holds (N-Quads
    # escapes it), so each line is counted once, for its own graph.
    sizes = {name: data.count(f" {iri.n3()} .\n".encode()) for name, iri in named.items()}
    summary = summarize(ontology, asserted, inferred, sizes)
    summary["input_sha256"] = key
    summary["articles"] = len(sources.article_sources())
    summary["reasoner"], summary["validator"] = reasoner, validator
    summary["dataset_sha256"] = dataset_sha256(data)

    watch.start("write")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".build-", dir=out_dir.parent))
    try:
        (staging / DATASET_FILE).write_bytes(data)
        summary["stage_seconds"] = watch.stop()
        summary["stage_cpu_seconds"] = watch.cpu()
        summary["build_seconds"] = round(time.perf_counter() - started, 2)
        (staging / SUMMARY_FILE).write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
        if out_dir.exists():
            old = out_dir.with_name(out_dir.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            out_dir.rename(old)
            staging.rename(out_dir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.rename(out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BuildResult(out_dir / DATASET_FILE, summary, cached=False)
