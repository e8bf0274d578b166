"""`python3 dev.py bench --quick` runs end to end and writes every row (no speed is asserted:
speed lives in the benchmark). It starts servers and loads them for about 30 s; CI runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

ENDPOINTS = ("list_broadcasts", "recipients_p1", "recipients_p1000", "recipients_p1_filtered",
             "recipients_p1000_filtered", "send")
EXPECTED_ROWS = {
    *(f"http.{endpoint}.c{connections}" for endpoint in ENDPOINTS for connections in (1, 8, 64)),
    "inprocess.send", "inprocess.list_broadcasts", "org.inprocess", "org.thread",
    "startup.ready", "import.plugin", "campaign.seconds_to_sent", "campaign.peak_rss",
    "campaign.bytes_per_row", "sends.rss_before", "sends.rss_after",
    "inbox.first_page", "inbox.deep_page", "inbox.search",
}


def test_quick_run_writes_every_row(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--no-install",
                           "--out", str(out)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    results = json.loads(out.read_text())
    keys = [row["key"] for row in results["rows"]]
    assert set(keys) == EXPECTED_ROWS
    assert len(keys) == len(EXPECTED_ROWS)
    for row in results["rows"]:
        assert row["emulator"] > 0, row
        assert row["met"] in (True, False, None), row
    assert results["settings"]["quick"] is True
    assert results["machine"]["cores"]
    assert "| measure |" in done.stdout
