"""A webhook receiver that trickles, never ends its answer, never answers or redirects holds
nothing beyond the attempt's total deadline: not the send that caused it (in-process), not an
`advance` of its own org, never an `advance` of another org; a redirect is a failed attempt."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from support.receivers import ENDLESS, LOCATION, REDIRECT, SILENT, TRICKLE, HostileReceiver
from support.scenarios import webhook_orgs

from emulator import create_app
from emulator.scenario.load import load_scenario_text
from emulator.testing.threaded import ThreadedServer

pytestmark = pytest.mark.anyio
DEADLINE = 0.5  # each attempt's total deadline in these scenarios
# Far less than a trickling receiver needs to answer (minutes) or a silent one to give up, and
# room for a busy machine.
WITHIN = DEADLINE + 3.5


def scenario(url: str, *, max_attempts: int = 1, timeout: float = DEADLINE) -> str:
    return webhook_orgs(("org_a", "org_b"), [
        f'{{url: "{url}", events: [recipient.sent], timeout: {timeout}s, '
        f"max_attempts: {max_attempts}}}"])


def client(app: object, key: str | None = None, base_url: str = "http://emulator") -> \
        httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url=base_url, headers=headers,
                             timeout=30)


async def send(http: httpx.AsyncClient, n: int = 0) -> None:
    answer = await http.post("/orgs/c/broadcasts/bc_w/send",
                             json={"email": f"p{n}@example.test"})
    assert answer.status_code == 200, answer.text


async def log_of(http: httpx.AsyncClient, org_id: str = "org_a") -> list[dict[str, object]]:
    answer = await http.get("/_emulator/webhooks", params={"org_id": org_id})
    assert answer.status_code == 200, answer.text
    log: list[dict[str, object]] = answer.json()
    return log


@pytest.mark.parametrize("mode", [TRICKLE, SILENT])
async def test_an_inprocess_send_waits_only_until_the_deadline(mode: str) -> None:
    with HostileReceiver(mode) as receiver:
        app = create_app(scenario=load_scenario_text(scenario(receiver.url)))
        async with client(app, "key_org_a") as http:
            started = time.monotonic()
            await send(http)
            assert time.monotonic() - started < WITHIN
            [delivery] = await log_of(http)
    assert delivery["state"] == "failed"
    attempts = delivery["attempts"]
    assert isinstance(attempts, list)
    [attempt] = attempts
    assert attempt["error"] == f"timeout: no whole answer within {DEADLINE:g} s"


async def test_an_endless_answer_is_read_no_further_than_the_cap() -> None:
    with HostileReceiver(ENDLESS) as receiver:
        app = create_app(scenario=load_scenario_text(scenario(receiver.url, timeout=30)))
        async with client(app, "key_org_a") as http:
            started = time.monotonic()
            await send(http)
            assert time.monotonic() - started < 15.0  # not the 30 s deadline: the cap ends it
            [delivery] = await log_of(http)
    assert delivery["state"] == "delivered", delivery
    # The receiver wrote what the socket buffers took, far from 30 s of a fast stream.
    assert receiver.bytes_sent < 16 * 1024 * 1024


async def test_an_advance_with_a_trickling_receiver_ends_by_the_deadline() -> None:
    with HostileReceiver(TRICKLE) as receiver:
        app = create_app(scenario=load_scenario_text(scenario(receiver.url, max_attempts=3)))
        async with client(app, "key_org_a") as http:
            await send(http)  # first attempt (in-process: waited for)
            started = time.monotonic()
            answer = await http.post("/_emulator/clock/advance",
                                     json={"seconds": 1, "org_id": "org_a"})
            assert answer.status_code == 200, answer.text
            assert time.monotonic() - started < WITHIN
            [delivery] = await log_of(http)
    assert len(delivery["attempts"]) == 2  # type: ignore[arg-type]


async def test_a_redirect_is_a_failed_attempt_retried_and_logged_with_its_location() -> None:
    with HostileReceiver(REDIRECT) as receiver:
        # A deadline far above the receiver's at-once 302, so that a busy machine never turns
        # the attempt into a timeout: the redirect is what this test is about.
        app = create_app(scenario=load_scenario_text(scenario(receiver.url, max_attempts=2,
                                                               timeout=20.0)))
        async with client(app, "key_org_a") as http:
            await send(http)
            [delivery] = await log_of(http)
            assert delivery["state"] == "pending"  # waits for its retry
            answer = await http.post("/_emulator/clock/advance",
                                     json={"seconds": 1, "org_id": "org_a"})
            assert answer.status_code == 200
            [delivery] = await log_of(http)
    assert delivery["state"] == "failed"
    attempts = delivery["attempts"]
    assert [a["status"] for a in attempts] == [302, 302]  # type: ignore[attr-defined]
    assert all(LOCATION in a["error"] for a in attempts)  # type: ignore[attr-defined]
    assert receiver.requests == 2  # the redirect was not followed


@pytest.fixture
def silent_server() -> Iterator[tuple[ThreadedServer, HostileReceiver]]:
    with HostileReceiver(SILENT) as receiver:
        text = scenario(receiver.url, timeout=5.0)
        server = ThreadedServer(create_app(scenario=load_scenario_text(text))).start()
        try:
            yield server, receiver
        finally:
            server.stop()


def test_an_advance_of_one_org_never_waits_for_another_orgs_receiver(
        silent_server: tuple[ThreadedServer, HostileReceiver]) -> None:
    server, receiver = silent_server
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for n in range(3):  # org_a: three deliveries, each held by the silent receiver
            answer = http.post("/orgs/c/broadcasts/bc_w/send", json={"email": f"p{n}@x.test"},
                               headers={"Authorization": "Bearer key_org_a"})
            assert answer.status_code == 200
        deadline = time.monotonic() + 5
        while receiver.requests < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        started = time.monotonic()
        answer = http.post("/_emulator/clock/advance", json={"seconds": 1, "org_id": "org_b"})
        assert answer.status_code == 200, answer.text
        assert time.monotonic() - started < 3.0  # org_a's attempts hold 5 s each
        reset = http.post("/_emulator/reset", json={"org_id": "org_b"})
        assert reset.status_code in (200, 204), reset.text
        assert time.monotonic() - started < 4.0

