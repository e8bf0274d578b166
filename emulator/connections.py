"""What uvicorn lacks for a long-lived sidecar: deadlines for a request's headers and body (a
client that stalls is answered 408 or closed, never held forever) and a cap on open connections
answered 503 in the envelope instead of letting idle sockets exhaust the file descriptors.

uvicorn has no deadline for slow headers and no hook around its request cycle, so every
connection gets a small asyncio protocol of our own (`GuardedConnection`) in front of uvicorn's,
held by composition and called only through `asyncio.Protocol`; uvicorn is reached through
`Config(http=<protocol class>)` and the class `Config.load()` resolves: the one recorded
reliance on uvicorn beyond its documented settings (docs/decisions.md; a test fails on an
untested uvicorn). Where a request stands is learnt from ASGI (`RequestDeadlines`)."""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections.abc import Awaitable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.http.errors import envelope_bytes, phrase

log = logging.getLogger("emulator.connections")
# Bytes of a refused connection's request read before it is answered 503.
REFUSED_HEAD_BYTES = 65536

# Set in a request's scope when the server itself answered it (a 408 while the app still
# waited for the body): the access log reports what the client got, not what the app tried.
SERVER_ANSWER_KEY = "invent.server_answer"
# A flood of refusals or timeouts is summed up, at most one line per kind this often.
NOTICE_SECONDS = 10.0
# A timer may fire this much before its due time (the loop's clock resolution): a deadline
# that close counts as reached rather than waited for again.
TIMER_SLACK = 0.001

# The connection whose bytes are being handed to uvicorn: the request task uvicorn starts
# meanwhile inherits it (a task copies the context it is created in).
_CONNECTION: ContextVar[GuardedConnection | None] = ContextVar("invent_connection",
                                                               default=None)


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


class Phase(enum.Enum):
    IDLE = "idle"  # no byte of a request yet (just connected, or the last one answered)
    HEADERS = "headers"  # some of a request arrived, its headers are not complete
    BODY = "body"  # headers in, the app waits for the body
    APP = "app"  # the request is in; the app works on it (no deadline)


class ConnectionGuard:
    """One per server: the limits, the open connections and the requests in progress."""

    def __init__(self, limits: ConnectionLimits) -> None:
        self.limits = limits
        self.open: set[GuardedConnection] = set()
        self.requests: set[asyncio.Task[Any]] = set()

    def protocol_class(self, inner: type[asyncio.Protocol]) -> type[asyncio.Protocol]:
        """The class for uvicorn's `Config(http=...)`: our protocol around `inner`, which gets
        uvicorn's constructor arguments untouched."""
        guard = self

        class Guarded(GuardedConnection):
            def __init__(self, **kwargs: Any) -> None:
                super().__init__(guard, inner(**kwargs))

        return Guarded

    def asgi(self, app: ASGIApp) -> ASGIApp:
        return RequestDeadlines(app)

    def close_all(self) -> None:
        """Abort every open connection (the forced end of a shutdown)."""
        for connection in list(self.open):
            if connection.transport is not None:
                connection.transport.abort()


def uvicorn_protocol(http: str = "auto") -> type[asyncio.Protocol]:
    """The HTTP protocol class uvicorn itself would use (httptools when installed)."""
    probe = uvicorn.Config(app=_unused_app, http=http, ws="none", lifespan="off",
                           log_config=None)
    probe.load()
    return probe.http_protocol_class


async def _unused_app(scope: Scope, receive: Receive, send: Send) -> None:
    """The probe config never serves."""


