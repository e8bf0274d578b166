"""The one ASGI wrapper around every route (`Gateway`): in a single pass, CORS for the public
API, the encoded-slash and control-surface guards, the request journal, the body-size cap,
injected faults, and webhook flushing after the answer. (Seven stacked middleware did this before;
each layer's own call and wrappers cost about a quarter of a small answer.)"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.domain.errors import ApiError
from emulator.http.common import ENTRY_KEY
from emulator.http.errors import send_error
from emulator.http.guard import GuardPolicy, control_refusal, has_encoded_slash
from emulator.journal import Entry
from emulator.paths import CONTROL_PREFIX, DOCS
from emulator.service import Emulator

# Browser clients read these across origins.
EXPOSED_HEADERS = ["pagination-count", "pagination-page", "pagination-take", "Retry-After"]


def same_origin_only(path: str) -> bool:
    """The control surface, the inbox UI under it and the API explorer: no CORS."""
    return path.startswith(CONTROL_PREFIX) or path == DOCS or path.startswith(DOCS + "/")


class Gateway:
    """Everything every request goes through, outermost concern first: CORS (public paths,
    when the request has an Origin), then the journal (public requests), the encoded-slash
    guard, the control guard, the body-size cap, faults (public), the app, and the webhooks
    the request caused."""

    def __init__(self, app: ASGIApp, emulator: Emulator, *, origins: Sequence[str],
                 guard: GuardPolicy, max_bytes: int, per_path: dict[str, int]) -> None:
        self.app = app
        self.emulator = emulator
        self.guard = guard
        self.default_max = max_bytes
        self.per_path = per_path
        self.cors = CORSMiddleware(self._pass, allow_origins=list(origins),
                                   allow_methods=["*"], allow_headers=["*"],
                                   expose_headers=EXPOSED_HEADERS) if origins else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if (self.cors is not None and not same_origin_only(scope["path"])
                and any(name == b"origin" for name, _ in scope["headers"])):
            await self.cors(scope, receive, send)  # it calls `_pass` (or answers a preflight)
        else:
            await self._pass(scope, receive, send)

    async def _pass(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        public = not path.startswith(CONTROL_PREFIX)
        entry = None
        if public:
            entry = self.emulator.journal.open(
                self.emulator.clock.now(), scope["method"], path,
                scope.get("query_string", b"").decode("latin-1"))
            # Once authorized, the endpoint writes the real org id here (`c` is not one).
            scope[ENTRY_KEY] = entry
            send = _recording_status(send, entry)
        refusal = self._refusal(scope)
        if refusal is not None:
            status, message, extra = refusal
            await send_error(send, status, message, extra)
            return
        max_bytes = self.per_path.get(path, self.default_max)
        declared = next((value for name, value in scope["headers"]
                         if name == b"content-length"), None)
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            await send_error(send, 413, _too_large(max_bytes).message,
                             [(b"connection", b"close")])
            return
        if public and await self._fault(scope, send):
            return
        await self.app(scope, _counting(receive, entry, max_bytes), send)
        await self._flush_webhooks()

    def _refusal(self, scope: Scope) -> tuple[int, str, list[tuple[bytes, bytes]]] | None:
        if has_encoded_slash(scope):
            path = scope["raw_path"].decode("ascii", errors="replace")
            return 404, (f"Cannot {scope['method']} {path}: no such route (an encoded slash "
                         "does not separate path segments)"), []
        refusal = control_refusal(self.guard, scope)
        if refusal is None:
            return None
        status, message = refusal
        return status, message, [(b"www-authenticate", b"Bearer")] if status == 401 else []

    async def _fault(self, scope: Scope, send: Send) -> bool:
        """Acts out an injected fault picked for this request (an org's run-time faults, then
        the scenario's); True when it answered."""
        authorization = next((value for name, value in scope["headers"]
                              if name == b"authorization"), None)
        picked = self.emulator.pick_fault(
            scope["method"], scope["path"],
            authorization.decode("latin-1") if authorization is not None else None)
        if picked is None:
            return False
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
            return True
        if fault.status is None:
            return False
        message = fault.message or f"Injected fault ({picked.label})"
        extra = ([(b"retry-after", str(fault.retry_after).encode())]
                 if fault.retry_after is not None else [])
        await send_error(send, fault.status, message, extra)
        return True

    async def _flush_webhooks(self) -> None:
        """The webhooks of the events the request caused, once its answer is out: in the
        background when served; in-process (no lifespan), before the call returns, so a test
        sees them at once."""
        webhooks = self.emulator.webhooks
        if not webhooks.has_due():
            return
        if self.emulator.background:
            webhooks.start_due()
        else:
            await webhooks.flush()


def _recording_status(send: Send, entry: Entry) -> Send:
    async def recording_send(message: Message) -> None:
        if message["type"] == "http.response.start":
            entry.status = message["status"]
        await send(message)
    return recording_send


def _counting(receive: Receive, entry: Entry | None, max_bytes: int) -> Receive:
    """Records the body in the journal entry, and refuses it past `max_bytes` (413)."""
    received = 0

    async def counting_receive() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            body = message.get("body", b"")
            if entry is not None:
                entry.record_body(body)
            received += len(body)
            if received > max_bytes:
                raise _too_large(max_bytes)
        return message
    return counting_receive


def _too_large(max_bytes: int) -> ApiError:
    return ApiError(413, f"The request body is larger than {max_bytes} bytes")
