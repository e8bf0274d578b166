"""Interception for aiohttp: `ClientSession._request` patched on the class (as aioresponses
does), so sessions made before the test are covered too. An intercepted request is converted to
httpx, answered by the emulator (in-process or over its socket, like httpx and `requests`), and
handed back as an `aiohttp.ClientResponse`.

aiohttp has no public hook that both covers existing sessions and answers without a socket, so
this module is the one place that touches its private parts: `ClientSession._request`,
`ClientSession._build_url`, and how a `ClientResponse` is put together. It checks the aiohttp
version against the range the suite tests (docs/decisions.md) and refuses any other. Imported
only when an interception starts and aiohttp is installed."""

from __future__ import annotations

import asyncio
import json as jsonlib
from collections.abc import Awaitable, Callable
from typing import Any, Protocol
from urllib.parse import urlencode

import aiohttp
import httpx
from aiohttp.base_protocol import BaseProtocol
from aiohttp.client_reqrep import ClientResponse, RequestInfo
from aiohttp.helpers import TimerNoop
from aiohttp.streams import StreamReader
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

# The aiohttp versions this module is tested with (tests/testing/test_aiohttp_interception.py):
# from the first, up to but excluding the second.
TESTED_VERSIONS = ((3, 14), (3, 15))

Request = Callable[..., Awaitable[ClientResponse]]


def check_version(version: str = aiohttp.__version__) -> None:
    """Refuse an aiohttp whose private parts this module was not tested against."""
    major_minor = tuple(int(part) for part in version.split(".")[:2])
    low, high = TESTED_VERSIONS
    if not low <= major_minor < high:
        raise RuntimeError(
            f"invent_intercept supports aiohttp {low[0]}.{low[1]} up to (not including) "
            f"{high[0]}.{high[1]}; this is aiohttp {version}. Pin aiohttp in that range, or "
            "use httpx or requests for the calls under test")


class Router(Protocol):
    """What the patch hands intercepted requests to (testing/interception.Interception)."""

    def intercepts(self, url: httpx.URL) -> bool: ...

    def refuse_if_blocked(self, method: str, url: httpx.URL) -> None: ...

    async def asend(self, request: httpx.Request) -> httpx.Response: ...


def session_patch(router: Router) -> tuple[type, str, Callable[[Request], Request]]:
    """What to replace for the block (testing/patching.replaced): `ClientSession._request`, and
    how the replacement is made from the original."""
    check_version()

    def make(original: Request) -> Request:
        async def _request(session: aiohttp.ClientSession, method: str, str_or_url: Any,
                           **kwargs: Any) -> ClientResponse:
            url = session._build_url(str_or_url)
            if kwargs.get("params"):
                url = url.extend_query(kwargs["params"])
            as_httpx = httpx.URL(str(url))
            if not router.intercepts(as_httpx):
                router.refuse_if_blocked(method.upper(), as_httpx)
                return await original(session, method, str_or_url, **kwargs)
            request = _to_httpx(session, method.upper(), as_httpx, kwargs)
            answer = await router.asend(request)
            response = await _to_aiohttp(session, request, url, answer)
            wanted = kwargs.get("raise_for_status")
            if wanted is None:
                wanted = session._raise_for_status
            if callable(wanted):
                await wanted(response)
            elif wanted:
                response.raise_for_status()
            return response
        return _request

    return aiohttp.ClientSession, "_request", make


def _to_httpx(session: aiohttp.ClientSession, method: str, url: httpx.URL,
              kwargs: dict[str, Any]) -> httpx.Request:
    headers = CIMultiDict(session.headers)
    headers.update(CIMultiDict(kwargs.get("headers") or {}))
    content = _body(kwargs.get("data"), kwargs.get("json"), headers)
    return httpx.Request(method, url, headers=list(headers.items()), content=content)


def _body(data: Any, json: Any, headers: CIMultiDict[str]) -> bytes:
    if json is not None:
        headers.setdefault("Content-Type", "application/json")
        return jsonlib.dumps(json).encode("utf-8")
    if data is None:
        return b""
    if isinstance(data, bytes | bytearray):
        return bytes(data)
    if isinstance(data, str):
        return data.encode("utf-8")
    if isinstance(data, dict):
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        return urlencode(data).encode("ascii")
    raise TypeError(f"invent_intercept cannot send an aiohttp body of type "
                    f"{type(data).__name__}")


class _Sent:
    """Stands for the stream writer of a request that was already sent."""

    output_size = 0


async def _to_aiohttp(session: aiohttp.ClientSession, request: httpx.Request, url: URL,
                      answer: httpx.Response) -> ClientResponse:
    try:  # the bytes as the emulator sent them
        raw = b"".join([chunk async for chunk in answer.aiter_raw()])
    finally:
        await answer.aclose()
    loop = asyncio.get_running_loop()
    sent_headers = CIMultiDictProxy(CIMultiDict(request.headers.multi_items()))
    response = ClientResponse(
        request.method, url, writer=None, continue100=None, timer=TimerNoop(),
        request_info=RequestInfo(url, request.method, sent_headers, url), traces=[],
        loop=loop, session=session, stream_writer=_Sent(),  # type: ignore[arg-type]
    )
    response.status = answer.status_code
    response.reason = answer.reason_phrase
    headers = CIMultiDict(answer.headers.multi_items())
    response._headers = CIMultiDictProxy(headers)
    response._raw_headers = tuple((k.encode("latin-1"), v.encode("latin-1"))
                                  for k, v in answer.headers.multi_items())
    content = StreamReader(BaseProtocol(loop), max(len(raw), 2**16), loop=loop)
    content.feed_data(raw)
    content.feed_eof()
    response.content = content
    return response
