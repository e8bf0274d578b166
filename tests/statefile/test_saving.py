"""Saves while the emulator serves: requests that ask for a save while one runs share it, and
periodic saves never come closer together than a save takes."""

from __future__ import annotations

import asyncio
import logging
import time
import types
from pathlib import Path

import anyio
import pytest
from support.apps import client_for
from support.language import START, scenario

from emulator import Settings, create_app, load_scenario_text
from emulator.statefile import Saver, target
from emulator.statefile import saver as saver_module
from emulator.testing import VirtualClock


def _slow_writes(monkeypatch: pytest.MonkeyPatch, seconds: float) -> list[float]:
    """Every write takes `seconds` (on the worker thread it runs on); returns their start times."""
    started: list[float] = []
    write = target.Target.write

    def slow(self: target.Target, data: bytes) -> None:
        started.append(time.monotonic())
        time.sleep(seconds)
        write(self, data)

    monkeypatch.setattr(target.Target, "write", slow)
    return started


async def test_concurrent_snapshot_requests_share_one_save(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "state.json"
    app = create_app(Settings(state_file=str(state)), scenario=load_scenario_text(scenario()),
                     clock=VirtualClock(START))
    writes = _slow_writes(monkeypatch, 0.3)
    answers = []
    async with client_for(app, None) as control:

        async def snapshot() -> None:
            answers.append(await control.post("/_emulator/snapshot"))

        async with anyio.create_task_group() as group:
            for _ in range(3):
                group.start_soon(snapshot)
        health = await control.get("/_emulator/health")
    assert len(writes) == 1
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert len({a.content for a in answers}) == 1
    assert answers[0].json()["bytes"] == state.stat().st_size
    assert health.status_code == 200


async def test_save_every_shorter_than_a_save_is_stretched_with_a_warning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(Settings(state_file=str(tmp_path / "state.json"), save_every=1),
                     scenario=load_scenario_text(scenario()), clock=VirtualClock(START))
    saver: Saver = app.state.saver
    writes = _slow_writes(monkeypatch, 1.1)
    # The pauses between saves are asked of the saver's asyncio: recorded and skipped, so the
    # test waits for the one slow save only; the pause after it ends the loop.
    pauses: list[float] = []

    async def pause(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) > 1:
            raise asyncio.CancelledError

    monkeypatch.setattr(saver_module, "asyncio",
                        types.SimpleNamespace(**{**vars(asyncio), "sleep": pause}))
    with caplog.at_level(logging.WARNING, "emulator"), pytest.raises(asyncio.CancelledError):
        await saver.save_periodically(1)
    assert len(writes) == 1
    # The save took 1.1 s: the next one waits 2 s, not the 1 s asked for.
    assert pauses == [1, 2]
    assert "longer than --save-every 1 s: saving every 2 s instead" in caplog.text
