"""The patches behind interception: httpx's default transports, `requests`' adapter and aiohttp's
`ClientSession._request`, replaced on the class (as pytest-httpx, `responses` and aioresponses
do), so clients made before the patch — at import time — are covered too; each restored exactly
as it was when the block ends, however it ends.

`requests` and aiohttp are optional dependencies of the project under test: each is patched only
when it can be imported, and imported only when an interception starts. An intercepted `requests`
call is converted to httpx, answered by the emulator, and converted back through the adapter's
own `build_response`, so cookies, encoding, `raw` and streaming behave as for a real answer.
aiohttp's patch, which needs its private parts, lives in testing/aiohttp_adapter.py."""

from __future__ import annotations

import contextlib
import importlib.util
import io
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

import httpx

if TYPE_CHECKING:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3 import HTTPResponse


class Router(Protocol):
    def intercepts(self, url: httpx.URL) -> bool: ...

    def refuse_if_blocked(self, method: str, url: httpx.URL) -> None: ...

    def send(self, request: httpx.Request) -> httpx.Response: ...

    async def asend(self, request: httpx.Request) -> httpx.Response: ...


@contextlib.contextmanager
def replaced(owner: type, name: str, make: Callable[[Any], Any]) -> Iterator[None]:
    """`owner.name` becomes `make(original)` for the block; afterwards the class holds exactly
    what it held before (its own attribute, or none when it inherited one)."""
    own = vars(owner).get(name)
    setattr(owner, name, make(getattr(owner, name)))
    try:
        yield
    finally:
        if own is None:
            delattr(owner, name)
        else:
            setattr(owner, name, own)


@contextlib.contextmanager
def patched(router: Router) -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        stack.enter_context(replaced(httpx.HTTPTransport, "handle_request",
                                     _sync_handler(router)))
        stack.enter_context(replaced(httpx.AsyncHTTPTransport, "handle_async_request",
                                     _async_handler(router)))
        if importlib.util.find_spec("requests") is not None:
            stack.enter_context(_adapter_send(router))
        if importlib.util.find_spec("aiohttp") is not None:
            from emulator.testing.aiohttp_adapter import session_patch

            stack.enter_context(replaced(*session_patch(router)))
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


@contextlib.contextmanager
def _adapter_send(router: Router) -> Iterator[None]:
    """`requests`' `HTTPAdapter.send` patched on the class (as the `responses` library does)."""
    from requests.adapters import HTTPAdapter

    def make(original: Callable[..., requests.Response]) -> Callable[..., requests.Response]:
        def send(adapter: HTTPAdapter, request: requests.PreparedRequest, *args: Any,
                 **kwargs: Any) -> requests.Response:
            url = httpx.URL(request.url or "")
            if router.intercepts(url):
                answer = router.send(_to_httpx(request, url))
                return adapter.build_response(request, _to_urllib3(answer, request.method))
            router.refuse_if_blocked(request.method or "GET", url)
            return original(adapter, request, *args, **kwargs)
        return send

    with replaced(HTTPAdapter, "send", make):
        yield


def _to_httpx(request: requests.PreparedRequest, url: httpx.URL) -> httpx.Request:
    return httpx.Request(request.method or "GET", url, headers=list(request.headers.items()),
                         content=_body_bytes(request.body))


def _body_bytes(body: object) -> bytes:
    """A prepared body is bytes, text, a file or an iterable of chunks (a streamed upload)."""
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    read = getattr(body, "read", None)
    if callable(read):
        data = read()
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if isinstance(body, Iterable):
        return b"".join(c.encode("utf-8") if isinstance(c, str) else bytes(c) for c in body)
    raise TypeError(f"cannot send a request body of type {type(body).__name__}")


def _to_urllib3(answer: httpx.Response, method: str | None) -> HTTPResponse:
    from urllib3 import HTTPResponse
    from urllib3._collections import HTTPHeaderDict  # here in urllib3 1.26 and 2.x alike

    try:  # the bytes as the emulator sent them: urllib3 decodes them as it would off the wire
        raw = b"".join(answer.iter_raw())
    finally:
        answer.close()
    headers = HTTPHeaderDict()
    for name, value in answer.headers.multi_items():  # repeated headers (Set-Cookie) kept
        headers.add(name, value)
    return HTTPResponse(body=io.BytesIO(raw), headers=headers, status=answer.status_code,
                        reason=answer.reason_phrase, preload_content=False,
                        decode_content=True, request_method=method)
