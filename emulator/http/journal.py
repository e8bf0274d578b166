"""The request journal: what the emulator received on its public routes (method, path, status,
body, time), newest last, bounded so a long run cannot exhaust memory."""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.clock import format_timestamp as ts
from emulator.http.faults import CONTROL_PREFIX

JOURNAL_LIMIT = 1_000
ENTRY_KEY = "invent.journal_entry"
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

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": ts(self.at),
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "org_id": self.org_id,
            "status": self.status,
            "body": self.body.decode("utf-8", errors="replace"),
        }


class Journal:
    def __init__(self, limit: int = JOURNAL_LIMIT) -> None:
        self.entries: deque[Entry] = deque(maxlen=limit)
        self._ids = itertools.count(1)

    def open(self, at: datetime, method: str, path: str, query: str) -> Entry:
        parts = path.split("/")
        org_id = parts[2] if len(parts) > 2 and parts[1] == "orgs" else None
        entry = Entry(next(self._ids), at, method, path, query, org_id, b"")
        self.entries.append(entry)
        return entry

    def clear(self) -> int:
        count = len(self.entries)
        self.entries.clear()
        return count


class JournalMiddleware:
    def __init__(self, app: ASGIApp, journal: Callable[[], Journal],
                 now: Callable[[], datetime]) -> None:
        self.app = app
        self.journal = journal
        self.now = now

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        entry = self.journal().open(self.now(), scope["method"], path,
                                    scope.get("query_string", b"").decode("latin-1"))
        # Once authorized, the endpoint writes the real org id here (`c` is not one).
        scope[ENTRY_KEY] = entry

        async def recording_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request" and len(entry.body) < BODY_LIMIT:
                entry.body = (entry.body + message.get("body", b""))[:BODY_LIMIT]
            return message

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry.status = message["status"]
            await send(message)

        await self.app(scope, recording_receive, recording_send)
