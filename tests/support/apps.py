"""Emulator apps built from YAML on a virtual clock, and in-process clients for them."""

from __future__ import annotations

import functools

import httpx
from starlette.applications import Starlette

from emulator import Settings, create_app, load_scenario_text
from emulator.scenario.schema import ScenarioSpec
from emulator.testing import VirtualClock

BASE_URL = "http://emulator.test"


def app_from_yaml(text: str, clock: VirtualClock, settings: Settings | None = None) -> Starlette:
    return create_app(settings, scenario=parsed(text), clock=clock)


@functools.lru_cache(maxsize=512)
def parsed(text: str) -> ScenarioSpec:
    """`text` loaded once per process: a loaded scenario is frozen (an app never changes it, as
    the session's shared default scenario shows), and many tests build their apps from the same
    few texts; parsing the YAML again was about a quarter of the in-process tests' time. A text
    that is refused raises each time (errors are not kept)."""
    return load_scenario_text(text)


def client_for(app: Starlette, key: str | None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL,
                             headers=headers)
