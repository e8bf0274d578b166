"""pytester for these tests, a clean environment for every inner session, and one external
emulator (`invent-emulator serve` on 127.0.0.1, port 0) for the tests of the external mode."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from support.cli import Spawner

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
