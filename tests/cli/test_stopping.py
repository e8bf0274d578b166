"""How `serve --state-file` stops: SIGHUP like SIGTERM, any number of signals after the first
still exit 0, a stop with a slow final save fits `--stop-timeout`, a target that cannot be
written stops start-up (exit 2), and a final save that fails exits 1 saying what was lost."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from support.cli import URL_LINE, Spawner, clean_env, run_cli
from support.scenarios import slow_send

WITHIN = 10.0
HUNG_SEND = slow_send("30s")


def _made_org(url: str) -> str:
    made = httpx.post(url + "/_emulator/orgs", json={"name": "Kept"}, timeout=5)
    assert made.status_code == 200, made.text
    return str(made.json()["id"])


def test_sighup_saves_and_stops_like_sigterm(spawn: Spawner, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    server = spawn("--port", "0", "--state-file", str(state))
    url, _ = server.wait_healthy(WITHIN)
    org = _made_org(url)
    server.signal(signal.SIGHUP)
    assert server.wait_exit(WITHIN) == 0, server.stderr
    assert org in state.read_text()
    assert "Traceback" not in server.stderr


def test_every_signal_after_the_first_still_exits_0(spawn: Spawner, tmp_path: Path) -> None:
    """SIGTERMs keep coming (a supervisor that repeats itself) through the drain, the final
    save and the way out: the exit code is 0 and the save is whole."""
    state = tmp_path / "state.json"
    server = spawn("--port", "0", "--state-file", str(state))
    url, _ = server.wait_healthy(WITHIN)
    org = _made_org(url)
    deadline = time.monotonic() + WITHIN
    while server.process.poll() is None and time.monotonic() < deadline:
        with contextlib.suppress(ProcessLookupError):
            server.signal(signal.SIGTERM)
        time.sleep(0.003)
    assert server.wait_exit(WITHIN) == 0, server.stderr
    assert org in state.read_text()
    assert "Traceback" not in server.stderr


def test_a_state_file_that_cannot_be_written_stops_start_up(tmp_path: Path) -> None:
    """/proc takes no new files, even from root: found at start (exit 2), not at a save."""
    if not Path("/proc/self").is_dir():
        pytest.skip("needs /proc")
    state = "/proc/invent-emulator-state.json"
    result = run_cli("serve", "--host", "127.0.0.1", "--port", "0", "--state-file", state,
                     cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert f"the state file {state} cannot be written" in result.stderr
    assert "listening on" not in result.stderr


def test_a_final_save_that_fails_exits_1_naming_the_file_and_what_is_lost(
        spawn: Spawner, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    state = folder / "state.json"
    server = spawn("--port", "0", "--state-file", str(state))
    url, _ = server.wait_healthy(WITHIN)
    _made_org(url)
    shutil.rmtree(folder)  # the volume went away
    server.signal(signal.SIGTERM)
    assert server.wait_exit(WITHIN) == 1, server.stderr
    assert f"cannot write the state file {state}" in server.stderr
    assert "every change since start-up is lost" in server.stderr
    assert "Traceback" not in server.stderr


# Every save takes argv[1] seconds. With SAVE_STARTED set it touches that file as a save begins
# (a test waits for it, never guesses with a sleep); with SAVE_HOLD set a save also lasts for as
# long as that file exists.
SLOW_WRITER = """
import os, sys, time
from pathlib import Path
from emulator.statefile import target
write = target.Target.write
def slow(self, data):
    if os.environ.get("SAVE_STARTED"):
        Path(os.environ["SAVE_STARTED"]).touch()
    if os.environ.get("SAVE_COUNT"):
        with open(os.environ["SAVE_COUNT"], "a") as count:
            count.write("save\\n")
    time.sleep(float(sys.argv[1]))
    while os.environ.get("SAVE_HOLD") and Path(os.environ["SAVE_HOLD"]).exists():
        time.sleep(0.01)
    write(self, data)
