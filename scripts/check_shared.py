#!/usr/bin/env python3
"""A maintainer's check: do the project's own copies still agree with the shared sources they came from?

crampkg ships its copy of the article (ontology/sources/) and the allow-list of outside identifiers it
extracted from VOCABULARY.md (ontology/vocabulary.txt); both are pinned by sha256 in the tests, so `make test`
needs nothing outside the clone. This script compares them with a `shared/` folder (by default the one beside
the clone, ../shared) and says what differs and how to bring the copy up to date. `make check-shared` runs it;
`.ci/run` runs that target when ../shared exists. It is not a unit test: a clone on its own has no shared folder.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.build.vocabulary import VOCABULARY_FILE, allowed_identifiers, identifiers_in_markdown
from kg.namespaces import ARTICLE_PATH


def differences(shared: Path) -> list[str]:
    """What differs between the project's copies and `shared`, one sentence each (empty: they agree)."""
    problems = []
    article = shared / "source" / ARTICLE_PATH.name
    if not article.is_file():
        problems.append(f"{article}: missing, cannot compare {ARTICLE_PATH.relative_to(ROOT)}")
    elif article.read_bytes() != ARTICLE_PATH.read_bytes():
        problems.append(f"{ARTICLE_PATH.relative_to(ROOT)} differs from {article}: copy it over, re-anchor the "
                        "claims (scripts/anchor_claims.py) and update ARTICLE_SHA256 in kg/namespaces.py")
    vocabulary = shared / "VOCABULARY.md"
    if not vocabulary.is_file():
        problems.append(f"{vocabulary}: missing, cannot compare {VOCABULARY_FILE.relative_to(ROOT)}")
    else:
        theirs = set(identifiers_in_markdown(vocabulary.read_text(encoding="utf-8")))
        ours = set(allowed_identifiers(VOCABULARY_FILE))
        if theirs != ours:
            added, gone = sorted(theirs - ours), sorted(ours - theirs)
            detail = "; ".join(part for part in (f"new there: {', '.join(added[:5])}" if added else "",
                                                 f"no longer there: {', '.join(gone[:5])}" if gone else "") if part)
            problems.append(f"{VOCABULARY_FILE.relative_to(ROOT)} differs from {vocabulary} ({detail}): run "
                            "scripts/extract_vocabulary.py and update the sha256 pinned in "
                            "tests/kg/build/test_shipped_copies.py")
    return problems


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--shared", type=Path, default=ROOT.parent / "shared",
                   help="the shared folder (default: %(default)s)")
    args = p.parse_args(argv)
    if not args.shared.is_dir():
        print(f"check-shared: {args.shared} is not a folder; give --shared DIR", file=sys.stderr)
        return 2
    problems = differences(args.shared)
    for problem in problems:
        print(f"check-shared: {problem}", file=sys.stderr)
    if not problems:
        print(f"check-shared: the article and the vocabulary agree with {args.shared}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
