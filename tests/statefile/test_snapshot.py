"""POST /_emulator/snapshot, and state that only shows under pressure: rate-limit windows."""

from __future__ import annotations

from pathlib import Path

from support.apps import client_for
from support.language import START, assert_envelope, scenario

from emulator import create_app
from emulator.scenario.load import load_scenario_text
from emulator.settings import Settings
from emulator.support.clock import VirtualClock


async def test_without_a_state_file_a_snapshot_is_a_409() -> None:
    app = create_app(scenario=load_scenario_text(scenario()), clock=VirtualClock(START))
    async with client_for(app, None) as control:
        body = assert_envelope(await control.post("/_emulator/snapshot"), 409)
    assert "--state-file" in body["message"]


async def test_a_snapshot_replaces_the_file_whole(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    app = create_app(Settings(state_file=str(state)), scenario=load_scenario_text(scenario()),
                     clock=VirtualClock(START))
    async with client_for(app, None) as control:
        first = await control.post("/_emulator/snapshot")
        assert first.status_code == 200, first.text
        await control.post("/_emulator/orgs", json={"name": "More"})
        second = await control.post("/_emulator/snapshot")
    assert second.json() == {"saved": str(state), "bytes": state.stat().st_size}
    assert second.json()["bytes"] > first.json()["bytes"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]  # no temporary left


async def test_rate_limit_windows_survive_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    text = scenario("""
        rate_limits:
          send: {requests: 3, per_seconds: 60}
          general: {requests: 6, per_seconds: 60}
    """)
    first = create_app(Settings(state_file=str(state)), scenario=load_scenario_text(text),
                       clock=VirtualClock(START))
    async with client_for(first, "key_a") as a:
        for _ in range(3):
            sent = await a.post("/orgs/org_a/broadcasts/bc_mail/send",
                                json={"contact_id": "ct_ada"})
            assert sent.status_code == 200, sent.text
        await a.get("/orgs/org_a/broadcasts")
    async with client_for(first, None) as control:
        assert (await control.post("/_emulator/snapshot")).status_code == 200
    second = create_app(Settings(state_file=str(state)), clock=VirtualClock(START))
    answers = []
    for app in (first, second):
        async with client_for(app, "key_a") as a:
            refused = await a.post("/orgs/org_a/broadcasts/bc_mail/send",
                                   json={"contact_id": "ct_ada"})
            assert_envelope(refused, 429)
            listed = [(await a.get("/orgs/org_a/contacts")).status_code for _ in range(3)]
            answers.append((refused.content, refused.headers["retry-after"], listed))
    assert answers[0] == answers[1]
    assert answers[0][2] == [200, 429, 429]


async def test_a_snapshot_that_cannot_be_written_is_a_500_naming_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "gone"
    folder.mkdir()
    state = folder / "state.json"
    app = create_app(Settings(state_file=str(state)), scenario=load_scenario_text(scenario()),
                     clock=VirtualClock(START))
    folder.rmdir()
    async with client_for(app, None) as control:
        body = assert_envelope(await control.post("/_emulator/snapshot"), 500)
    assert str(state) in body["message"]
    assert not folder.exists()
