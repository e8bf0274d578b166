"""What the pytest plugin costs a project that has the package installed but never uses it:
the import of `emulator.testing.plugin`, which pytest performs in every run.

    python bench/plugin_import.py [--runs 15]

Each run is a fresh interpreter under `-X importtime`. It reports the median cumulative import
time of the plugin alone (pytest and importlib.metadata, which every pytest run loads anyway,
imported first) and of `python -c "import emulator.testing.plugin"` as a whole, and checks that
neither httpx, requests nor the emulator app was imported."""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys

PLUGIN = "emulator.testing.plugin"
HEAVY = ("httpx", "requests", "emulator.app", "faker", "starlette")
LINE = re.compile(r"^import time:\s+\d+ \|\s+(\d+) \| (\s*)(\S+)$")


def imported(code: str) -> dict[str, int]:
    """Every module the code imported → its cumulative import time in µs."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", code],
                            capture_output=True, text=True, check=True)
    found = {}
    for line in result.stderr.splitlines():
        match = LINE.match(line)
        if match:
            found[match.group(3)] = int(match.group(1))
    return found


def measure(code: str, runs: int) -> tuple[float, set[str]]:
    times, heavy = [], set()
    for _ in range(runs):
        found = imported(code)
        times.append(found[PLUGIN] / 1000)
        heavy |= {name for name in HEAVY if name in found}
    return statistics.median(times), heavy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    alone, heavy = measure(f"import pytest, importlib.metadata; import {PLUGIN}", runs)
    whole, _ = measure(f"import {PLUGIN}", runs)
    print(f"plugin import after pytest (what a pytest run pays): median {alone:.1f} ms "
          f"of {runs}")
    print(f"`import {PLUGIN}` in a bare interpreter (pytest included): median {whole:.1f} ms")
    print(f"heavy modules imported: {', '.join(sorted(heavy)) or 'none'}")


if __name__ == "__main__":
    main()
