"""`python3 dev.py serve` forwards SIGINT, SIGTERM and SIGHUP to the server it starts and exits
with its code: stopping dev.py by its PID stops the server and frees the port. (The environment
is the one running these tests, named by INVENT_DEV_VENV, so nothing is installed.)"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from support.cli import clean_env

from dev import PYCACHE, bytecode_cached

ROOT = Path(__file__).resolve().parents[2]
WITHIN = 20.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def wait_healthy(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + WITHIN
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(f"{url}/_emulator/health", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"not healthy within {WITHIN} s:\n{log.read_text()}")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP],
                         ids=lambda s: s.name)
def test_a_signal_to_dev_py_serve_stops_the_server_and_frees_the_port(
        tmp_path: Path, sig: signal.Signals) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "dev.py"), "serve", "--host", "127.0.0.1", "--port",
             str(port)], env=clean_env(INVENT_DEV_VENV=sys.prefix), stdin=subprocess.DEVNULL,
            stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_healthy(process, f"http://127.0.0.1:{port}", log)
            process.send_signal(sig)  # to dev.py alone, as `kill PID` does
            code = process.wait(timeout=WITHIN)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
    deadline = time.monotonic() + 5.0
    while not port_is_free(port) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert port_is_free(port), f"the server still holds port {port}:\n{log.read_text()}"
    # The server's own code: a clean 0 for the signals it handles; a signal it leaves to the
    # default action is reported the way a shell does (128 + its number).
    assert code in (0, 128 + sig.value), log.read_text()
    if sig in (signal.SIGTERM, signal.SIGINT):
        assert code == 0, log.read_text()


def test_tests_cache_bytecode_outside_the_tree_when_python_is_told_not_to_write_it() -> None:
    told = bytecode_cached({"PATH": "/bin", "PYTHONDONTWRITEBYTECODE": "1"})
    assert told == {"PATH": "/bin", "PYTHONPYCACHEPREFIX": str(PYCACHE)}
    assert PYCACHE.is_relative_to(ROOT / "__pycache__")  # git-ignored
    assert bytecode_cached({"PATH": "/bin"}) == {"PATH": "/bin"}
    chosen = {"PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": "/elsewhere"}
    assert bytecode_cached(chosen) == chosen