target.Target.write = slow
from emulator.cli import main
sys.exit(main(["serve", *sys.argv[2:]]))
"""


def test_a_slow_final_save_fits_the_stop_timeout(tmp_path: Path) -> None:
    """Every save takes 1.5 s (an injected slow writer) and a request holds the 5 s grace:
    the grace shrinks so that the stop, save included, ends inside --stop-timeout 4, exit 0."""
    scenario, state, script = (tmp_path / "hung.yaml", tmp_path / "state.json",
                               tmp_path / "slow_writer.py")
    scenario.write_text(HUNG_SEND)
    script.write_text(SLOW_WRITER)
    stderr = tmp_path / "server.stderr"
    with stderr.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, str(script), "1.5", "--host", "127.0.0.1", "--port", "0",
             "--scenario", str(scenario), "--state-file", str(state), "--shutdown-grace", "5",
             "--stop-timeout", "4"],
            cwd=tmp_path, env={**clean_env(), "PYTHONPATH": os.pathsep.join(sys.path)},
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
            start_new_session=True)
        try:
            url = _wait_for_url(process, stderr)
            assert httpx.post(url + "/_emulator/snapshot", timeout=WITHIN).status_code == 200
            org = _made_org(url)
            holder = threading.Thread(target=_hold, args=(url,), daemon=True)
            holder.start()
            _wait_for_send(url)  # the send is in flight, delayed by its fault
            stopped = time.monotonic()
            process.send_signal(signal.SIGTERM)
            code = process.wait(WITHIN)
            took = time.monotonic() - stopped
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(WITHIN)
    output = stderr.read_text()
    assert code == 0, output
    assert took < 4.0, f"the stop took {took:.1f} s:\n{output}"
    assert org in state.read_text()


def _wait_for_url(process: subprocess.Popen[bytes], stderr: Path) -> str:
    deadline = time.monotonic() + WITHIN
    while time.monotonic() < deadline:
        match = URL_LINE.search(stderr.read_text())
        if match:
            return match.group(1)
        assert process.poll() is None, stderr.read_text()
        time.sleep(0.02)
    raise AssertionError(f"no URL within {WITHIN} s:\n{stderr.read_text()}")


def _wait_for_send(url: str) -> None:
    """Until the journal holds the send (it opens the entry as the request arrives)."""
    deadline = time.monotonic() + WITHIN
    while b"/send" not in httpx.get(url + "/_emulator/requests", timeout=WITHIN).content:
        assert time.monotonic() < deadline, "the send never arrived"
        time.sleep(0.01)


def _wait_for_file(path: Path) -> None:
    deadline = time.monotonic() + WITHIN
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.01)


def _hold(url: str) -> None:
    with contextlib.suppress(httpx.HTTPError):
        httpx.post(f"{url}/orgs/org_slow/broadcasts/bc_slow/send", timeout=WITHIN,
                   json={"email": "held@example.com"}, headers={"Authorization": "Bearer key_slow"})




def test_the_server_answers_while_it_saves(tmp_path: Path) -> None:
    """Served, a save runs beside the server (here each save is held until the test lets it
    go): health answers while it runs, over HTTP and through `invent-emulator health`, and
    three snapshot requests made together share one save. No timing is asserted: the save is
    still running when health answers, which a save on the loop could not allow."""
    state, script, stderr = (tmp_path / "state.json", tmp_path / "slow_writer.py",
                             tmp_path / "server.stderr")
    started_mark, hold = tmp_path / "save-started", tmp_path / "save-hold"
    count = tmp_path / "save-count"
    script.write_text(SLOW_WRITER)
    env = {**clean_env(), "PYTHONPATH": os.pathsep.join(sys.path)}
    with stderr.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, str(script), "0", "--host", "127.0.0.1", "--port", "0",
             "--state-file", str(state)], cwd=tmp_path,
            env={**env, "SAVE_STARTED": str(started_mark), "SAVE_HOLD": str(hold),
                 "SAVE_COUNT": str(count)},
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
            start_new_session=True)
        try:
            url = _wait_for_url(process, stderr)
            port = url.rsplit(":", 1)[1]
            answers: list[httpx.Response] = []
            hold.touch()
            savers = [threading.Thread(target=lambda: answers.append(
                httpx.post(url + "/_emulator/snapshot", timeout=WITHIN))) for _ in range(3)]
            for saver in savers:
                saver.start()
            _wait_for_file(started_mark)
            health = httpx.get(url + "/_emulator/health", timeout=WITHIN).status_code
            probe = run_cli("health", "--port", port, "--timeout", "5", cwd=tmp_path, env=env,
                            timeout=WITHIN)
            during = all(saver.is_alive() for saver in savers)
            # The other two requests were sent with the first; a generous pause lets a slow
            # machine deliver them before the save they join is let go.
            time.sleep(1.0)
            hold.unlink()
            for saver in savers:
                saver.join(WITHIN)
        finally:
            process.kill()  # its final save is not what this test is about
            process.wait(WITHIN)
    assert health == 200
    assert probe.returncode == 0, probe.stderr
    assert during, "a snapshot request was answered while its save was held"
    assert count.read_text().count("save") == 1, "three snapshots made more than one save"
    assert [a.status_code for a in answers] == [200, 200, 200]
