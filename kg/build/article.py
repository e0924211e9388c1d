"""The shipped copy of the article: its text, checksum and sentences with character offsets."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.errors import BuildError
from kg.namespaces import ARTICLE_PATH, ARTICLE_SHA256

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int
    end: int  # exclusive
    text: str
    kind: str  # "sentence", "bullet" or "heading"


def read_article(path: Path = ARTICLE_PATH, *, expected_sha256: str | None = ARTICLE_SHA256) -> str:
    """The article as text, after checking its bytes against the expected checksum."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if expected_sha256 and digest != expected_sha256:
        raise BuildError(
            f"{path}: sha256 is {digest}, expected {expected_sha256}; restore the shipped copy of the article"
        )
    return data.decode("utf-8")


@lru_cache(maxsize=4)
def article_text() -> str:
    return read_article()


def sentences(text: str | None = None) -> list[Sentence]:
    """Split the article into headings, sentences and bullet points, keeping exact offsets."""
    text = article_text() if text is None else text
    out: list[Sentence] = []
    pos = 0
    for line in text.split("\n"):
        line_start = pos
        pos += len(line) + 1
        if not line.strip():
            continue
        if line.startswith("- "):
            out.append(Sentence(len(out), line_start + 2, line_start + len(line), line[2:], "bullet"))
            continue
        if not line.rstrip().endswith((".", "!", "?", ":")):
            out.append(Sentence(len(out), line_start, line_start + len(line), line, "heading"))
            continue
        offset = 0
        for piece in _SENTENCE_END.split(line):
            begin = line.index(piece, offset)
            offset = begin + len(piece)
            out.append(Sentence(len(out), line_start + begin, line_start + offset, piece, "sentence"))
    return out
