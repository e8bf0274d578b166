"""Shared fixtures: an emulator app on a virtual clock, reached in-process through httpx."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from starlette.applications import Starlette

from emulator import create_app
from emulator.support.clock import VirtualClock
from emulator.scenario.load import load_scenario_text

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ACME_KEY = "test_key_acme"


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
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://emulator.test",
        headers={"Authorization": f"Bearer {ACME_KEY}"},
    ) as http:
        yield http


@pytest.fixture
async def anon(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """No Authorization header."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://emulator.test"
    ) as http:
        yield http


def app_from_yaml(text: str, clock: VirtualClock) -> Starlette:
    return create_app(scenario=load_scenario_text(text), clock=clock)


def client_for(app: Starlette, key: str | None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                             base_url="http://emulator.test", headers=headers)
