"""The built wheel: it carries the bundled scenarios and fixtures (so `--scenario default` works
without a checkout), the inbox UI's static files and `py.typed`; it registers the CLI and the
pytest plugin; its metadata has the one version and compatible ranges, never Faker. A user's
typed test file type-checks under `mypy --strict` against the installed wheel.

(.ci/run installs the wheel into a clean virtual environment and runs it: .ci/wheel-smoke.)"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from email.parser import HeaderParser
from pathlib import Path

import pytest

from emulator import __version__

ROOT = Path(__file__).resolve().parents[2]
TYPED_USER_FILE = ROOT / ".ci" / "wheel-smoke" / "test_installed_plugin.py"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # hatchling is the build backend and comes with the test group: no network needed here.
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)],
                   cwd=ROOT, check=True, capture_output=True, timeout=120)
    [built] = out.glob("invent_emulator-*.whl")
    return built


def _names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def _read(wheel: Path, suffix: str) -> str:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(suffix))
        return archive.read(name).decode()


def test_the_wheel_ships_scenarios_fixtures_ui_and_entry_points(wheel: Path) -> None:
    names = _names(wheel)
    for kind in ("scenarios", "fixtures"):
        for source in (ROOT / kind).glob("*.yaml"):
            assert f"emulator/_bundled/{kind}/{source.name}" in names, source.name
    # The default scenario's pre-validated form (a fast start without PyYAML).
    assert "emulator/scenario/default.prebuilt.pickle" in names
    ui_files = sorted(p.name for p in (ROOT / "emulator" / "ui").iterdir() if p.is_file())
    assert {"index.html", "app.js", "style.css"} <= set(ui_files)
    for name in ui_files:
        assert f"emulator/ui/{name}" in names, name
    entry_points = _read(wheel, ".dist-info/entry_points.txt")
    assert "invent-emulator = emulator.cli:main" in entry_points
    assert "invent_emulator = emulator.testing.plugin" in entry_points


def test_the_wheel_is_typed(wheel: Path) -> None:
    assert "emulator/py.typed" in _names(wheel)


def test_the_metadata_has_the_one_version_and_ranges_without_faker(wheel: Path) -> None:
    metadata = HeaderParser().parsestr(_read(wheel, ".dist-info/METADATA"))
    assert metadata["Version"] == __version__
    assert wheel.name.startswith(f"invent_emulator-{__version__}-")
    requires = metadata.get_all("Requires-Dist") or []
    assert requires, "the runtime dependencies are declared"
    assert not [r for r in requires if re.match(r"faker\b", r, re.IGNORECASE)], requires
    assert not [r for r in requires if "==" in r.split(";")[0]], f"exact pins: {requires}"
    # The development toolchain is a dependency group, never a published extra: the extras
    # are the optional integrations users ask for by name.
    assert set(metadata.get_all("Provides-Extra") or []) <= {"aiohttp", "testcontainers"}
    toolchain = ("pytest", "mypy", "ruff", "playwright", "hypothesis", "schemathesis")
    assert not [r for r in requires if r.split()[0].split(">")[0] in toolchain], requires


def test_a_typed_user_test_checks_under_mypy_strict(wheel: Path, tmp_path: Path,
                                                     request: pytest.FixtureRequest) -> None:
    # The wheel installed alone into a folder first on the path: mypy reads the package from
    # there as a user's mypy reads an installed distribution, which needs `py.typed`.
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--disable-pip-version-check", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, timeout=120)
    project = tmp_path / "project"
    project.mkdir()
    (project / TYPED_USER_FILE.name).write_bytes(TYPED_USER_FILE.read_bytes())
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("MYPYPATH", None)
    # mypy's cache in pytest's: the dependencies (starlette, httpx, pytest …) are analysed once,
    # the freshly installed package every time.
    cache = request.config.cache.mkdir("mypy-typed-user") if request.config.cache else tmp_path
    done = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(cache),
                           "--config-file", os.devnull, TYPED_USER_FILE.name], cwd=project,
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success" in done.stdout
