"""`serve --state-file`: the state survives a stop and a start, periodic saves, and a state file
that cannot be used stops start-up (exit 2) without being touched."""

from __future__ import annotations

import contextlib
import json
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from support.cli import Server, Spawner, clean_env, run_cli
from support.scenarios import slow_send

WITHIN = 10.0
ACME = {"Authorization": "Bearer test_key_acme"}
# Lists and lookups whose answers do not move with the real clock.
LOOKS = ("/_emulator/messages", "/_emulator/suppressions", "/_emulator/webhooks")


def healthy(server: Server) -> str:
    url, _ = server.wait_healthy(WITHIN)
    return url


def build(url: str) -> dict[str, str]:
    """An org made at run time, a contact, sends; returns org id → key."""
    with httpx.Client(base_url=url, timeout=5) as control:
        made = control.post("/_emulator/orgs", json={"copy_of": "org_acme", "name": "Run"})
        assert made.status_code == 200, made.text
        org = made.json()
    keys = {"org_acme": "test_key_acme", org["id"]: org["api_key"]}
    for org_id, key in keys.items():
        with httpx.Client(base_url=url, timeout=5,
                          headers={"Authorization": f"Bearer {key}"}) as http:
            for address in ("ada@example.com", "bounced@example.com"):
                sent = http.post(f"/orgs/{org_id}/broadcasts/bc_otp/send",
                                 json={"email": address, "variables": {"otp": "123456"}})
                assert sent.status_code == 200, sent.text
            created = http.post(f"/orgs/{org_id}/contacts",
                                json={"channel": {"email": f"new-{org_id}@example.com"}})
            assert created.status_code == 200, created.text
    return keys


def observe(url: str, keys: dict[str, str]) -> list[tuple[str, int, bytes]]:
    seen = []
    for org_id, key in keys.items():
        with httpx.Client(base_url=url, timeout=5,
                          headers={"Authorization": f"Bearer {key}"}) as http:
            for path in (f"/orgs/{org_id}/broadcasts", f"/orgs/{org_id}/contacts",
                         f"/orgs/{org_id}/segments",
                         f"/orgs/{org_id}/broadcasts/bc_otp/recipients"):
                response = http.get(path, params={"take": 100})
                seen.append((path, response.status_code, response.content))
    for path in LOOKS:
        response = httpx.get(url + path, timeout=5)
        seen.append((path, response.status_code, response.content))
    return seen


def journal(url: str) -> bytes:
    response = httpx.get(url + "/_emulator/requests", params={"limit": 1000}, timeout=5)
    assert response.status_code == 200, response.text
    return response.content


def test_the_state_survives_sigterm_and_a_restart(spawn: Spawner, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    first = spawn("--port", "0", "--state-file", str(state))
    url = healthy(first)
    keys = build(url)
    before, requests = observe(url, keys), journal(url)
    first.signal(signal.SIGTERM)
    assert first.wait_exit(WITHIN) == 0, first.stderr
    assert "saved the state to" in first.stderr
    assert json.loads(state.read_bytes())["version"] == 1

    second = spawn("--port", "0", "--state-file", str(state))
    url = healthy(second)
    assert "restored the state from" in second.stderr
    assert journal(url) == requests
    assert observe(url, keys) == before


def test_the_environment_names_the_state_file(spawn: Spawner, tmp_path: Path) -> None:
    state = tmp_path / "env-state.json"
    env = clean_env(INVENT_EMULATOR_STATE_FILE=str(state))
    first = spawn("--port", "0", env=env)
    url = healthy(first)
    answer = httpx.post(url + "/_emulator/snapshot", timeout=5)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"saved": str(state), "bytes": state.stat().st_size}


def test_save_every_writes_the_file_while_running(spawn: Spawner, tmp_path: Path) -> None:
    """Killed without a chance to save on the way out, the last periodic save still holds."""
    state = tmp_path / "state.json"
    first = spawn("--port", "0", "--state-file", str(state),
                  env=clean_env(INVENT_EMULATOR_SAVE_EVERY="1"))
    url = healthy(first)
    made = httpx.post(url + "/_emulator/orgs", json={"name": "Kept"}, timeout=5).json()
    deadline = time.monotonic() + WITHIN
    while made["id"] not in (state.read_text() if state.exists() else ""):
        assert time.monotonic() < deadline, f"no periodic save within {WITHIN} s"
        time.sleep(0.05)
    first.process.kill()
    first.wait_exit(WITHIN)

    second = spawn("--port", "0", "--state-file", str(state))
    url = healthy(second)
    listed = httpx.get(f"{url}/orgs/{made['id']}/broadcasts", timeout=5,
                       headers={"Authorization": f"Bearer {made['api_key']}"})
    assert listed.status_code == 200, listed.text


