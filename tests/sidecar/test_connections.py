"""A stalled request is answered 408 (JSON envelope) or closed once its deadline passes, and
connections beyond the cap are answered 503 and closed: the server stays healthy throughout."""

from __future__ import annotations

import contextlib
import json
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from support.cli import DEFAULT_SERVER_GROUP, DefaultServer, Server, Spawner, clean_env, command
from support.rawhttp import read_message
from support.sidecar import wait_for_log

# Deadlines for reading an answer; far above the short timeouts the servers here are given.
READ_WITHIN = 10.0
SEND_HEAD = (b"POST /orgs/c/broadcasts/bc_otp/send HTTP/1.1\r\nHost: localhost\r\n"
             b"Authorization: Bearer test_key_acme\r\nContent-Type: application/json\r\n"
             b"Content-Length: 100\r\n\r\n")


def address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    return parts.hostname, parts.port


@contextlib.contextmanager
def connected(url: str) -> Iterator[socket.socket]:
    with socket.create_connection(address(url), timeout=READ_WITHIN) as sock:
        yield sock


def read_all(sock: socket.socket) -> bytes:
    """Everything until the server closes the connection (a deadline fails the test)."""
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def status_and_body(raw: bytes) -> tuple[int, dict[str, object]]:
    head, _, body = raw.partition(b"\r\n\r\n")
    assert b"connection: close" in head.lower(), head
    return int(head.split(b" ", 2)[1]), json.loads(body)


def assert_healthy(url: str) -> None:
    assert httpx.get(f"{url}/_emulator/health", timeout=READ_WITHIN).status_code == 200


# The tests of the half-second deadlines share one server, made once per module and worker (the
# group keeps them on one worker under `--dist loadgroup`): a stalled request changes nothing on
# it (test_the_stalled_request_changed_nothing holds for all of them: none completes a send).
SHARED = pytest.mark.xdist_group("sidecar-quick-deadlines")


@pytest.fixture(scope="module")
def quick_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    """A server whose header and body deadlines are half a second, with the access log on."""
    with Spawner(tmp_path_factory.mktemp("quick")) as spawn:
        server = spawn("--port", "0", "--header-timeout", "0.5", "--body-timeout", "0.5",
                       "--access-log")
        url, _ = server.wait_healthy()
        yield server, url


@pytest.fixture
def quick(quick_server: tuple[Server, str]) -> str:
    return quick_server[1]


@SHARED
def test_a_partial_body_is_answered_408(quick: str) -> None:
    with connected(quick) as sock:
        sock.sendall(SEND_HEAD + b'{"email": "ada@')  # 15 of the 100 bytes it announced
        status, body = status_and_body(read_all(sock))
    assert status == 408
    assert body == {"statusCode": 408, "error": "Request Timeout",
                    "message": "The request body did not arrive within 0.5 s"}
    assert_healthy(quick)


@SHARED
def test_the_access_log_reports_the_408_the_client_got(quick_server: tuple[Server, str]) -> None:
    server, url = quick_server
    with connected(url) as sock:
        sock.sendall(SEND_HEAD + b'{"email": "ada@')
        assert status_and_body(read_all(sock))[0] == 408
    wait_for_log(server, "POST /orgs/c/broadcasts/bc_otp/send 408 ")


