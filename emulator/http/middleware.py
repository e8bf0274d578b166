"""The ASGI middleware around every route, outermost first in app.py: CORS for the public API,
the request journal, the body-size cap, injected faults, and webhook flushing after the answer."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.domain.errors import ApiError
from emulator.http.common import ENTRY_KEY
from emulator.http.errors import send_error
from emulator.journal import Entry
from emulator.paths import CONTROL_PREFIX, DOCS
from emulator.service import Emulator

# Browser clients read these across origins.
EXPOSED_HEADERS = ["pagination-count", "pagination-page", "pagination-take", "Retry-After"]


def _is_public_http(scope: Scope) -> bool:
    return scope["type"] == "http" and not scope.get("path", "").startswith(CONTROL_PREFIX)


def same_origin_only(path: str) -> bool:
    """The control surface, the inbox UI under it and the API explorer: no CORS."""
    return path.startswith(CONTROL_PREFIX) or path == DOCS or path.startswith(DOCS + "/")


class PublicCORS:
    """CORS for the public API: browser frontends on another origin call it (every origin by
    default, `--cors-origins` narrows or turns it off). Same-origin-only paths get none: a web
    page the developer happens to visit must not drive them."""

    def __init__(self, app: ASGIApp, origins: Sequence[str] = ("*",)) -> None:
        self.app = app
        self.cors = CORSMiddleware(app, allow_origins=list(origins), allow_methods=["*"],
                                   allow_headers=["*"], expose_headers=EXPOSED_HEADERS
                                   ) if origins else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.cors is None or scope["type"] != "http" or same_origin_only(scope["path"]):
            await self.app(scope, receive, send)
        else:
            await self.cors(scope, receive, send)


class JournalMiddleware:
    """Records each public request (method, path, body, status) in the emulator's journal."""

    def __init__(self, app: ASGIApp, emulator: Emulator) -> None:
        self.app = app
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_public_http(scope):
            await self.app(scope, receive, send)
            return
        entry = self.emulator.journal.open(
            self.emulator.clock.now(), scope["method"], scope["path"],
            scope.get("query_string", b"").decode("latin-1"))
        # Once authorized, the endpoint writes the real org id here (`c` is not one).
        scope[ENTRY_KEY] = entry

        async def recording_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                entry.record_body(message.get("body", b""))
            return message

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry.status = message["status"]
            await send(message)

        await self.app(scope, recording_receive, recording_send)


class BodySizeLimit:
    """Caps request bodies before the framework does, so an oversized body gets the JSON envelope
    (starlette's own limit answers plain text)."""

    def __init__(self, app: ASGIApp, max_bytes: int,
                 per_path: dict[str, int] | None = None) -> None:
        self.app = app
        self.default_max = max_bytes
        self.per_path = per_path or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.per_path.get(scope["path"], self.default_max)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            error = _too_large(max_bytes)
            await send_error(send, 413, error.message, [(b"connection", b"close")])
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise _too_large(max_bytes)
            return message

        await self.app(scope, counting_receive, send)


def _too_large(max_bytes: int) -> ApiError:
    return ApiError(413, f"The request body is larger than {max_bytes} bytes")


class FaultMiddleware:
    """Acts out injected faults on the public API (an org's run-time faults, then the
    scenario's): latency, an error status, or a dropped connection."""

    def __init__(self, app: ASGIApp, emulator: Emulator) -> None:
        self.app = app
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        picked = None
        if _is_public_http(scope):
            authorization = dict(scope["headers"]).get(b"authorization")
            picked = self.emulator.pick_fault(
                scope["method"], scope["path"],
                authorization.decode("latin-1") if authorization is not None else None)
        if picked is None:
            await self.app(scope, receive, send)
            return
        entry: Entry | None = scope.get(ENTRY_KEY)
        if entry is not None and picked.org_id is not None:
            entry.org_id = picked.org_id  # the journal names the org, even for `c`
        fault = picked.rule
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.drop:
            # Start a response and end without its body: the client sees the connection cut.
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-length", b"1024")]})
            return
        if fault.status is None:
            await self.app(scope, receive, send)
            return
        message = fault.message or f"Injected fault ({picked.label})"
        extra = ([(b"retry-after", str(fault.retry_after).encode())]
                 if fault.retry_after is not None else [])
        await send_error(send, fault.status, message, extra)


class WebhookFlush:
    """Sends the webhooks of the events a request caused, once its answer is out: in the
    background when served; in-process (no lifespan), before the call returns, so a test sees
    them at once."""

    def __init__(self, app: ASGIApp, emulator: Emulator) -> None:
        self.app = app
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
        webhooks = self.emulator.webhooks
        if scope["type"] != "http" or not webhooks.has_due():
            return
        if self.emulator.background:
            webhooks.start_due()
        else:
            await webhooks.flush()
