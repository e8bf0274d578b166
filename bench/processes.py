"""Servers in their own processes on 127.0.0.1: the emulator (`invent-emulator serve`) and the
reference app; started, timed to their first healthy answer, and stopped."""

from __future__ import annotations

import http.client
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def running(command: list[str], port: int, deadline: float = 120.0) -> Iterator[float]:
    """Start `command`, yield the seconds it took to answer its health check, stop it."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while not healthy(port):
            if process.poll() is not None:
                stderr = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"{command[0]} exited with {process.returncode}: {stderr}")
            if time.perf_counter() - started > deadline:
                raise RuntimeError(f"{' '.join(command)} was not healthy in {deadline:g} s")
            time.sleep(POLL_SECONDS)
        yield time.perf_counter() - started
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def startup_median(make_command: object, runs: int) -> tuple[float, list[float]]:
    """Median seconds from process start to healthy over `runs` fresh processes."""
    times = []
    for _ in range(runs):
        port = free_port()
        with running(make_command(port), port) as ready:  # type: ignore[operator]
            times.append(ready)
    return statistics.median(times), times
