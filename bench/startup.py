"""Time from `invent-emulator serve` process start to the first healthy answer."""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

RUNS = 5
DEADLINE = 15.0


def once() -> float:
    log = Path("bench-startup.log")
    started = time.perf_counter()
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "emulator", "serve", "--port", "0"], stderr=out, stdout=out)
    try:
        url = None
        while time.perf_counter() - started < DEADLINE:
            if url is None:
                found = re.search(r"listening on (http://\S+)", log.read_text())
                url = found.group(1) if found else None
            if url is not None:
                try:
                    if httpx.get(f"{url}/_emulator/health", timeout=1).status_code == 200:
                        return time.perf_counter() - started
                except httpx.HTTPError:
                    pass
            time.sleep(0.005)
        raise RuntimeError("the emulator did not become healthy in time")
    finally:
        process.terminate()
        process.wait(10)
        log.unlink(missing_ok=True)


def main() -> None:
    times = [once() for _ in range(RUNS)]
    print(f"startup to first healthy answer: median {statistics.median(times):.3f} s "
          f"(runs: {', '.join(f'{t:.3f}' for t in times)})")


if __name__ == "__main__":
    main()
