"""httpx transports that reach an emulator without a socket: a synchronous one that runs the
emulator's ASGI app on an event loop of its own in a helper thread, an asynchronous one over the
same loop, and an asynchronous one over any synchronous transport (for an external emulator).

They speak ASGI directly rather than wrapping httpx.ASGITransport (asynchronous only, several
times slower per call, and it would run the app on each caller's loop: the app's state must be
touched from one loop only), so an isolated org per test costs a fraction of a millisecond."""

from __future__ import annotations

import asyncio
import threading

import anyio.to_thread
import httpx
from starlette.types import ASGIApp

from emulator.testing.bridge import CALL_TIMEOUT, AppBridge

__all__ = ["CALL_TIMEOUT", "AsyncInProcessTransport", "InProcessTransport", "OffloadedTransport"]


class InProcessTransport(httpx.BaseTransport):
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever,
                                        name="invent-emulator-inprocess", daemon=True)
        self._thread.start()
        self.bridge = AppBridge(app, self._loop)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.bridge.send(request)

    def close(self) -> None:
        """Called by every httpx.Client that used this transport when it closes; the emulator
        is shared, so it keeps running until `shutdown()`."""

    def shutdown(self) -> None:
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
        if not self._loop.is_running() and not self._loop.is_closed():
            self._loop.close()


class AsyncInProcessTransport(httpx.AsyncBaseTransport):
    """For an httpx.AsyncClient on any event loop: the call is handed to the emulator's own loop
    and awaited, so the caller's loop keeps running meanwhile and one client can serve tests
    that each run on a loop of their own."""

    def __init__(self, bridge: AppBridge) -> None:
        self.bridge = bridge

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.bridge.asend(request)

    async def aclose(self) -> None:
        """The emulator is shared: closing one client leaves it running."""


class OffloadedTransport(httpx.AsyncBaseTransport):
    """A synchronous transport used from async code, each call in a worker thread: it keeps no
    socket bound to any one event loop, so it cannot leak one when a test's loop closes."""

    def __init__(self, transport: httpx.BaseTransport) -> None:
        self.transport = transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        return await anyio.to_thread.run_sync(self._send, request, body)

    def _send(self, request: httpx.Request, body: bytes) -> httpx.Response:
        plain = httpx.Request(request.method, request.url, headers=request.headers, content=body,
                              extensions=request.extensions)
        response = self.transport.handle_request(plain)
        try:  # the bytes as they came, so the headers (content-encoding) still describe them
            raw = b"".join(response.iter_raw())
        finally:
            response.close()
        return httpx.Response(response.status_code, headers=response.headers,
                              stream=httpx.ByteStream(raw), request=request)

    async def aclose(self) -> None:
        """Shared by several clients: whoever made it closes `transport` when done."""
