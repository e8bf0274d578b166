"""The requests that made the 0.2.0 state files in `legacy/` (written by invent-emulator 0.2.0,
before each stateful object saved its own state), so a test can make the same state with the
current code and compare it with the one loaded from the old file.

To remake the files (only ever from a 0.2.0 checkout): `python tests/statefile/legacy_steps.py`."""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette

from emulator import Settings, create_app, load_scenario_file
from emulator.scenario.limits import ScenarioLimits
from emulator.testing import VirtualClock

LEGACY = Path(__file__).parent / "legacy"
SCENARIOS = Path(__file__).parents[2] / "scenarios"
BASE_URL = "http://emulator.test"
OWN: dict[str, Any] = {
    "seed": 7,
    "clock": {"mode": "virtual", "start": "2026-02-01T00:00:00Z"},
    "outcomes": [{"when": {"email": "*@bounce.test"}, "outcome": "bounced"},
                 {"when": {}, "outcome": ["delivered", "opened"]}],
    "orgs": [{"id": "own", "name": "Own", "contacts": [{"id": "ct_own", "email": "o@own.test"}],
              "broadcasts": [{"id": "bc_own", "name": "Own", "type": "TRANSACTIONAL",
                              "status": "ACTIVE", "templates": [
                                  {"id": "tpl_own", "integration_id": "gmail",
                                   "config": {"subject": "Hi"}}]}]}],
}


def client(app: Starlette, key: str | None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL,
                             headers=headers)


async def _ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


async def default_steps(app: Starlette) -> dict[str, str]:
    """Sends, a copy, an org with its own scenario (rule sources), a marketing send, time."""
    keys = {"org_acme": "test_key_acme"}
    async with client(app, None) as control, client(app, "test_key_acme") as acme:
        for i, body in enumerate(({"email": "ada@example.com"}, {"contact_id": "ct_bob"},
                                  {"email": "new@example.test"}, {"phone": "+15550100001"})):
            await _ok(await acme.post("/orgs/org_acme/broadcasts/bc_otp/send",
                                      json={**body, "variables": {"otp": f"{i:06d}"}}))
        await _ok(await acme.post("/orgs/org_acme/broadcasts/bc_spring/send"))
        copy = await _ok(await control.post("/_emulator/orgs", json={"copy_of": "org_acme"}))
        own = await _ok(await control.post("/_emulator/orgs", json={"scenario": OWN}))
        keys[copy["id"]], keys[own["id"]] = copy["api_key"], own["api_key"]
        async with client(app, own["api_key"]) as o:
            for email in ("a@bounce.test", "b@x.test", "c@x.test"):
                await _ok(await o.post(f"/orgs/{own['id']}/broadcasts/bc_own/send",
                                       json={"email": email}))
        await _ok(await control.post("/_emulator/clock/advance", json={"seconds": 2}))
    return keys


async def marketing_steps(app: Starlette) -> dict[str, str]:
    """The scheduled newsletter half way through, and the send that fails."""
    keys = {"org_news": "test_key_news"}
    async with client(app, None) as control, client(app, "test_key_news") as news:
        await _ok(await news.post("/orgs/org_news/broadcasts/bc_outage/send"))
        await _ok(await control.post("/_emulator/clock/advance", json={"seconds": 10800 + 60}))
    return keys


CASES: dict[str, tuple[str, Callable[[Starlette], Awaitable[dict[str, str]]]]] = {
    "default": ("default.yaml", default_steps),
    "marketing": ("scheduled-campaign.yaml", marketing_steps),
}
START = "2026-01-05T09:00:00+00:00"


def build(case: str, state_file: Path | None) -> Starlette:
    """The case's scenario on a virtual clock (or the state file, when it exists)."""
    from datetime import datetime

    name, _ = CASES[case]
    spec = load_scenario_file(SCENARIOS / name, ScenarioLimits.from_settings(Settings()))
    settings = Settings(state_file=str(state_file)) if state_file else Settings()
    return create_app(settings, scenario=spec, clock=VirtualClock(datetime.fromisoformat(START)))


async def observe(app: Starlette, keys: dict[str, str]) -> list[tuple[str, int, Any]]:
    """Every list and lookup (parsed), in one fixed order."""
    seen: list[tuple[str, int, Any]] = []
    async with client(app, None) as control:

        async def look(http: httpx.AsyncClient, path: str, **params: Any) -> Any:
            response = await http.get(path, params=params)
            seen.append((path, response.status_code, response.json()))
            return response.json()

        for org_id, key in keys.items():
            async with client(app, key) as http:
                for b in await look(http, f"/orgs/{org_id}/broadcasts", take=100):
                    await look(http, f"/orgs/{org_id}/broadcasts/{b['id']}/recipients", take=100)
                for c in await look(http, f"/orgs/{org_id}/contacts", take=100):
                    await look(http, f"/orgs/{org_id}/contacts/{c['id']}/segments")
                await look(http, f"/orgs/{org_id}/segments")
        for path in ("/_emulator/messages", "/_emulator/suppressions", "/_emulator/clock",
                     "/_emulator/webhooks", "/_emulator/requests", "/_emulator/orgs"):
            await look(control, path, limit=1000)
    return seen


async def _write(case: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "state.json"
        app = build(case, path)
        await CASES[case][1](app)
        async with client(app, None) as control:
            await _ok(await control.post("/_emulator/snapshot"))
        shutil.copyfile(path, LEGACY / f"0.2.0-{case}.json")


if __name__ == "__main__":
    for name in sys.argv[1:] or list(CASES):
        asyncio.run(_write(name))
