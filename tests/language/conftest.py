"""Fixtures of the scenario-language tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """pytest-httpserver's webhook receiver listens on loopback, on a free port."""
    return ("127.0.0.1", 0)
