"""The `invent` fixture's run-time control helpers (issue 21 items 1, 2, 3, 6) as a user's suite
sees them: `fault`, `outcomes`, `requests`, `assert_requested`, `export`; each isolated to the
test's org (a second org on the same server is untouched). The `test_fails_*` tests fail on
purpose so the outer test reads their messages."""

from __future__ import annotations

import pytest
from support.pytester import report, run, statuses

SHOP = """\
clock: {mode: virtual, start: "2030-01-01T00:00:00Z"}
orgs:
  - id: org_shop
    contacts:
      - {id: ct_ada, name: Ada, email: ada@x.test}
    broadcasts:
      - id: bc_otp
        name: OTP
        type: TRANSACTIONAL
        status: ACTIVE
        templates:
          - {id: tpl_otp, integration_id: gmail, config: {subject: "Code", body: "123"}}
"""

INNER = '''\
from pathlib import Path

import pytest

SHOP = pytest.mark.invent_scenario("shop.yaml", org="org_shop")
FIRST = {}


def send(org, **body):
    return org.client.post("/orgs/c/broadcasts/bc_otp/send", json=body)


@pytest.fixture
def other(invent_emulator):
    """A second org on the same server, made from the same scenario."""
    from emulator.scenario.load import load_scenario_file

    spec = load_scenario_file(Path(__file__).with_name("shop.yaml"))
    with invent_emulator.new_org(scenario=spec) as org:
        yield org


@SHOP
def test_a_fault_as_a_context_manager_and_a_plain_call(invent, other):
    with invent.fault(when={"path": "/orgs/*/broadcasts/*/send"}, respond=503) as fault:
        assert send(invent, email="a@x.test").status_code == 503
        assert send(other, email="a@x.test").status_code == 200
        assert [f["id"] for f in invent.faults()] == [fault.id]
    assert invent.faults() == []
    assert send(invent, email="a@x.test").status_code == 200
    invent.fault(respond={"status": 429, "retry_after": 1}, times=2)
    assert [send(invent, email="a@x.test").status_code for _ in range(3)] == [429, 429, 200]
    invent.fault(when={"method": "GET"}, respond=500)
    FIRST["org_id"] = invent.org_id
    assert other.faults() == []


def test_a_fault_lasts_only_its_test(invent, invent_emulator):
    response = invent_emulator.control.get(f"/_emulator/orgs/{FIRST['org_id']}/faults")
    assert response.status_code == 404  # the org, and its faults, went with the test
    assert invent.client.get("/orgs/c/broadcasts").status_code == 200


@SHOP
def test_outcomes_change_from_the_next_message_on(invent, other):
    send(invent, email="first@x.test")
    rules = [{"when": {"email": "*@bounce.test"}, "outcome": "bounced"}]
    assert invent.outcomes(rules) == rules
    send(invent, email="b@bounce.test")
    send(other, email="b@bounce.test")
    assert [m["is_bounced"] for m in invent.messages()] == [True, False]
    assert other.last_message()["is_bounced"] is False
    assert invent.outcomes() == rules and other.outcomes() == []


@SHOP
def test_requests_and_assert_requested(invent, other):
    send(invent, email="a@x.test", variables={"code": 1})
    send(invent, email="b@x.test")
    invent.client.get("/orgs/c/contacts")
    send(other, email="a@x.test")
    assert [r["method"] for r in invent.requests()] == ["GET", "POST", "POST"]
    assert len(invent.requests(method="POST", path="/orgs/*/broadcasts/*/send")) == 2
    assert invent.requests(status=404) == []
    invent.assert_requested("POST", "/orgs/*/broadcasts/bc_otp/send", count=2)
    invent.assert_requested("POST", "/orgs/c/broadcasts/*/send",
                            json={"email": "a@x.test", "variables": {"code": 1}})
    invent.assert_requested("GET", "/orgs/c/contacts", count=1)
    other.assert_requested("POST", "/orgs/*/broadcasts/*/send", count=1)


@SHOP
def test_export_loads_back_as_a_new_org(invent, invent_emulator):
    invent.client.post("/orgs/c/segments", json={"name": "nope"})  # 404/405: not a change
    invent.outcomes([{"outcome": "failed"}])
    text = invent.export()
    made = invent_emulator.control.post("/_emulator/orgs", json={"scenario": text}).json()
    try:
        again = invent_emulator.control.get(f"/_emulator/orgs/{made['id']}/export").text
        # (the org's name is its old id: a name, so it stays)
        assert again == text.replace(f"id: {invent.org_id}", f"id: {made['id']}").replace(
            invent.api_key, made["api_key"])
        assert "ct_ada" in text and "bc_otp" in text and "failed" in text
    finally:
        invent_emulator.control.delete(f"/_emulator/orgs/{made['id']}")


@SHOP
def test_fails_assert_requested_lists_the_closest_first(invent):
    send(invent, email="a@x.test")
    invent.client.get("/orgs/c/contacts")
    invent.assert_requested("POST", "/orgs/c/broadcasts/bc_otp/send", json={"email": "z@x.test"})


def test_fails_assert_requested_when_nothing_came(invent):
    invent.assert_requested("GET", "/orgs/c/broadcasts", count=1)
'''

FAILURE_MESSAGES = [
    '*AssertionError: expected POST /orgs/c/broadcasts/bc_otp/send with JSON '
    '{"email": "z@x.test"} at least once, it was made 0 time(s).',
    "*The org received 2 request(s), closest first:",
    '*  POST /orgs/c/broadcasts/bc_otp/send → 200  {"email":"a@x.test"}',
    "*  GET /orgs/c/contacts → 200",
    "*expected GET /orgs/c/broadcasts 1 time(s), it was made 0 time(s).",
    "*The org received no requests.",
]


@pytest.mark.parametrize("mode", ["thread", "inprocess"])
def test_control_helpers(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makefile(".yaml", shop=SHOP)
    pytester.makepyfile(test_control=INNER)

    result = run(pytester, f"--invent-mode={mode}", "-p", "no:randomly")

    found = statuses(result)
    wrong = {name: status for name, status in found.items()
             if status != ({"FAILED"} if name.startswith("test_fails_") else {"PASSED"})}
    assert wrong == {}, report(result)
    assert len(found) == INNER.count("\ndef test_"), report(result)
    result.stdout.fnmatch_lines(FAILURE_MESSAGES[:4], consecutive=True)
    result.stdout.fnmatch_lines(FAILURE_MESSAGES[4:])
