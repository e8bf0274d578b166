"""A synchronous httpx transport that calls the emulator's ASGI app in this process, with no
socket: the app runs on an event loop of its own in a helper thread.

It speaks ASGI directly rather than wrapping httpx.ASGITransport (asynchronous only, and several
times slower per call), so an isolated org per test costs a fraction of a millisecond."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
from starlette.types import ASGIApp, Message

CALL_TIMEOUT = 60.0


class InProcessTransport(httpx.BaseTransport):
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever,
                                        name="invent-emulator-inprocess", daemon=True)
        self._thread.start()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not self._loop.is_running():
            raise RuntimeError("the in-process emulator has been shut down")
        body = request.read()
        future = asyncio.run_coroutine_threadsafe(self._call(request, body), self._loop)
        try:
            status, headers, content = future.result(CALL_TIMEOUT)
        except TimeoutError:
            future.cancel()
            raise httpx.ReadTimeout(f"the emulator did not answer within {CALL_TIMEOUT:g} s",
                                    request=request) from None
        return httpx.Response(status, headers=headers, content=content, request=request)

    async def _call(self, request: httpx.Request,
                    body: bytes) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        scope = _scope(request)
        sent_request = False
        status = 500
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []
        finished = asyncio.Event()

        async def receive() -> Message:
            nonlocal sent_request
            if not sent_request:
                sent_request = True
                return {"type": "http.request", "body": body, "more_body": False}
            await finished.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    finished.set()

        try:
            await self.app(scope, receive, send)
        finally:
            finished.set()
        return status, headers, b"".join(chunks)

    def close(self) -> None:
        """Called by every httpx.Client that used this transport when it closes; the emulator
        is shared, so it keeps running until `shutdown()`."""

    def shutdown(self) -> None:
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
        if not self._loop.is_running() and not self._loop.is_closed():
            self._loop.close()


def _scope(request: httpx.Request) -> dict[str, Any]:
    """The ASGI scope of an HTTP request made in this process."""
    url = request.url
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": url.scheme,
        "path": url.path,
        "raw_path": url.raw_path.split(b"?")[0],
        "query_string": url.query,
        "root_path": "",
        "headers": [(k.lower(), v) for k, v in request.headers.raw],
        "client": ("127.0.0.1", 0),
        "server": (url.host, url.port or 80),
    }
