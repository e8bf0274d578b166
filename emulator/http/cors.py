"""CORS for the public API: browser frontends on another origin call it (every origin by default,
`--cors-origins` narrows or turns it off). The control surface, the inbox UI under it and the
API explorer stay same-origin only: a web page the developer happens to visit must not drive
them."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

# Browser clients read these across origins.
EXPOSED_HEADERS = ["pagination-count", "pagination-page", "pagination-take", "Retry-After"]


def same_origin_only(path: str) -> bool:
    return path.startswith("/_emulator") or path == "/docs" or path.startswith("/docs/")


class PublicCORS:
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
