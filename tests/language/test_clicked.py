"""The `clicked` outcome (sent → delivered → opened → clicked): the documented row has no click
flag, so a click shows in the broadcast's `click_count`, in the outbox entry (`clicked`,
`clicked_at`) and as the `recipient.clicked` webhook, never as a field of the row."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer
from support.language import (
    Emu,
    Json,
    Receiver,
    assert_envelope,
    assert_flags,
    at,
    open_emulator,
    scenario,
)
from support.wire import RECIPIENT_KEYS

pytestmark = pytest.mark.anyio

RULES = """
outcomes:
  - {when: {email: "*@click.test"}, outcome: clicked}
  - when: {email: "*@slow.test"}
    outcome: clicked
    timing: {delivered_after: 10s, opened_after: 60s, clicked_after: 5m}
  - when: {email: "*@eager.test"}
    outcome: clicked
    timing: {opened_after: 2m, clicked_after: 30s}
  - {when: {email: "seq@*"}, outcome: [opened, clicked, delivered]}
"""


async def _outbox(emu: Emu, recipient_id: str) -> Json:
    [message] = [m for m in await emu.get_json("/_emulator/messages")
                 if m["recipient_id"] == recipient_id]
    assert isinstance(message, dict)
    return message


async def test_a_click_moves_click_count_and_shows_as_an_open_on_the_row() -> None:
    async with open_emulator(scenario(RULES)) as emu:
        row = await emu.send_one({"email": "ada@click.test"})
        assert set(row) == RECIPIENT_KEYS  # no is_clicked on the wire
        assert_flags(row, {"is_sent", "is_delivered", "is_opened"}, at(0))
        assert row["status"] == "PROCESSED" and row["error_message"] is None
        [listed] = await emu.rows()
        assert set(listed) == RECIPIENT_KEYS
        broadcast = await emu.broadcast("bc_mail")
        assert (broadcast["click_count"], broadcast["opened_count"]) == (1, 1)
        message = await _outbox(emu, row["id"])
        assert (message["clicked"], message["clicked_at"]) == (True, at(0))
        assert "is_clicked" not in message


async def test_a_message_not_clicked_says_so_in_the_outbox() -> None:
    async with open_emulator(scenario(RULES)) as emu:
        row = await emu.send_one({"email": "ada@example.test"})
        message = await _outbox(emu, row["id"])
        assert (message["clicked"], message["clicked_at"]) == (False, None)
        assert (await emu.broadcast("bc_mail"))["click_count"] == 0


async def test_clicked_after_on_the_clock() -> None:
    async with open_emulator(scenario(RULES)) as emu:
        row = await emu.send_one({"email": "ada@slow.test"})
        await emu.advance(299)
        assert (await emu.broadcast("bc_mail"))["click_count"] == 0
        pending = await emu.row(row["id"])
        assert pending["status"] == "SENDING" and pending["is_opened"] is True
        assert (await _outbox(emu, row["id"]))["clicked"] is False
        await emu.advance(1)
        assert (await emu.broadcast("bc_mail"))["click_count"] == 1
        done = await emu.row(row["id"])
        assert done["status"] == "PROCESSED" and done["updated_at"] == at(300)
        assert (await _outbox(emu, row["id"]))["clicked_at"] == at(300)


async def test_a_click_never_comes_before_its_open() -> None:
    async with open_emulator(scenario(RULES)) as emu:
        row = await emu.send_one({"email": "ada@eager.test"})
        await emu.advance(60)
        assert (await emu.broadcast("bc_mail"))["click_count"] == 0
        await emu.advance(60)
        assert (await emu.broadcast("bc_mail"))["click_count"] == 1
        assert (await emu.row(row["id"]))["is_opened_at"] == at(120)
        assert (await _outbox(emu, row["id"]))["clicked_at"] == at(120)


async def test_clicked_in_a_sequence() -> None:
    async with open_emulator(scenario(RULES)) as emu:
        for _ in range(4):
            await emu.send_one({"email": "seq@example.test"})
        broadcast = await emu.broadcast("bc_mail")
        assert (broadcast["opened_count"], broadcast["click_count"]) == (2, 1)


@pytest.mark.parametrize("email", ["clicked@x.test", "ada+clicked@x.test", "CLICKED@X.TEST"])
async def test_magic_clicked_addresses(email: str) -> None:
    async with open_emulator(scenario()) as emu:
        row = await emu.send_one({"email": email})
        assert_flags(row, {"is_sent", "is_delivered", "is_opened"}, at(0))
        assert (await emu.broadcast("bc_mail"))["click_count"] == 1
        table = await emu.get_json("/_emulator/magic")
        assert {"clicked@<any domain>", "<anyone>+clicked@<any domain>"} <= {
            e["address"] for e in table["addresses"] if e["outcome"] == "clicked"}


@pytest.mark.parametrize("email", ["clicked.not@x.test", "ada+click@x.test", "clicked+ada@x.test"])
async def test_not_quite_magic(email: str) -> None:
    async with open_emulator(scenario()) as emu:
        await emu.send_one({"email": email})
        assert (await emu.broadcast("bc_mail"))["click_count"] == 0


async def test_magic_addresses_off_means_no_click() -> None:
    async with open_emulator(scenario("magic_addresses: false\n")) as emu:
        await emu.send_one({"email": "clicked@x.test"})
        assert (await emu.broadcast("bc_mail"))["click_count"] == 0


async def test_the_clicked_webhook(httpserver: HTTPServer) -> None:
    receiver = Receiver(httpserver)
    hooks = f"webhooks:\n  - {{url: '{receiver.url}', events: [recipient.clicked]}}\n"
    async with open_emulator(scenario(RULES + hooks)) as emu:
        row = await emu.send_one({"email": "ada@slow.test"})
        await emu.send_one({"email": "bob@example.test"})
        await emu.advance(300)
        [delivery] = await emu.webhooks_settled(1)
    assert delivery["event"] == "recipient.clicked"
    body = delivery["payload"]
    assert body["type"] == "recipient.clicked" and body["created_at"] == at(300)
    assert body["data"]["id"] == row["id"] and set(body["data"]) == RECIPIENT_KEYS
    assert body["data"]["is_opened"] is True and body["data"]["status"] == "PROCESSED"


async def test_a_marketing_send_counts_clicks() -> None:
    text = scenario("""
        outcomes:
          - {when: {contact_id: ct_ada}, outcome: clicked}
    """).replace("      - id: bc_mail\n", """      - id: bc_camp
        name: Campaign
        send_to_all: true
        templates: [{id: tpl_camp, integration_id: gmail, config: {body: hi}}]
      - id: bc_mail
