"""How the served emulator writes its log: plain lines, or one JSON object per line
(`--log-format json`) for log collectors. Every logger (ours, uvicorn's, warnings, an uncaught
exception) goes through the one handler installed here."""

from __future__ import annotations

import json
import logging
import sys
import time
from types import TracebackType
from typing import Any, TextIO

# Structured fields ride on a record as `extra={FIELDS: {...}}`; the JSON formatter merges them.
FIELDS = "fields"
TEXT_FORMAT = "%(levelname)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """{"time", "level", "logger", "message", ...fields, "error"?} on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _utc(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        extra = getattr(record, FIELDS, None)
        if isinstance(extra, dict):
            entry.update(extra)
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, separators=(",", ":"), default=str)


def _utc(created: float) -> str:
    seconds = int(created)
    millis = int((created - seconds) * 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def configure(level: str, log_format: str, stream: TextIO | None = None) -> None:
    """Route every logger to one stderr handler in the chosen format, replacing any handler
    set before (uvicorn's own configuration is turned off where the server is made)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else
                         logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.captureWarnings(True)
    if log_format == "json":
        sys.excepthook = _log_uncaught


def _log_uncaught(kind: type[BaseException], error: BaseException,
                  trace: TracebackType | None) -> None:
    logging.getLogger("emulator").critical("uncaught exception", exc_info=(kind, error, trace))
