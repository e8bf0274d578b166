"""Start-up to the first healthy answer: `invent-emulator serve` (bundled default scenario) and
the reference app, each in fresh processes, alternating, median of N; and the import time of
the pytest plugin module, which every pytest run of a project that installs us pays.

Both start from compiled bytecode, as an installed package does (pip compiles every module it
installs; the container image too): the processes share a bytecode cache of their own
(PYTHONPYCACHEPREFIX, in a temporary folder, so nothing is written into the checkout), filled
by one untimed start of each. Without it, a checkout run with PYTHONDONTWRITEBYTECODE set
compiles every emulator module from source at each start (about 0.17 s of CPU), a cost no
installed emulator pays and the reference app, read from site-packages, never pays either."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.http_rows import call
from bench.processes import HEALTH, emulator_command, free_port, reference_command, running
from bench.reference_app import Capture, save_captures
from bench.rows import Row

PLUGIN = "emulator.testing.plugin"
# pytest is imported first: it is loaded anyway before any plugin, so only our own cost counts.
IMPORT_PROBE = (f"import time, pytest; t = time.perf_counter(); import {PLUGIN}; "
                "print(time.perf_counter() - t)")


def measure_startup(runs: int) -> list[Row]:
    ours: list[float] = []
    theirs: list[float] = []
    ours_cpu: list[float] = []
    theirs_cpu: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        captures = Path(folder) / "health.json"
        env = _compiled_env(Path(folder) / "bytecode")
        port = free_port()
        with running(emulator_command(port), port, env=env):  # fills the bytecode cache
            status, headers, body = call(port, "GET", HEALTH)
            save_captures([Capture("GET", HEALTH, "", status, headers, body)], captures)
        port = free_port()
        with running(reference_command(port, captures), port, env=env):
            pass
        for _ in range(runs):
            port = free_port()
            with running(emulator_command(port), port, env=env) as mine:
                pass
            ours.append(mine.ready_seconds)
            ours_cpu.append(mine.cpu_seconds)
            port = free_port()
            with running(reference_command(port, captures), port, env=env) as reference:
                pass
            theirs.append(reference.ready_seconds)
            theirs_cpu.append(reference.cpu_seconds)
    row = Row("startup.ready", f"start-up to healthy (median of {runs})", "s",
              statistics.median(ours), statistics.median(theirs),
              target="≤ 1.8x the reference app", extra={
                  "emulator_runs": ", ".join(f"{t:.3f}" for t in ours),
                  "reference_runs": ", ".join(f"{t:.3f}" for t in theirs),
                  "emulator_cpu_median_s": statistics.median(ours_cpu),
                  "reference_cpu_median_s": statistics.median(theirs_cpu)})
    row.met = (row.ratio or 99) <= 1.8
    return [row]


def _compiled_env(cache: Path) -> dict[str, str]:
    """Our environment, with bytecode written to and read from `cache` (see the docstring)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


def measure_plugin_import(runs: int) -> list[Row]:
    times = [float(subprocess.run([sys.executable, "-c", IMPORT_PROBE], capture_output=True,
                                  text=True, check=True).stdout) for _ in range(runs)]
    return [Row("import.plugin", f"import {PLUGIN} (median of {runs}, pytest already loaded)",
                "ms", statistics.median(times) * 1000,
                extra={"runs_ms": ", ".join(f"{t * 1000:.1f}" for t in times)})]
