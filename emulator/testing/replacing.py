"""What the patches behind interception share: the router they hand requests to, and how one
class attribute is replaced for a block and restored exactly."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import httpx


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
