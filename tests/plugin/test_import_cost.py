"""The plugin costs nothing to a project that never uses it: pytest imports it in every run, so
importing it must load neither httpx, requests nor the emulator app (the time itself is measured
by bench/plugin_import.py, never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("httpx", "httpcore", "requests", "urllib3", "starlette", "faker", "pydantic",
         "emulator.app", "emulator.testing.facade", "emulator.testing.interception")


def test_importing_the_plugin_loads_nothing_heavy() -> None:
    code = ("import sys, json, emulator.testing.plugin; "
            f"print(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=True)
    assert json.loads(result.stdout) == []
