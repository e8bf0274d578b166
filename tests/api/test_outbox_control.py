"""Outbox management on the control surface: clearing hides messages (rows, counters and the
public API stay), the outbox's filters (`q`, `status`, `since`/`until`, `include_skipped`),
paging with `pagination-count`, and `wait`; each per org, surviving the state file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from support.api import assert_error, counters, recipients, send
from support.apps import app_from_yaml, client_for
from support.scenarios import TWO_ORGS
from support.wire import START

from emulator import create_app
from emulator.scenario.load import load_scenario_text
from emulator.settings import Settings
from emulator.support.clock import VirtualClock

MESSAGES = "/_emulator/messages"


async def _outbox(http: httpx.AsyncClient, **params: str) -> list[dict[str, object]]:
    response = await http.get(MESSAGES, params=params)
    assert response.status_code == 200, response.text
    found: list[dict[str, object]] = response.json()
    return found


async def _two_orgs(clock: VirtualClock) -> tuple[httpx.AsyncClient, httpx.AsyncClient,
                                                  httpx.AsyncClient]:
    app = app_from_yaml(TWO_ORGS, clock)
    return client_for(app, "key_a"), client_for(app, "key_b"), client_for(app, None)


async def test_clearing_an_org_hides_its_messages_and_nothing_else(clock: VirtualClock) -> None:
    a, b, control = await _two_orgs(clock)
    async with a, b, control:
        await send(a, "bc_a", {"email": "one@example.test"})
        await send(a, "bc_a", {"email": "two@example.test"})
        await send(b, "bc_b", {"email": "bee@example.test"})
        before = await counters(a, "bc_a")
        cleared = await control.delete(MESSAGES, params={"org_id": "org_a"})
        assert cleared.status_code == 200 and cleared.json() == {"cleared": 2}
        assert await _outbox(control, org_id="org_a") == []
        assert await _outbox(control, org_id="org_a", wait="0") == []
        # The other org keeps its outbox; the public API of the cleared one is untouched.
        assert [m["to"] for m in await _outbox(control, org_id="org_b")] == ["bee@example.test"]
        assert await counters(a, "bc_a") == before
        assert len(await recipients(a, "bc_a")) == 2
        # New messages show again; clearing twice clears only those.
        await send(a, "bc_a", {"email": "three@example.test"})
        assert [m["to"] for m in await _outbox(control, org_id="org_a")] == ["three@example.test"]
        again = await control.delete(MESSAGES, params={"org_id": "org_a"})
        assert again.json() == {"cleared": 1}


async def test_clearing_needs_an_org(clock: VirtualClock) -> None:
    a, b, control = await _two_orgs(clock)
    async with a, b, control:
        assert_error(await control.delete(MESSAGES), 400, "org_id")
        assert_error(await control.delete(MESSAGES, params={"org_id": "org_nope"}), 404)


async def test_one_message_is_deleted_by_its_recipient_id(clock: VirtualClock) -> None:
    a, b, control = await _two_orgs(clock)
    async with a, b, control:
        [kept] = await send(a, "bc_a", {"email": "keep@example.test"})
        [gone] = await send(a, "bc_a", {"email": "gone@example.test"})
        path = f"/_emulator/orgs/org_a/messages/{gone['id']}"
        assert (await control.delete(path)).json() == {"cleared": 1}
        assert (await control.delete(path)).json() == {"cleared": 0}
        assert [m["recipient_id"] for m in await _outbox(control, org_id="org_a")] == [kept["id"]]
        # Another org cannot delete it, and an unknown id is a 404.
        assert_error(await control.delete(f"/_emulator/orgs/org_b/messages/{kept['id']}"), 404)
        assert_error(await control.delete("/_emulator/orgs/org_a/messages/rcp_nope"), 404)
        assert len(await recipients(a, "bc_a")) == 2


async def test_reset_brings_cleared_messages_back_with_the_rows(clock: VirtualClock) -> None:
    a, b, control = await _two_orgs(clock)
    async with a, b, control:
        await send(a, "bc_a", {"email": "one@example.test"})
        await control.delete(MESSAGES, params={"org_id": "org_a"})
        await control.post("/_emulator/reset", json={"org_id": "org_a"})
        await send(a, "bc_a", {"email": "after@example.test"})
        assert [m["to"] for m in await _outbox(control, org_id="org_a")] == ["after@example.test"]


async def test_q_finds_text_in_subject_body_or_address_in_any_case(
        client: httpx.AsyncClient, anon: httpx.AsyncClient) -> None:
    await send(client, "bc_otp", {"email": "ada@example.com", "template_ids": ["tpl_otp_email"],
                                  "variables": {"otp": "424242"}})
    await send(client, "bc_otp", {"email": "grace@example.com",
                                  "template_ids": ["tpl_otp_email"]})
    assert [m["to"] for m in await _outbox(anon, q="GRACE@")] == ["grace@example.com"]
    assert [m["to"] for m in await _outbox(anon, q="424242")] == ["ada@example.com"]
    subject = str((await _outbox(anon, q="ada"))[0]["subject"])
    assert len(await _outbox(anon, q=subject.upper())) == 2
    assert await _outbox(anon, q="nowhere-to-be-found") == []


async def test_status_since_until_and_skipped(clock: VirtualClock) -> None:
    a, b, control = await _two_orgs(clock)
    async with a, b, control:
        await send(a, "bc_a", {"email": "early@example.test"})
        clock.advance(60)
        await send(a, "bc_a", {"email": "bounced@example.test"})
        found = await _outbox(control, org_id="org_a", status="bounced")
        assert [m["to"] for m in found] == ["bounced@example.test"]
        assert found[0]["outcome"] == "bounced"
        assert [m["outcome"] for m in await _outbox(control, org_id="org_a",
                                                     status="delivered")] == ["delivered"]
        later = "2026-01-05T09:00:30Z"
        assert len(await _outbox(control, org_id="org_a", since=later)) == 1
        assert len(await _outbox(control, org_id="org_a", until=later)) == 1
        assert len(await _outbox(control, org_id="org_a", since="2026-01-05T10:00:30+01:00",
                                 until="2026-01-05T09:01:00.000Z")) == 1
        assert_error(await control.get(MESSAGES, params={"since": "yesterday"}), 400, "since")
        assert_error(await control.get(MESSAGES, params={"status": "lost"}), 400, "status")
        assert_error(await control.get(MESSAGES, params={"wait": "31"}), 400, "wait")
        assert_error(await control.get(MESSAGES, params={"limit": "5", "take": "5"}), 400,
                     "limit")


async def test_paging_counts_every_match(client: httpx.AsyncClient,
                                         anon: httpx.AsyncClient) -> None:
    for n in range(5):
        await send(client, "bc_otp", {"email": f"p{n}@example.com",
                                      "template_ids": ["tpl_otp_email"]})
    first = await anon.get(MESSAGES, params={"page": "1", "take": "2"})
    third = await anon.get(MESSAGES, params={"page": "3", "take": "2"})
    assert first.headers["pagination-count"] == "5" == third.headers["pagination-count"]
    assert [m["to"] for m in first.json()] == ["p4@example.com", "p3@example.com"]
    assert [m["to"] for m in third.json()] == ["p0@example.com"]


async def test_wait_answers_when_a_message_arrives(client: httpx.AsyncClient,
                                                   anon: httpx.AsyncClient) -> None:
    async def later() -> None:
        await asyncio.sleep(0.3)
        await send(client, "bc_otp", {"email": "late@example.com"})

    task = asyncio.create_task(later())
    loop = asyncio.get_running_loop()
    started = loop.time()
    found = await _outbox(anon, to="late@example.com", wait="10")
    await task
    assert [m["to"] for m in found] == ["late@example.com"]
    assert loop.time() - started < 5
    started = loop.time()
    assert await _outbox(anon, to="never@example.com", wait="0.3") == []
    assert loop.time() - started >= 0.3


async def test_hidden_messages_survive_the_state_file(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    spec = load_scenario_text(TWO_ORGS, "two.yaml")
    first = create_app(Settings(state_file=str(path)), scenario=spec, clock=VirtualClock(START))
    async with client_for(first, "key_a") as a, client_for(first, None) as control:
        await send(a, "bc_a", {"email": "gone@example.test"})
        await control.delete(MESSAGES, params={"org_id": "org_a"})
        [hidden] = await send(a, "bc_a", {"email": "hidden@example.test"})
        await send(a, "bc_a", {"email": "kept@example.test"})
        await control.delete(f"/_emulator/orgs/org_a/messages/{hidden['id']}")
        assert (await control.post("/_emulator/snapshot")).status_code == 200
    second = create_app(Settings(state_file=str(path)), scenario=spec, clock=VirtualClock(START))
    async with client_for(second, None) as control:
        assert [m["to"] for m in await _outbox(control, org_id="org_a")] == ["kept@example.test"]
