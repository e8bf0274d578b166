"""A synchronous httpx transport that calls the emulator's ASGI app in this process, with no
socket: the app runs on an event loop of its own in a helper thread (httpx's ASGITransport is
asynchronous only)."""

from __future__ import annotations

import asyncio
import threading

import httpx
from starlette.applications import Starlette

CALL_TIMEOUT = 60.0


class InProcessTransport(httpx.BaseTransport):
    def __init__(self, app: Starlette) -> None:
        self._asgi = httpx.ASGITransport(app=app)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever,
                                        name="invent-emulator-inprocess", daemon=True)
        self._thread.start()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()

        async def call() -> httpx.Response:
            inner = httpx.Request(request.method, request.url, headers=request.headers,
                                  content=body)
            response = await self._asgi.handle_async_request(inner)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers,
                                  content=content, request=request)

        if not self._loop.is_running():
            raise RuntimeError("the in-process emulator has been shut down")
        future = asyncio.run_coroutine_threadsafe(call(), self._loop)
        return future.result(CALL_TIMEOUT)

    def close(self) -> None:
        """Called by every httpx.Client that used this transport when it closes; the emulator
        is shared, so it keeps running until `shutdown()`."""

    def shutdown(self) -> None:
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