""", 1)
    async with open_emulator(text) as emu:
        sent = await emu.http.post("/orgs/c/broadcasts/bc_camp/send")
        assert sent.status_code == 200, sent.text
        broadcast = await emu.broadcast("bc_camp")
        assert broadcast["status"] == "SENT"
        assert (broadcast["click_count"], broadcast["opened_count"]) == (1, 1)
        assert broadcast["delivered_count"] == 2


@pytest.mark.parametrize(("tail", "path"), [
    ("outcomes:\n  - {outcome: click}\n", "outcomes[0].outcome"),
    ("outcomes:\n  - {outcome: clicked, timing: {click_after: 1s}}\n",
     "outcomes[0].timing.click_after"),
    ("webhooks:\n  - {url: 'http://127.0.0.1:9/x', events: [recipient.click]}\n",
     "webhooks[0].events[0]"),
])
async def test_misspelt_click_keys_are_refused(tail: str, path: str) -> None:
    async with open_emulator(scenario()) as emu:
        response = await emu.http.put("/_emulator/scenario", content=scenario(tail))
        body = assert_envelope(response, 400)
        assert path in body["message"], body


async def test_is_clicked_is_no_recipients_filter() -> None:
    # Not a documented filter: ignored like any unknown query parameter, never a silent match.
    async with open_emulator(scenario(RULES)) as emu:
        await emu.send_one({"email": "ada@click.test"})
        await emu.send_one({"email": "bob@example.test"})
        for value in ("true", "false", "maybe"):
            assert len(await emu.rows(is_clicked=value)) == 2
