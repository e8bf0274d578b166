"""Fixtures for the command-line tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.cli import DefaultServer, Spawner


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Spawner]:
    """`spawn("--port", "0", ...)` starts `invent-emulator serve` in tmp_path; every server is
    killed when the test ends, whatever happened."""
    with Spawner(tmp_path) as spawner:
        yield spawner


@pytest.fixture(scope="package")
def default_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DefaultServer]:
    """One `serve --port 0` for the tests here that only ask it things (support/cli.py's
    DEFAULT_SERVER_GROUP); killed when they are done."""
    with Spawner(tmp_path_factory.mktemp("default-server")) as spawner:
        yield DefaultServer(spawner)
