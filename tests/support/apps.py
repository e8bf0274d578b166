"""Emulator apps built from YAML on a virtual clock, and in-process clients for them."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from emulator import Settings, create_app, load_scenario_text
from emulator.testing import VirtualClock

BASE_URL = "http://emulator.test"


def app_from_yaml(text: str, clock: VirtualClock, settings: Settings | None = None) -> Starlette:
    return create_app(settings, scenario=load_scenario_text(text), clock=clock)


def client_for(app: Starlette, key: str | None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL,
                             headers=headers)
