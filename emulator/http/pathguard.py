"""Paths are routed as the client wrote them: an encoded slash (`%2F`) is part of a name, never a
separator, so `/orgs/c/broadcasts/bc_x%2Fsend` cannot reach the send route. No id contains a
slash, so such a path matches no route: 404 in the envelope, before the router decodes it."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from emulator.http.reply import send_envelope


class EncodedSlashGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _has_encoded_slash(scope):
            path = scope["raw_path"].decode("ascii", errors="replace")
            await send_envelope(send, 404, f"Cannot {scope['method']} {path}: no such route "
                                           "(an encoded slash does not separate path segments)")
            return
        await self.app(scope, receive, send)


def _has_encoded_slash(scope: Scope) -> bool:
    raw = scope.get("raw_path")
    return isinstance(raw, bytes) and b"%2f" in raw.lower()
