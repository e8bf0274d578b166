"""The patches behind interception: httpx's default transports, `requests`' adapter and aiohttp's
`ClientSession._request`, replaced on the class (as pytest-httpx, `responses` and aioresponses
do), so clients made before the patch — at import time — are covered too; each restored exactly
as it was when the block ends, however it ends.

`requests` and aiohttp are optional dependencies of the project under test: each is patched only
when it can be imported, and imported only here, when an interception starts."""

from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from emulator.testing.replacing import Router, replaced


@contextlib.contextmanager
def patched(router: Router) -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        stack.enter_context(replaced(httpx.HTTPTransport, "handle_request",
                                     _sync_handler(router)))
        stack.enter_context(replaced(httpx.AsyncHTTPTransport, "handle_async_request",
                                     _async_handler(router)))
        if importlib.util.find_spec("requests") is not None:
            from emulator.testing.requests_adapter import adapter_send

            stack.enter_context(adapter_send(router))
        if importlib.util.find_spec("aiohttp") is not None:
            from emulator.testing.aiohttp_adapter import session_request

            stack.enter_context(session_request(router))
        yield


def _sync_handler(router: Router) -> Callable[[Any], Any]:
    def make(original: Callable[[httpx.HTTPTransport, httpx.Request], httpx.Response]) -> Any:
        def handle_request(transport: httpx.HTTPTransport,
                           request: httpx.Request) -> httpx.Response:
            if router.intercepts(request.url):
                return router.send(request)
            router.refuse_if_blocked(request.method, request.url)
            return original(transport, request)
        return handle_request
    return make


def _async_handler(router: Router) -> Callable[[Any], Any]:
    def make(original: Callable[[httpx.AsyncHTTPTransport, httpx.Request], Any]) -> Any:
        async def handle_async_request(transport: httpx.AsyncHTTPTransport,
                                       request: httpx.Request) -> httpx.Response:
            if router.intercepts(request.url):
                return await router.asend(request)
            router.refuse_if_blocked(request.method, request.url)
            return await original(transport, request)  # type: ignore[no-any-return]
        return handle_async_request
    return make
