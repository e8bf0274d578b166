"""Running `invent-emulator` as a subprocess: every process is killed by its own id when a test
ends, every wait has a deadline, output goes to files (a full pipe can never block the server)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx
import pytest

_SCRIPT = Path(sys.executable).with_name("invent-emulator")
URL_LINE = re.compile(r"listening on (http://127\.0\.0\.1:(\d+))")
POLL_SECONDS = 0.02


def command(*args: str) -> list[str]:
    """The installed console script, or `python -m emulator` where there is none."""
    base = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "emulator"]
    return [*base, *args]


def clean_env(**overrides: str) -> dict[str, str]:
    """This process's environment without any INVENT_EMULATOR_* setting, plus `overrides`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INVENT_EMULATOR_")}
    env.update(overrides)
    return env


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None,
            timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    """Run to completion; subprocess.run kills the child if the deadline passes."""
    return subprocess.run(command(*args), cwd=cwd, env=clean_env() if env is None else env,
                          capture_output=True, text=True, timeout=timeout, check=False,
                          stdin=subprocess.DEVNULL)


class Server:
    """One `invent-emulator serve` process."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str], name: str) -> None:
        self.stderr_path = cwd / f"{name}.stderr"
        self.stdout_path = cwd / f"{name}.stdout"
        self._stderr = self.stderr_path.open("wb")
        self._stdout = self.stdout_path.open("wb")
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            command("serve", *args), cwd=cwd, env=env, stdin=subprocess.DEVNULL,
            stdout=self._stdout, stderr=self._stderr, start_new_session=True,
        )

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    @property
    def output(self) -> str:
        """stdout and stderr together."""
        return self.stdout_path.read_text(encoding="utf-8", errors="replace") + self.stderr

    def wait_for_url(self, timeout: float = 10.0) -> str:
        """The URL the server logs once its socket is bound."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = URL_LINE.search(self.stderr)
            if match:
                return match.group(1)
            if self.process.poll() is not None:
                raise AssertionError(f"exited {self.process.returncode} before announcing a "
                                     f"URL:\n{self.stderr}")
            time.sleep(POLL_SECONDS)
        raise AssertionError(f"no URL logged within {timeout} s:\n{self.stderr}")

    def wait_healthy(self, timeout: float = 10.0) -> tuple[str, float]:
        """(url, seconds from process start to the first 200 from /_emulator/health)."""
        deadline = self.started + timeout
        url = self.wait_for_url(max(0.0, deadline - time.monotonic()))
        with httpx.Client(base_url=url, timeout=1.0) as http:
            while time.monotonic() < deadline:
                try:
                    if http.get("/_emulator/health").status_code == 200:
                        return url, time.monotonic() - self.started
                except httpx.TransportError:
                    pass
                if self.process.poll() is not None:
                    raise AssertionError(f"exited {self.process.returncode}:\n{self.stderr}")
                time.sleep(POLL_SECONDS)
        raise AssertionError(f"not healthy within {timeout} s:\n{self.stderr}")

    def signal(self, sig: signal.Signals) -> None:
        self.process.send_signal(sig)

    def wait_exit(self, timeout: float = 10.0) -> int:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"still running after {timeout} s:\n{self.stderr}") from None

    def close(self) -> None:
        """Kill the process if it still runs (by its own pid), reap it, close the files."""
        try:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait(timeout=10)
        finally:
            self._stderr.close()
            self._stdout.close()


class Spawner:
    """Starts servers for one test and always stops them afterwards."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.servers: list[Server] = []

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> Server:
        """`serve` with `args`; on 127.0.0.1 unless `args` name another host."""
        arguments = list(args) if "--host" in args else ["--host", "127.0.0.1", *args]
        server = Server(arguments, self.cwd, clean_env() if env is None else env,
                        name=f"server-{len(self.servers)}")
        self.servers.append(server)
        return server

    def __enter__(self) -> Spawner:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        for server in self.servers:
            server.close()


# A test that only asks a server started with the defaults (`serve --host 127.0.0.1 --port 0`)
# takes the `default_server` fixture of its folder's conftest, one process per folder and
# worker, and carries this mark, which keeps all such tests on one worker under
# `--dist loadgroup`. A test that signals, stops or reconfigures its server spawns its own.
DEFAULT_SERVER_GROUP = pytest.mark.xdist_group("default-server")


class DefaultServer:
    """The shared default server: its process and URL, once healthy."""

    def __init__(self, spawner: Spawner, ready_within: float = 10.0) -> None:
        self.server = spawner("--port", "0")
        self.url, self.ready_seconds = self.server.wait_healthy(ready_within)
