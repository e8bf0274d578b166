"""The short soak (bench/soak.py) in CI: a served emulator under mixed traffic with a webhook
per send answers every request and settles every webhook. Figures are the soak's business, not
this test's: it asserts outcomes only. One second of load is enough for that (every kind of
request, hundreds of webhooks, the hostile receivers' holds); the full soak is a benchmark."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# Starts processes or servers: left out by `dev.py test --fast` (tests/README.md).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def test_a_short_soak_has_no_errors_and_every_webhook_settled(tmp_path: Path) -> None:
    report_file = tmp_path / "soak.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench.soak", "--seconds", "1", "--connections", "8",
         "--json", str(report_file)],
        cwd=ROOT, capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(report_file.read_text())
    assert report["ok"] is True
    assert all(kind["errors"] == 0 for kind in report["requests"].values())
    assert all(kind["rps"] > 0 for kind in report["requests"].values())
    webhooks = report["webhooks"]
    assert webhooks["events"] > 0
    assert webhooks["receiver_got"] + webhooks["failed"] == webhooks["events"]
