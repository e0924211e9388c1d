"""A synthetic corpus of articles shaped like the shipped one, for measuring the build at scale.

`python -m bench.corpus --articles N --out DIR [--seed S]` writes a source folder laid out like `ontology/`
(ontology, shapes and vocabulary copied from it; one shared `entities.ttl`; `sources/<slug>.txt` and
`claims/<slug>.ttl` per article) that `crampkg build --sources DIR` builds. Each article follows the shipped
article's sections (what the symptom is, excessive doses, electrolytes, medications, what to do, warning signs)
in real sentences, and every claim carries its verbatim quote and character offset into that article's text.

The substances, conditions and symptoms are fictional names drawn from a shared pool that grows with N, so an
entity appears in several articles and causal chains cross articles; `id:leg-cramp` is one of the symptoms, so
the ontology's cramp-risk-factor restriction fires at every size. The output depends only on N and the seed.

This is benchmark data: the text says it is synthetic and fictional, and nothing here is shipped in the graph.
"""
from __future__ import annotations

import argparse
import random
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from kg.namespaces import ONTOLOGY_DIR

SYLLABLES = ("ka", "lo", "ri", "ve", "zu", "mon", "tar", "sel", "dri", "qua", "ben", "fi", "gor", "pel", "nis",
             "tho", "vam", "cre", "dul", "xen")
# Entities per article of each kind, and how many articles share one on average: the pool is
# max(minimum, N * per_article / sharing), so the average degree of an entity, and with it the size of
# the transitive closure per asserted triple, stays flat as N grows.
POOLS = {  # kind: (per article, sharing, minimum)
    "symptom": (1, 8, 2),
    "site": (3, 10, 4),
    "fat_vitamin": (2, 3, 3),
    "water_vitamin": (2, 3, 3),
    "electrolyte": (3, 4, 4),
    "medication": (2, 3, 2),
    "process": (1, 4, 2),
    "condition": (2, 3, 3),  # first step after an intake (layered, so the causal graph has no cycles)
    "disorder": (4, 3, 5),  # the step before the symptom
    "measure": (2, 5, 3),
    "warning": (6, 5, 8),
}
HEADER = ("This is a synthetic benchmark article written by bench.corpus; its substances and conditions are "
          "fictional, and it is not medical content.")


def fictional_name(kind: str, index: int) -> str:
    """A pronounceable made-up word, unique per kind and index (base-20 digits as syllables)."""
    n = index + 7 * len(kind)
    parts = []
    for _ in range(3):
        parts.append(SYLLABLES[n % len(SYLLABLES)])
        n //= len(SYLLABLES)
    word = "".join(parts) + (SYLLABLES[n % len(SYLLABLES)] if n else "")
    return word


@dataclass(frozen=True)
class Entity:
    local: str  # the part after id:
    label: str
    definition: str


def pool_entity(kind: str, index: int) -> Entity:
    if kind == "symptom" and index == 0:
        return Entity("leg-cramp", "leg cramp", "An involuntary, sudden and painful contraction of a leg muscle.")
    word = fictional_name(kind, index)
    label, definition = {
        "symptom": (f"{word} spasm", "A fictional sudden, painful muscle spasm (synthetic benchmark entity)."),
        "site": (f"{word} muscle", "A fictional body part (synthetic benchmark entity)."),
        "fat_vitamin": (f"vitamin {word.capitalize()}",
                        "A fictional fat-soluble vitamin (synthetic benchmark entity)."),
        "water_vitamin": (f"vitamin {word.capitalize()}",
                          "A fictional water-soluble vitamin (synthetic benchmark entity)."),
        "electrolyte": (f"{word}ium", "A fictional electrolyte mineral (synthetic benchmark entity)."),
        "medication": (f"{word}ide", "A fictional mineral-depleting medication (synthetic benchmark entity)."),
        "process": (f"{word} signalling", "A fictional physiological process (synthetic benchmark entity)."),
        "condition": (f"{word}emia", "A fictional abnormal level in the blood (synthetic benchmark entity)."),
        "disorder": (f"{word}osis", "A fictional disorder of muscle function (synthetic benchmark entity)."),
        "measure": (f"regular {word} stretching", "A fictional preventive habit (synthetic benchmark entity)."),
        "warning": (f"{word} swelling", "A fictional warning sign (synthetic benchmark entity)."),
    }[kind]
    return Entity(f"{kind.replace('_', '-')}-{word}", label, definition)


