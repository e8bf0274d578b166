"""A state file written by 0.2.0 (`data/state-0.2.0.json`, made by the round-trip test's
`_build` on that release, its scenario without webhooks) still loads, and the emulator it gives
answers exactly as one built the same way today: rows are stored differently since (compact
recipient rows), the file's record of a row is not."""

from __future__ import annotations

import shutil
from pathlib import Path

from support.apps import client_for
from support.language import scenario

from statefile.test_round_trip import TAIL, _advance, _app, _build, _observe

OLD_FILE = Path(__file__).parent / "data" / "state-0.2.0.json"
NO_HOOKS = TAIL.split("    webhooks:")[0]


async def test_a_state_file_of_0_2_0_answers_like_the_same_state_built_today(
        tmp_path: Path) -> None:
    today = _app(tmp_path / "today.json", scenario(NO_HOOKS))
    async with client_for(today, None) as control:
        keys = await _build(control)
    shutil.copy(OLD_FILE, tmp_path / "old.json")
    restored = _app(tmp_path / "old.json")

    assert len(keys) == 5
    assert await _observe(restored, keys) == await _observe(today, keys)
    for seconds in (29, 600, 7200):
        assert await _advance(restored, seconds) == await _advance(today, seconds)
        assert await _observe(restored, keys) == await _observe(today, keys)
