"""Issue 12, item 9 over a real socket: `invent-emulator serve` checks the Host of control
requests, takes --allowed-hosts and --admin-token, and warns when bound beyond loopback."""

from __future__ import annotations

import re
import socket
import time
from pathlib import Path

import httpx
import pytest
from support.api import assert_error
from support.cli import Spawner, clean_env

# Starts processes or servers: left out by `dev.py test --fast` (tests/README.md).
pytestmark = pytest.mark.slow


def test_served_control_surface_checks_host_token_and_origin(tmp_path: Path) -> None:
    with Spawner(tmp_path) as spawn:
        server = spawn("--port", "0", "--allowed-hosts", "emulator.internal,other.internal",
                       "--admin-token", "t0ken")
        url, _ = server.wait_healthy(timeout=20.0)
        with httpx.Client(base_url=url, timeout=10) as http:
            assert_error(http.get("/_emulator/health", headers={"Host": "evil.example"}), 403)
            assert_error(http.get("/_emulator/clock"), 401)
            token = {"X-Invent-Admin-Token": "t0ken"}
            for host in ("emulator.internal:80", "localhost"):
                response = http.get("/_emulator/clock", headers={**token, "Host": host})
                assert response.status_code == 200, response.text
            cross = http.post("/_emulator/reset", content=b"{}",
                              headers={**token, "Origin": "https://evil.example",
                                       "Content-Type": "text/plain"})
            assert_error(cross, 403)
            address = (httpx.URL(url).host, httpx.URL(url).port or 80)
            with socket.create_connection(address, timeout=10) as sock:  # HTTP/1.0, no Host
                sock.sendall(b"GET /_emulator/health HTTP/1.0\r\n\r\n")
                with sock.makefile("rb") as answer:  # to the close HTTP/1.0 ends with
                    assert answer.read().startswith(b"HTTP/1.1 200")
        assert "warning" not in server.stderr.lower()
        assert "Traceback" not in server.stderr


def test_environment_sets_allowed_hosts(tmp_path: Path) -> None:
    with Spawner(tmp_path) as spawn:
        env = clean_env(INVENT_EMULATOR_ALLOWED_HOSTS="emulator.internal")
        url, _ = spawn("--port", "0", env=env).wait_healthy(timeout=20.0)
        with httpx.Client(base_url=url, timeout=10) as http:
            ok = http.get("/_emulator/clock", headers={"Host": "emulator.internal"})
            assert ok.status_code == 200, ok.text
            assert_error(http.get("/_emulator/clock", headers={"Host": "evil.example"}), 403)


def test_binding_beyond_loopback_logs_a_warning(tmp_path: Path) -> None:
    # The unspecified address, as inside a container; reached here only through loopback.
    with Spawner(tmp_path) as spawn:
        server = spawn("--host", "0.0.0.0", "--port", "0")
        deadline = time.monotonic() + 20
        while "beyond loopback" not in server.stderr:
            assert time.monotonic() < deadline and server.process.poll() is None, server.stderr
            time.sleep(0.02)
        match = re.search(r"listening on http://0\.0\.0\.0:(\d+)", server.stderr)
        assert match, server.stderr
        with httpx.Client(base_url=f"http://127.0.0.1:{match.group(1)}", timeout=10) as http:
            # Bound beyond loopback, a container's single-label name passes; a dotted one not.
            ok = http.get("/_emulator/clock", headers={"Host": "invent-emulator:4010"})
            assert ok.status_code == 200, ok.text
            assert_error(http.get("/_emulator/orgs",
                                  headers={"Host": "rebind.attacker.example:4010"}), 403)
        assert "WARNING: bound to 0.0.0.0, beyond loopback" in server.stderr
        assert "INVENT_EMULATOR_ADMIN_TOKEN" in server.stderr
