"""The state file at scale: saving and loading `big-campaign` (100,000 contacts) before and after
its 200,000-row marketing send, with the file's size. In-process; the file goes to a temporary
folder that is removed afterwards. The last line saves to a `.gz` name (gzip-compressed).

`--served` measures the same state in a served emulator (`invent-emulator serve`): how long a
save holds the server (the capture), the longest `/_emulator/health` answer while it saves, and
the time from SIGTERM to exit (grace, final save and exit) — what docs/reliability.md reports."""

from __future__ import annotations

import asyncio
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import threading
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


def served() -> None:
    """One served emulator with the 200,000-row state: a snapshot under health polling, then
    a stop. Figures from the server's own JSON log lines (`state_saved`)."""
    with tempfile.TemporaryDirectory() as folder:
        state, log_path = Path(folder) / "state.json", Path(folder) / "server.log"
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", "emulator", "serve", "--port", "0", "--scenario",
                 "big-campaign", "--state-file", str(state), "--log-format", "json"],
                stdout=subprocess.DEVNULL, stderr=log, stdin=subprocess.DEVNULL)
            try:
                url = _url(log_path, server)
                with httpx.Client(base_url=url, timeout=600,
                                  headers={"Authorization": f"Bearer {KEY}"}) as http:
                    assert http.post("/orgs/org_big/broadcasts/bc_launch/send").status_code == 200
                    assert http.get("/orgs/org_big/broadcasts/bc_launch/recipients"
                                    ).status_code == 200
                slowest = _health_during(url, lambda: httpx.post(url + "/_emulator/snapshot",
                                                                 timeout=600))
                cpu_before = _cpu_seconds(server.pid)
                stopping = time.monotonic()
                server.send_signal(signal.SIGTERM)
                code = server.wait(120)
                stop = time.monotonic() - stopping
                # CPU of the stop: on a shared machine the fairer figure.
                children = resource.getrusage(resource.RUSAGE_CHILDREN)
                stop_cpu = children.ru_utime + children.ru_stime - cpu_before
            finally:
                if server.poll() is None:
                    server.kill()
                    server.wait(30)
        saves = [json.loads(line) for line in log_path.read_text().splitlines()
                 if '"state_saved"' in line]
        snapshot, final = saves[0], saves[-1]
        print(f"served, 100,000 contacts + 200,000 rows ({snapshot['bytes'] / 1e6:.0f} MB): "
              f"capture {snapshot['capture_ms']:.0f} ms, snapshot {snapshot['seconds']:.1f} s, "
              f"longest health answer during it {slowest * 1000:.0f} ms; stop (SIGTERM to exit, "
              f"final save {final['seconds']:.1f} s) {stop:.1f} s ({stop_cpu:.1f} s CPU), "
              f"exit {code}")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _url(log_path: Path, server: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        match = re.search(r'"url": ?"(http://[^"]+)"', log_path.read_text())
        if match:
            return match.group(1)
        assert server.poll() is None, log_path.read_text()
        time.sleep(0.1)
    raise AssertionError("the server never listened")


def _health_during(url: str, work: object) -> float:
    """The longest health answer (polled every 50 ms) while `work` runs on a thread."""
    worker = threading.Thread(target=work)  # type: ignore[arg-type]
    worker.start()
    slowest = 0.0
    with httpx.Client(base_url=url, timeout=60) as http:
        while worker.is_alive():
            asked = time.monotonic()
            assert http.get("/_emulator/health").status_code == 200
            slowest = max(slowest, time.monotonic() - asked)
            time.sleep(0.05)
    worker.join()
    return slowest


if __name__ == "__main__":
    if "--served" in sys.argv:
        served()
    else:
        asyncio.run(main())
