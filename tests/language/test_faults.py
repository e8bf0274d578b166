"""Injected faults: which requests they hit (every, nth, probability, method and path), what they
do (respond, delay, drop), and that the control surface is never faulted."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from support.apps import app_from_yaml, client_for
from support.language import (
    START,
    Emu,
    assert_counters_agree,
    assert_envelope,
    open_emulator,
    scenario,
)

from emulator import create_app, load_scenario_text
from emulator.server import bind, make_server
from emulator.testing import VirtualClock

pytestmark = pytest.mark.anyio


async def _send_statuses(emu: Emu, count: int) -> list[int]:
    return [(await emu.post_send({"contact_id": "ct_ada"})).status_code for _ in range(count)]


async def test_every_n_fires_at_exact_positions() -> None:
    text = scenario("""
        faults:
          - when: {method: POST, path: "/orgs/*/broadcasts/*/send"}
            every: 3
            respond: {status: 503, message: "try later", retry_after: 7}
    """)
    async with open_emulator(text) as emu:
        statuses: list[int] = []
        for index in range(9):
            # Requests the rule does not match do not count.
            assert (await emu.http.get("/orgs/c/broadcasts")).status_code == 200
            assert (await emu.http.get("/orgs/c/broadcasts/bc_mail/recipients")).status_code \
                == 200
            response = await emu.post_send({"contact_id": "ct_ada"})
            statuses.append(response.status_code)
            if index == 2:
                body = assert_envelope(response, 503)
                assert body == {"statusCode": 503, "error": "Service Unavailable",
                                "message": "try later"}
                assert response.headers["retry-after"] == "7"
        assert statuses == [200, 200, 503] * 3
        # A faulted send never reached the emulator: no row, no counter.
        rows = await emu.rows()
        assert len(rows) == 6
        assert_counters_agree(await emu.broadcast("bc_mail"), rows)


async def test_nth_fires_only_once() -> None:
    text = scenario("""
        faults:
          - when: {method: post}
            nth: 2
            respond: {status: 500}
    """)
    async with open_emulator(text) as emu:
        responses = [await emu.post_send({"contact_id": "ct_ada"}) for _ in range(7)]
        assert [r.status_code for r in responses] == [200, 500, 200, 200, 200, 200, 200]
        # Without a message the envelope names the rule; without retry_after, no header.
        body = assert_envelope(responses[1], 500)
        assert body["message"] == "Injected fault (faults[0])"
        assert "retry-after" not in responses[1].headers
        assert len(await emu.rows()) == 6


PROBABLE = """
    rate_limits: {send: null}
    faults:
      - when: {method: POST}
        probability: 0.3
        respond: {status: 502}
