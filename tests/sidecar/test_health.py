"""`invent-emulator health`: exit 0 only when /_emulator/health answers 200 in time, reading the
same host and port settings as `serve` (0.0.0.0 means: ask on loopback)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from support.cli import DEFAULT_SERVER_GROUP, DefaultServer, Spawner, clean_env, run_cli
from support.sidecar import wait_for_log


def port_of(url: str) -> str:
    return url.rsplit(":", 1)[1]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) but never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(8)
        yield holder.getsockname()[1]


@pytest.fixture
def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@DEFAULT_SERVER_GROUP
def test_healthy_server_exits_0(default_server: DefaultServer, tmp_path: Path) -> None:
    url = default_server.url
    done = run_cli("health", "--host", "127.0.0.1", "--port", port_of(url), cwd=tmp_path)
    assert done.returncode == 0, done.stderr


@DEFAULT_SERVER_GROUP
def test_reads_host_and_port_from_the_environment_and_asks_loopback_for_0000(
        default_server: DefaultServer, tmp_path: Path) -> None:
    url = default_server.url  # bound to 127.0.0.1 only
    env = clean_env(INVENT_EMULATOR_HOST="0.0.0.0", INVENT_EMULATOR_PORT=port_of(url))
    done = run_cli("health", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr


@DEFAULT_SERVER_GROUP
def test_flags_beat_the_environment(default_server: DefaultServer, tmp_path: Path,
                                    closed_port: int) -> None:
    url = default_server.url
    env = clean_env(INVENT_EMULATOR_PORT=str(closed_port))
    assert run_cli("health", cwd=tmp_path, env=env).returncode == 1
    assert run_cli("health", "--port", port_of(url), cwd=tmp_path, env=env).returncode == 0


def test_nothing_listening_exits_1_with_the_reason(tmp_path: Path, closed_port: int) -> None:
    done = run_cli("health", "--port", str(closed_port), cwd=tmp_path)
    assert done.returncode == 1
    assert f"http://127.0.0.1:{closed_port}/_emulator/health did not answer" in done.stderr
    assert "Traceback" not in done.stderr


def test_no_answer_in_time_exits_1(tmp_path: Path, silent_port: int) -> None:
    done = run_cli("health", "--port", str(silent_port), "--timeout", "0.3", cwd=tmp_path)
    assert done.returncode == 1
    assert "timed out" in done.stderr


def test_a_non_200_answer_exits_1(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/_emulator/health").respond_with_json({"status": "starting"},
                                                                      status=503)
    done = run_cli("health", "--host", "127.0.0.1", "--port", str(httpserver.port),
                   cwd=tmp_path)
    assert done.returncode == 1
    assert "answered 503" in done.stderr


def test_a_bad_port_variable_exits_1_naming_it(tmp_path: Path) -> None:
    done = run_cli("health", cwd=tmp_path, env=clean_env(INVENT_EMULATOR_PORT="http"))
    assert done.returncode == 1  # 2 is reserved by container engines
    assert "INVENT_EMULATOR_PORT must be" in done.stderr


def test_not_healthy_until_the_scenario_is_loaded(spawn: Spawner, tmp_path: Path,
                                                  closed_port: int) -> None:
    # big-campaign builds 100,000 contacts: seconds during which the port must stay closed.
    server = spawn("--port", str(closed_port), "--scenario", "big-campaign")
    wait_for_log(server, "loading the scenario big-campaign")
    results: list[tuple[int, bool]] = []
    while not results or results[-1][0] != 0:
        done = run_cli("health", "--port", str(closed_port), cwd=tmp_path)
        results.append((done.returncode, "listening on" in server.stderr))
        assert server.process.poll() is None, server.stderr
        assert len(results) < 1000, "never healthy"
    assert results[0] == (1, False)  # asked while loading: not healthy
    assert all(logged for code, logged in results if code == 0)  # healthy only once loaded
