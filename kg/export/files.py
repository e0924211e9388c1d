"""What an export is once written: its payload (one file's bytes, or several files), a zip of several files
with the same bytes every time, and the atomic write to disk (``crampkg export -o``)."""
from __future__ import annotations

import io
import os
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import NamedTuple

from kg.errors import CrampkgError

Payload = bytes | dict[str, bytes]


class Export(NamedTuple):
    payload: Payload  # bytes, or {file name: bytes} for a multi-file format
    media_type: str
    filename: str  # a file name, or a folder name for a multi-file format


def zip_bytes(files: dict[str, bytes], folder: str) -> bytes:
    """A zip of `files` under `folder/`, the same bytes for the same files (fixed dates, sorted names)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o755 if name.endswith(".sh") else 0o644) << 16
            z.writestr(info, files[name])
    return buf.getvalue()


def _fail(path: Path, exc: OSError) -> CrampkgError:
    return CrampkgError(f"cannot write {path}: {exc.strerror or exc}; nothing was written")


def write_export(out: Export, path: Path) -> Path:
    """Write an export atomically: into a temporary sibling, then renamed over `path`.

    A single file replaces `path`; a multi-file export replaces the folder `path` only if it is missing, empty
    or holds just the files of the same format (a previous export), and a `.zip` path gets the zip."""
    path = Path(path)
    parent = path.parent
    if isinstance(out.payload, dict) and path.suffix == ".zip":
        out = Export(zip_bytes(out.payload, out.filename), "application/zip", out.filename + ".zip")
    if not parent.is_dir():
        what = "is not a folder" if parent.exists() else "does not exist"
        raise CrampkgError(f"cannot write {path}: {parent} {what}; nothing was written")
    if isinstance(out.payload, bytes):
        if path.is_dir():
            raise CrampkgError(f"cannot write {path}: it is a folder; give a file name")
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
        except OSError as exc:
            raise _fail(path, exc) from None
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(out.payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise _fail(path, exc) from None
        return path
    if path.exists() and not path.is_dir():
        raise CrampkgError(f"cannot write {path}: it is a file, and this format writes a folder; nothing was written")
    if path.is_dir() and any(path.iterdir()):
        unknown = sorted(p.name for p in path.iterdir() if p.name not in out.payload)
        if unknown:
            raise CrampkgError(f"cannot write {path}: the folder is not empty and holds files this export did not "
                               f"write ({', '.join(unknown[:5])}); choose another folder; nothing was written")
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise _fail(path, exc) from None
    old = None
    try:
        for name, data in sorted(out.payload.items()):
            (staging / name).write_bytes(data)
            if name.endswith(".sh"):
                (staging / name).chmod(0o755)
        staging.chmod(0o755)
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=parent))
            os.rmdir(old)
            path.rename(old)
        staging.rename(path)
    except OSError as exc:
        if old is not None and not path.exists():
            old.rename(path)
            old = None
        raise _fail(path, exc) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return path