@pytest.mark.skipif(sys.platform != "linux", reason="reads the limit from /proc (Linux)")
def test_the_open_file_limit_is_raised_to_fit_the_cap(tmp_path: Path) -> None:
    import resource

    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    wanted = 1000 + 64 if hard == resource.RLIM_INFINITY else min(1000 + 64, hard)

    with (tmp_path / "server.log").open("wb") as log:
        # In a shell, so the child starts under `ulimit -S -n 256` (no preexec_fn: not thread-safe).
        script = "ulimit -S -n 256 && exec " + shlex.join(
            command("serve", "--port", "0", "--max-connections", "1000"))
        server = subprocess.Popen(["/bin/sh", "-c", script], env=clean_env(), cwd=tmp_path,
                                  stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + READ_WITHIN
            while "listening on" not in (tmp_path / "server.log").read_text():
                assert server.poll() is None and time.monotonic() < deadline
                time.sleep(0.02)
            limits = Path(f"/proc/{server.pid}/limits").read_text()
        finally:
            server.kill()
            server.wait(READ_WITHIN)
    line = next(x for x in limits.splitlines() if x.startswith("Max open files"))
    assert int(line.split()[3]) == wanted, line


@SHARED
def test_partial_headers_are_answered_408(quick: str) -> None:
    with connected(quick) as sock:
        sock.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: local")
        status, body = status_and_body(read_all(sock))
    assert status == 408
    assert body["message"] == "The request headers did not arrive within 0.5 s"
    assert_healthy(quick)


@SHARED
def test_an_idle_connection_is_closed(quick: str) -> None:
    with connected(quick) as sock:
        assert read_all(sock) == b""


@SHARED
def test_a_stalled_second_request_on_a_keep_alive_connection_is_answered_408(
        quick: str) -> None:
    with connected(quick) as sock:
        sock.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        first = one_response(sock)  # all of it: the 408 read next must not start mid-body
        assert first.startswith(b"HTTP/1.1 200"), first
        sock.sendall(b"GET /_emulator/health HTTP/1.1\r\nHo")
        status, _ = status_and_body(read_all(sock))
    assert status == 408


@SHARED
def test_the_header_deadline_runs_from_the_last_answer(quick: str) -> None:
    """Requests keep a connection open past its first deadline (each answer moves it on);
    once they stop, it is closed a deadline after the last answer."""
    with connected(quick) as sock:
        opened = time.monotonic()
        while time.monotonic() - opened < 1.2:  # well past the 0.5 s from the connection
            sock.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
            answer = one_response(sock)
            assert answer.startswith(b"HTTP/1.1 200"), answer
            time.sleep(0.2)
        last = time.monotonic()
        assert read_all(sock) == b""
        closed_after = time.monotonic() - last
    assert 0.2 < closed_after < 2.0, closed_after


@SHARED
def test_the_stalled_request_changed_nothing(quick: str) -> None:
    with connected(quick) as sock:
        sock.sendall(SEND_HEAD + b'{"email": "ada@example.com"')
        assert status_and_body(read_all(sock))[0] == 408
    listed = httpx.get(f"{quick}/orgs/c/broadcasts/bc_otp/recipients", timeout=READ_WITHIN,
                       headers={"Authorization": "Bearer test_key_acme"})
    assert listed.status_code == 200
    assert listed.json() == []


@DEFAULT_SERVER_GROUP
def test_the_default_deadline_is_not_the_quick_one(default_server: DefaultServer) -> None:
    # With the defaults (10 s for headers) a client half a second slow is still served.
    url = default_server.url
    with connected(url) as sock:
        sock.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: loc")
        sock.settimeout(1.0)
        with pytest.raises(TimeoutError):
            sock.recv(1)
        sock.settimeout(READ_WITHIN)
        sock.sendall(b"alhost\r\nConnection: close\r\n\r\n")
        assert read_all(sock).startswith(b"HTTP/1.1 200")


HEALTH_REQUEST = b"GET /_emulator/health HTTP/1.1\r\nHost: localhost\r\n\r\n"


def one_response(sock: socket.socket) -> bytes:
    """One whole answer on a keep-alive connection (or what came before the server closed)."""
    return read_message(sock)[0]


def served_connection(url: str, stack: contextlib.ExitStack) -> socket.socket:
    """A connection that got a 200, so the server counts it. A connection the server has not
    yet seen closing (from an earlier client) may still hold a place: retry for a while."""
    deadline = time.monotonic() + READ_WITHIN
    while time.monotonic() < deadline:
        sock = socket.create_connection(address(url), timeout=READ_WITHIN)
        sock.sendall(HEALTH_REQUEST)
        if one_response(sock).startswith(b"HTTP/1.1 200"):
            return stack.enter_context(sock)
        sock.close()
        time.sleep(0.05)
    raise AssertionError("no connection was served")


def test_connections_beyond_the_cap_are_answered_503_and_closed(spawn: Spawner) -> None:
    server = spawn("--port", "0", "--max-connections", "3")
    url, _ = server.wait_healthy()
    with contextlib.ExitStack() as stack:
        held = [served_connection(url, stack) for _ in range(3)]
        with connected(url) as extra:
            extra.sendall(HEALTH_REQUEST)
            raw = read_all(extra)
        status, body = status_and_body(raw)
        assert status == 503
        assert body["statusCode"] == 503
        assert b"retry-after: 1" in raw.lower()
        for sock in held:  # the held connections are still served
            sock.sendall(HEALTH_REQUEST)
            assert one_response(sock).startswith(b"HTTP/1.1 200")
    with contextlib.ExitStack() as stack:  # places free up as connections close
        served_connection(url, stack)
    assert "connections are open (the cap)" in server.stderr
