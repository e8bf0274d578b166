"""Servers in their own processes on 127.0.0.1: the emulator (`invent-emulator serve`) and the
reference app; started, timed to their first healthy answer, and stopped."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HEALTH = "/_emulator/health"
POLL_SECONDS = 0.002


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def emulator_command(port: int, scenario: str | None = None) -> list[str]:
    script = Path(sys.executable).parent / "invent-emulator"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "emulator"]
    command += ["serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    return command + (["--scenario", scenario] if scenario else [])


def reference_command(port: int, captures: Path) -> list[str]:
    return [sys.executable, "-m", "bench.reference_app", str(captures), "--port", str(port)]


def healthy(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", HEALTH)
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


@dataclass
class Started:
    ready_seconds: float
    # CPU seconds the process used in all (start, serving, stop), known once it has exited:
    # on a shared machine the part of start-up that other processes cannot inflate.
    cpu_seconds: float = 0.0


@contextmanager
def running(command: list[str], port: int, deadline: float = 120.0,
            env: dict[str, str] | None = None) -> Iterator[Started]:
    """Start `command` (in `env`, else ours), yield how long it took to answer its health
    check, stop it."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env=env)
    result = Started(0.0)
    try:
        while not healthy(port):
            if process.poll() is not None:
                stderr = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"{command[0]} exited with {process.returncode}: {stderr}")
            if time.perf_counter() - started > deadline:
                raise RuntimeError(f"{' '.join(command)} was not healthy in {deadline:g} s")
            time.sleep(POLL_SECONDS)
        result.ready_seconds = time.perf_counter() - started
        yield result
    finally:
        process.terminate()
        result.cpu_seconds = _reap(process)


def _reap(process: subprocess.Popen[bytes]) -> float:
    """Wait for the process (killing it after 10 s) and return the CPU seconds it used."""
    deadline = time.monotonic() + 10
    while True:
        pid, _, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = 0  # reaped here: keep Popen from waiting on it again
            return float(usage.ru_utime + usage.ru_stime)
        if time.monotonic() > deadline:
            process.kill()
            deadline = time.monotonic() + 10
        time.sleep(0.005)


