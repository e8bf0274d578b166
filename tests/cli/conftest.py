"""Fixtures for the command-line tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.cli import Spawner


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Spawner]:
    """`spawn("--port", "0", ...)` starts `invent-emulator serve` in tmp_path; every server is
    killed when the test ends, whatever happened."""
    with Spawner(tmp_path) as spawner:
        yield spawner