@pytest.fixture(scope="module")
def valid_state(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A real state file, written by a short-lived emulator."""
    folder = tmp_path_factory.mktemp("valid")
    state = folder / "valid.json"
    with Spawner(folder) as spawner:
        server = spawner("--port", "0", "--state-file", str(state))
        healthy(server)
        server.signal(signal.SIGTERM)
        assert server.wait_exit(WITHIN) == 0, server.stderr
    return state.read_bytes()


BROKEN: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "truncated": (lambda valid: valid[: len(valid) // 2], "truncated"),
    "cut-in-a-string": (lambda valid: valid[: valid.index(b'"format":"') + 12], "truncated"),
    "empty": (lambda valid: b"", "empty"),
    "corrupt": (lambda valid: b"{not json" + valid, "corrupt"),
    "not-utf8": (lambda valid: b"\xff\xfe" + valid, "corrupt"),
    "newer": (lambda valid: valid.replace(b'"version":1,', b'"version":99,', 1),
              "newer invent-emulator"),
    "other-json": (lambda valid: b'{"orgs": []}', "not an invent-emulator state file"),
    "wrong-shape": (lambda valid: valid.replace(b'"orgs":[', b'"orgs":[7,', 1),
                    "invalid at scenario"),
}


@pytest.mark.parametrize("kind", list(BROKEN))
def test_an_unusable_state_file_exits_2_and_is_left_alone(tmp_path: Path, valid_state: bytes,
                                                          kind: str) -> None:
    damage, words = BROKEN[kind]
    state = tmp_path / "state.json"
    state.write_bytes(damage(valid_state))
    before = state.read_bytes()
    result = run_cli("serve", "--host", "127.0.0.1", "--port", "0", "--state-file", str(state),
                     cwd=tmp_path, timeout=WITHIN * 3)
    assert result.returncode == 2, result.stderr
    assert str(state) in result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    assert state.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".state.json")] == []


def test_a_state_file_in_a_missing_folder_exits_2(tmp_path: Path) -> None:
    state = tmp_path / "nowhere" / "state.json"
    result = run_cli("serve", "--port", "0", "--state-file", str(state), cwd=tmp_path)
    assert result.returncode == 2
    assert "does not exist" in result.stderr and str(state) in result.stderr


@pytest.mark.parametrize("args, env", [
    (["--save-every", "5"], {}),
    (["--state-file", "s.json", "--save-every", "0"], {}),
    (["--state-file", "s.json"], {"INVENT_EMULATOR_SAVE_EVERY": "soon"}),
])
def test_a_bad_save_every_exits_2(tmp_path: Path, args: list[str], env: dict[str, str]) -> None:
    result = run_cli("serve", "--port", "0", *args, cwd=tmp_path, env=clean_env(**env))
    assert result.returncode == 2
    assert "SAVE_EVERY" in result.stderr or "--save-every" in result.stderr


SLOW_SEND = slow_send("2s")


def test_the_final_save_waits_for_requests_in_flight(spawn: Spawner, tmp_path: Path) -> None:
    """SIGTERM while a (fault-delayed) send is being answered: the send finishes, and the file
    saved on the way out holds its row."""
    scenario, state = tmp_path / "slow.yaml", tmp_path / "state.json"
    scenario.write_text(SLOW_SEND)
    server = spawn("--port", "0", "--scenario", str(scenario), "--state-file", str(state))
    url = healthy(server)
    answers: list[httpx.Response] = []

    def send() -> None:
        answers.append(httpx.post(f"{url}/orgs/org_slow/broadcasts/bc_slow/send", timeout=WITHIN,
                                  json={"email": "late@example.com"},
                                  headers={"Authorization": "Bearer key_slow"}))

    sender = threading.Thread(target=send)
    sender.start()
    deadline = time.monotonic() + WITHIN
    while b"/send" not in journal(url):  # the journal opens the entry as the request arrives
        assert time.monotonic() < deadline, "the send never arrived"
        time.sleep(0.02)
    server.signal(signal.SIGTERM)
    sender.join(WITHIN)
    assert server.wait_exit(WITHIN) == 0, server.stderr
    [answer] = answers
    assert answer.status_code == 200, answer.text
    [row] = answer.json()["recipients"]
    assert row["id"] in state.read_text()


def test_a_forced_exit_still_saves(spawn: Spawner, tmp_path: Path) -> None:
    """A second Ctrl-C makes uvicorn skip the app's shutdown; the command saves on its way out."""
    scenario, state = tmp_path / "slow.yaml", tmp_path / "state.json"
    scenario.write_text(SLOW_SEND)
    server = spawn("--port", "0", "--scenario", str(scenario), "--state-file", str(state))
    url = healthy(server)
    made = httpx.post(url + "/_emulator/orgs", json={"name": "Kept"}, timeout=5).json()
    sender = threading.Thread(target=lambda: _quietly(url))
    sender.start()
    deadline = time.monotonic() + WITHIN
    while b"/send" not in journal(url):
        assert time.monotonic() < deadline, "the send never arrived"
        time.sleep(0.02)
    server.signal(signal.SIGINT)
    server.signal(signal.SIGINT)
    assert server.wait_exit(WITHIN) == 0, server.stderr
    sender.join(WITHIN)
    assert made["id"] in state.read_text()


def _quietly(url: str) -> None:
    """A slow send whose connection the forced exit may cut."""
    with contextlib.suppress(httpx.HTTPError):
        httpx.post(f"{url}/orgs/org_slow/broadcasts/bc_slow/send", timeout=WITHIN,
                   json={"email": "cut@example.com"}, headers={"Authorization": "Bearer key_slow"})
