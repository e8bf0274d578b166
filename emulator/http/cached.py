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


def rendered(emulator: Emulator, org: Org, kind: str, entity: T,
             render: Callable[[Org, T], Any]) -> bytes:
    """`render(org, entity)` encoded, from the cache when its bytes are still good."""
    cache = emulator.renders
    if cache is None:
        return encode_json(render(org, entity))
    return cache.bytes_of(kind, entity, (emulator.writes, org.version),
                          lambda: _exact(encode_json(render(org, entity))))


def _exact(encoded: bytes) -> bytes:
    """A copy of exactly its length: orjson's bytes keep the spare room of its write buffer
    (about 16 KB for a 2 KB row), which a kept entry would hold on to."""
    return memoryview(encoded).tobytes()


def json_array(items: Iterable[bytes]) -> bytes:
    return b"[" + b",".join(items) + b"]"


def paged_bytes(items: Sequence[T], params: query.Page,
                render: Callable[[T], bytes]) -> Response:
    """`paged` (http/common.py) from bytes."""
    return json_answer(json_array(render(item) for item in params.slice(items)),
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
