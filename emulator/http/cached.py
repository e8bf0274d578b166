"""List answers assembled from each entity's kept rendered bytes (support/rendercache.py):
a JSON array is its items' compact encodings joined by commas, so the bytes are exactly what
encoding the whole list at once writes, without rendering an unchanged item again."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from starlette.responses import Response

from emulator.domain.org import Org
from emulator.http import query
from emulator.http.fastjson import encode_json
from emulator.service import Emulator

T = TypeVar("T")


def rendered_all(emulator: Emulator, org: Org, kind: str, entities: Iterable[T],
                 render: Callable[[Org, T], Any]) -> list[bytes]:
    """Each of `entities` rendered by `render(org, entity)` and encoded: from the cache while
    its bytes are good, the cache looked up in one loop."""
    cache = emulator.renders
    if cache is None:
        return [encode_json(render(org, entity)) for entity in entities]
    return cache.all_bytes(kind, entities, (emulator.writes, org.version),
                           lambda entity: _exact(encode_json(render(org, entity))))


def _exact(encoded: bytes) -> bytes:
    """A copy of exactly its length: orjson's bytes keep the spare room of its write buffer
    (about 16 KB for a 2 KB row), which a kept entry would hold on to."""
    return memoryview(encoded).tobytes()


def json_array(items: Iterable[bytes]) -> bytes:
    return b"[" + b",".join(items) + b"]"


def kept_answer(emulator: Emulator, org: Org, kind: str, owner: Any,
                query: bytes) -> Response | None:
    """The list `kind` of `owner` (an org, a broadcast) as answered to the same query string
    since the last change, or None. Asked once the request is authorized and its org caught
    up, so it is answered exactly as it would be rendered afresh."""
    cache = emulator.renders
    if cache is None:
        return None
    kept = cache.answer(kind, owner, query, (emulator.writes, org.version))
    return None if kept is None else json_answer(*kept)


def keep_answer(emulator: Emulator, org: Org, kind: str, owner: Any, query: bytes,
                body: bytes, headers: dict[str, str]) -> Response:
    """The list's answer, kept for `kept_answer` until the next change."""
    cache = emulator.renders
    if cache is not None:
        cache.keep_answer(kind, owner, query, (emulator.writes, org.version), body, headers)
    return json_answer(body, headers)


def paged_rendered(emulator: Emulator, org: Org, kind: str, items: Sequence[T],
                   params: query.Page, render: Callable[[Org, T], Any]) -> Response:
    """`paged` (http/common.py) from each item's kept bytes."""
    return json_answer(json_array(rendered_all(emulator, org, kind, params.slice(items), render)),
                       params.headers(len(items)))


class JSONBytes(Response):
    """Already encoded JSON, with the headers FastJSONResponse would send in the same order
    (the given ones lower-cased, then length and type), made directly: the dispatch writes its
    two messages as they are (http/dispatch.py `write`)."""

    media_type = "application/json"

    def __init__(self, body: bytes, headers: Mapping[str, str] | None = None) -> None:
        self.status_code = 200
        self.background = None
        self.body = body
        raw = ([(name.lower().encode("latin-1"), value.encode("latin-1"))
                for name, value in headers.items()] if headers else [])
        raw += ((b"content-length", b"%d" % len(body)), (b"content-type", b"application/json"))
        self.raw_headers = raw


def json_answer(body: bytes, headers: Mapping[str, str] | None = None) -> Response:
    """Already encoded JSON, with the headers FastJSONResponse would send."""
    return JSONBytes(body, headers)
