"""SIGTERM/SIGINT: stop accepting, let in-flight requests finish within the grace, then close
what is left; exit 0 either way, a second signal skips the rest of the grace, no tracebacks."""

from __future__ import annotations

import signal
import socket

import pytest
from support.cli import Server, Spawner
from support.sidecar import wait_for_log

from sidecar.test_connections import (
    HEALTH_REQUEST,
    SEND_HEAD,
    address,
    one_response,
    read_all,
    status_and_body,
)

EXIT_WITHIN = 10.0
# Far beyond EXIT_WITHIN: a server that exits in time did not wait for these.
LONG = "120"


def half_sent(url: str) -> socket.socket:
    """A send whose body is 15 of the 100 bytes it announced: in flight until it is finished.

    A health check on the same connection is answered first: a connection the kernel completed
    but the server has not accepted yet is reset when the stop closes the listener, so the signal
    must not come before the server is known to hold it."""
    sock = socket.create_connection(address(url), timeout=EXIT_WITHIN)
    sock.sendall(HEALTH_REQUEST)
    answered = one_response(sock)
    assert answered.startswith(b"HTTP/1.1 200"), answered
    sock.sendall(SEND_HEAD + b'{"email": "ada@')
    return sock


def assert_clean(server: Server) -> None:
    assert "Traceback" not in server.output, server.output
    assert "CancelledError" not in server.output, server.output


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stalled_request_is_cut_after_the_grace_and_the_exit_is_0(
        spawn: Spawner, sig: signal.Signals) -> None:
    server = spawn("--port", "0", "--shutdown-grace", "0.5", "--body-timeout", LONG)
    url, _ = server.wait_healthy()
    with half_sent(url) as sock:
        server.signal(sig)
        assert server.wait_exit(EXIT_WITHIN) == 0, server.stderr
        assert read_all(sock) == b""
    assert "the 0.5 s grace ran out: closing 1 connection(s)" in server.stderr
    assert_clean(server)


def test_an_in_flight_request_finishes_during_the_grace(spawn: Spawner) -> None:
    server = spawn("--port", "0", "--shutdown-grace", LONG)
    url, _ = server.wait_healthy()
    with half_sent(url) as sock:
        server.signal(signal.SIGTERM)
        wait_for_log(server, "stopping: 1 connection(s) open")
        with pytest.raises(ConnectionRefusedError):  # no new connections meanwhile
            socket.create_connection(address(url), timeout=EXIT_WITHIN).close()
        sock.sendall(b'example.com", "variables": {"otp": "1"}}'.ljust(85))
        status, body = status_and_body(read_all(sock))  # answered, then closed
    assert status == 200, body
    assert server.wait_exit(EXIT_WITHIN) == 0, server.stderr
    assert "grace ran out" not in server.stderr
    assert_clean(server)


def test_a_second_signal_skips_the_rest_of_the_grace(spawn: Spawner) -> None:
    server = spawn("--port", "0", "--shutdown-grace", LONG, "--body-timeout", LONG)
    url, _ = server.wait_healthy()
    with half_sent(url):
        server.signal(signal.SIGTERM)
        wait_for_log(server, "stopping: 1 connection(s) open")
        server.signal(signal.SIGTERM)
        assert server.wait_exit(EXIT_WITHIN) == 0, server.stderr
    assert "a second signal: closing 1 connection(s)" in server.stderr
    assert_clean(server)


def test_a_stop_signal_while_the_scenario_loads_exits_0_quietly(spawn: Spawner) -> None:
    server = spawn("--port", "0", "--scenario", "big-campaign")  # takes a while to build
    wait_for_log(server, "loading the scenario big-campaign")
    server.signal(signal.SIGTERM)
    assert server.wait_exit(EXIT_WITHIN) == 0, server.stderr
    assert_clean(server)
