"""Measure (not a test): seconds from starting `invent-emulator serve --port 0` to its first
200 from /_emulator/health, over several runs.

    cd tests && ../.venv/bin/python -m cli.measure_startup [runs]
"""

from __future__ import annotations

import signal
import statistics
import sys
import tempfile
from pathlib import Path

from support.cli import Spawner


def measure(runs: int) -> list[float]:
    seconds = []
    with tempfile.TemporaryDirectory() as directory, Spawner(Path(directory)) as spawn:
        for _ in range(runs):
            server = spawn("--port", "0")
            _, ready = server.wait_healthy(30.0)
            seconds.append(ready)
            server.signal(signal.SIGTERM)
            server.wait_exit(10.0)
    return seconds


def main(argv: list[str]) -> int:
    runs = int(argv[0]) if argv else 5
    seconds = measure(runs)
    print("runs:", ", ".join(f"{s:.3f}" for s in seconds))
    print(f"median: {statistics.median(seconds):.3f} s over {runs} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
