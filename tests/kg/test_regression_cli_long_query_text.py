"""Regression: `crampkg query "<inline query over 255 characters with no slash>"` crashed with
``OSError: File name too long``, because the argument was tried as a file name first (issue 10).

Now an argument that names no existing file is query text, and one that looks like a missing ``.rq`` file is
a clear error."""
from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_long_inline_query_without_a_slash_runs(built):
    text = "SELECT ?x WHERE { ?x ck:causes id:leg-cramp } " + "# a long comment " * 20
    assert len(text) > 255 and "/" not in text
    run = subprocess.run([sys.executable, "-m", "kg.cli", "query", text, "--format", "csv"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert "https://w3id.org/crampkg/id/electrolyte-imbalance" in run.stdout.splitlines()


def test_a_missing_rq_file_is_named(built):
    run = subprocess.run([sys.executable, "-m", "kg.cli", "query", "x" * 300 + ".rq"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 2 and "no such query file" in run.stderr and "Traceback" not in run.stderr
