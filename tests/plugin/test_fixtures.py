"""The `invent` fixture and its helpers, and the session fixture `invent_emulator`, as a user's
suite sees them: one inner suite per mode, each inner test asserting one documented behaviour;
the `test_fails_*` ones fail on purpose so the outer test can read the failure messages."""

from __future__ import annotations

import pytest
from support.pytester import report, run, statuses

SHOP = """\
clock: {mode: virtual, start: "2030-01-01T00:00:00Z"}
orgs:
  - id: org_shop
    broadcasts:
      - id: bc_a
        name: A
        type: TRANSACTIONAL
        status: ACTIVE
        properties: {name: you, code: "000"}
        templates:
          - id: tpl_a
            integration_id: gmail
            config: {subject: "Hi {{name}}", body: "Code {{code}}"}
      - id: bc_b
        name: B
        type: TRANSACTIONAL
        status: ACTIVE
        templates:
          - {id: tpl_b, integration_id: gmail, config: {subject: B, body: B}}
      - id: bc_sms
        name: SMS
        type: TRANSACTIONAL
        status: ACTIVE
        templates:
          - {id: tpl_sms, integration_id: twilio, config: {body: "SMS"}}
"""

INNER = '''\
import re
import threading
from pathlib import Path
import time
from datetime import datetime, timedelta

import httpx
import pytest

THREAD_MODE = {thread_mode}
SHOP = pytest.mark.invent_scenario("shop.yaml", org="org_shop")
FIRST = {{}}


def send(org, broadcast_id, **body):
    response = org.client.post(f"/orgs/c/broadcasts/{{broadcast_id}}/send", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def when(text):
    return datetime.fromisoformat(text)


def names(org):
    response = org.client.get("/orgs/c/broadcasts")
    assert response.status_code == 200, response.text
    return sorted(b["name"] for b in response.json())


def test_the_org_starts_empty(invent):
    for what in ("broadcasts", "contacts", "segments"):
        response = invent.client.get(f"/orgs/c/{{what}}")
        assert (response.status_code, response.json()) == (200, []), what
    assert invent.messages() == []
    assert invent.org_id not in ("org_acme", "c")


def test_reachable_as_c_with_its_own_key(invent):
    assert invent.client.headers["Authorization"] == f"Bearer {{invent.api_key}}"
    assert str(invent.client.base_url).rstrip("/") == invent.url
    with httpx.Client(base_url=invent.url, transport=invent.transport) as anonymous:
        assert anonymous.get("/orgs/c/broadcasts").status_code == 401
    with httpx.Client(base_url=invent.url, transport=invent.transport,
                      headers={{"Authorization": f"Bearer {{invent.api_key}}"}}) as own:
        assert own.post("/orgs/c/broadcasts", json={{"name": "mine"}}).status_code == 200
        by_id = own.get(f"/orgs/{{invent.org_id}}/broadcasts")
        assert [b["name"] for b in by_id.json()] == ["mine"]
    with httpx.Client(base_url=invent.url, transport=invent.transport,
                      headers={{"Authorization": "Bearer test_key_acme"}}) as acme:
        assert acme.get(f"/orgs/{{invent.org_id}}/broadcasts").status_code == 401


def test_isolation_first_test_writes(invent):
    assert invent.client.post("/orgs/c/broadcasts", json={{"name": "first"}}).status_code == 200
    FIRST.update(org_id=invent.org_id, api_key=invent.api_key)


def test_isolation_second_test_sees_none_of_it(invent):
    assert FIRST, "the first isolation test did not run first"
    assert (invent.org_id, invent.api_key) != (FIRST["org_id"], FIRST["api_key"])
    assert names(invent) == []
    assert invent.client.get(f"/orgs/{{FIRST['org_id']}}/broadcasts").status_code in (401, 404)
    with invent.emulator.client(FIRST["api_key"]) as first:
        assert first.get(f"/orgs/{{invent.org_id}}/broadcasts").status_code == 401


@SHOP
def test_messages_filters(invent):
    send(invent, "bc_a", email="ada@x.test")
    send(invent, "bc_sms", phone="+15550100009")
    send(invent, "bc_b", email="bob@x.test")
    assert [m["to"] for m in invent.messages()] == ["bob@x.test", "+15550100009", "ada@x.test"]
    assert [m["to"] for m in invent.messages(broadcast_id="bc_a")] == ["ada@x.test"]
    assert [m["broadcast_id"] for m in invent.messages(to="bob@x.test")] == ["bc_b"]
    assert [m["to"] for m in invent.messages(integration_id="twilio")] == ["+15550100009"]
    assert [m["to"] for m in invent.messages(limit=2)] == ["bob@x.test", "+15550100009"]
    assert invent.messages(to="nobody@x.test") == []
    assert {{m["org_id"] for m in invent.messages()}} == {{invent.org_id}}


@SHOP
def test_last_message_is_the_newest_rendered(invent):
    send(invent, "bc_a", email="ada@x.test", variables={{"name": "Ada", "code": "111"}})
    send(invent, "bc_a", email="bob@x.test", variables={{"name": "Bob", "code": "222"}})
    newest = invent.last_message()
    assert (newest["to"], newest["subject"], newest["body"]) == ("bob@x.test", "Hi Bob", "Code 222")
    assert invent.last_message(to="ada@x.test")["body"] == "Code 111"


@SHOP
def test_last_message_none_raises_listing_what_was_sent(invent):
    send(invent, "bc_a", email="ada@x.test")
    with pytest.raises(AssertionError) as caught:
        invent.last_message(to="nobody@x.test")
    text = str(caught.value)
    assert "no message to nobody@x.test" in text, text
    assert "ada@x.test (gmail" in text, text


@SHOP
def test_wait_for_message_returns_once_the_message_exists(invent, monkeypatch):
    calls = []
    real_messages = invent.messages

    def spy(**filters):
        calls.append(filters)
        return real_messages(**filters)

    monkeypatch.setattr(invent, "messages", spy)

    def send_later():
        time.sleep(0.5)  # while wait_for_message's one read waits on the emulator
        with invent.emulator.client(invent.api_key) as other_thread:
            other_thread.post("/orgs/c/broadcasts/bc_a/send", json={{"email": "late@x.test"}})

    sender = threading.Thread(target=send_later)
    started = time.monotonic()
    sender.start()
    try:
        message = invent.wait_for_message(to="late@x.test", timeout=20)
    finally:
        sender.join(10)
    assert message["to"] == "late@x.test"
    assert time.monotonic() - started < 10, "waited for the timeout, not for the message"
    # One read that waits on the emulator (`wait=`), not polling.
    assert len(calls) == 1 and float(calls[0]["wait"]) > 5, calls
    started = time.monotonic()
    assert invent.wait_for_message(timeout=20)["to"] == "late@x.test"
    assert time.monotonic() - started < 10


@SHOP
def test_clear_messages_and_the_new_filters(invent):
    send(invent, "bc_a", email="ada@x.test", variables={{"name": "Ada", "code": "111"}})
    send(invent, "bc_a", email="bounced@x.test", variables={{"name": "Bo", "code": "222"}})
    assert [m["to"] for m in invent.messages(q="code 111")] == ["ada@x.test"]
    assert [m["to"] for m in invent.messages(status="bounced")] == ["bounced@x.test"]
    assert len(invent.messages(page=1, take=1)) == 1
    assert invent.delete_message(invent.last_message()["recipient_id"]) == 1
    assert invent.clear_messages() == 1
    assert invent.messages() == []
    assert len(invent.recipients("bc_a")) == 2  # the rows stay


@SHOP
def test_clearing_one_org_leaves_another_alone(invent):
    from emulator.scenario.load import load_scenario_file

    shop = load_scenario_file(Path(__file__).with_name("shop.yaml"))
    with invent.emulator.new_org(scenario=shop, org="org_shop") as other:
        send(invent, "bc_a", email="mine@x.test")
        send(other, "bc_a", email="theirs@x.test")
        assert invent.clear_messages() == 1
        assert [m["to"] for m in other.messages()] == ["theirs@x.test"]
        assert other.wait_for_message(to="theirs@x.test", timeout=1)["to"] == "theirs@x.test"
        assert invent.messages() == []


def test_wait_for_message_times_out_readably(invent):
    started = time.monotonic()
    with pytest.raises(AssertionError) as caught:
        invent.wait_for_message(to="never@x.test", timeout=0.2)
    elapsed = time.monotonic() - started
    assert 0.2 <= elapsed < 5, elapsed
    assert "no message to never@x.test within 0.2 s" in str(caught.value), str(caught.value)


@SHOP
def test_assert_sent_passes_and_counts(invent):
    send(invent, "bc_a", email="ada@x.test")
    send(invent, "bc_a", email="ada@x.test")
    send(invent, "bc_b", email="bob@x.test")
    assert len(invent.assert_sent()) == 3
    assert [m["to"] for m in invent.assert_sent(to="ada@x.test", count=2)] == ["ada@x.test"] * 2
    assert len(invent.assert_sent(to="bob@x.test", count=1)) == 1
    assert invent.assert_sent(to="zed@x.test", count=0) == []
    assert len(invent.assert_sent(count=2, broadcast_id="bc_a")) == 2
    with pytest.raises(AssertionError, match=r"expected 1 message\\(s\\) to ada@x.test, got 2"):
        invent.assert_sent(to="ada@x.test", count=1)


@SHOP
def test_recipients_with_flag_filters(invent):
    send(invent, "bc_a", email="ada@x.test")
    send(invent, "bc_a", email="failed@x.test")  # a magic address: failed, never sent
    assert {{r["email"] for r in invent.recipients("bc_a")}} == {{"ada@x.test", "failed@x.test"}}
    assert [r["email"] for r in invent.recipients("bc_a", is_sent=True)] == ["ada@x.test"]
    assert [r["email"] for r in invent.recipients("bc_a", is_sent=False)] == ["failed@x.test"]
    assert [r["email"] for r in invent.recipients("bc_a", is_failed=True)] == ["failed@x.test"]
    assert invent.recipients("bc_b") == []


@SHOP
def test_broadcast_by_id(invent):
    found = invent.broadcast("bc_b")
    assert (found["id"], found["name"], found["status"]) == ("bc_b", "B", "ACTIVE")
    with pytest.raises(AssertionError, match="404"):
        invent.broadcast("bc_missing")


def test_advance_moves_only_this_orgs_clock(invent, invent_emulator):
    one, two = invent_emulator.new_org(), invent_emulator.new_org()
    try:
        orgs = {{"invent": invent, "one": one, "two": two}}
        before = {{name: when(org.now()) for name, org in orgs.items()}}
        one.advance(90)
        moved = {{name: when(org.now()) - before[name] for name, org in orgs.items()}}
        assert moved == {{"invent": timedelta(0), "one": timedelta(seconds=90),
                         "two": timedelta(0)}}
        invent.advance(5)
        moved = {{name: when(org.now()) - before[name] for name, org in orgs.items()}}
        assert moved == {{"invent": timedelta(seconds=5), "one": timedelta(seconds=90),
                         "two": timedelta(0)}}
    finally:
        one.close()
        two.close()


def test_reset_touches_only_this_org(invent, invent_emulator):
    other = invent_emulator.new_org()
    try:
        for org in (invent, other):
            assert org.client.post("/orgs/c/broadcasts", json={{"name": "kept"}}).status_code == 200
        invent.reset()
        assert names(invent) == []
        assert names(other) == ["kept"]
        assert invent.client.post("/orgs/c/broadcasts", json={{"name": "x"}}).status_code == 200
    finally:
        other.close()


@SHOP
def test_reset_brings_a_scenario_org_back_as_made(invent):
    made_at = invent.now()
    send(invent, "bc_a", email="ada@x.test")
    assert invent.client.post("/orgs/c/broadcasts", json={{"name": "extra"}}).status_code == 200
    invent.advance(60)
    invent.reset()
    assert invent.messages() == []
    assert names(invent) == ["A", "B", "SMS"]
    assert invent.now() == made_at


def test_session_fixture(invent_emulator):
    assert invent_emulator.health() is True
    if THREAD_MODE:
        url = invent_emulator.url
        assert re.fullmatch(r"http://127\\.0\\.0\\.1:\\d+", url), url
    acme = invent_emulator.new_org(copy_of="org_acme")
    try:
        assert (acme.org_id, acme.api_key) != ("org_acme", "test_key_acme")
        ids = sorted(b["id"] for b in acme.client.get("/orgs/c/broadcasts").json())
        assert ids == ["bc_otp", "bc_spring"]
        send(acme, "bc_otp", email="ada@example.com", variables={{"otp": "123456"}})
        assert "123456" in acme.last_message(to="ada@example.com")["body"]
    finally:
        acme.close()
    with invent_emulator.client("test_key_acme") as original:
        assert [m for m in original.get("/orgs/c/broadcasts/bc_otp/recipients").json()] == []
    with invent_emulator.client() as anonymous:
        assert anonymous.get("/orgs/c/broadcasts").status_code == 401


def test_session_reset_restores_the_scenario_and_drops_runtime_orgs(invent_emulator):
    runtime_org = invent_emulator.new_org()
    try:
        with invent_emulator.client("test_key_acme") as acme:
            assert acme.post("/orgs/c/broadcasts", json={{"name": "temp"}}).status_code == 200
            invent_emulator.reset()
            ids = sorted(b["id"] for b in acme.get("/orgs/c/broadcasts").json())
        assert ids == ["bc_otp", "bc_spring"]
        assert runtime_org.client.get("/orgs/c/broadcasts").status_code == 401
    finally:
        runtime_org.close()


def test_invent_still_works_after_a_session_reset(invent):
    assert names(invent) == []


def test_a_session_reset_during_an_invent_test(invent, invent_emulator):
    invent_emulator.reset()  # removes this test's org too; its teardown must cope
    assert invent.client.get("/orgs/c/broadcasts").status_code == 401


def test_fails_last_message_with_nothing_sent(invent):
    invent.last_message()


@SHOP
def test_fails_assert_sent_count(invent):
    send(invent, "bc_a", email="ada@x.test")
    invent.assert_sent(count=2)


@SHOP
def test_fails_assert_sent_to(invent):
    send(invent, "bc_a", email="ada@x.test")
    invent.assert_sent(to="zed@x.test")


def test_fails_wait_for_message(invent):
    invent.wait_for_message(to="late@x.test", timeout=0.2)
'''

FAILURE_MESSAGES = [
    "*AssertionError: no message was sent by org org_*; the org sent nothing",
    "*AssertionError: expected 2 message(s) in total, got 1; the org sent: ada@x.test (gmail, *)",
    "*AssertionError: expected a message to zed@x.test, none was sent; "
    "the org sent: ada@x.test (gmail, *)",
    "*AssertionError: no message to late@x.test within 0.2 s; the org sent nothing",
]


@pytest.mark.parametrize("mode", ["thread", "inprocess"])
def test_fixtures_and_helpers(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makefile(".yaml", shop=SHOP)
    pytester.makepyfile(test_helpers=INNER.format(thread_mode=mode == "thread"))

    result = run(pytester, f"--invent-mode={mode}")

    found = statuses(result)
    wrong = {name: status for name, status in found.items()
             if status != ({"FAILED"} if name.startswith("test_fails_") else {"PASSED"})}
    assert wrong == {}, report(result)
    assert len(found) == INNER.count("\ndef test_"), report(result)
    result.stdout.fnmatch_lines_random(FAILURE_MESSAGES)
