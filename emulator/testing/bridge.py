"""Calls into an emulator app running on its own event loop in another thread of this process,
from sync code (waiting on a future) or async code (awaiting it on the caller's loop), with no
socket. The app's state is only ever touched from that one loop, whoever calls."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import anyio.to_thread
import httpx
from starlette.types import ASGIApp, Message

CALL_TIMEOUT = 60.0

Answer = tuple[int, list[tuple[bytes, bytes]], bytes]
T = TypeVar("T")


class AppBridge:
    """One app on one running loop (an in-process helper thread's, or the threaded server's)."""

    def __init__(self, app: ASGIApp, loop: asyncio.AbstractEventLoop) -> None:
        self.app = app
        self.loop = loop

    def send(self, request: httpx.Request) -> httpx.Response:
        """Blocks the calling thread (never the app's own loop) until the app has answered."""
        self._refuse_own_loop()
        future = self._submit(request, request.read())
        try:
            answer = future.result(CALL_TIMEOUT)
        except TimeoutError:
            future.cancel()
            raise _timeout(request) from None
        return _response(answer, request)

    async def asend(self, request: httpx.Request) -> httpx.Response:
        """Awaits the app's answer on the caller's loop; the caller's loop is never blocked."""
        future = self._submit(request, await request.aread())
        try:
            answer = await _wait(future)
        except TimeoutError:
            future.cancel()
            raise _timeout(request) from None
        return _response(answer, request)

    def call(self, work: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
        """`await work(*args)` on the app's loop, the calling thread blocked until it is done:
        the test handle's own calls into the emulator (emulator/testing/direct.py)."""
        self._refuse_own_loop()
        self._refuse_stopped()
        future = asyncio.run_coroutine_threadsafe(work(*args), self.loop)
        try:
            return future.result(CALL_TIMEOUT)
        except TimeoutError:
            future.cancel()
            raise TimeoutError(f"the emulator did not answer within {CALL_TIMEOUT:g} s") from None

    def _submit(self, request: httpx.Request, body: bytes) -> concurrent.futures.Future[Answer]:
        self._refuse_stopped()
        return asyncio.run_coroutine_threadsafe(call_app(self.app, request, body), self.loop)

    def _refuse_own_loop(self) -> None:
        if _running_loop() is self.loop:
            raise RuntimeError("a synchronous call into the emulator from its own event loop "
                               "would wait forever; use an async client there")

    def _refuse_stopped(self) -> None:
        if self.loop.is_closed() or not self.loop.is_running():
            raise RuntimeError("the in-process emulator has been shut down")


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


async def _wait(future: concurrent.futures.Future[Answer]) -> Answer:
    if _running_loop() is None:  # not asyncio (trio under anyio): wait in a worker thread
        return await anyio.to_thread.run_sync(future.result, CALL_TIMEOUT)
    return await asyncio.wait_for(asyncio.wrap_future(future), CALL_TIMEOUT)


def _timeout(request: httpx.Request) -> httpx.ReadTimeout:
    return httpx.ReadTimeout(f"the emulator did not answer within {CALL_TIMEOUT:g} s",
                             request=request)


def _response(answer: Answer, request: httpx.Request) -> httpx.Response:
    status, headers, content = answer
    # A stream, not `content=`: the body stays unread until the client reads it, as off a
    # socket (the `requests` adapter takes the raw bytes from it).
    return httpx.Response(status, headers=headers, stream=httpx.ByteStream(content),
                          request=request)


async def call_app(app: ASGIApp, request: httpx.Request, body: bytes) -> Answer:
    """One HTTP exchange with the ASGI app: the whole body in, the whole answer out."""
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
        await app(_scope(request), receive, send)
    finally:
        finished.set()
    return status, headers, b"".join(chunks)


def _scope(request: httpx.Request) -> dict[str, Any]:
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
