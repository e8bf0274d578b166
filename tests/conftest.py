"""Shared fixtures: an emulator app on a virtual clock, reached in-process through httpx."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from support.apps import client_for
from support.wire import ACME_KEY, START

from emulator import create_app
from emulator.support.clock import VirtualClock


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Every coroutine test runs on anyio's asyncio backend (anyio ships with starlette).
    for item in items:
        if isinstance(item, pytest.Function) and inspect.iscoroutinefunction(item.obj):
            item.add_marker(pytest.mark.anyio)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(START)


@pytest.fixture
def app(clock: VirtualClock) -> Starlette:
    """The bundled default scenario."""
    return create_app(clock=clock)


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """Authenticated as org_acme's key."""
    async with client_for(app, ACME_KEY) as http:
        yield http


@pytest.fixture
async def anon(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """No Authorization header."""
    async with client_for(app, None) as http:
        yield http

