"""`GET /_emulator/events`: the live event stream as Server-Sent Events (see emulator/events.py).
A stream ends when the client goes or the server stops; a comment line every `heartbeat`
seconds keeps proxies and browsers from closing a quiet one."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from emulator import paths
from emulator.events import EventStream, frame
from emulator.http import query
from emulator.http.common import emulator_of
from emulator.http.operation import CONTROL, Operations

OPERATIONS = Operations(CONTROL)

STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
# How soon a browser's EventSource reconnects after the stream ends.
RETRY_MS = 1000


@OPERATIONS.declare(
    "GET", paths.EVENTS, "streamEvents", "Live events (Server-Sent Events)", answer=None,
    errors=(400, 404), query=query.ORG_ONLY, media_type="text/event-stream",
    description="`text/event-stream`: each recipient event as `id`, `event: <type>` and "
                "`data: <the webhook body>`, and `broadcast.status` events with the broadcast "
                "as `data`. `Last-Event-ID` resumes after that event; a comment line every "
                "15 s keeps the stream open. Without a running server (in-process clients) "
                "the answer holds the events so far and ends.")
async def stream_events(request: Request) -> Response:
    emulator = emulator_of(request)
    org_id = query.ORG_ONLY.parse(request.query_params)["org_id"]
    if org_id is not None:
        await emulator.org(org_id)  # the documented 404 before the stream starts
    events = emulator.events
    given = request.headers.get("last-event-id", "").strip()
    # A client without one (or with one this server never gave) starts from now.
    last = int(given) if re.fullmatch(r"[0-9]{1,18}", given) else events.last_id
    # In process (httpx.ASGITransport, no lifespan) an answer is read whole: it holds the
    # events so far and ends, instead of never returning.
    live = emulator.background
    return StreamingResponse(_stream(events, org_id, min(last, events.last_id), live=live),
                             media_type="text/event-stream", headers=STREAM_HEADERS)


async def _stream(events: EventStream, org_id: str | None, last: int,
                  *, live: bool) -> AsyncIterator[bytes]:
    with events.opened():
        yield b"retry: %d\n: connected\n\n" % RETRY_MS
        if not live:
            yield b"".join(frame(entry) for entry in events.after(last, org_id))
            return
        while not events.closed:
            found = events.after(last, org_id)
            if found:
                last = found[-1].id
                yield b"".join(frame(entry) for entry in found)
                continue
            last = max(last, events.last_id)  # other orgs' events: nothing to send
            if not await events.changed(events.heartbeat):
                yield b": heartbeat\n\n"
