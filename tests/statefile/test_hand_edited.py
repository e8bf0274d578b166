"""A hand-edited state file that is still valid JSON: every single-field mutation either loads
cleanly, and the emulator then answers without a 500, or stops start-up with one clear error
naming the field, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from starlette.applications import Starlette
from support.apps import client_for
from support.cli import run_cli
from support.language import START

from emulator import Settings, create_app
from emulator.statefile import StateFileError
from emulator.testing import VirtualClock

from .fuzzing import mutations
from .legacy_steps import LEGACY

DOCUMENT = json.loads((LEGACY / "0.2.0-default.json").read_text())
# Two halves, so that `pytest -n 2` runs them side by side.
IN_PROCESS = mutations(DOCUMENT, 240)
HALVES = (IN_PROCESS[:120], IN_PROCESS[120:])
THROUGH_THE_CLI = mutations(DOCUMENT, 4, seed=11)


def _load(path: Path) -> Starlette | str:
    """What `serve` does with the file: an app, or the one error it would print."""
    try:
        return create_app(Settings(state_file=str(path)), clock=VirtualClock(START))
    except StateFileError as error:
        return str(error)


async def _server_errors(app: Starlette) -> list[str]:
    """Every list and lookup of every org, a clock advance and a reset: the 5xx among them."""
    failures: list[str] = []

    def check(response: httpx.Response) -> Any:
        if response.status_code >= 500:
            failures.append(f"{response.request.method} {response.request.url.path}: "
                            f"{response.status_code} {response.text[:200]}")
        return response.json() if response.status_code == 200 else None

    async with client_for(app, None) as control:
        orgs = check(await control.get("/_emulator/orgs")) or []
        for org in orgs:
            keys = org.get("api_keys") or [None]
            async with client_for(app, keys[0]) as http:
                for kind in ("broadcasts", "contacts"):
                    check(await http.get(f"/orgs/{org['id']}/{kind}"))
        for path in ("/_emulator/messages", "/_emulator/webhooks"):
            check(await control.get(path, params={"limit": 1000}))
        check(await control.post("/_emulator/clock/advance", json={"seconds": 86_400}))
        check(await control.post("/_emulator/reset", json={}))
    return failures


@pytest.mark.parametrize("half", [0, 1])
def test_single_field_mutations_load_cleanly_or_fail_clearly(tmp_path: Path, half: int) -> None:
    anyio.run(_mutations_load_cleanly_or_fail_clearly, tmp_path, HALVES[half])


async def _mutations_load_cleanly_or_fail_clearly(tmp_path: Path,
                                                  cases: list[tuple[str, bytes]]) -> None:
    path = tmp_path / "state.json"
    outcomes: dict[str, int] = {"loaded": 0, "refused": 0}
    problems = []
    for label, data in cases:
        path.write_bytes(data)
        loaded = _load(path)
        if isinstance(loaded, str):
            outcomes["refused"] += 1
            if str(path) not in loaded or "\n" in loaded:
                problems.append(f"{label}: an unclear error: {loaded}")
            continue
        outcomes["loaded"] += 1
        problems.extend(f"{label}: {failure}" for failure in await _server_errors(loaded))
    assert problems == []
    assert outcomes["loaded"] > 20 and outcomes["refused"] > 20, outcomes  # both kinds tried


@pytest.mark.parametrize(("edit", "words"), [
    (lambda d: d["faults"].__setitem__("random", [3, [10**30] * 625, None]),
     "at faults: a random state's words"),
    (lambda d: d["orgs"][0].__setitem__("clock", "9999-12-31T23:59:59+00:00"),
     "at orgs[0].clock: the date must be between the years 1970 and 9000"),
    (lambda d: d["orgs"][0].__setitem__("clock", "0001-01-01T00:00:00+00:00"),
     "at orgs[0].clock: the date must be between"),
    (lambda d: d["orgs"][1]["recipe"].__setitem__("copy_of", "nope"),
     "at orgs[1].recipe"),
    (lambda d: d["orgs"][0]["rows"][0].__setitem__(
        d["records"]["recipient"].index("created_at"), "9999-01-01T00:00:00+00:00"),
     "at orgs[0].rows[0].created_at"),
])
def test_a_value_out_of_range_names_its_field(tmp_path: Path, edit: Any, words: str) -> None:
    document = json.loads(json.dumps(DOCUMENT))
    edit(document)
    path = tmp_path / "state.json"
    path.write_text(json.dumps(document))
    loaded = _load(path)
    assert isinstance(loaded, str), "the edited file was accepted"
    assert words in loaded


@pytest.mark.slow  # runs the CLI as a subprocess: left out by `dev.py test --fast`
@pytest.mark.parametrize("case", range(len(THROUGH_THE_CLI)))
def test_mutations_through_the_cli_exit_cleanly(tmp_path: Path, case: int) -> None:
    """`serve` on a mutated file: exit 2 with one error line, or a server (stopped at once)."""
    label, data = THROUGH_THE_CLI[case]
    path = tmp_path / "state.json"
    path.write_bytes(data)
    result = run_cli("serve", "--host", "127.0.0.1", "--port", "0", "--state-file", str(path),
                     "--shutdown-grace", "0", cwd=tmp_path, timeout=30.0) \
        if isinstance(_load(path), str) else None
    if result is None:
        pytest.skip(f"{label} loads; the in-process test serves it")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert str(path) in result.stderr
