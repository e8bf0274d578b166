"""Where a save goes in real deployments: through symlinks, onto a single-file bind mount (in
place, when renaming onto it is impossible), past the leftovers of a crashed save, and never
into a target found unusable only at the first save."""

from __future__ import annotations

import errno
import gzip
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from support.apps import client_for
from support.language import START, scenario

from emulator import Settings, create_app, load_scenario_text
from emulator.statefile import StateFileError, storage
from emulator.testing import VirtualClock


def _app(state: Path) -> object:
    return create_app(Settings(state_file=str(state)), scenario=load_scenario_text(scenario()),
                      clock=VirtualClock(START))


async def _snapshot(app: object) -> dict[str, Any]:
    async with client_for(app, None) as control:  # type: ignore[arg-type]
        made = await control.post("/_emulator/orgs", json={"name": "Saved"})
        assert made.status_code == 200, made.text
        answer = await control.post("/_emulator/snapshot")
        assert answer.status_code == 200, answer.text
        return {"org": made.json()["id"], **answer.json()}


async def test_a_symlinked_state_file_updates_its_target_and_stays_a_link(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "state.json"
    real.write_text("{}")
    link = tmp_path / "state.json"
    link.symlink_to(real)
    real.unlink()  # a dangling link is followed too: the file is made where it points
    saved = await _snapshot(_app(link))
    assert link.is_symlink()
    assert saved["org"] in real.read_text()
    assert saved["bytes"] == real.stat().st_size
    second = await _snapshot(_app(link))  # the restored emulator saves through the link again
    assert link.is_symlink() and second["org"] in real.read_text()


def test_temporary_files_of_crashed_saves_are_removed_at_start(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    stale = [tmp_path / ".state.json.k2j3h4_x.tmp",  # 0.2.0's mkstemp naming
             tmp_path / ".state.json.0123abcd.tmp"]
    for path in stale:
        path.write_bytes(b"half a save")
    kept = [tmp_path / ".other.json.k2j3h4_x.tmp", tmp_path / "state.json.tmp"]
    for path in kept:
        path.write_bytes(b"not ours")
    _app(state)
    assert not any(path.exists() for path in stale)
    assert all(path.exists() for path in kept)


def test_a_folder_that_cannot_be_written_is_refused_at_start(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    def refuse(**kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)  # the module target.py saves through
    with pytest.raises(StateFileError, match=r"cannot be written: .*Permission denied"):
        _app(tmp_path / "state.json")


async def test_a_file_that_cannot_be_renamed_onto_is_written_in_place(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """Renaming onto a single-file bind mount fails with EBUSY: the save writes the file in
    place (and a shorter save leaves no tail of the longer one before it)."""
    state = tmp_path / "state.json"

    def busy(source: object, destination: object) -> None:
        raise OSError(errno.EBUSY, "Device or resource busy")

    app = create_app(Settings(state_file=str(state), scenario="default"), clock=VirtualClock(START))
    state.write_bytes(b" " * 200_000)  # longer than the save: the rest must be cut off
    inode = state.stat().st_ino
    monkeypatch.setattr(os, "replace", busy)  # the function target.py renames with
    with caplog.at_level(logging.WARNING, "emulator"):
        saved = await _snapshot(app)
    assert state.stat().st_ino == inode, "the file was replaced, not written in place"
    assert saved["org"] in state.read_text()
    assert state.stat().st_size == saved["bytes"]
    assert "in place" in caplog.text
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
    restored = create_app(Settings(state_file=str(state)), clock=VirtualClock(START))
    async with client_for(restored, None) as control:
        orgs = (await control.get("/_emulator/orgs")).json()
    assert saved["org"] in json.dumps(orgs)


def test_a_gz_state_file_has_a_decompressed_size_cap(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "state.json.gz"
    state.write_bytes(gzip.compress(b'{"format": "invent-emulator state", "pad": "'
                                    + b"x" * 100_000 + b'"}'))
    monkeypatch.setattr(storage, "MAX_DECOMPRESSED_BYTES", 10_000)
    with pytest.raises(StateFileError, match="decompresses to more than 10,000 bytes"):
        create_app(Settings(state_file=str(state)), clock=VirtualClock(START))


BIND_MOUNTED = """
import sys
import tempfile
from pathlib import Path
from typing import Any
from emulator import create_app
from emulator import Settings
from emulator.statefile import save_state
state = Path(sys.argv[1])
app = create_app(Settings(state_file=str(state), scenario="default"))
print(save_state(app.state.emulator, state))
"""


@pytest.mark.slow  # runs processes (unshare, python): left out by `dev.py test --fast`
def test_a_single_file_bind_mount_is_saved_in_place(tmp_path: Path) -> None:
    """The real thing: a file bind-mounted onto another (as `docker run -v file:file` does), in
    a private mount namespace."""
    if shutil.which("unshare") is None or sys.platform != "linux":
        pytest.skip("needs Linux and unshare(1) to make a bind mount")
    source, mounted = tmp_path / "host-state.json", tmp_path / "state.json"
    source.write_text("")  # `touch`ed on the host: an empty file is no state yet
    mounted.write_text("")
    script = tmp_path / "save.py"
    script.write_text(BIND_MOUNTED)
    probe = subprocess.run(["unshare", "-m", "mount", "--bind", str(source), str(mounted)],
                           capture_output=True, text=True, timeout=10, check=False)
    if probe.returncode != 0:
        pytest.skip(f"cannot make a bind mount here: {probe.stderr.strip()}")
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", 'mount --bind "$1" "$2" && exec "$3" "$4" "$2"', "sh",
         str(source), str(mounted), sys.executable, str(script)],
        capture_output=True, text=True, timeout=30, check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert result.returncode == 0, result.stderr
    assert "written in place" in result.stderr
    size = int(result.stdout.split()[-1])
    assert source.stat().st_size == size  # the host's file itself got the save
    assert json.loads(source.read_text())["format"] == "invent-emulator state"
    assert mounted.read_text() == ""  # outside the namespace, nothing was mounted
