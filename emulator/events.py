"""The live event stream behind `GET /_emulator/events`: every recipient event (the same `type`
and JSON body as a webhook) and every broadcast status change, numbered in the order they
happen, kept in a bounded log so a client that reconnects with `Last-Event-ID` resumes where it
left off. Also what `GET /_emulator/messages?wait=` waits on."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from emulator.domain.entities import Broadcast
from emulator.domain.org import BroadcastEvent, Org, RecipientEvent
from emulator.domain.outcome import event_name
from emulator.registry import OrgRegistry
from emulator.support.clock import format_timestamp as ts
from emulator.webhooks import RowRenderer

BroadcastRenderer = Callable[[Org, Broadcast], dict[str, Any]]
BROADCAST_STATUS = "broadcast.status"
# Events kept for clients that reconnect; older ones are gone (the client resumes at the oldest).
LOG_SIZE = 10_000
HEARTBEAT_SECONDS = 15.0


@dataclass(slots=True)
class StreamEvent:
    id: int
    org_id: str
    type: str
    # The JSON body, rendered when the event happens while a stream is open, or else when a
    # reconnecting stream first reads it (so a big send with nobody watching renders nothing).
    data: bytes | None
    source: tuple[Org, RecipientEvent | BroadcastEvent]


class EventStream:
    def __init__(self, registry: OrgRegistry, render_row: RowRenderer) -> None:
        self.registry = registry
        self.render_row = render_row
        self.render_broadcast: BroadcastRenderer | None = None  # app.py hands it in
        self.log: deque[StreamEvent] = deque(maxlen=LOG_SIZE)
        self.last_id = 0
        self.heartbeat = HEARTBEAT_SECONDS
        self.closed = False
        # Events are logged once a stream was opened on this server: a client can only resume
        # after an event it saw, and a server nobody watches (a benchmark, most test runs)
        # pays nothing per event but this check.
        self.recording = False
        self._open_streams = 0
        self._changed: asyncio.Event | None = None
        registry.listeners.append(self)

    def listening(self, org: Org) -> bool:
        return self._changed is not None or self.recording

    def on_event(self, org: Org, event: RecipientEvent | BroadcastEvent) -> None:
        if self._changed is None and not self.recording:
            return
        # Orgs still being built (on a worker thread, not yet in the registry) tell nobody.
        if not self.registry.current(org):
            return
        if not self.recording:
            self.touch()  # a waiting outbox read looks again
            return
        if isinstance(event, RecipientEvent):
            kind = event_name(event.flag)
        elif self.render_broadcast is not None:
            kind = BROADCAST_STATUS
        else:
            return
        self.last_id += 1
        entry = StreamEvent(self.last_id, org.id, kind, None, (org, event))
        if self._open_streams:
            self._render(entry)
        self.log.append(entry)
        self.touch()

    def touch(self) -> None:
        """Wake everything waiting for a change (streams, waiting outbox reads)."""
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    async def changed(self, timeout: float) -> bool:
        """True when something happened within `timeout` seconds (or the stream closed)."""
        if self.closed:
            return True
        if self._changed is None:
            self._changed = asyncio.Event()
        waiting = self._changed
        try:
            await asyncio.wait_for(waiting.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def close(self) -> None:
        """The server is stopping: every open stream and waiting read ends now."""
        self.closed = True
        self.touch()

    @contextlib.contextmanager
    def opened(self) -> Iterator[None]:
        self.recording = True
        self._open_streams += 1
        try:
            yield
        finally:
            self._open_streams -= 1

    def after(self, last_id: int, org_id: str | None) -> list[StreamEvent]:
        """The events after `last_id` (all that are kept, if it is older), of one org or all."""
        if not self.log or self.log[-1].id <= last_id:
            return []
        first = self.log[0].id
        start = max(0, last_id - first + 1)
        found = [e for e in itertools.islice(self.log, start, None)
                 if org_id is None or e.org_id == org_id]
        for entry in found:
            self._render(entry)
        return found

    def _render(self, entry: StreamEvent) -> None:
        if entry.data is not None:
            return
        org, event = entry.source
        if isinstance(event, RecipientEvent):
            data = self.render_row(org, event.row)
        else:
            assert self.render_broadcast is not None
            data = self.render_broadcast(org, event.broadcast)
        body = {"id": f"evt_{entry.id}", "type": entry.type, "created_at": ts(event.at),
                "org_id": org.id, "data": data}
        entry.data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def frame(entry: StreamEvent) -> bytes:
    """One event as Server-Sent Events put it on the wire."""
    assert entry.data is not None
    return b"id: %d\nevent: %s\ndata: %s\n\n" % (entry.id, entry.type.encode(), entry.data)
