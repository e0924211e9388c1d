"""The `crampkg` command line as the user runs it: a real subprocess (``python -m kg.cli``), for the CLI tests."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kg.namespaces import ROOT


def crampkg(*args: str | bytes, cwd: Path = ROOT, env: dict | None = None, text: bool = False,
            timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``crampkg ARGS`` in `cwd` (the project by default) with `env` added to this environment; its exit
    status is left to the test to check. Output is bytes unless `text`."""
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], cwd=cwd, capture_output=True, text=text,
                          timeout=timeout, check=False, env={**os.environ, **(env or {})})
