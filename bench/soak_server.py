"""The soak's emulator: `invent-emulator serve` in its own process, waited for until healthy,
its resident memory sampled from /proc while the load runs, stopped with SIGTERM."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from types import TracebackType

from bench.processes import healthy


class Server:
    def __init__(self, command: list[str], port: int) -> None:
        self.command = command
        self.port = port
        self.samples: list[float] = []
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not healthy(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{' '.join(self.command)} did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        assert self.process is not None
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)

    def rss_mb(self) -> float:
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
        return 0.0

    def sample_rss(self, seconds: float, every: float = 1.0) -> None:
        """One sample a second for `seconds` (the load's length)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.samples.append(self.rss_mb())
            time.sleep(every)
