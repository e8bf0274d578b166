"""A state file written by 0.2.0 still loads, and the emulator it gives answers and goes on
exactly like one that made the same requests with this version."""

from __future__ import annotations

import shutil
from pathlib import Path

from . import legacy_steps as steps


async def test_a_0_2_0_state_file_of_the_default_scenario_loads_and_answers_the_same(
        tmp_path: Path) -> None:
    await _loads_and_answers_the_same("default", tmp_path)


async def test_a_0_2_0_state_file_of_a_marketing_scenario_loads_and_answers_the_same(
        tmp_path: Path) -> None:
    await _loads_and_answers_the_same("marketing", tmp_path)


async def _loads_and_answers_the_same(legacy: str, tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    shutil.copyfile(steps.LEGACY / f"0.2.0-{legacy}.json", path)
    restored = steps.build(legacy, path)
    replayed = steps.build(legacy, None)
    keys = await steps.CASES[legacy][1](replayed)
    assert await steps.observe(restored, keys) == await steps.observe(replayed, keys)
    for seconds in (30, 600, 7200):
        answers = []
        for app in (restored, replayed):
            async with steps.client(app, None) as control:
                answer = await control.post("/_emulator/clock/advance", json={"seconds": seconds})
                answers.append((answer.status_code, answer.json()))
        assert answers[0] == answers[1]
        assert await steps.observe(restored, keys) == await steps.observe(replayed, keys)
