"""`invent-emulator serve` as a real process on 127.0.0.1, port 0: what it logs, that it answers
over the socket, how it stops, and how settings come from flags and INVENT_EMULATOR_* variables."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.cli import DEFAULT_SERVER_GROUP, DefaultServer, Server, Spawner, clean_env, run_cli
from support.sidecar import BAD_SCENARIO

from emulator import __version__

READY_WITHIN = 10.0
EXIT_WITHIN = 10.0

CUSTOM = """\
seed: 3
orgs:
  - id: org_{name}
    name: {name}
    api_keys: [test_key_{name}]
    contacts:
      - {{id: ct_{name}, email: {name}@example.com}}
    broadcasts:
      - id: bc_{name}
        name: {name} codes
        type: TRANSACTIONAL
        status: ACTIVE
        templates:
          - id: tpl_{name}
            integration_id: gmail
            config: {{subject: Code, body: "{{{{otp}}}}"}}
"""

KEYLESS = """\
seed: 11
orgs:
  - id: org_keyless
    broadcasts:
      - {id: bc_keyless, name: Keyless}
"""



def write_custom(directory: Path, name: str) -> Path:
    path = directory / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(CUSTOM.format(name=name), encoding="utf-8")
    return path


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port on 127.0.0.1 that a listening socket holds for the whole test."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        yield holder.getsockname()[1]


def started(spawn: Spawner, *args: str, env: dict[str, str] | None = None) -> tuple[Server, str]:
    server = spawn(*args, env=env)
    url, seconds = server.wait_healthy(READY_WITHIN)
    assert seconds < READY_WITHIN
    return server, url


def assert_refused(server: Server) -> str:
    """The server exits 2 with a message and no traceback, without ever announcing a URL."""
    assert server.wait_exit(EXIT_WITHIN) == 2, server.stderr
    stderr = server.stderr
    assert "Traceback" not in stderr, stderr
    assert "listening on" not in stderr
    assert stderr.strip()
    return stderr


@DEFAULT_SERVER_GROUP
def test_logs_the_bound_url_and_the_default_key(default_server: DefaultServer) -> None:
    server, url = default_server.server, default_server.url
    assert server.wait_for_url(READY_WITHIN) == url
    port = int(url.rsplit(":", 1)[1])
    assert 0 < port < 65536
    assert "test_key_acme" in server.stderr
    assert re.search(r"org org_acme .*test_key_acme", server.stderr)
    assert f"{url}/_emulator/health" in server.stderr


@DEFAULT_SERVER_GROUP
def test_health_answers_200_within_10_seconds(default_server: DefaultServer) -> None:
    assert default_server.ready_seconds < READY_WITHIN
    url = default_server.url
    response = httpx.get(f"{url}/_emulator/health", timeout=5)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@DEFAULT_SERVER_GROUP
def test_a_send_works_over_the_socket(default_server: DefaultServer) -> None:
    url = default_server.url
    with httpx.Client(base_url=url, timeout=5,
                      headers={"Authorization": "Bearer test_key_acme"}) as http:
        response = http.post("/orgs/c/broadcasts/bc_otp/send",
                             json={"email": "ada@example.com", "variables": {"otp": "123456"}})
        assert response.status_code == 200, response.text
        rows = response.json()["recipients"]
        assert rows
        assert all(row["broadcast_id"] == "bc_otp" for row in rows)
        assert any(row["email"] == "ada@example.com" for row in rows)
        listed = http.get("/orgs/c/broadcasts/bc_otp/recipients")
        assert listed.status_code == 200, listed.text
        assert {r["id"] for r in listed.json()} >= {r["id"] for r in rows}
    unauthenticated = httpx.post(f"{url}/orgs/c/broadcasts/bc_otp/send",
                                 json={"email": "ada@example.com"}, timeout=5)
    assert unauthenticated.status_code == 401


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_exits_0(spawn: Spawner, sig: signal.Signals) -> None:
    server, _ = started(spawn, "--port", "0")
    server.signal(sig)
    assert server.wait_exit(EXIT_WITHIN) == 0, server.stderr
    assert "Traceback" not in server.stderr


def test_sigterm_with_an_open_keep_alive_connection_exits_0(spawn: Spawner) -> None:
    server, url = started(spawn, "--port", "0")
    with httpx.Client(base_url=url, timeout=5) as http:
        assert http.get("/_emulator/health").status_code == 200  # the connection stays open
        server.signal(signal.SIGTERM)
        assert server.wait_exit(EXIT_WITHIN) == 0, server.stderr


def test_scenario_flag_loads_that_file(spawn: Spawner, tmp_path: Path) -> None:
    write_custom(tmp_path / "path" / "to", "custom")
    server, url = started(spawn, "--port", "0", "--scenario", "path/to/custom.yaml")
    assert "test_key_custom" in server.stderr
    assert "test_key_acme" not in server.stderr
    with httpx.Client(base_url=url, timeout=5) as http:
        mine = http.get("/orgs/c/broadcasts", headers={"Authorization": "Bearer test_key_custom"})
        assert mine.status_code == 200, mine.text
        assert [b["id"] for b in mine.json()] == ["bc_custom"]
        acme = http.get("/orgs/c/broadcasts", headers={"Authorization": "Bearer test_key_acme"})
        assert acme.status_code == 401


def test_a_bundled_scenario_name_that_does_not_exist_exits_2(spawn: Spawner) -> None:
    stderr = assert_refused(spawn("--port", "0", "--scenario", "otp-does-not-exist"))
    assert "otp-does-not-exist" in stderr
    assert "no such file or bundled scenario" in stderr


def test_a_bad_scenario_file_exits_2_with_file_line_col(spawn: Spawner, tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(BAD_SCENARIO, encoding="utf-8")
    stderr = assert_refused(spawn("--port", "0", "--scenario", "bad.yaml"))
    assert "bad.yaml:6:9: orgs[0].contacts[0].nickname: unknown key" in stderr.splitlines()


def test_a_port_in_use_exits_2_with_a_clear_message(spawn: Spawner, busy_port: int) -> None:
    stderr = assert_refused(spawn("--port", str(busy_port), "--host", "127.0.0.1"))
    assert f"127.0.0.1:{busy_port}" in stderr
    assert "in use" in stderr.lower()


@pytest.mark.parametrize("port", ["70000", "-1"])
def test_a_port_out_of_range_exits_2_with_a_message(spawn: Spawner, port: str) -> None:
    stderr = assert_refused(spawn("--port", port, "--host", "127.0.0.1"))
    assert port in stderr


def test_python_m_emulator_version(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "emulator", "--version"], cwd=tmp_path,
                          env=clean_env(), capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"invent-emulator {__version__}"
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", __version__)


def test_console_script_version(tmp_path: Path) -> None:
    done = run_cli("--version", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"invent-emulator {__version__}"


def test_env_port_is_honoured(spawn: Spawner, busy_port: int) -> None:
    # With no --port, the variable decides: pointing it at a held port must fail on that port.
    stderr = assert_refused(spawn(env=clean_env(INVENT_EMULATOR_PORT=str(busy_port))))
    assert f"127.0.0.1:{busy_port}" in stderr


def test_env_port_0_picks_a_free_port(spawn: Spawner) -> None:
    server, url = started(spawn, env=clean_env(INVENT_EMULATOR_PORT="0"))
    assert int(url.rsplit(":", 1)[1]) > 0
    assert server.process.poll() is None


def test_port_flag_beats_env_port(spawn: Spawner, busy_port: int) -> None:
    _, url = started(spawn, "--port", "0", env=clean_env(INVENT_EMULATOR_PORT=str(busy_port)))
    assert int(url.rsplit(":", 1)[1]) != busy_port


def test_env_scenario_is_honoured(spawn: Spawner, tmp_path: Path) -> None:
    path = write_custom(tmp_path, "fromenv")
    server, url = started(spawn, "--port", "0",
                          env=clean_env(INVENT_EMULATOR_SCENARIO=str(path)))
    assert "test_key_fromenv" in server.stderr
    response = httpx.get(f"{url}/orgs/c/broadcasts", timeout=5,
                         headers={"Authorization": "Bearer test_key_fromenv"})
    assert [b["id"] for b in response.json()] == ["bc_fromenv"]


def test_scenario_flag_beats_env_scenario(spawn: Spawner, tmp_path: Path) -> None:
    from_env = write_custom(tmp_path, "fromenv")
    from_flag = write_custom(tmp_path, "fromflag")
    server, _ = started(spawn, "--port", "0", "--scenario", str(from_flag),
                        env=clean_env(INVENT_EMULATOR_SCENARIO=str(from_env)))
    assert "test_key_fromflag" in server.stderr
    assert "test_key_fromenv" not in server.stderr


def test_a_bad_env_scenario_exits_2(spawn: Spawner, tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(BAD_SCENARIO, encoding="utf-8")
    stderr = assert_refused(spawn("--port", "0",
                                  env=clean_env(INVENT_EMULATOR_SCENARIO="bad.yaml")))
    assert "bad.yaml:6:9: orgs[0].contacts[0].nickname: unknown key" in stderr.splitlines()


@pytest.mark.parametrize(("name", "value"), [("ACCESS_LOG", "maybe"), ("PORT", "abc"),
                                             ("PORT", "4010.5")])
def test_a_bad_env_value_exits_2_naming_the_variable(spawn: Spawner, name: str,
                                                     value: str) -> None:
    stderr = assert_refused(spawn("--port", "0",
                                  env=clean_env(**{f"INVENT_EMULATOR_{name}": value})))
    assert f"INVENT_EMULATOR_{name}" in stderr
    assert repr(value) in stderr or value in stderr


def test_a_bad_env_log_level_exits_2_naming_the_variable(spawn: Spawner) -> None:
    stderr = assert_refused(spawn("--port", "0",
                                  env=clean_env(INVENT_EMULATOR_LOG_LEVEL="verbose")))
    assert "INVENT_EMULATOR_LOG_LEVEL" in stderr


@pytest.mark.parametrize(("value", "logged"), [("true", True), ("0", False)])
def test_env_access_log_is_honoured(spawn: Spawner, value: str, logged: bool) -> None:
    server, url = started(spawn, "--port", "0",
                          env=clean_env(INVENT_EMULATOR_ACCESS_LOG=value))
    assert httpx.get(f"{url}/_emulator/clock", timeout=5).status_code == 200
    server.signal(signal.SIGTERM)
    assert server.wait_exit(EXIT_WITHIN) == 0, server.stderr
    assert ("GET /_emulator/clock" in server.output) is logged, server.output


def test_a_generated_key_is_logged_stable_and_usable(spawn: Spawner, tmp_path: Path) -> None:
    (tmp_path / "keyless.yaml").write_text(KEYLESS, encoding="utf-8")
    keys = []
    for _ in range(2):
        server, url = started(spawn, "--port", "0", "--scenario", "keyless.yaml")
        match = re.search(r"org org_keyless .*API key (test_key_[0-9a-f]{32})", server.stderr)
        assert match, server.stderr
        keys.append(match.group(1))
        response = httpx.get(f"{url}/orgs/c/broadcasts", timeout=5,
                             headers={"Authorization": f"Bearer {match.group(1)}"})
        assert response.status_code == 200, response.text
        assert [b["id"] for b in response.json()] == ["bc_keyless"]
        server.signal(signal.SIGTERM)
        assert server.wait_exit(EXIT_WITHIN) == 0
    assert keys[0] == keys[1]
