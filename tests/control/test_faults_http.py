"""Run-time faults over HTTP (issue 21 item 1): added to one org, they fire only on requests that
reach it, before the scenario's faults, `times` times; listed, removed, dropped by a reset, kept
by the state file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from support.apps import app_from_yaml, client_for
from support.scenarios import TWO_ORGS
from support.wire import START

from emulator import create_app
from emulator.scenario.load import load_scenario_text
from emulator.settings import Settings
from emulator.support.clock import VirtualClock

pytestmark = pytest.mark.anyio

SEND = {"email": "someone@example.test"}
FAULT = {"when": {"method": "POST", "path": "/orgs/*/broadcasts/*/send"},
         "respond": {"status": 503}}


def _app() -> Starlette:
    return app_from_yaml(TWO_ORGS, VirtualClock(START))


async def _ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


async def _statuses(client: httpx.AsyncClient, org: str, broadcast: str, n: int) -> list[int]:
    return [(await client.post(f"/orgs/{org}/broadcasts/{broadcast}/send", json=SEND)).status_code
            for _ in range(n)]


async def test_a_fault_fires_times_times_on_its_org_only() -> None:
    app = _app()
    async with (client_for(app, None) as control, client_for(app, "key_a") as a,
                client_for(app, "key_b") as b):
        added = await _ok(await control.post("/_emulator/orgs/org_a/faults",
                                             json={**FAULT, "times": 2}))
        assert added == {"id": "fault_1"}
        assert await _statuses(b, "c", "bc_b", 2) == [200, 200]
        listed = await _ok(await control.get("/_emulator/orgs/org_a/faults"))
        assert listed == [{"id": "fault_1", **FAULT, "times": 2, "remaining": 2, "fired": 0}]
        first = await a.post("/orgs/c/broadcasts/bc_a/send", json=SEND)
        assert first.status_code == 503
        assert first.json()["message"] == "Injected fault (fault_1)"
        listed = await _ok(await control.get("/_emulator/orgs/org_a/faults"))
        assert (listed[0]["remaining"], listed[0]["fired"]) == (1, 1)
        assert await _statuses(a, "org_a", "bc_a", 2) == [503, 200]
        assert await _ok(await control.get("/_emulator/orgs/org_a/faults")) == []
        assert await _ok(await control.get("/_emulator/orgs/org_b/faults")) == []
        journal = await _ok(await control.get("/_emulator/requests",
                                               params={"org_id": "org_a", "status": "503"}))
        assert [e["path"] for e in journal] == ["/orgs/org_a/broadcasts/bc_a/send",
                                                "/orgs/c/broadcasts/bc_a/send"]


async def test_a_fault_waits_for_the_key_to_be_checked() -> None:
    app = _app()
    async with (client_for(app, None) as control, client_for(app, "wrong") as wrong,
                client_for(app, "key_b") as b, client_for(app, "key_a") as a):
        await _ok(await control.post("/_emulator/orgs/org_a/faults", json=FAULT))
        assert await _statuses(wrong, "org_a", "bc_a", 1) == [401]
        assert await _statuses(b, "org_a", "bc_a", 1) == [401]  # b's key cannot reach org_a
        assert await _statuses(a, "org_a_sub", "bc_sub", 1) == [200]  # another org
        assert await _statuses(a, "org_a", "bc_a", 1) == [503]


async def test_run_time_faults_come_before_the_scenarios() -> None:
    text = TWO_ORGS + """
faults:
  - when: {path: "/orgs/*/broadcasts/*/send"}
    respond: {status: 500, message: from the scenario}
"""
    app = app_from_yaml(text, VirtualClock(START))
    async with client_for(app, None) as control, client_for(app, "key_a") as a:
        await _ok(await control.post("/_emulator/orgs/org_a/faults",
                                     json={"respond": {"status": 429, "retry_after": 3},
                                           "times": 1}))
        first = await a.post("/orgs/c/broadcasts/bc_a/send", json=SEND)
        assert (first.status_code, first.headers["retry-after"]) == (429, "3")
        assert await _statuses(a, "c", "bc_a", 1) == [500]


async def test_every_and_nth_count_the_orgs_requests() -> None:
    app = _app()
    async with client_for(app, None) as control, client_for(app, "key_a") as a:
        await _ok(await control.post("/_emulator/orgs/org_a/faults",
                                     json={**FAULT, "every": 2, "times": 2}))
        assert await _statuses(a, "c", "bc_a", 6) == [200, 503, 200, 503, 200, 200]


async def test_faults_are_removed_one_or_all_and_by_a_reset() -> None:
    app = _app()
    async with client_for(app, None) as control, client_for(app, "key_a") as a:
        ids = [(await _ok(await control.post("/_emulator/orgs/org_a/faults", json=FAULT)))["id"]
               for _ in range(3)]
        assert await _ok(await control.delete(f"/_emulator/orgs/org_a/faults/{ids[0]}")) == {
            "deleted": ids[0]}
        missing = await control.delete(f"/_emulator/orgs/org_a/faults/{ids[0]}")
        assert missing.status_code == 404
        assert ids[0] in missing.json()["message"]
        assert await _ok(await control.delete("/_emulator/orgs/org_a/faults")) == {"cleared": 2}
        assert await _statuses(a, "c", "bc_a", 1) == [200]
        await _ok(await control.post("/_emulator/orgs/org_a/faults", json=FAULT))
        await _ok(await control.post("/_emulator/reset", json={"org_id": "org_a"}))
        assert await _ok(await control.get("/_emulator/orgs/org_a/faults")) == []
        assert await _statuses(a, "c", "bc_a", 1) == [200]


async def test_a_bad_fault_is_a_400_naming_the_field() -> None:
    app = _app()
    async with client_for(app, None) as control:
        for body, field in (({**FAULT, "times": 0}, "times"),
                            ({"respond": {"status": 200}}, "respond.status"),
                            ({**FAULT, "every": 2, "nth": 1}, ""),
                            ({"when": {"verb": "GET"}, "drop": True}, "when.verb")):
            response = await control.post("/_emulator/orgs/org_a/faults", json=body)
            assert response.status_code == 400, body
            if field:
                assert field in response.text, (body, response.text)
        unknown = await control.post("/_emulator/orgs/nope/faults", json=FAULT)
        assert unknown.status_code == 404
        assert await _ok(await control.get("/_emulator/orgs/org_a/faults")) == []


async def test_run_time_faults_survive_the_state_file(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    spec = load_scenario_text(TWO_ORGS)
    first = create_app(Settings(state_file=str(path)), scenario=spec, clock=VirtualClock(START))
    async with client_for(first, None) as control, client_for(first, "key_a") as a:
        await _ok(await control.post("/_emulator/orgs/org_a/faults",
                                     json={**FAULT, "probability": 0.5, "times": 5}))
        await _statuses(a, "c", "bc_a", 3)
        await _ok(await control.post("/_emulator/snapshot"))
        before = await _ok(await control.get("/_emulator/orgs/org_a/faults"))
    second = create_app(Settings(state_file=str(path)), clock=VirtualClock(START))
    async with client_for(second, None) as control, client_for(second, "key_a") as a2:
        assert await _ok(await control.get("/_emulator/orgs/org_a/faults")) == before
        async with client_for(first, "key_a") as a:
            assert await _statuses(a2, "c", "bc_a", 8) == await _statuses(a, "c", "bc_a", 8)
