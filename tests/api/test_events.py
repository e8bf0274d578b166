"""`GET /_emulator/events` on a served emulator: recipient events with the webhook's type and
body, `broadcast.status` events, one org or all, `Last-Event-ID` resume, heartbeats, and a stop
that an open stream does not hold up."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from support.scenarios import TWO_ORGS

from emulator import create_app
from emulator.scenario.load import load_scenario_text
from emulator.service import Emulator
from emulator.testing.threaded import ThreadedServer

EVENTS = "/_emulator/events"


@pytest.fixture
def served() -> Iterator[ThreadedServer]:
    server = ThreadedServer(create_app(scenario=load_scenario_text(TWO_ORGS, "two.yaml"))).start()
    yield server
    server.stop()


def _frames(lines: Iterator[str], wanted: int) -> list[dict[str, str]]:
    """The next `wanted` events of a stream (comments skipped), each as its fields."""
    found: list[dict[str, str]] = []
    fields: dict[str, str] = {}
    for line in lines:
        if line == "":
            if "event" in fields:  # not the opening `retry:`
                found.append(fields)
                if len(found) == wanted:
                    return found
            fields = {}
            continue
        if not line.startswith(":"):
            name, _, value = line.partition(": ")
            fields[name] = value
    raise AssertionError(f"the stream ended after {found}")


def _send(url: str, key: str, broadcast: str, email: str) -> None:
    response = httpx.post(f"{url}/orgs/c/broadcasts/{broadcast}/send", json={"email": email},
                          headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.text


def test_recipient_events_carry_the_webhook_body_for_one_org(served: ThreadedServer) -> None:
    with httpx.Client(base_url=served.url, timeout=10) as http, \
            http.stream("GET", EVENTS, params={"org_id": "org_a"}) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = stream.iter_lines()
        _send(served.url, "key_b", "bc_b", "other@example.test")  # another org: not shown
        _send(served.url, "key_a", "bc_a", "ada@example.test")
        sent, delivered = _frames(lines, 2)
    assert (sent["event"], delivered["event"]) == ("recipient.sent", "recipient.delivered")
    assert int(delivered["id"]) > int(sent["id"])
    body = json.loads(sent["data"])
    assert set(body) == {"id", "type", "created_at", "org_id", "data"}
    assert body["type"] == "recipient.sent" and body["org_id"] == "org_a"
    assert body["data"]["email"] == "ada@example.test" and body["data"]["is_sent"] is True


def test_broadcast_status_and_resume_after_last_event_id(served: ThreadedServer) -> None:
    with httpx.Client(base_url=served.url, timeout=10) as http:
        with http.stream("GET", EVENTS) as stream:
            lines = stream.iter_lines()
            paused = http.post("/_emulator/orgs/org_a/broadcasts/bc_a/pause")
            assert paused.status_code == 200, paused.text
            [status] = _frames(lines, 1)
        assert status["event"] == "broadcast.status"
        body = json.loads(status["data"])
        assert body["data"]["id"] == "bc_a" and body["data"]["status"] == "PAUSED"
        # Events while nobody listens are kept; a reconnect resumes after the last one seen.
        http.post("/_emulator/orgs/org_a/broadcasts/bc_a/resume")
        with http.stream("GET", EVENTS, headers={"Last-Event-ID": status["id"]}) as stream:
            [resumed] = _frames(stream.iter_lines(), 1)
        assert json.loads(resumed["data"])["data"]["status"] == "ACTIVE"
        assert int(resumed["id"]) == int(status["id"]) + 1


def test_a_quiet_stream_gets_heartbeats(served: ThreadedServer) -> None:
    emulator: Emulator = served.app.state.emulator
    emulator.events.heartbeat = 0.1
    with httpx.Client(base_url=served.url, timeout=10) as http, \
            http.stream("GET", EVENTS) as stream:
        lines = stream.iter_lines()
        comments = [next(lines) for _ in range(6)]
    assert comments.count(": heartbeat") >= 2


def test_an_unknown_org_is_a_404(served: ThreadedServer) -> None:
    assert httpx.get(f"{served.url}{EVENTS}", params={"org_id": "org_nope"}).status_code == 404


def test_a_stop_with_an_open_stream_is_prompt() -> None:
    server = ThreadedServer(create_app(scenario=load_scenario_text(TWO_ORGS, "two.yaml")))
    server.start()
    opened = threading.Event()

    def listen() -> None:
        with httpx.Client(base_url=server.url, timeout=30) as http, \
                http.stream("GET", EVENTS) as stream:
            opened.set()
            for _ in stream.iter_lines():
                pass

    reader = threading.Thread(target=listen, daemon=True)
    reader.start()
    assert opened.wait(10)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 2
    reader.join(5)
    assert not reader.is_alive()
