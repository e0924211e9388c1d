"""The small, fast version of `make bench-corpus` (bench.scale, bench.corpus): one article built both ways in a
child process, and the table and ratio lines it prints. Times are recorded, never asserted.

Bad inputs tried on bench.corpus: zero articles, an output folder that holds something other than a corpus
(it must be left untouched).
"""
from __future__ import annotations

import pytest

from bench.corpus import main as corpus_main
from bench.corpus import write_corpus
from bench.scale import STAGES, ratios, run, table


def test_one_article_both_pipelines(tmp_path):
    reference, fast = run(1, "owlrl", tmp_path, 0), run(1, "fast", tmp_path, 0)
    for row in (reference, fast):
        assert set(row["stages"]) == set(row["cpu_stages"]) == set(STAGES)
        assert row["articles"] == 1 and row["claims"] > 80 and row["peak_rss_mb"] > 0
        assert len(row["load"]) == 2
    # both pipelines build the same graph, so the same counts
    assert reference["triples"] == fast["triples"] and reference["triples"]["inferred"] > 0
    lines = table([reference, fast]).splitlines()
    assert len(lines) == 4 and "owlrl + pySHACL" in lines[2] and "fast + shapes_check" in lines[3]
    (ratio,) = ratios([reference, fast])
    assert ratio.startswith("1 article(s), CPU time: fast pipeline ")


def test_corpus_refuses_zero_articles(tmp_path, capsys):
    with pytest.raises(ValueError, match="give at least 1"):
        write_corpus(0, tmp_path / "c")
    assert corpus_main(["--articles", "0", "--out", str(tmp_path / "c")]) == 2
    assert "bench.corpus: error: --articles 0: give at least 1" in capsys.readouterr().err
    assert not (tmp_path / "c").exists()


def test_corpus_leaves_a_foreign_folder_alone(tmp_path, capsys):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    assert corpus_main(["--articles", "1", "--out", str(folder)]) == 2
    assert "is not a corpus written by bench.corpus" in capsys.readouterr().err
    assert [p.name for p in folder.iterdir()] == ["notes.txt"] and (folder / "notes.txt").read_text() == "keep me"