@dataclass
class Article:
    """Text built piece by piece, so every quoted span's offset is known exactly."""

    slug: str
    text: str = ""
    claims: list[str] = field(default_factory=list)
    entities: dict[str, Entity] = field(default_factory=dict)

    def write(self, *pieces: str) -> dict[int, tuple[int, str]]:
        """Append a line made of `pieces`; odd-indexed pieces are quotable spans, returned by position."""
        spans = {}
        for i, piece in enumerate(pieces):
            if i % 2:
                spans[i // 2] = (len(self.text), piece)
            self.text += piece
        self.text += "\n"
        return spans

    def claim(self, name: str, subject: str, predicate: str, obj: str, span: tuple[int, str],
              qualifiers: str = "") -> None:
        start, quote = span
        assert self.text[start:start + len(quote)] == quote
        escaped = quote.replace("\\", "\\\\").replace('"', '\\"')
        self.claims.append(
            f"claim:{self.slug}-{name} a ck:Claim ;\n"
            f"    rdf:subject {subject} ; rdf:predicate {predicate} ; rdf:object {obj} ;{qualifiers}\n"
            f"    ck:quote \"{escaped}\" ;\n    ck:start {start} .\n"
        )

    def use(self, *entities: Entity) -> None:
        for e in entities:
            self.entities[e.local] = e


def ident(e: Entity) -> str:
    return f"id:{e.local}"


def compose(index: int, pools: dict[str, list[Entity]], rng: random.Random) -> Article:
    """One article in the shipped article's shape, about entities drawn from the shared pools."""
    a = Article(f"a{index:05d}")

    def pick(kind: str, k: int = 1) -> list[Entity]:
        return rng.sample(pools[kind], k)

    (symptom,) = pick("symptom")
    sites = pick("site", 3)
    fats, waters = pick("fat_vitamin", 2), pick("water_vitamin", 2)
    electrolytes = pick("electrolyte", 3)
    drugs, (process,) = pick("medication", 2), pick("process")
    toxicities, disorders = pick("condition", 2), pick("disorder", 4)
    measures, warnings = pick("measure", 2), pick("warning", 6)
    lows = [Entity(f"low-{e.local}", f"low {e.label}", f"Too little {e.label} in the body (synthetic benchmark "
                   "entity).") for e in electrolytes]
    review = Entity("review-dosage", "review the dosage", "Review a supplement's dosage with a healthcare provider.")
    seek = Entity("seek-medical-attention", "seek medical attention", "Have a health professional evaluate it.")
    a.use(symptom, *sites, *fats, *waters, *electrolytes, *drugs, process, *toxicities, *disorders, *measures,
          *warnings, *lows, review, seek)
    water = waters[0]

    a.write(HEADER)
    a.write(f"About the {symptom.label}")
    s = a.write(f"A {symptom.label} is ", "an involuntary, sudden, and painful contraction of a muscle",
                ", most commonly affecting the ", f"{sites[0].label}, {sites[1].label}, or {sites[2].label}", ".")
    a.claim("symptom-is-cramp", ident(symptom), "rdf:type", "ck:MuscleCramp", s[0])
    for word in ("involuntary", "sudden", "painful"):
        a.claim(f"symptom-{word}", ident(symptom), "ck:characteristic", f'"{word}"@en', s[0])
    for i, site in enumerate(sites):
        a.claim(f"symptom-affects-{i}", ident(symptom), "ck:commonlyAffects", ident(site), s[1])
        a.claim(f"site-{i}-is-site", ident(site), "rdf:type", "ck:AnatomicalSite", s[1])

    a.write("Direct links between vitamins and cramps")
    for k in range(2):
        vitamin_section(a, k, fats[k], waters[k], toxicities[k], disorders[2 * k], disorders[2 * k + 1], symptom,
                        dose=1000 * (1 + (index + k) % 9))

    a.write("Electrolyte balance and cramp causation")
    names = ", ".join(e.label for e in electrolytes[:2]) + f", and {electrolytes[2].label}"
    s = a.write("", f"{process.label.capitalize()} relies on a delicate interplay between {names}", ".")
    a.claim("process-type", ident(process), "rdf:type", "ck:PhysiologicalProcess", s[0])
    for i, (e, low) in enumerate(zip(electrolytes, lows, strict=True)):
        a.claim(f"process-relies-{i}", ident(process), "ck:reliesOn", ident(e), s[0])
        a.claim(f"electrolyte-{i}-type", ident(e), "rdf:type", "ck:Electrolyte", s[0])
        s2 = a.write("", f"Low {e.label}", " is a deficiency that ", f"can result in {disorders[0].label}", ".")
        a.claim(f"electrolyte-{i}-deficiency", ident(e), "ck:hasDeficiencyState", ident(low), s2[0])
        a.claim(f"low-{i}-type", ident(low), "rdf:type", "ck:DeficiencyState", s2[0])
        a.claim(f"low-{i}-causes", ident(low), "ck:causes", ident(disorders[0]), s2[1], ' ck:qualifier "can" ;')

    a.write("Medications")
    for d, drug in enumerate(drugs):
        first, second = electrolytes[d], electrolytes[d + 1]
        s = a.write("Certain medications can deplete necessary minerals: ",
                    f"{drug.label} flushes out {first.label} and {second.label}", ", and it ",
                    f"may also deplete {water.label}", ".")
        a.claim(f"drug-{d}-type", ident(drug), "rdf:type", "ck:MineralDepletingMedication", s[0])
        a.claim(f"drug-{d}-depletes-{first.local}", ident(drug), "ck:depletes", ident(first), s[0])
        a.claim(f"drug-{d}-depletes-{second.local}", ident(drug), "ck:depletes", ident(second), s[0])
        a.claim(f"drug-{d}-depletes-vitamin", ident(drug), "ck:depletes", ident(water), s[1],
                ' ck:qualifier "may" ;')
    s = a.write("The resulting ", f"low {electrolytes[0].label} is a classic trigger for the {symptom.label}", ".")
    a.claim("low-triggers", ident(lows[0]), "ck:triggers", ident(symptom), s[0],
            ' ck:qualifier "classic trigger" ;')

    a.write("When to adjust supplementation or seek medical advice")
    s = a.write("If cramps start after a new supplement, ", "review the dosage",
                " and discuss it with a healthcare provider.")
    a.claim("review-type", ident(review), "rdf:type", "ck:Recommendation", s[0])
    s = a.write("", f"{measures[0].label.capitalize()} and {measures[1].label} are foundational to preventing "
                "cramps", ".")
    for i, m in enumerate(measures):
        a.claim(f"measure-{i}-type", ident(m), "rdf:type", "ck:PreventiveMeasure", s[0])
        a.claim(f"measure-{i}-prevents", ident(m), "ck:prevents", ident(symptom), s[0],
                ' ck:qualifier "foundational" ;')
    s = a.write("You should ", "seek medical attention", " if the cramps:")
    a.claim("seek-type", ident(seek), "rdf:type", "ck:Recommendation", s[0])
    for i, w in enumerate(warnings):
        b = a.write("- ", f"Come with {w.label} in the leg", ".")
        a.claim(f"warning-{i}-type", ident(w), "rdf:type", "ck:WarningSign", b[0])
        a.claim(f"warning-{i}-calls-for", ident(w), "ck:callsFor", ident(seek), b[0])
    return a


def vitamin_section(a: Article, k: int, fat: Entity, water: Entity, toxicity: Entity, disorder: Entity,
                    hyper: Entity, symptom: Entity, *, dose: int) -> None:
    """The shipped article's 'direct links' section: excess of a fat- and a water-soluble vitamin."""
    fat_excess = Entity(f"{a.slug}-{fat.local}-excess", f"excessive {fat.label} intake",
                        f"Taking {fat.label} in excessive amounts (synthetic benchmark entity).")
    water_excess = Entity(f"{a.slug}-{water.local}-excess", f"chronic high-dose {water.label} intake",
                          f"Chronic intake of {water.label} above its safe limit (synthetic benchmark entity).")
    fat_limit = Entity(f"{a.slug}-{fat.local}-upper-limit", f"{fat.label} upper limit ({a.slug})",
                       f"The upper limit of daily {fat.label} intake article {a.slug} gives.")
    a.use(fat_excess, water_excess, fat_limit)
    s = a.write("The fat-soluble ", f"{fat.label} is one example, as it accumulates in the body", ".")
    a.claim(f"fat-{k}-vitamin-type", ident(fat), "rdf:type", "ck:FatSolubleVitamin", s[0])
    a.claim(f"fat-{k}-vitamin-accumulates", ident(fat), "ck:accumulatesInBody", "true", s[0])
    s = a.write("", f"Excessive {fat.label} intake", ", often above the recommended upper limit of ",
                f"{dose:,} International Units (IU) per day", ", ", f"can lead to {toxicity.label}", ".")
    a.claim(f"fat-{k}-excess-type", ident(fat_excess), "rdf:type", "ck:ExcessiveIntake", s[0])
    a.claim(f"fat-{k}-excess-intake-of", ident(fat_excess), "ck:intakeOf", ident(fat), s[0])
    a.claim(f"fat-{k}-excess-causes", ident(fat_excess), "ck:causes", ident(toxicity), s[2],
            ' ck:qualifier "can" ;')
    a.claim(f"toxicity-{k}-type", ident(toxicity), "rdf:type", "ck:Condition", s[2])
    a.claim(f"fat-{k}-has-limit", ident(fat), "ck:hasUpperLimit", ident(fat_limit), s[1])
    a.claim(f"limit-{k}-type", ident(fat_limit), "rdf:type", "ck:DoseLimit", s[1])
    a.claim(f"limit-{k}-value", ident(fat_limit), "schema:doseValue", f"{dose}.0", s[1])
    a.claim(f"limit-{k}-unit", ident(fat_limit), "schema:doseUnit", '"IU"', s[1])
    a.claim(f"limit-{k}-period", ident(fat_limit), "schema:frequency", '"per day"', s[1])
    a.claim(f"fat-{k}-excess-exceeds", ident(fat_excess), "ck:exceeds", ident(fat_limit), s[1])
    s = a.write("This ", f"{toxicity.label} disrupts normal muscle function, leading to cramps", " such as the ",
                f"{symptom.label}", ".")
    a.claim(f"toxicity-{k}-causes-disorder", ident(toxicity), "ck:causes", ident(disorder), s[0])
    a.claim(f"disorder-{k}-type", ident(disorder), "rdf:type", "ck:Condition", s[0])
    a.claim(f"disorder-{k}-causes-symptom", ident(disorder), "ck:causes", ident(symptom), s[0])
    s = a.write("", f"High-dose intake of {water.label}", " is another direct connection, although it is ",
                "water-soluble", ".")
    a.claim(f"water-{k}-vitamin-type", ident(water), "rdf:type", "ck:WaterSolubleVitamin", s[1])
    a.claim(f"water-{k}-excess-type", ident(water_excess), "rdf:type", "ck:ExcessiveIntake", s[0])
    a.claim(f"water-{k}-excess-intake-of", ident(water_excess), "ck:intakeOf", ident(water), s[0])
    s = a.write("Extremely high amounts ", f"can cause {hyper.label}", ", which ",
                f"involves involuntary muscle spasms that feel like the {symptom.label}", ".")
    a.claim(f"water-{k}-excess-causes", ident(water_excess), "ck:causes", ident(hyper), s[0],
            ' ck:qualifier "can" ;')
    a.claim(f"hyper-{k}-type", ident(hyper), "rdf:type", "ck:Condition", s[0])
    a.claim(f"hyper-{k}-has-symptom", ident(hyper), "ck:hasSymptom", ident(symptom), s[1])


def pools_for(articles: int) -> dict[str, list[Entity]]:
    sizes = {k: max(minimum, -(-articles * per // share)) for k, (per, share, minimum) in POOLS.items()}
    return {kind: [pool_entity(kind, i) for i in range(n)] for kind, n in sizes.items()}


ENTITIES_HEADER = """# Entities of a synthetic corpus written by bench.corpus (fictional; not medical content).
@prefix ck:   <https://w3id.org/crampkg/ontology#> .
@prefix id:   <https://w3id.org/crampkg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

"""
CLAIMS_HEADER = """# Claims of synthetic benchmark article {slug} (bench.corpus; fictional, not medical content).
@prefix ck:    <https://w3id.org/crampkg/ontology#> .
@prefix id:    <https://w3id.org/crampkg/id/> .
@prefix claim: <https://w3id.org/crampkg/id/claim/> .
@prefix rdf:   <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix schema: <http://schema.org/> .

"""


def turtle_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"@en'


def write_corpus(articles: int, out: Path, *, seed: int = 0) -> list[str]:
    """Write the corpus into `out` (replacing an earlier corpus there); returns the article slugs."""
    if articles < 1:
        raise ValueError(f"--articles {articles}: give at least 1")
    if out.exists():
        if not (out / "claims").is_dir() and any(out.iterdir()):
            raise ValueError(f"{out}: exists and is not a corpus written by bench.corpus; choose an empty folder")
        shutil.rmtree(out)
    (out / "sources").mkdir(parents=True)
    (out / "claims").mkdir()
    for name in ("crampkg.ttl", "shapes.ttl", "vocabulary.txt"):
        shutil.copyfile(ONTOLOGY_DIR / name, out / name)
    pools = pools_for(articles)
    described: dict[str, Entity] = {}
    slugs = []
    for i in range(articles):
        article = compose(i, pools, random.Random(seed * 1_000_003 + i))
        (out / "sources" / f"{article.slug}.txt").write_text(article.text, encoding="utf-8")
        (out / "claims" / f"{article.slug}.ttl").write_text(
            CLAIMS_HEADER.format(slug=article.slug) + "\n".join(article.claims), encoding="utf-8")
        described.update(article.entities)
        slugs.append(article.slug)
    lines = [ENTITIES_HEADER]
    for slug in slugs:
        lines.append(f"<https://w3id.org/crampkg/id/article/{slug}> a ck:Article ;\n"
                     f"    rdfs:label {turtle_string('Synthetic benchmark article ' + slug)} ;\n"
                     f"    skos:definition {turtle_string('A synthetic article written by bench.corpus.')} .\n")
    for local in sorted(described):
        e = described[local]
        lines.append(f"id:{local} rdfs:label {turtle_string(e.label)} ;\n"
                     f"    skos:definition {turtle_string(e.definition)} .\n")
    (out / "entities.ttl").write_text("".join(lines), encoding="utf-8")
    return slugs


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__.split("\n\n")[0])
    p.add_argument("--articles", type=int, required=True, help="how many articles to write")
    p.add_argument("--out", type=Path, required=True, help="folder to write (replaced if it holds a corpus)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    args = p.parse_args(argv)
    try:
        slugs = write_corpus(args.articles, args.out, seed=args.seed)
    except ValueError as exc:
        print(f"bench.corpus: error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {len(slugs)} articles to {args.out}; build with: crampkg build --sources {args.out} --out DIR")
    return 0


if __name__ == "__main__":
    sys.exit(main())
