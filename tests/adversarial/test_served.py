"""Hostile requests that only a real socket carries as written (httpx normalizes `..` and
refuses odd bytes): sent raw to `invent-emulator serve`, each gets the JSON envelope with a 4xx
(or uvicorn's documented plain-text 400 for a malformed request line or header), the server
stays healthy and its log shows no traceback."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from support.cli import Spawner

# Starts processes or servers: left out by `dev.py test --fast` (tests/README.md).
pytestmark = pytest.mark.slow

KEY = b"test_key_acme"
RAW_TARGETS = [
    b"/orgs/c/broadcasts/../broadcasts/bc_otp/send", b"/orgs/c/../../_emulator/reset",
    b"/_emulator/../orgs/c/broadcasts", b"/orgs/c/broadcasts/bc_otp%2Fsend",
    b"/orgs/c/broadcasts/bc_otp%00/send", b"/orgs/c/broadcasts/./bc_otp/send",
    b"/orgs/c/broadcasts/%C0%AF/send", b"/orgs/c/broadcasts\\bc_otp\\send",
]


def _exchange(address: tuple[str, int], request: bytes) -> tuple[int, bytes, bytes]:
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data or not _complete(data):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), head, body


def _complete(data: bytes) -> bool:
    head, _, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value.strip())
    return True


def _request(target: bytes, body: bytes = b'{"email": "ada@example.com"}') -> bytes:
    return (b"POST " + target + b" HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + KEY
            + b"\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[tuple[str, int], Spawner, object]]:
    with Spawner(tmp_path_factory.mktemp("served")) as spawn:
        server = spawn("--port", "0")
        url, _ = server.wait_healthy(timeout=20.0)
        parts = urlsplit(url)
        assert parts.hostname and parts.port
        yield (parts.hostname, parts.port), spawn, server


def _assert_healthy(served: tuple[tuple[str, int], Spawner, object]) -> None:
    address, _, server = served
    status, _, body = _exchange(address, b"GET /_emulator/health HTTP/1.1\r\nHost: localhost"
                                         b"\r\nConnection: close\r\n\r\n")
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    messages = _exchange(address, b"GET /_emulator/messages HTTP/1.1\r\nHost: localhost"
                                  b"\r\nConnection: close\r\n\r\n")
    assert messages[0] == 200 and json.loads(messages[2]) == [], "a refused request sent"
    assert "Traceback" not in server.stderr  # type: ignore[attr-defined]


@pytest.mark.parametrize("target", RAW_TARGETS, ids=lambda t: t.decode("latin-1"))
def test_raw_paths_are_refused_with_the_envelope(served: tuple[tuple[str, int], Spawner, object],
                                                 target: bytes) -> None:
    status, head, body = _exchange(served[0], _request(target))
    if status == 400 and b"application/json" not in head:  # uvicorn's own protocol error
        assert body.startswith(b"Invalid HTTP request"), body
    else:
        assert 400 <= status < 500, (status, body)
        envelope = json.loads(body)
        assert envelope["statusCode"] == status and envelope["message"], envelope
    _assert_healthy(served)


@pytest.mark.parametrize("request_bytes", [
    b"GET /orgs/c/broadcasts HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"x" * 200_000
    + b"\r\n\r\n",
    b"GET /orgs/c/broadcasts HTTP/1.1\r\nHost: localhost\r\nBad Header\r\n\r\n",
    b"GET /orgs/c/broadcasts HTTP/1.1\r\nHost: localhost\r\nX: \x00\x01\r\n\r\n",
    b"NOT A REQUEST\r\n\r\n",
    b"GET /orgs/c/broadcasts HTTP/9.9\r\nHost: localhost\r\n\r\n",
    b"GET /orgs/c/broadcasts HTTP/1.1\r\nHost: localhost\r\nContent-Length: -1\r\n\r\n",
    b"POST /orgs/c/broadcasts HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
], ids=["huge_header", "header_without_colon", "control_bytes", "garbage", "http_9",
        "negative_length", "length_and_chunked"])
def test_malformed_requests_get_a_4xx(served: tuple[tuple[str, int], Spawner, object],
                                      request_bytes: bytes) -> None:
    try:
        status, _, _ = _exchange(served[0], request_bytes)
    except (ConnectionError, IndexError, ValueError):
        status = 400  # closed without an answer: the parser refused the bytes outright
    assert 400 <= status < 500, status
    _assert_healthy(served)


def test_the_server_log_has_no_traceback_at_the_end(
        served: tuple[tuple[str, int], Spawner, object]) -> None:
    _assert_healthy(served)
