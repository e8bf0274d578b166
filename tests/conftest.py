"""Shared fixtures: an emulator app on a virtual clock, reached in-process through httpx."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from starlette.applications import Starlette
from support.apps import client_for
from support.contract import CONTRACT, ORIGINAL_CALL, Contract
from support.wire import ACME_KEY, START

from emulator import create_app
from emulator.app import EmulatorApp
from emulator.testing import VirtualClock


def pytest_configure(config: pytest.Config) -> None:
    """The self-contract (tests/support/contract.py): every answer any emulator of this session
    gives is checked against the OpenAPI document; a mismatch fails the test that caused it."""
    contract = Contract.build()
    config.stash[CONTRACT] = contract
    config.stash[ORIGINAL_CALL] = EmulatorApp.__call__
    EmulatorApp.__call__ = contract.wrap(EmulatorApp.__call__)  # type: ignore[method-assign]


def pytest_unconfigure(config: pytest.Config) -> None:
    if ORIGINAL_CALL in config.stash:
        EmulatorApp.__call__ = config.stash[ORIGINAL_CALL]  # type: ignore[method-assign]


def _fail_on_contract_problems(item: pytest.Item) -> None:
    problems = item.config.stash[CONTRACT].take_problems()
    if problems:
        pytest.fail("answers that break the OpenAPI document (tests/support/contract.py):\n"
                    + "\n".join(problems), pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    item.config.stash[CONTRACT].take_problems()  # a fresh start for each test
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    result = yield
    _fail_on_contract_problems(item)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    result = yield
    _fail_on_contract_problems(item)
    return result


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

