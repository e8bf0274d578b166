"""POST /_emulator/snapshot, and state that only shows under pressure: rate-limit windows."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest
from support.apps import client_for
from support.language import START, assert_envelope, scenario

from emulator import create_app, load_scenario_text
from emulator.settings import Settings
from emulator.statefile import StateFileError
from emulator.testing import VirtualClock


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


async def test_a_gz_state_file_is_compressed_and_reads_back(tmp_path: Path) -> None:
    state = tmp_path / "state.json.gz"
    first = create_app(Settings(state_file=str(state)), scenario=load_scenario_text(scenario()),
                       clock=VirtualClock(START))
    async with client_for(first, None) as control:
        made = (await control.post("/_emulator/orgs", json={"name": "Zipped"})).json()
        assert (await control.post("/_emulator/snapshot")).status_code == 200
    assert gzip.decompress(state.read_bytes()).startswith(b'{"format":"invent-emulator state"')
    second = create_app(Settings(state_file=str(state)), clock=VirtualClock(START))
    async with client_for(second, made["api_key"]) as http:
        listed = await http.get(f"/orgs/{made['id']}/broadcasts")
    assert listed.status_code == 200, listed.text


@pytest.mark.parametrize("damage, words", [
    (lambda zipped: zipped[: len(zipped) // 2], "truncated"),
    (lambda zipped: zipped[:10] + b"\x00" * 40 + zipped[50:], "corrupt"),
])
def test_a_damaged_gz_state_file_stops_start_up(tmp_path: Path, damage: Any,
                                                 words: str) -> None:
    state = tmp_path / "state.json.gz"
    state.write_bytes(damage(gzip.compress(b'{"format": "invent-emulator state"}' * 100)))
    with pytest.raises(StateFileError, match=words) as caught:
        create_app(Settings(state_file=str(state)), clock=VirtualClock(START))
    assert str(state) in str(caught.value)
