"""The state file's bytes: JSON (gzip-compressed when the name ends in `.gz`), checked when read,
so a corrupt, truncated, oversized or newer file stops start-up with a clear message and is
never overwritten. (Where the bytes go is `target.py`.)"""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path
from typing import Any

import orjson

from emulator.statefile.snapshot import FORMAT_NAME, FORMAT_VERSION
from emulator.statefile.target import StateFileError

__all__ = ["StateFileError", "encode_document", "read_document"]

GZIP_MAGIC = b"\x1f\x8b"
# A gzip state file is never decompressed beyond this (a small bomb must not fill memory); a
# 200,000-row state is about 180 MB of JSON.
MAX_DECOMPRESSED_BYTES = 1 << 30


def encode_document(document: dict[str, Any], compressed: bool) -> bytes:
    """The file's bytes: compact UTF-8 JSON, gzip-compressed when asked. orjson encodes a
    200,000-row state about ten times faster than `json.dumps` (the stop budget depends on
    it); what it cannot write (integers beyond 64 bits in a scenario's JSON values) goes
    through `json.dumps`. A NaN (a YAML `.nan` property) is saved as null."""
    try:
        data = orjson.dumps(document, option=orjson.OPT_PASSTHROUGH_DATETIME,
                            default=_refuse)
    except (orjson.JSONEncodeError, TypeError):
        data = b""
    if not data:
        data = json.dumps(document, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False).encode("utf-8")
    if compressed:
        data = gzip.compress(data, compresslevel=1, mtime=0)  # fast; still a tenth the size
    return data


def _refuse(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON")


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
    """One gzip member, decompressed up to the cap (more is refused, not read)."""
    limit = MAX_DECOMPRESSED_BYTES
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    try:
        data = inflater.decompress(raw, limit + 1)
        if len(data) > limit:
            raise StateFileError(f"the state file {path} decompresses to more than "
                                 f"{limit:,} bytes; a state file is never that big")
        if not inflater.eof:
            raise EOFError
        return data
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
