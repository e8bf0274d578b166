"""The state file at scale: saving and loading `big-campaign` (100,000 contacts) before and after
its 200,000-row marketing send, with the file's size. In-process; the file goes to a temporary
folder that is removed afterwards. The last line saves to a `.gz` name (gzip-compressed)."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

import httpx

from emulator import create_app
from emulator.settings import Settings
from emulator.statefile import load_state, save_state
from emulator.testing import VirtualClock
from emulator.webhooks import RowRenderer

KEY = "test_key_big"


def timed_save(app: object, path: Path, label: str) -> None:
    emulator = app.state.emulator  # type: ignore[attr-defined]
    started, cpu = time.perf_counter(), time.process_time()
    size = save_state(emulator, path)
    saved, saved_cpu = time.perf_counter() - started, time.process_time() - cpu
    render: RowRenderer = emulator.webhooks.render_row
    started, cpu = time.perf_counter(), time.process_time()
    restored = load_state(path, VirtualClock(emulator.clock.now()), render)
    loaded, loaded_cpu = time.perf_counter() - started, time.process_time() - cpu
    assert restored is not None
    # CPU time too: on a busy machine it is the fairer number.
    print(f"{label}: save {saved:.2f} s ({saved_cpu:.2f} s CPU), load {loaded:.2f} s "
          f"({loaded_cpu:.2f} s CPU), file {size / 1e6:.1f} MB")


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "state.json"
        app = create_app(Settings(scenario="big-campaign", state_file=str(path)))
        timed_save(app, path, "100,000 contacts")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://emulator.test",
                                     headers={"Authorization": f"Bearer {KEY}"}) as client:
            sent = await client.post("/orgs/org_big/broadcasts/bc_launch/send")
            assert sent.status_code == 200, sent.text
            page = await client.get("/orgs/org_big/broadcasts/bc_launch/recipients")
            assert page.status_code == 200, page.text
        timed_save(app, path, "100,000 contacts + 200,000 rows")
        timed_save(app, path.with_name("state.json.gz"), "the same, gzip (.gz)")


if __name__ == "__main__":
    asyncio.run(main())
