"""What every handler uses: the emulator behind a request, the authorized org, the raw body,
and paged lists with the documented pagination headers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from starlette.requests import Request

from emulator.domain.auth import parse_bearer
from emulator.domain.errors import ApiError
from emulator.domain.org import Org
from emulator.http import query
from emulator.http.fastjson import FastJSONResponse
from emulator.journal import Entry
from emulator.service import Emulator

T = TypeVar("T")

# Where the journal middleware leaves the request's entry, for `open_org` to complete.
ENTRY_KEY = "invent.journal_entry"


def emulator_of(request: Request) -> Emulator:
    emulator: Emulator = request.app.state.emulator
    return emulator


async def open_org(request: Request) -> Org:
    """Check the API key and the general rate limit (on the org's clock, so a virtual clock
    can move past it), and catch the org up with its clock."""
    api_key = parse_bearer(request.headers.get("authorization"))
    org = await emulator_of(request).authorize(api_key, request.path_params["org_id"])
    entry: Entry | None = request.scope.get(ENTRY_KEY)
    if entry is not None:  # the journal shows the real org, and the time on its clock
        entry.org_id = org.id
        entry.at = org.clock.now()
    org.limits.check_general(api_key or "", org.clock.now())
    return org


async def read_body(request: Request) -> bytes:
    """The whole body, read from the ASGI messages as Starlette's `Request.body` reads them
    (without its stream and its context manager: a send's body is one message)."""
    receive = request.receive
    chunks: list[bytes] = []
    while True:
        message = await receive()
        kind = message["type"]
        if kind == "http.request":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                return chunks[0] if len(chunks) == 1 else b"".join(chunks)
        elif kind == "http.disconnect":
            raise ApiError(400, "The client disconnected before sending the whole body")


def paged(items: Sequence[T], params: query.Page, render: Callable[[T], Any]) -> FastJSONResponse:
    return FastJSONResponse([render(item) for item in params.slice(items)],
                        headers=params.headers(len(items)))
