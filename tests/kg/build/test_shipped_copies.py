"""The project owns its copies of the article and of the outside-identifier allow-list, pinned here by sha256.

Whether they still agree with the shared sources they came from is a maintainer's check
(`make check-shared`, scripts/check_shared.py), not a unit test: a clone on its own has no shared folder.
The check itself is tested here against shared folders made from the project's own copies.

Bad inputs tried on the check: a changed article, a missing article, a VOCABULARY.md naming one more
identifier, a missing VOCABULARY.md, a --shared that is not a folder.
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from kg.build.vocabulary import VOCABULARY_FILE, allowed_identifiers, identifiers_in_markdown
from kg.namespaces import ARTICLE_PATH, ARTICLE_SHA256, ROOT

VOCABULARY_SHA256 = "b3f784ce4b700cdc49c681d5c1d76f328b7fc0d81c8e054d39bffe62c557e22f"


def test_shipped_article_is_the_pinned_one():
    data = ARTICLE_PATH.read_bytes()
    assert hashlib.sha256(data).hexdigest() == ARTICLE_SHA256
    assert not data.endswith(b"\n")


def test_shipped_allow_list_is_the_pinned_one():
    assert hashlib.sha256(VOCABULARY_FILE.read_bytes()).hexdigest() == VOCABULARY_SHA256


def markdown_naming(iris: list[str]) -> str:
    """A VOCABULARY.md naming exactly `iris`, in the notations the extractor reads."""
    lines, biolink = [], []
    for iri in iris:
        if iri.startswith("http://purl.obolibrary.org/obo/"):
            lines.append("- " + iri.rsplit("/", 1)[1].replace("_", ":"))
        elif iri.startswith(("http://id.nlm.nih.gov/mesh/", "http://www.wikidata.org/entity/")):
            lines.append("- " + iri.rsplit("/", 1)[1])
        elif iri.startswith("http://qudt.org/vocab/unit/"):
            lines.append("- " + iri)
        elif iri.startswith("https://w3id.org/biolink/vocab/"):
            biolink.append(f"`{iri.rsplit('/', 1)[1]}`")
        elif iri.startswith("http://schema.org/"):
            lines.append(f"- `schema:{iri.rsplit('/', 1)[1]}`")
        else:
            raise AssertionError(f"no notation for {iri}")
    lines.append(f"Biolink predicates {' '.join(biolink)} categories . ")
    return "\n".join(lines) + "\n"


@pytest.fixture
def shared(tmp_path) -> Path:
    """A shared folder that agrees with the project's copies."""
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / ARTICLE_PATH.name).write_bytes(ARTICLE_PATH.read_bytes())
    iris = sorted(allowed_identifiers(VOCABULARY_FILE))
    text = markdown_naming(iris)
    assert identifiers_in_markdown(text) == iris
    (tmp_path / "VOCABULARY.md").write_text(text, encoding="utf-8")
    return tmp_path


def check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "check_shared.py"), *args], capture_output=True,
                          text=True, timeout=60, check=False)


def test_check_passes_when_the_copies_agree(shared):
    run = check("--shared", str(shared))
    assert run.returncode == 0, run.stderr
    assert "agree" in run.stdout


def test_check_names_a_changed_article(shared):
    (shared / "source" / ARTICLE_PATH.name).write_bytes(ARTICLE_PATH.read_bytes() + b" More.")
    run = check("--shared", str(shared))
    assert run.returncode == 1 and "ontology/sources/leg-cramps-and-vitamin-supplements.txt differs" in run.stderr


def test_check_names_a_new_identifier(shared):
    with (shared / "VOCABULARY.md").open("a", encoding="utf-8") as fh:
        fh.write("- HP:9999999\n")
    run = check("--shared", str(shared))
    assert run.returncode == 1
    assert "new there: http://purl.obolibrary.org/obo/HP_9999999" in run.stderr
    assert "scripts/extract_vocabulary.py" in run.stderr


def test_check_names_missing_files(shared):
    (shared / "VOCABULARY.md").unlink()
    (shared / "source" / ARTICLE_PATH.name).unlink()
    run = check("--shared", str(shared))
    assert run.returncode == 1 and run.stderr.count("missing, cannot compare") == 2


def test_check_refuses_a_shared_that_is_not_a_folder(tmp_path):
    run = check("--shared", str(tmp_path / "nothing"))
    assert run.returncode == 2 and "is not a folder" in run.stderr