"""


async def _probability_pattern(seed: int) -> list[int]:
    async with open_emulator(scenario(PROBABLE, seed=seed)) as emu:
        return await _send_statuses(emu, 60)


async def test_probability_is_deterministic_for_a_seed() -> None:
    first = await _probability_pattern(21)
    assert first == await _probability_pattern(21)
    assert set(first) == {200, 502}
    # 0.3 of 60: expect 18 (sd 3.5); four standard deviations either way.
    assert 4 <= first.count(502) <= 32
    assert await _probability_pattern(22) != first


async def test_probability_bounds() -> None:
    text = scenario("""
        faults:
          - {when: {path: "/orgs/*/broadcasts"}, probability: 1.0, respond: {status: 500}}
          - {when: {path: "/orgs/*/broadcasts/*/recipients"}, probability: 0,
             respond: {status: 500}}
    """)
    async with open_emulator(text) as emu:
        for _ in range(10):
            assert (await emu.http.get("/orgs/c/broadcasts")).status_code == 500
            assert (await emu.http.get("/orgs/c/broadcasts/bc_mail/recipients")).status_code \
                == 200


async def test_method_and_path_glob_matching() -> None:
    text = scenario("""
        faults:
          - when: {method: GET, path: "/orgs/*/broadcasts/*/recipients"}
            every: 1
            respond: {status: 418}
          - when: {method: POST, path: "/orgs/*/broadcasts"}
            every: 1
            respond: {status: 409}
    """)
    async with open_emulator(text) as emu:
        assert_envelope(await emu.http.get("/orgs/c/broadcasts/bc_mail/recipients"), 418)
        assert_envelope(await emu.http.post("/orgs/c/broadcasts", json={"name": "x"}), 409)
        assert (await emu.http.get("/orgs/c/broadcasts")).status_code == 200
        assert (await emu.post_send({"contact_id": "ct_ada"})).status_code == 200


async def test_every_matching_rule_counts_and_the_first_that_fires_acts() -> None:
    text = scenario("""
        faults:
          - {when: {method: POST}, every: 2, respond: {status: 503}}
          - {when: {method: POST}, every: 3, respond: {status: 504}}
    """)
    async with open_emulator(text) as emu:
        # Position 6 fires both rules: the first one acts.
        assert await _send_statuses(emu, 7) == [200, 503, 504, 503, 200, 503, 200]


async def test_the_control_surface_is_never_faulted() -> None:
    text = scenario("""
        faults:
          - {every: 1, respond: {status: 500}}
          - {when: {path: "/_emulator/*"}, every: 1, respond: {status: 500}}
    """)
    async with open_emulator(text) as emu:
        for _ in range(3):
            assert (await emu.http.get("/_emulator/health")).status_code == 200
            assert (await emu.http.get("/_emulator/clock")).status_code == 200
            assert (await emu.http.get("/_emulator/magic")).status_code == 200
            assert (await emu.http.get("/_emulator/suppressions")).status_code == 200
            assert (await emu.http.post("/_emulator/clock/advance",
                                        json={"seconds": 1})).status_code == 200
        assert_envelope(await emu.http.get("/orgs/c/broadcasts"), 500)


async def test_delay_then_the_normal_answer() -> None:
    text = scenario("""
        faults:
          - {when: {path: "/orgs/*/broadcasts"}, delay: 20ms}
          - {when: {method: POST}, nth: 1, delay: 10ms, respond: {status: 503}}
    """)
    async with open_emulator(text) as emu:
        response = await emu.http.get("/orgs/c/broadcasts")
        assert response.status_code == 200
        assert {b["id"] for b in response.json()} >= {"bc_mail", "bc_sms"}
        assert_envelope(await emu.post_send({"contact_id": "ct_ada"}), 503)
        assert (await emu.post_send({"contact_id": "ct_ada"})).status_code == 200


async def test_reset_restarts_fault_counters() -> None:
    text = scenario("faults:\n  - {when: {method: POST}, nth: 2, respond: {status: 500}}\n")
    async with open_emulator(text) as emu:
        assert await _send_statuses(emu, 3) == [200, 500, 200]
        assert (await emu.http.post("/_emulator/reset", json={})).status_code == 200
        assert await _send_statuses(emu, 3) == [200, 500, 200]


# A real server, for the one fault an in-process transport cannot show: a cut connection.

DROP = scenario("""
    faults:
      - when: {method: GET, path: "/orgs/*/broadcasts"}
        nth: 2
        drop: true
""")


@pytest.fixture
def live_url() -> Iterator[str]:
    """The DROP scenario served by uvicorn on 127.0.0.1, on a free port, in a daemon thread."""
    app = create_app(scenario=load_scenario_text(DROP), clock=VirtualClock(START))
    server = make_server(app, access_log=False, log_level="critical")
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert thread.is_alive(), "the server thread died while starting"
            assert time.monotonic() < deadline, "the server did not start within 10 s"
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.request_stop()
        thread.join(timeout=10)
        sock.close()
        assert not thread.is_alive(), "the server thread did not stop"


def test_drop_cuts_the_connection(live_url: str) -> None:
    headers = {"Authorization": "Bearer key_a"}
    with httpx.Client(base_url=live_url, headers=headers, timeout=10) as http:
        first = http.get("/orgs/c/broadcasts")
        assert first.status_code == 200
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            http.get("/orgs/c/broadcasts")
        third = http.get("/orgs/c/broadcasts")
        assert third.status_code == 200
        assert third.json() == first.json()
        # The control surface still answers on the same server.
        assert http.get("/_emulator/health").json() == {"status": "ok"}


async def test_a_fault_with_a_status_http_does_not_name(clock: VirtualClock) -> None:
    text = "faults: [{respond: {status: 599}}]\norgs:\n  - {id: org_f, api_keys: [key_f]}\n"
    async with client_for(app_from_yaml(text, clock), "key_f") as http:
        response = await http.get("/orgs/c/broadcasts")
    assert response.status_code == 599
    assert response.json()["error"] == "Server Error"
