"""Caps request bodies before the framework does, so an oversized body gets the JSON envelope
(starlette's own limit answers plain text)."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.domain.errors import ApiError
from emulator.http.errors import envelope


class BodySizeLimit:
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
            await self._refuse(send, max_bytes)
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

    async def _refuse(self, send: Send, max_bytes: int) -> None:
        error = _too_large(max_bytes)
        body = json.dumps(envelope(413, error.message), separators=(",", ":")).encode()
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]})
        await send({"type": "http.response.body", "body": body})


def _too_large(max_bytes: int) -> ApiError:
    return ApiError(413, f"The request body is larger than {max_bytes} bytes")
