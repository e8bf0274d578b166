"""Webhooks at load: a served emulator sends them apart from the request that caused them,
through one pooled keep-alive client, one URL at a time in order and different URLs
concurrently, so a receiver that hangs delays no other receiver and no API answer."""

from __future__ import annotations

import socket
import socketserver
import ssl
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from support.apps import client_for

from emulator import create_app, load_scenario_text
from emulator.testing.threaded import ThreadedServer

WAIT = 10.0
# How often a receiver's loop looks for a shutdown (socketserver's default, 0.5 s, made each
# test's teardown wait up to a second for its two receivers).
POLL = 0.01


class Receiver(socketserver.ThreadingTCPServer):
    """A minimal HTTP/1.1 keep-alive receiver on loopback: counts connections and requests;
    with `hang`, it holds every request until released."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, hang: bool = False) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hang = hang
        self.release = threading.Event()
        self.connections = 0
        self.requests: list[bytes] = []
        self.got = threading.Condition()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks"

    def wait_for(self, count: int) -> bool:
        with self.got:
            return self.got.wait_for(lambda: len(self.requests) >= count, WAIT)


class _Handler(socketserver.StreamRequestHandler):
    server: Receiver

    def handle(self) -> None:
        with self.server.got:
            self.server.connections += 1
        while True:
            head = b""
            while not head.endswith(b"\r\n\r\n"):
                chunk = self.rfile.readline()
                if not chunk:
                    return
                head += chunk
            length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            body = self.rfile.read(length)
            if self.server.hang:
                self.server.release.wait(WAIT)
            with self.server.got:
                self.server.requests.append(body)
                self.server.got.notify_all()
            try:
                self.wfile.write(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
            except OSError:
                return


@pytest.fixture
def receivers() -> Iterator[tuple[Receiver, Receiver]]:
    healthy, hanging = Receiver(), Receiver(hang=True)
    for receiver in (healthy, hanging):
        threading.Thread(target=receiver.serve_forever, args=(POLL,), daemon=True).start()
    yield healthy, hanging
    hanging.release.set()
    for receiver in (healthy, hanging):
        receiver.shutdown()
        receiver.server_close()


# The tests of a served emulator (a thread, over loopback): left out by `dev.py test --fast`.
SERVED = pytest.mark.slow


def served(*urls: str) -> ThreadedServer:
    text = f"""
orgs:
  - id: org_w
    api_keys: [key_w]
    broadcasts:
      - id: bc_w
        name: W
        type: TRANSACTIONAL
        status: ACTIVE
        templates: [{{id: tpl_w, integration_id: gmail}}]
webhooks:
{"".join(f"  - {{url: '{url}', events: [recipient.delivered], timeout: 10s}}{chr(10)}"
         for url in urls)}"""
    return ThreadedServer(create_app(scenario=load_scenario_text(text))).start()


def send(http: httpx.Client, n: int) -> None:
    answer = http.post("/orgs/c/broadcasts/bc_w/send", json={"email": f"p{n}@example.test"})
    assert answer.status_code == 200, answer.text


@SERVED
def test_a_hanging_receiver_delays_no_other_receiver_and_no_answer(
        receivers: tuple[Receiver, Receiver]) -> None:
    healthy, hanging = receivers
    server = served(hanging.url, healthy.url)
    try:
        with httpx.Client(base_url=server.url, headers={"Authorization": "Bearer key_w"},
                          timeout=WAIT) as http:
            for n in range(3):
                send(http, n)  # answered although the first receiver holds its delivery
            assert healthy.wait_for(3)
            assert hanging.requests == []  # still held: the other receiver did not wait for it
            hanging.release.set()
            assert hanging.wait_for(3)
    finally:
        server.stop()


@SERVED
def test_one_pooled_keep_alive_connection_carries_the_deliveries(
        receivers: tuple[Receiver, Receiver]) -> None:
    healthy, _ = receivers
    server = served(healthy.url)
    try:
        with httpx.Client(base_url=server.url, headers={"Authorization": "Bearer key_w"},
                          timeout=WAIT) as http:
            for n in range(5):
                send(http, n)
                assert healthy.wait_for(n + 1)  # one at a time, so each can reuse the last
        emails = [body.split(b'"email":"')[1].split(b'"')[0] for body in healthy.requests]
        assert emails == [f"p{n}@example.test".encode() for n in range(5)]  # in event order
        assert healthy.connections == 1
    finally:
        server.stop()


@SERVED
def test_stopping_the_server_cancels_a_hanging_attempt(
        receivers: tuple[Receiver, Receiver]) -> None:
    _, hanging = receivers
    server = served(hanging.url)
    with httpx.Client(base_url=server.url, headers={"Authorization": "Bearer key_w"},
                      timeout=WAIT) as http:
        send(http, 0)
    stopper = threading.Thread(target=server.stop)
    stopper.start()
    stopper.join(WAIT)
    assert not stopper.is_alive()  # the held delivery did not keep the server from stopping
    with socket.create_connection(("127.0.0.1", hanging.server_address[1]), timeout=WAIT):
        pass  # the receiver itself is still fine


async def test_in_process_runs_of_deliveries_share_one_tls_context(
        receivers: tuple[Receiver, Receiver], monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process each run of deliveries has a client of its own; building a TLS context for
    each read the system's CA bundle again, tens of milliseconds that held the loop."""
    healthy, _ = receivers
    loads: list[object] = []
    load = ssl.SSLContext.load_verify_locations

    def counted(self: ssl.SSLContext, *args: Any, **kwargs: Any) -> None:
        loads.append(args or kwargs)
        load(self, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counted)
    text = f"""
orgs:
  - id: org_w
    api_keys: [key_w]
    broadcasts:
      - {{id: bc_w, name: W, type: TRANSACTIONAL, status: ACTIVE,
          templates: [{{id: tpl_w, integration_id: gmail}}]}}
webhooks:
  - {{url: '{healthy.url}', events: [recipient.delivered], timeout: 10s}}
"""
    async with client_for(create_app(scenario=load_scenario_text(text)), "key_w") as http:
        for n in range(3):  # in-process, a send returns once its deliveries were attempted
            answer = await http.post("/orgs/c/broadcasts/bc_w/send",
                                     json={"email": f"p{n}@example.test"})
            assert answer.status_code == 200, answer.text
    assert len(healthy.requests) == 3
    assert len(loads) <= 1  # none when an earlier test of this process built the context
