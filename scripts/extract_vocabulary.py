#!/usr/bin/env python3
"""Write ontology/vocabulary.txt, the allow-list of outside identifiers, from shared/VOCABULARY.md."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.build.vocabulary import VOCABULARY_FILE, identifiers_in_markdown


def main(source: Path = ROOT.parent / "shared" / "VOCABULARY.md") -> int:
    iris = identifiers_in_markdown(source.read_text(encoding="utf-8"))
    header = "# Verified outside identifiers, extracted from shared/VOCABULARY.md by scripts/extract_vocabulary.py\n"
    VOCABULARY_FILE.write_text(header + "\n".join(iris) + "\n", encoding="utf-8")
    print(f"{len(iris)} identifiers written to {VOCABULARY_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*(Path(a) for a in sys.argv[1:])))
