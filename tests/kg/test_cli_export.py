"""`crampkg export` on the command line: output to stdout, files and folders; determinism; bad input.

Bad inputs tried here (each must exit non-zero with a message that says what is valid, and write nothing):
- an unknown format (`--format bogus`) and an unknown content (`--content bogus`);
- a bad `inferred` word through the library (`inferred="maybe"`), as an HTTP query string would pass it;
- no `--format` at all; a multi-file format without `-o` (or with `-o -`);
- `-o` whose parent is a file; `-o` whose parent does not exist; `-o` inside /proc and inside a read-only
  tmpfs (both unwritable even as root, which a chmod'ed folder is not);
- `-o` naming an existing folder for a single-file format, an existing file for a multi-file format, and a
  non-empty folder holding other files for a multi-file format;
- a full disk (a 64 KiB tmpfs, when the test may mount one): the export fails, the previous file stays intact
  and no temporary file or folder is left behind.
"""
from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from cli_support import crampkg

from kg.errors import CrampkgError
from kg.export import CONTENTS, FORMATS, catalogue, download, export_bytes, write_export
from kg.namespaces import ROOT


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_unknown_format_lists_the_valid_ones():
    proc = crampkg("export", "--format", "bogus")
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert "bogus" in err and all(name in err for name in FORMATS)
    assert proc.stdout == b""


def test_unknown_content_lists_the_valid_ones():
    proc = crampkg("export", "--format", "turtle", "--content", "bogus")
    assert proc.returncode == 2
    assert all(name in proc.stderr.decode() for name in CONTENTS)
    assert proc.stdout == b""


def test_bad_inferred_word_is_refused(dataset):
    with pytest.raises(CrampkgError, match="inferred must be one of"):
        export_bytes("turtle", "all", "maybe", ds=dataset)


def test_missing_format_lists_the_valid_ones():
    proc = crampkg("export")
    assert proc.returncode == 2 and all(name.encode() in proc.stderr for name in FORMATS)


def test_list_shows_every_format_with_its_download_size(dataset):
    proc = crampkg("export", "--list")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.decode("utf-8").splitlines()
    assert [line.split()[0] for line in lines] == list(FORMATS)
    for line in lines:
        name, _, size = line.split()[:3]
        assert int(size) == len(download(name, ds=dataset).payload), name


def test_multi_file_format_needs_an_output_folder():
    for args in ([], ["-o", "-"]):
        proc = crampkg("export", "--format", "neo4j", *args)
        assert proc.returncode == 2 and b"-o FOLDER" in proc.stderr and proc.stdout == b""


@pytest.mark.parametrize("case", ["parent-is-file", "parent-missing", "proc", "single-into-folder",
                                  "multi-onto-file", "multi-into-foreign-folder"])
def test_unwritable_output_fails_clearly_and_writes_nothing(tmp_path, case):
    a_file = tmp_path / "a-file"
    a_file.write_text("keep me")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    fmt, target = {
        "parent-is-file": ("turtle", a_file / "out.ttl"),
        "parent-missing": ("turtle", tmp_path / "missing" / "out.ttl"),
        "proc": ("turtle", Path("/proc/self/crampkg-out.ttl")),
        "single-into-folder": ("turtle", foreign),
        "multi-onto-file": ("kgx", a_file),
        "multi-into-foreign-folder": ("neo4j", foreign),
    }[case]
    before = listing(tmp_path)
    proc = crampkg("export", "--format", fmt, "-o", str(target))
    assert proc.returncode == 2, proc.stderr
    assert b"cannot write" in proc.stderr and str(target).encode() in proc.stderr
    assert listing(tmp_path) == before
    assert a_file.read_text() == "keep me"
    assert listing(foreign) == ["notes.txt"]


def mounted_tmpfs(mount: Path, options: str):
    """Mount a tmpfs at `mount` (yielded), unmounted afterwards; skipped (and reported as skipped) where the
    test may not mount one."""
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mount)], capture_output=True,
                          check=False)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


@pytest.fixture
def tiny_disk(tmp_path):
    """A 64 KiB tmpfs, smaller than most exports."""
    yield from mounted_tmpfs(tmp_path / "tiny", "size=64k")


@pytest.fixture
def read_only_folder(tmp_path):
    """A read-only tmpfs: unwritable even for root, unlike a chmod'ed folder."""
    yield from mounted_tmpfs(tmp_path / "read-only", "ro,size=64k")


@pytest.mark.parametrize("fmt", ["turtle", "neo4j"])
def test_read_only_folder_fails_clearly(read_only_folder, fmt):
    proc = crampkg("export", "--format", fmt, "-o", str(read_only_folder / "out"))
    assert proc.returncode == 2
    assert b"cannot write" in proc.stderr and b"Read-only file system" in proc.stderr
    assert listing(read_only_folder) == []


def test_full_disk_leaves_the_previous_file_and_no_temporary_files(tiny_disk):
    target = tiny_disk / "crampkg.ttl"
    target.write_text("previous export")
    proc = crampkg("export", "--format", "turtle", "-o", str(target))
    assert proc.returncode == 2
    assert b"No space left" in proc.stderr
    assert target.read_text() == "previous export"
    assert listing(tiny_disk) == ["crampkg.ttl"]
    proc = crampkg("export", "--format", "neo4j", "-o", str(tiny_disk / "neo4j"))
    assert proc.returncode == 2
    assert listing(tiny_disk) == ["crampkg.ttl"]


