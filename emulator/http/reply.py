"""Answering with the JSON error envelope from pure-ASGI middleware, before any route runs."""

from __future__ import annotations

import json

from starlette.types import Send

from emulator.http.errors import envelope


async def send_envelope(send: Send, status: int, message: str,
                        headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps(envelope(status, message), separators=(",", ":")).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        *(headers or []),
    ]})
    await send({"type": "http.response.body", "body": body})