class GuardedConnection(asyncio.Protocol):
    """One client connection: uvicorn's protocol behind one timer. The header deadline runs
    from the connection (or the last answer) until the app is called, the body deadline from
    then until the body is in; an idle connection past the header deadline is closed quietly,
    a stalled request answered 408 and closed. Past the cap, a connection never reaches uvicorn:
    its first request is answered 503 and it is closed."""

    def __init__(self, guard: ConnectionGuard, inner: asyncio.Protocol) -> None:
        self.guard = guard
        self.limits = guard.limits
        self.inner = inner
        self.transport: asyncio.Transport | None = None
        self.refused = False
        self.phase = Phase.IDLE
        self.scope: Scope | None = None  # of the request whose body is awaited
        self.responding = False  # the app's answer has started
        self.server_answered = False  # we answered 408: what the app sends is dropped
        # One lazy timer (see `_arm`): when the current deadline falls (loop time, None when
        # no deadline runs), and the timer that checks it, due at `_timer_at`.
        self._deadline: float | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0.0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._refused_head = b""

    # asyncio.Protocol, called by the event loop

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # a stream transport (TCP)
        self._loop = asyncio.get_running_loop()
        self._arm(self.limits.header_timeout)
        if len(self.guard.open) >= self.limits.max_connections:
            self.refused = True
            self.limits.notices.warn("connection_cap", f"{self.limits.max_connections} "
                                     "connections are open (the cap): new ones are answered 503")
            return
        self.guard.open.add(self)
        self.inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self.refused:
            self._refuse(data)
            return
        if self.phase is Phase.IDLE:
            self.phase = Phase.HEADERS
        token = _CONNECTION.set(self)
        try:
            self.inner.data_received(data)
        finally:
            _CONNECTION.reset(token)

    def eof_received(self) -> bool | None:
        return None if self.refused else self.inner.eof_received()
    def connection_lost(self, exc: Exception | None) -> None:
        self._deadline = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.guard.open.discard(self)
        if not self.refused:
            self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        if not self.refused:
            self.inner.pause_writing()

    def resume_writing(self) -> None:
        if not self.refused:
            self.inner.resume_writing()

    # Told by RequestDeadlines, from the request's task

    def headers_in(self, scope: Scope, expects_body: bool) -> None:
        self.responding = False
        if expects_body:
            self.phase, self.scope = Phase.BODY, scope
            self._arm(self.limits.body_timeout)
        else:
            self.phase = Phase.APP
            self._disarm()

    def body_in(self) -> None:
        if self.phase is Phase.BODY:
            self.phase, self.scope = Phase.APP, None
            self._disarm()

    def answered(self) -> None:
        self.phase, self.scope, self.responding = Phase.IDLE, None, False
        self._arm(self.limits.header_timeout)

    # The timer. A keep-alive connection moves its deadline several times per request; a
    # TimerHandle created and cancelled each time costs more than the rest of the guard, so
    # moving a deadline only writes `_deadline`, and the one timer, when it fires, either acts
    # or sleeps again until the deadline now due. It is replaced early only for a deadline
    # sooner than it (a header deadline shorter than the body's).

    def _arm(self, seconds: float) -> None:
        loop = self._loop
        if loop is None:
            return  # not connected yet
        deadline = self._deadline = loop.time() + seconds
        if self._timer is None:
            self._timer, self._timer_at = loop.call_at(deadline, self._late), deadline
        elif deadline < self._timer_at:
            self._timer.cancel()
            self._timer, self._timer_at = loop.call_at(deadline, self._late), deadline

    def _disarm(self) -> None:
        self._deadline = None  # the timer, if any, finds nothing due and stops

    def _late(self) -> None:
        self._timer = None
        deadline, loop = self._deadline, self._loop
        if deadline is None or loop is None:
            return
        if loop.time() + TIMER_SLACK < deadline:  # the deadline moved on since: wait for it
            self._timer, self._timer_at = loop.call_at(deadline, self._late), deadline
            return
        self._deadline = None
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        if self.refused or self.phase is Phase.IDLE or self.responding:
            transport.close()  # never sent a byte, or answered already: just close
        elif self.phase is Phase.HEADERS:
            self._give_up("The request headers did not arrive within "
                          f"{self.limits.header_timeout:g} s")
        elif self.phase is Phase.BODY:
            self._give_up(f"The request body did not arrive within {self.limits.body_timeout:g} s")

    def _give_up(self, message: str) -> None:
        """Answer 408 in the JSON envelope and close; a handler still waiting for the body
        sees the client as gone (uvicorn's protocol is told the connection was lost)."""
        assert self.transport is not None
        if self.scope is not None:
            self.scope[SERVER_ANSWER_KEY] = 408
        self.server_answered = True
        self.transport.write(raw_response(408, message))
        self.transport.close()
        self.limits.notices.warn("request_timeout", f"answered 408 and closed: {message}")

    def _refuse(self, data: bytes) -> None:
        """Past the cap: once the request's head is in, 503 and close (answering before the
        request arrived could reset the connection under the client's feet)."""
        self._refused_head += data
        if b"\r\n\r\n" in self._refused_head or len(self._refused_head) >= REFUSED_HEAD_BYTES:
            assert self.transport is not None
            self.transport.write(raw_response(503, "Too many open connections; retry shortly",
                                              [("retry-after", "1")]))
            self.transport.close()


class RequestDeadlines:
    """The ASGI side of the guard: tells each request's connection when its headers are in
    (the app is called), its body is in (`receive`) and its answer is out (`send`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        connection = _CONNECTION.get()
        if connection is None or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        expects_body = _expects_body(scope)
        connection.headers_in(scope, expects_body)
        watched = _Watched(connection, receive, send)
        task = asyncio.current_task()
        if task is not None:
            connection.guard.requests.add(task)
        try:
            # Without a body there is nothing to wait for: `receive` goes through untouched.
            await self.app(scope, watched.receive if expects_body else receive, watched.send)
        finally:
            if task is not None:
                connection.guard.requests.discard(task)


class _Watched:
    """One request's `receive` and `send` as its connection sees them."""

    __slots__ = ("_receive", "_send", "connection")

    def __init__(self, connection: GuardedConnection, receive: Receive, send: Send) -> None:
        self.connection, self._receive, self._send = connection, receive, send

    async def receive(self) -> Message:
        message = await self._receive()
        if not message.get("more_body", False) and message["type"] == "http.request":
            self.connection.body_in()
        return message

    def send(self, message: Message) -> Awaitable[None]:
        # A plain function: the answer's start goes to uvicorn's send as it is; only the last
        # body waits in a frame of ours (the header deadline starts once it is out).
        connection = self.connection
        if connection.server_answered:
            return _nothing()  # the client already got our 408
        kind = message["type"]
        if kind == "http.response.start":
            connection.responding = True
            return self._send(message)
        return self._body(message) if kind == "http.response.body" else self._send(message)

    async def _body(self, message: Message) -> None:
        await self._send(message)
        if not message.get("more_body", False):
            self.connection.answered()


async def _nothing() -> None:
    """What a message dropped after our 408 awaits."""


def _expects_body(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"transfer-encoding" or (name == b"content-length" and value.strip() != b"0"):
            return True
    return False


def raw_response(status: int, message: str,
                 headers: list[tuple[str, str]] | None = None) -> bytes:
    """A whole HTTP/1.1 answer in the envelope that closes the connection, written on the
    socket below uvicorn."""
    body = envelope_bytes(status, message)
    lines = [f"HTTP/1.1 {status} {phrase(status)}", "content-type: application/json",
             f"content-length: {len(body)}", *(f"{k}: {v}" for k, v in headers or []),
             "connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
