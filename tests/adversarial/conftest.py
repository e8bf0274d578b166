"""The hostile client: an in-process emulator on a virtual clock, with its log captured."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from support.hostile import Hostile

from emulator import create_app
from emulator.testing import VirtualClock


@pytest.fixture
async def hostile(clock: VirtualClock,
                  caplog: pytest.LogCaptureFixture) -> AsyncIterator[Hostile]:
    caplog.set_level(logging.INFO)
    app = create_app(clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://emulator.test") as http:
        yield Hostile(app, http, caplog)
