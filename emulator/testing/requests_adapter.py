"""Interception for `requests`: `HTTPAdapter.send` patched on the class (as the `responses`
library does). An intercepted request is converted to httpx, answered by the emulator, and
converted back through the adapter's own `build_response`, so cookies, encoding, `raw` and
streaming behave as for a real answer. Imported only when an interception starts."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import httpx
import requests
from requests.adapters import HTTPAdapter
from urllib3 import HTTPResponse
from urllib3._collections import HTTPHeaderDict  # here in urllib3 1.26 and 2.x alike

from emulator.testing.replacing import Router, replaced

Send = Callable[..., requests.Response]


@contextlib.contextmanager
def adapter_send(router: Router) -> Iterator[None]:
    def make(original: Send) -> Send:
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
