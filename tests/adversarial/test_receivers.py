"""Hostile webhook receivers against a served emulator: one trickles its answer, one never ends
it, one never answers, all subscribed by one org. Another org's reads, clock advance and reset
answer at once; the org's own advance waits only for its attempts, each ended by its deadline;
the server stops in time."""

from __future__ import annotations

import contextlib
import threading
import time

import httpx
import pytest
from support.receivers import ENDLESS, SILENT, TRICKLE, HostileReceiver
from support.scenarios import webhook_orgs

from emulator import create_app
from emulator.scenario.load import load_scenario_text
from emulator.testing.threaded import ThreadedServer

# A served emulator (a thread) and seconds of hostile deadlines: left out by `dev.py test --fast`.
pytestmark = pytest.mark.slow

DEADLINE = 2.0
# Answers for the healthy org: below one hostile attempt (DEADLINE), so waiting for one would
# fail, with nearly two seconds of room for a busy machine.
QUICK = 1.8
STOP_WITHIN = 8.0


def scenario(urls: list[str]) -> str:
    return webhook_orgs(("org_bad", "org_ok"), [
        f'{{url: "{url}", events: [recipient.sent], timeout: {DEADLINE}s, max_attempts: 2}}'
        for url in urls])


def test_hostile_receivers_of_one_org_hold_nothing_of_another() -> None:
    with contextlib.ExitStack() as stack:
        receivers = [stack.enter_context(HostileReceiver(m)) for m in (TRICKLE, ENDLESS, SILENT)]
        app = create_app(scenario=load_scenario_text(scenario([r.url for r in receivers])))
        server = ThreadedServer(app).start()
        try:
            with httpx.Client(base_url=server.url, timeout=30) as http:
                bad = {"Authorization": "Bearer key_org_bad"}
                for n in range(3):  # three deliveries per hostile receiver
                    sent = http.post("/orgs/c/broadcasts/bc_w/send", headers=bad,
                                     json={"email": f"p{n}@example.test"})
                    assert sent.status_code == 200, sent.text
                slowest = 0.0
                for method, path, body in [
                    ("POST", "/_emulator/clock/advance", {"seconds": 5, "org_id": "org_ok"}),
                    ("GET", "/orgs/c/broadcasts", None),
                    ("POST", "/_emulator/reset", {"org_id": "org_ok"}),
                    ("POST", "/_emulator/clock/advance", {"seconds": 5, "org_id": "org_bad"}),
                    ("POST", "/_emulator/reset", {"org_id": "org_bad"}),
                    ("GET", "/_emulator/health", None),
                ]:
                    started = time.monotonic()
                    answer = http.request(method, path, json=body,
                                          headers={"Authorization": "Bearer key_org_ok"})
                    assert answer.status_code < 300, (path, answer.text)
                    took = time.monotonic() - started
                    if "org_bad" not in str(body):
                        slowest = max(slowest, took)
                    else:  # its own org: waits for its due attempts, each by its deadline
                        assert took < 3 * DEADLINE * 2 + 3, took
                assert slowest < QUICK, slowest
        finally:
            stopper = threading.Thread(target=server.stop)
            started = time.monotonic()
            stopper.start()
            stopper.join(STOP_WITHIN)
            assert not stopper.is_alive()
            assert time.monotonic() - started < STOP_WITHIN
