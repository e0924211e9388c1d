#!/usr/bin/env python3
"""Fill in `ck:start` for claims in ontology/claims.ttl that have a quote but no offset.

Each `ck:quote "..."` line without a following `ck:start` gets the offset of the quote's first occurrence
in the article. Check a quote that occurs more than once (the script lists them) and move its offset by
hand if the first occurrence is not the one meant.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg.build.article import article_text
from kg.namespaces import ONTOLOGY_DIR

QUOTE_LINE = re.compile(r'^(?P<indent>\s*)ck:quote (?P<lit>"(?:[^"\\]|\\.)*") (?P<end>[;.])\s*$')


def unescape(literal: str) -> str:
    return literal[1:-1].encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")


def main(path: Path = ONTOLOGY_DIR / "claims.ttl") -> int:
    article = article_text()
    lines = path.read_text(encoding="utf-8").split("\n")
    out, filled = [], 0
    for i, line in enumerate(lines):
        m = QUOTE_LINE.match(line)
        if m and m["end"] == "." and not (i + 1 < len(lines) and "ck:start" in lines[i + 1]):
            quote = unescape(m["lit"])
            hits = [h.start() for h in re.finditer(re.escape(quote), article)]
            if not hits:
                print(f"{path.name}:{i + 1}: quote not in the article: {quote[:60]!r}", file=sys.stderr)
                out.append(line)
                continue
            if len(hits) > 1:
                print(f"{path.name}:{i + 1}: {quote[:40]!r} occurs at {hits}; took {hits[0]}", file=sys.stderr)
            out.append(f'{m["indent"]}ck:quote {m["lit"]} ;')
            out.append(f'{m["indent"]}ck:start {hits[0]} .')
            filled += 1
        else:
            out.append(line)
    path.write_text("\n".join(out), encoding="utf-8")
    print(f"filled {filled} offsets")
    return 0


if __name__ == "__main__":
    sys.exit(main(*(Path(a) for a in sys.argv[1:])))
