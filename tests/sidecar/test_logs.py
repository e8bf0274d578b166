"""`--log-format json`: every line the process writes is one JSON object — start-up (with the
orgs and their keys), each request when the access log is on (never a header or a key), and
the shutdown."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.cli import Server, Spawner, clean_env
from support.sidecar import BAD_SCENARIO

EXIT_WITHIN = 10.0
KEY = "test_key_acme"


def json_lines(server: Server) -> list[dict[str, Any]]:
    lines = [line for line in server.output.splitlines() if line.strip()]
    assert lines
    return [json.loads(line) for line in lines]  # fails on any line that is not JSON


def run_and_stop(spawn: Spawner, *args: str) -> Server:
    server = spawn("--port", "0", "--log-format", "json", *args)
    url, _ = server.wait_healthy()
    auth = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=url, timeout=5, headers=auth) as http:
        sent = http.post("/orgs/c/broadcasts/bc_otp/send",
                         json={"email": "ada@example.com", "variables": {"otp": "123456"}})
        assert sent.status_code == 200, sent.text
        assert http.get("/orgs/c/broadcasts/nope").status_code == 404
    server.signal(signal.SIGTERM)
    assert server.wait_exit(EXIT_WITHIN) == 0, server.output
    return server


# Most tests here read the whole log of one finished run (start, two requests, stop): they share
# two runs, with and without the access log, each made once per module and worker (the group
# keeps their tests on one worker under `--dist loadgroup`).
SHARED = pytest.mark.xdist_group("sidecar-json-logs")


@pytest.fixture(scope="module")
def logged(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The JSON lines of a run with the access log on."""
    with Spawner(tmp_path_factory.mktemp("access-log")) as spawn:
        return json_lines(run_and_stop(spawn, "--access-log"))


@pytest.fixture(scope="module")
def unlogged(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The JSON lines of a run with the access log off (the default)."""
    with Spawner(tmp_path_factory.mktemp("no-access-log")) as spawn:
        return json_lines(run_and_stop(spawn))


@SHARED
def test_every_line_is_json_with_time_level_and_message(
        logged: list[dict[str, Any]]) -> None:
    entries = logged
    for entry in entries:
        assert {"time", "level", "logger", "message"} <= entry.keys(), entry
        assert entry["time"].endswith("Z")
    assert "uvicorn.error" in {e["logger"] for e in entries}  # the server's own lines too


@SHARED
def test_startup_lists_the_url_and_each_orgs_keys(unlogged: list[dict[str, Any]]) -> None:
    started = next(e for e in unlogged if e.get("event") == "started")
    assert started["url"].startswith("http://127.0.0.1:")
    assert started["scenario"] == "default"
    assert {"id": "org_acme", "name": "Acme", "api_keys": [KEY]} in started["orgs"]


@SHARED
def test_each_request_is_one_entry_without_headers_or_keys(
        logged: list[dict[str, Any]]) -> None:
    requests = [e for e in logged if e.get("event") == "request"]
    sent = next(e for e in requests if e["path"] == "/orgs/c/broadcasts/bc_otp/send")
    assert sent["method"] == "POST"
    assert sent["status"] == 200
    assert sent["org_id"] == "org_acme"
    assert isinstance(sent["duration_ms"], float | int)
    assert sent["duration_ms"] >= 0
    missing = next(e for e in requests if e["path"] == "/orgs/c/broadcasts/nope")
    assert missing["status"] == 404
    for entry in requests:
        text = json.dumps(entry)
        assert KEY not in text
        assert "Bearer" not in text
        assert "authorization" not in text.lower()


@SHARED
def test_no_request_lines_without_the_access_log(unlogged: list[dict[str, Any]]) -> None:
    assert not [e for e in unlogged if e.get("event") == "request"]


@SHARED
def test_the_shutdown_is_logged(unlogged: list[dict[str, Any]]) -> None:
    events = [e.get("event") for e in unlogged]
    assert "stopping" in events
    assert events[-1] == "stopped"


def test_a_bad_scenario_is_one_json_entry_listing_each_problem(spawn: Spawner,
                                                               tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(BAD_SCENARIO, encoding="utf-8")
    server = spawn("--port", "0", "--scenario", "bad.yaml", "--log-format", "json")
    assert server.wait_exit(EXIT_WITHIN) == 2
    (entry,) = [e for e in json_lines(server) if e.get("event") == "scenario_error"]
    assert entry["level"] == "error"
    assert "bad.yaml:6:9: orgs[0].contacts[0].nickname: unknown key" in entry["problems"]


def test_a_bad_setting_is_refused_in_json_too(spawn: Spawner) -> None:
    server = spawn("--port", "0", env=clean_env(INVENT_EMULATOR_LOG_FORMAT="json",
                                                INVENT_EMULATOR_SHUTDOWN_GRACE="later"))
    assert server.wait_exit(EXIT_WITHIN) == 2
    (entry,) = json_lines(server)
    assert "INVENT_EMULATOR_SHUTDOWN_GRACE must be" in entry["message"]


def test_text_access_log_line(spawn: Spawner) -> None:
    server = spawn("--port", "0", "--access-log")
    url, _ = server.wait_healthy()
    assert httpx.get(f"{url}/orgs/c/broadcasts", timeout=5,
                     headers={"Authorization": f"Bearer {KEY}"}).status_code == 200
    server.signal(signal.SIGTERM)
    assert server.wait_exit(EXIT_WITHIN) == 0
    line = next(x for x in server.output.splitlines() if "GET /orgs/c/broadcasts " in x)
    assert line.startswith("INFO: GET /orgs/c/broadcasts 200 ")
    assert line.endswith(" ms org org_acme")
    assert KEY not in line
