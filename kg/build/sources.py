"""A source folder: where a build finds its ontology, shapes, entities and articles.

A folder laid out like `ontology/` holds `crampkg.ttl` (the ontology), `shapes.ttl`, `entities.ttl`, optionally
`vocabulary.txt` (else the shipped one), and its articles in one of two layouts:

* one article: `claims.ttl` beside exactly one `sources/<name>.txt` (the shipped layout); its IRI is `id:article`;
* many articles: `claims/<name>.ttl` for each `sources/<name>.txt`; article `<name>` is `id:article/<name>`.

Every article must be named in `entities.ttl` as a `ck:Article`, so each claim's evidence points at a described
source. A copy of the shipped article (by its file name) is checked against its known checksum; a new article has
none yet.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef

from kg.errors import BuildError
from kg.namespaces import ARTICLE, ARTICLE_PATH, ARTICLE_SHA256, ID


@dataclass(frozen=True)
class ArticleSource:
    """One article: its IRI, its text and its claims file."""

    iri: URIRef
    text: Path
    claims: Path

    @property
    def expected_sha256(self) -> str | None:
        return ARTICLE_SHA256 if self.text.name == ARTICLE_PATH.name else None


def shipped_article(claims: Path, text: Path) -> ArticleSource:
    return ArticleSource(ARTICLE, text, claims)


def articles_in(folder: Path) -> tuple[ArticleSource, ...]:
    """The articles of a source folder, in name order; a clear error when the layout is neither kind."""
    texts = sorted((folder / "sources").glob("*.txt"))
    single, many = folder / "claims.ttl", folder / "claims"
    if single.is_file() and many.is_dir():
        raise BuildError(f"{folder}: has both claims.ttl and claims/; keep claims.ttl for one article, "
                         "or claims/<name>.ttl per article")
    if single.is_file():
        if len(texts) != 1:
            raise BuildError(f"{folder}/sources: claims.ttl needs exactly one article text (*.txt) beside it, "
                             f"found {len(texts)}; for several articles write claims/<name>.ttl per article")
        return (shipped_article(single, texts[0]),)
    if not many.is_dir():
        raise BuildError(f"{folder}: no claims.ttl and no claims/ folder; write the article's claims there")
    claim_files = sorted(many.glob("*.ttl"))
    if not claim_files:
        raise BuildError(f"{many}: no claims files (<name>.ttl, one per sources/<name>.txt)")
    names = {p.stem for p in claim_files}
    orphans = [p.name for p in texts if p.stem not in names]
    if orphans:
        raise BuildError(f"{folder}/sources: {', '.join(orphans[:5])} ha{'s' if len(orphans) == 1 else 've'} no "
                         f"claims file; write claims/<name>.ttl for each, or remove the text")
    out = []
    for claims in claim_files:
        text = folder / "sources" / f"{claims.stem}.txt"
        if not text.is_file():
            raise BuildError(f"{claims}: no article text {text.relative_to(folder)} to quote from")
        out.append(ArticleSource(ID[f"article/{claims.stem}"], text, claims))
    return tuple(out)
