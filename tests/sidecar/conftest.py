"""Fixtures for the sidecar tests: servers as real processes (tests/support/cli.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.cli import DefaultServer, Spawner


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Spawner]:
    with Spawner(tmp_path) as spawner:
        yield spawner


@pytest.fixture(scope="package")
def default_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DefaultServer]:
    """One `serve --port 0` for the tests here that only ask it things (support/cli.py's
    DEFAULT_SERVER_GROUP); killed when they are done."""
    with Spawner(tmp_path_factory.mktemp("default-server")) as spawner:
        yield DefaultServer(spawner)
