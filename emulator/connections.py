"""What uvicorn lacks for a long-lived sidecar: deadlines for a request's headers and body (a
client that stalls is answered 408 or closed, never held forever) and a cap on open connections
that answers 503 instead of letting idle sockets exhaust the file descriptors."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from starlette.types import Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from emulator.http.errors import envelope_bytes, phrase

if sys.platform != "win32":
    import resource

log = logging.getLogger("emulator.connections")
# File descriptors beyond the connection cap: the listening socket, logs, scenario files.
SPARE_DESCRIPTORS = 64

# Set in a request's scope when the server itself answered it (a 408 while the app still
# waited for the body): the access log reports what the client got, not what the app tried.
SERVER_ANSWER_KEY = "invent.server_answer"
# A flood of refusals or timeouts is summed up, at most one line per kind this often.
NOTICE_SECONDS = 10.0


class Notices:
    """Rate-limited warnings: the first of a kind at once, then one summary per NOTICE_SECONDS."""

    def __init__(self) -> None:
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}

    def warn(self, kind: str, message: str) -> None:
        now = time.monotonic()
        if now - self._last.get(kind, -NOTICE_SECONDS) < NOTICE_SECONDS:
            self._held[kind] = self._held.get(kind, 0) + 1
            return
        held = self._held.pop(kind, 0)
        self._last[kind] = now
        suffix = f" ({held} more like it since the last notice)" if held else ""
        log.warning("%s%s", message, suffix, extra={"fields": {"event": kind, "more": held}})


@dataclass(slots=True)
class ConnectionLimits:
    max_connections: int
    header_timeout: float
    body_timeout: float
    notices: Notices = field(default_factory=Notices)


def guarded_protocol(limits: ConnectionLimits) -> type[GuardedProtocol]:
    """A protocol class for uvicorn's `http=` bound to these limits (one per server)."""
    return type("GuardedProtocol", (GuardedProtocol,), {"limits": limits})


class GuardedProtocol(HttpToolsProtocol):
    limits: ClassVar[ConnectionLimits]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._in_request = False  # some of a request has arrived and its body is not complete

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            self.app = over_capacity  # this connection's request is answered 503, then closed
            self.limits.notices.warn("connection_cap", f"{self.limits.max_connections} "
                                     "connections are open (the cap): new ones are answered 503")
        self._arm(self.limits.header_timeout, self._headers_late)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_request = True
        if self._deadline is None:  # the next request on a keep-alive connection
            self._arm(self.limits.header_timeout, self._headers_late)

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self._arm(self.limits.body_timeout, self._body_late)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_request = False
        self._disarm()

    def _arm(self, seconds: float, late: Any) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, late)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _headers_late(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if not self._in_request:  # an idle connection that never sent a byte: just close
            self.transport.close()
            return
        self._give_up(f"The request headers did not arrive within {self.limits.header_timeout:g} s")

    def _body_late(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and self.cycle.response_started:
            self.transport.close()  # answered already; the rest of the body never came
            return
        self._give_up(f"The request body did not arrive within {self.limits.body_timeout:g} s")

    def _give_up(self, message: str) -> None:
        """Answer 408 in the JSON envelope and close; a handler still waiting for the body
        sees the client as gone (and can no longer answer)."""
        self.transport.write(_raw_response(408, message))
        self.transport.close()
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.scope[SERVER_ANSWER_KEY] = 408  # type: ignore[literal-required]
            self.cycle.disconnected = True
            self.cycle.message_event.set()
        self.limits.notices.warn("request_timeout", f"answered 408 and closed: {message}")


def _raw_response(status: int, message: str) -> bytes:
    body = envelope_bytes(status, message)
    head = (f"HTTP/1.1 {status} {phrase(status)}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n")
    return head.encode("latin-1") + body


async def over_capacity(scope: Scope, receive: Receive, send: Send) -> None:
    body = envelope_bytes(503, "Too many open connections; retry shortly")
    await send({"type": "http.response.start", "status": 503, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"retry-after", b"1"), (b"connection", b"close"),
    ]})
    await send({"type": "http.response.body", "body": body})


def ensure_descriptors(max_connections: int) -> None:
    """Raise the soft limit on open files to fit the cap, as far as the hard limit allows:
    past it, accept() fails and clients see resets with no answer at all."""
    if sys.platform == "win32":
        return
    needed = max_connections + SPARE_DESCRIPTORS
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return
    wanted = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if wanted > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    if wanted < needed:
        log.warning("only %d open files are allowed (ulimit -n): fewer connections than the "
                    "cap of %d can be served", wanted, max_connections)