def test_stdout_and_file_give_the_same_bytes(tmp_path):
    out = crampkg("export", "--format", "ntriples", "--content", "causal")
    assert out.returncode == 0, out.stderr
    path = tmp_path / "causal.nt"
    assert crampkg("export", "--format", "ntriples", "--content", "causal", "-o", str(path)).returncode == 0
    assert path.read_bytes() == out.stdout
    assert out.stdout.decode("utf-8").count("\n") > 10


def test_multi_file_export_writes_a_folder_and_replaces_its_own_previous_export(tmp_path):
    target = tmp_path / "neo4j"
    assert crampkg("export", "--format", "neo4j", "-o", str(target)).returncode == 0
    assert listing(target) == ["crampkg.cypher", "import.sh", "nodes.csv", "relationships.csv"]
    assert os.access(target / "import.sh", os.X_OK)
    (target / "nodes.csv").write_text("stale")
    assert crampkg("export", "--format", "neo4j", "-o", str(target)).returncode == 0
    assert (target / "nodes.csv").read_text().startswith("id:ID,:LABEL")
    assert listing(tmp_path) == ["neo4j"]


def test_zip_path_gets_a_zip(tmp_path):
    target = tmp_path / "kgx.zip"
    assert crampkg("export", "--format", "kgx", "-o", str(target)).returncode == 0
    with zipfile.ZipFile(target) as z:
        assert sorted(z.namelist()) == ["crampkg-kgx-all/crampkg_edges.tsv", "crampkg-kgx-all/crampkg_nodes.tsv"]


DETERMINISM_SCRIPT = """
import sys
from pathlib import Path
from kg.cli import main
from kg.export import FORMATS
out = Path(sys.argv[1])
for name, f in FORMATS.items():
    for content in ("all", "asserted", "causal"):
        target = out / (f"{name}-{content}" + (".zip" if f.multi_file else f.extension))
        assert main(["export", "--format", name, "--content", content, "-o", str(target)]) == 0
"""


def test_two_exports_give_the_same_bytes_across_processes_and_hash_seeds(tmp_path):
    """Every format and content, exported by two processes with different PYTHONHASHSEED, is byte-identical."""
    folders = []
    for seed in ("1", "2"):
        folder = tmp_path / f"seed{seed}"
        folder.mkdir()
        proc = subprocess.run([sys.executable, "-c", DETERMINISM_SCRIPT, str(folder)], cwd=ROOT, check=False,
                              capture_output=True, timeout=600, env={**os.environ, "PYTHONHASHSEED": seed})
        assert proc.returncode == 0, proc.stderr.decode()[-3000:]
        folders.append(folder)
    names = listing(folders[0])
    assert len(names) == 3 * len(FORMATS)
    assert names == listing(folders[1])
    for name in names:
        assert (folders[0] / name).read_bytes() == (folders[1] / name).read_bytes(), name


def test_download_zips_multi_file_formats(dataset):
    out = download("kgx", "causal", False, ds=dataset)
    assert out.media_type == "application/zip" and out.filename == "crampkg-kgx-causal-asserted-only.zip"
    with zipfile.ZipFile(io.BytesIO(out.payload)) as z:
        files = {Path(n).name: z.read(n) for n in z.namelist()}
    assert files == export_bytes("kgx", "causal", False, ds=dataset).payload
    single = download("turtle", "all", True, ds=dataset)
    assert single.media_type == "text/turtle" and single.filename == "crampkg-all.ttl"


def test_catalogue_lists_every_format_with_sizes_and_counts(dataset):
    rows = catalogue(ds=dataset)
    assert [r["format"] for r in rows] == list(FORMATS)
    triples = sum(1 for _ in dataset.quads((None, None, None, None)))
    for r in rows:
        assert r["bytes"] == len(download(r["format"], ds=dataset).payload)
        if FORMATS[r["format"]].family == "rdf":
            assert r["triples"] == triples
        else:
            assert r["edges"] > 0 and r["nodes"] > 0


def test_write_export_refuses_a_folder_for_a_single_file(dataset, tmp_path):
    with pytest.raises(CrampkgError, match="is a folder"):
        write_export(export_bytes("dot", ds=dataset), tmp_path)


def test_jsonld_stands_alone_or_names_a_served_context(built, tmp_path):
    """The default JSON-LD file embeds its context (rdflib reads it offline); `--context URL` names a copy."""
    import json

    from rdflib import Dataset

    out = tmp_path / "g.jsonld"
    run = crampkg("export", "-f", "jsonld", "--content", "causal", "-o", str(out))
    assert run.returncode == 0, run.stderr
    assert isinstance(json.loads(out.read_bytes())["@context"], dict)
    assert len(Dataset().parse(out, format="json-ld")) > 0
    run = crampkg("export", "-f", "jsonld", "--context", "http://127.0.0.1:8000/context.jsonld")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["@context"] == "http://127.0.0.1:8000/context.jsonld"
