"""The built wheel carries the bundled scenarios and fixtures, so `--scenario default` works
without a checkout, the inbox UI's static files, and registers the CLI and the pytest plugin."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_wheel_ships_scenarios_fixtures_and_entry_points(tmp_path: Path) -> None:
    # No build isolation: hatchling comes from the test extra, so no network is needed here.
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--wheel-dir", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    [wheel] = tmp_path.glob("invent_emulator-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(archive.read(n).decode() for n in names
                            if n.endswith(".dist-info/entry_points.txt"))
    for kind in ("scenarios", "fixtures"):
        for source in (ROOT / kind).glob("*.yaml"):
            assert f"emulator/_bundled/{kind}/{source.name}" in names, source.name
    ui_files = sorted(p.name for p in (ROOT / "emulator" / "ui").iterdir() if p.is_file())
    assert {"index.html", "app.js", "style.css"} <= set(ui_files)
    for name in ui_files:
        assert f"emulator/ui/{name}" in names, name
    assert "invent-emulator = emulator.cli:main" in entry_points
    assert "invent_emulator = emulator.testing.plugin" in entry_points
