"""Build: parse the sources, check the evidence, reason, validate, write `build/crampkg.nq` and a summary.

The build is all-or-nothing: it writes into a fresh folder and swaps it in only when every check passed,
so a broken input leaves the previous good build untouched. A build whose inputs (sources and the code
that builds them) hash the same as the cached one is reused instead of reasoning again.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF, RDFS, SKOS

from kg import __version__
from kg.build.article import read_article
from kg.build.claims import check_evidence, expand_claims, line_of, read_claims
from kg.build.closure import infer
from kg.build.summary import summarize
from kg.build.validate import validate
from kg.build.vocabulary import VOCABULARY_FILE, allowed_identifiers
from kg.errors import BuildError
from kg.graph.dataset import nquads
from kg.namespaces import (
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
    bind_prefixes,
)

# The code whose change changes the build (paths under kg/): a change to any of them forces a rebuild.
CODE_FILES = ("build/article.py", "build/claims.py", "build/closure.py", "build/pipeline.py", "build/summary.py",
              "build/validate.py", "build/vocabulary.py", "namespaces.py")


@dataclass(frozen=True)
class Sources:
    """The files a build reads. Tests point these at broken fixtures."""

    schema: Path = ONTOLOGY_DIR / "crampkg.ttl"
    entities: Path = ONTOLOGY_DIR / "entities.ttl"
    claims: Path = ONTOLOGY_DIR / "claims.ttl"
    shapes: Path = ONTOLOGY_DIR / "shapes.ttl"
    article: Path = ARTICLE_PATH
    vocabulary: Path = VOCABULARY_FILE

    def files(self) -> list[Path]:
        return [self.schema, self.entities, self.claims, self.shapes, self.article, self.vocabulary]

    def digest(self) -> str:
        h = hashlib.sha256(__version__.encode())
        code_dir = Path(__file__).resolve().parent.parent
        for path in self.files() + [code_dir / name for name in CODE_FILES]:
            h.update(path.name.encode())
            h.update(path.read_bytes())
        return h.hexdigest()


@dataclass
class BuildResult:
    path: Path
    summary: dict
    cached: bool


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


def assemble(sources: Sources) -> tuple[Graph, Graph]:
    """Ontology graph and asserted graph from the sources, every quote and outside link checked."""
    article = read_article(sources.article)
    ontology = parse_turtle(sources.schema)
    entities = parse_turtle(sources.entities)
    claim_source = parse_turtle(sources.claims)
    allowed = allowed_identifiers(sources.vocabulary)
    check_outside_links(ontology, sources.schema, allowed)
    check_outside_links(entities, sources.entities, allowed)

    claims = read_claims(claim_source, sources.claims)
    if not claims:
        raise BuildError(f"{sources.claims.name}: no ck:Claim found")
    check_evidence(claims, article, sources.claims)
    stray = {(s, p, o) for s, p, o in claim_source if s not in {c.iri for c in claims}}
    if stray:
        s, p, o = min(stray)
        raise BuildError(
            f"{sources.claims.name}: {len(stray)} triple(s) outside any claim, e.g. {s.n3()} {p.n3()} {o.n3()}; "
            "write article facts as claims with a quote"
        )
    asserted = expand_claims(claims, article)
    asserted += entities
    check_entities_described(asserted, sources)
    # Blank nodes of OWL axioms get canonical labels, so the output is the same bytes every time.
    return to_canonical_graph(ontology), asserted


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


def to_dataset(ontology: Graph, asserted: Graph, inferred: Graph) -> Dataset:
    ds = Dataset()
    bind_prefixes(ds)
    for name, g in ((GRAPH_ONTOLOGY, ontology), (GRAPH_ASSERTED, asserted), (GRAPH_INFERRED, inferred)):
        target = ds.graph(name)
        for t in g:
            target.add(t)
    return ds


def build(out_dir: Path = BUILD_DIR, sources: Sources | None = None, *, force: bool = False) -> BuildResult:
    """Build the dataset into `out_dir` (or reuse the cached build when the inputs are unchanged)."""
    sources = sources or Sources()
    for path in sources.files():
        if not path.exists():
            raise BuildError(f"{path}: file not found")
    key = sources.digest()
    summary_path = out_dir / SUMMARY_FILE
    if not force and summary_path.exists() and (out_dir / DATASET_FILE).exists():
        try:
            previous = json.loads(summary_path.read_text())
        except ValueError:
            previous = {}
        if previous.get("input_sha256") == key:
            return BuildResult(out_dir / DATASET_FILE, previous, cached=True)

    started = time.perf_counter()
    ontology, asserted = assemble(sources)
    inferred = infer(ontology, asserted)
    ds = to_dataset(ontology, asserted, inferred)
    report = validate(ontology + asserted + inferred, sources.shapes)
    if report is not None:
        raise BuildError(f"SHACL validation failed ({sources.shapes.name}):\n{report}")

    summary = summarize(ontology, asserted, inferred)
    summary["input_sha256"] = key
    summary["build_seconds"] = round(time.perf_counter() - started, 2)

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".build-", dir=out_dir.parent))
    try:
        (staging / DATASET_FILE).write_bytes(nquads(ds))
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
