"""The request journal: what the emulator received on its public routes (method, path, status,
body, time), newest last, bounded so a long run cannot exhaust memory."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from fnmatch import fnmatchcase

JOURNAL_LIMIT = 1_000
# Bytes of each request body kept.
BODY_LIMIT = 64 * 1024


@dataclass(slots=True)
class Entry:
    id: int
    at: datetime
    method: str
    path: str
    query: str
    org_id: str | None
    body: bytes
    status: int = 0

    def record_body(self, chunk: bytes) -> None:
        if len(self.body) < BODY_LIMIT:
            self.body = (self.body + chunk)[:BODY_LIMIT]


@dataclass(frozen=True, slots=True)
class EntryFilter:
    method: str | None = None
    path: str | None = None  # a glob
    org_id: str | None = None
    status: int | None = None

    def matches(self, entry: Entry) -> bool:
        return ((self.method is None or entry.method == self.method.upper())
                and (self.path is None or fnmatchcase(entry.path, self.path))
                and (self.org_id is None or entry.org_id == self.org_id)
                and (self.status is None or entry.status == self.status))


class Journal:
    def __init__(self, limit: int = JOURNAL_LIMIT) -> None:
        self.entries: deque[Entry] = deque(maxlen=limit)
        # The next entry's id: ids are never reused, not even after a clear.
        self.next_id = 1

    def open(self, at: datetime, method: str, path: str, query: str) -> Entry:
        parts = path.split("/")
        org_id = parts[2] if len(parts) > 2 and parts[1] == "orgs" else None
        entry = Entry(self.next_id, at, method, path, query, org_id, b"")
        self.next_id += 1
        self.entries.append(entry)
        return entry

    def newest_first(self, wanted: EntryFilter) -> Iterator[Entry]:
        return (e for e in reversed(self.entries) if wanted.matches(e))

    def state(self) -> tuple[list[Entry], int]:
        """The entries, oldest first, and the next id (for the state file)."""
        return list(self.entries), self.next_id

    def restore(self, entries: list[Entry], next_id: int) -> None:
        """Put back what `state` gave (the oldest entries beyond the limit fall off)."""
        if any(entry.id >= next_id for entry in entries):
            raise ValueError(f"next_id {next_id} is not above every entry's id")
        self.entries.clear()
        self.entries.extend(entries)
        self.next_id = next_id

    def clear(self) -> int:
        count = len(self.entries)
        self.entries.clear()
        return count
