"""Shared fixtures: an emulator app on a virtual clock, reached in-process through httpx; the
self-contract; and the suite's scheme of markers (tests/README.md): a test in a SLOW_FOLDERS
folder, or one that uses `pytester`, is `slow` (left out by `dev.py test --fast`); the browser
tests share one chromium per xdist worker (group "browser")."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

# httpx imports httpcore lazily and caches httpcore's exception classes on first use, while an
# in-process pytester run removes every module first imported during it when it ends. Were
# httpcore first imported inside such a run, a later import would make new classes that the cache
# does not know: a refused connection would then raise httpcore.ConnectError instead of
# httpx.ConnectError for the rest of the worker. Importing it here puts it in pytester's snapshot.
import httpcore  # noqa: F401
import httpx
import pytest
from browser.support import REQUIRE_ENV, missing_browser_reason
from starlette.applications import Starlette
from support.apps import client_for
from support.contract import CONTRACT, ORIGINAL_CALL, Contract
from support.wire import ACME_KEY, START

from emulator import create_app, load_scenario_file
from emulator.app import EmulatorApp
from emulator.scenario.load import resolve_scenario_path
from emulator.scenario.schema import ScenarioSpec
from emulator.testing import VirtualClock


def pytest_configure(config: pytest.Config) -> None:
    """The self-contract (tests/support/contract.py): every answer any emulator of this session
    gives is checked against the OpenAPI document; a mismatch fails the test that caused it."""
    contract = Contract.build()
    config.stash[CONTRACT] = contract
    config.stash[ORIGINAL_CALL] = EmulatorApp.__call__
    EmulatorApp.__call__ = contract.wrap(  # type: ignore[method-assign,assignment]
        EmulatorApp.__call__)


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


TESTS = Path(__file__).resolve().parent
# Folders whose tests start processes or servers (the CLI, the sidecar, the browser, the bench,
# the built wheel, the plugin's inner sessions, Node): `slow`, so `dev.py test --fast` skips them.
SLOW_FOLDERS = frozenset({"benchmarks", "browser", "cli", "plugin", "sidecar", "typescript",
                          "wheel"})
BROWSER_GROUP = pytest.mark.xdist_group("browser")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        # Every coroutine test runs on anyio's asyncio backend (anyio ships with starlette) once:
        # a marked test that does not name `anyio_backend` would be run again on every backend
        # anyio finds (trio is installed), so it names it here.
        if isinstance(item, pytest.Function) and inspect.iscoroutinefunction(item.obj):
            item.add_marker(pytest.mark.anyio)
            if "anyio_backend" not in item.fixturenames:
                item.fixturenames.append("anyio_backend")
        folder = item.path.relative_to(TESTS).parts[0] if item.path.is_relative_to(TESTS) else ""
        if folder in SLOW_FOLDERS or "pytester" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
        if folder == "browser":
            item.add_marker(BROWSER_GROUP)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line when the browser tests were skipped for want of a browser."""
    skipped = [report for report in terminalreporter.stats.get("skipped", [])
               if "no chromium at" in str(getattr(report, "longrepr", ""))]
    if skipped:
        terminalreporter.write_line(
            f"{len(skipped)} browser tests skipped: {missing_browser_reason()} "
            f"({REQUIRE_ENV}=1 makes this a failure)", yellow=True, bold=True)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(START)


@pytest.fixture(scope="session")
def default_scenario() -> ScenarioSpec:
    """The bundled default scenario, parsed once per session (a loaded scenario is frozen, and
    parsing its YAML for every test cost a good part of the in-process tests' time)."""
    return load_scenario_file(resolve_scenario_path("default"))


@pytest.fixture
def app(clock: VirtualClock, default_scenario: ScenarioSpec) -> Starlette:
    """The bundled default scenario."""
    return create_app(scenario=default_scenario, clock=clock)


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

