"""Reading and writing the state file: JSON (gzip-compressed when the name ends in `.gz`), written
atomically (a temporary file in the same
folder, flushed to disk, then renamed over the old one), and checked when read, so a corrupt,
truncated or newer file stops start-up with a clear message and is never overwritten."""

from __future__ import annotations

import gzip
import json
import os
import tempfile
import zlib
from pathlib import Path
from typing import Any

from emulator.statefile.snapshot import FORMAT_NAME, FORMAT_VERSION

GZIP_MAGIC = b"\x1f\x8b"


class StateFileError(Exception):
    """A state file that cannot be read or written; the message names the file."""


def write_document(path: Path, document: dict[str, Any]) -> int:
    """Replace `path` with `document` atomically; returns the bytes written."""
    data = json.dumps(document, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")
    if path.name.endswith(".gz"):
        data = gzip.compress(data, compresslevel=1, mtime=0)  # fast; still a tenth the size
    folder = path.parent
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_folder(folder)
    return len(data)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (where the platform lets a folder be opened)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def read_document(path: Path) -> dict[str, Any]:
    """The checked document of an existing state file, or StateFileError saying what is wrong."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise StateFileError(f"cannot read the state file {path}: {error.strerror}") from None
    if not raw.strip():
        raise StateFileError(f"the state file {path} is empty (truncated?); fix or remove it")
    if raw.startswith(GZIP_MAGIC):
        raw = _gunzip(path, raw)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise StateFileError(f"the state file {path} is corrupt: not UTF-8 text") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise StateFileError(f"the state file {path} is {_damage(error, text)}; fix or remove "
                             "it") from None
    except RecursionError:
        raise StateFileError(f"the state file {path} is corrupt: nested too deep") from None
    _check_version(path, document)
    return document  # type: ignore[no-any-return]


def _gunzip(path: Path, raw: bytes) -> bytes:
    try:
        return gzip.decompress(raw)
    except EOFError:
        raise StateFileError(f"the state file {path} is truncated: its gzip stream ends early; "
                             "fix or remove it") from None
    except (OSError, zlib.error) as error:
        raise StateFileError(f"the state file {path} is corrupt: bad gzip data ({error}); fix "
                             "or remove it") from None


def _damage(error: json.JSONDecodeError, text: str) -> str:
    """Cut short (the JSON stops mid-way) or damaged (something else is wrong)."""
    if error.pos >= len(text.rstrip()) or error.msg.startswith("Unterminated string"):
        return "truncated: it ends before its JSON does"
    return f"corrupt: not JSON (line {error.lineno}, column {error.colno}: {error.msg})"


def _check_version(path: Path, document: Any) -> None:
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise StateFileError(f"the file {path} is not an invent-emulator state file "
                             f"(no \"format\": \"{FORMAT_NAME}\")")
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise StateFileError(f"the state file {path} has no valid format version "
                             f"({version!r})")
    if version > FORMAT_VERSION:
        raise StateFileError(
            f"the state file {path} was written by a newer invent-emulator "
            f"({document.get('written_by', 'unknown')}, format version {version}); this one "
            f"reads format version {FORMAT_VERSION}. Upgrade, or remove the file")
