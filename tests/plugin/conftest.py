"""pytester for these tests, a clean environment for every inner session, one external emulator
(`invent-emulator serve` on 127.0.0.1, port 0) for the tests of the external mode, and the
self-contract set aside for inner sessions that break the emulator on purpose.

Inner sessions run in this interpreter (tests/support/pytester.py), so the self-contract of
tests/conftest.py also checks every answer their emulators give."""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator

import pytest
from support.cli import Spawner
from support.contract import ORIGINAL_CALL

from emulator import load_scenario_file
from emulator.app import EmulatorApp
from emulator.scenario.load import resolve_scenario_path

# pytester is loaded from here rather than with `pytest_plugins`, which pytest refuses in a
# conftest below the rootdir's.
INHERITED = ("PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT",
             "PYTEST_XDIST_TESTRUNUID", "PYTEST_XDIST_AUTO_NUM_WORKERS")


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No INVENT_EMULATOR_* setting and nothing of an outer xdist run reaches an inner session
    unless the test sets it."""
    for name in list(os.environ):
        if name.startswith("INVENT_EMULATOR_") or name in INHERITED:
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def external_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of an `invent-emulator serve --port 0` process (bundled `default` scenario),
    parsed from its `listening on http://...` log line; killed when the session ends."""
    with Spawner(tmp_path_factory.mktemp("external-emulator")) as spawn:
        server = spawn("--port", "0", "--host", "127.0.0.1")
        url, _ = server.wait_healthy(timeout=20.0)
        yield url


@pytest.fixture
def emulator_broken_on_purpose(monkeypatch: pytest.MonkeyPatch,
                               pytestconfig: pytest.Config) -> None:
    """For a test whose inner session makes the emulator raise (and answer an undocumented 500)
    on purpose: the app's own call, unchecked by the self-contract, until the test ends."""
    monkeypatch.setattr(EmulatorApp, "__call__", pytestconfig.stash[ORIGINAL_CALL])


# Imported by inner sessions but by no emulator start-up: the interception of httpx, requests
# and aiohttp, pytest-asyncio (the outer suite runs without it), xdist's controller, and FastAPI
# (a README example: it imports pydantic modules the emulator does not).
EARLY_IMPORTS = ("aiohttp", "emulator.testing.aiohttp_adapter", "emulator.testing.interception",
                 "pytest_asyncio.plugin", "xdist.dsession", "xdist.workermanage", "fastapi")


@pytest.fixture(scope="session", autouse=True)
def _imported_before_inner_sessions() -> None:
    """An in-process inner session drops every module first imported during it (pytester's
    snapshot of sys.modules), so each session would import uvicorn, aiohttp and the plugin's
    runtime again: a second each, and new classes beside the old ones (see the httpcore note in
    tests/conftest.py). An emulator started and stopped here in each mode, and the interception
    modules, import them once for the worker; so does a scenario file loaded here."""
    from emulator.testing.launch import MODES, running

    for name in EARLY_IMPORTS:
        importlib.import_module(name)
    for mode in MODES:
        with running("default", mode) as handle:
            assert handle.health()
    load_scenario_file(resolve_scenario_path("otp"))  # a file, as invent_scenario loads one
