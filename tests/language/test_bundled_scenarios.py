"""Each bundled scenario loads by name and shows what it is there to show."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest
from support.apps import client_for
from support.language import Emu, assert_envelope, at, clock_modes, set_flags

from emulator import Settings, create_app

pytestmark = pytest.mark.anyio


@contextlib.asynccontextmanager
async def bundled(name: str, key: str) -> AsyncIterator[Emu]:
    app = create_app(Settings(scenario=name))
    async with contextlib.AsyncExitStack() as stack:
        http = await stack.enter_async_context(client_for(app, key))
        yield Emu(app, http, stack)


async def test_default() -> None:
    async with bundled("default", "test_key_acme") as emu:
        rows = await emu.send({"contact_id": "ct_ada", "variables": {"otp": "424242"}},
                              "bc_otp")
        assert [r["integration_id"] for r in rows] == ["gmail", "whatsapp_bot"]
        assert all(r["status"] == "PROCESSED" and r["is_delivered"] for r in rows)
        for blocked in ("ct_mallory", "ct_oscar"):
            assert_envelope(await emu.post_send({"contact_id": blocked}, "bc_otp"), 400)
        spring = await emu.broadcast("bc_spring")
        assert (spring["status"], spring["type"]) == ("DRAFT", "MARKETING")
        clock = await emu.get_json("/_emulator/clock")
        assert clock_modes(clock) == {"real"}


async def test_otp() -> None:
    async with bundled("otp", "test_key_otp") as emu:
        rows = await emu.send({"contact_id": "ct_ada", "variables": {"otp": "123456"}},
                              "bc_otp")
        assert [r["template_id"] for r in rows] == ["tpl_otp_email", "tpl_otp_sms"]
        for row in rows:
            assert row["status"] == "PROCESSED"
            assert set_flags(row) == {"is_sent", "is_delivered"}
            assert row["created_at"] == row["is_delivered_at"] == at(0)
        assert rows[0]["email"] == "ada@example.test"
        assert rows[1]["phone"] == "+15550100001"
        assert await emu.now("org_otp") == at(0)


async def test_bounces_and_complaints() -> None:
    async with bundled("bounces-and-complaints", "test_key_acme") as emu:
        bounced = await emu.send_one({"contact_id": "ct_bouncy"}, "bc_receipt")
        assert set_flags(bounced) == {"is_sent", "is_bounced", "is_failed"}
        assert bounced["error_message"] == "550 5.1.1 mailbox does not exist"
        again = await emu.send_one({"contact_id": "ct_bouncy"}, "bc_receipt")
        assert set_flags(again) == {"is_skipped"}
        assert again["error_message"] == "suppressed"
        [entry] = await emu.get_json("/_emulator/suppressions")
        assert (entry["address"], entry["reason"]) == ("ada@bounce.example", "bounced")
        # The complaint comes an hour later, and suppresses only then.
        grumpy = await emu.send_one({"contact_id": "ct_grumpy"}, "bc_receipt")
        assert grumpy["status"] == "SENDING"
        await emu.advance(3600)
        assert len(await emu.get_json("/_emulator/suppressions")) == 2
        left = await emu.send_one({"contact_id": "ct_leaving"}, "bc_receipt")
        assert left["contact"]["unsubscribed"] is True
        flaky = [await emu.send_one({"email": "flaky@example.test"}, "bc_receipt")
                 for _ in range(3)]
        assert [r["is_failed"] for r in flaky] == [True, True, False]
        # Variables are objects; the receipt's placeholders reach into them.
        receipt = await emu.send_one({"email": "buyer@example.test",
                                      "variables": {"order": {"id": "A-7", "total": "9.50"}}},
                                     "bc_receipt")
        [message] = [m for m in await emu.get_json("/_emulator/messages")
                     if m["recipient_id"] == receipt["id"]]
        assert (message["subject"], message["body"]) == (
            "Receipt for order A-7", "Thanks for order A-7: 9.50")

        # Its webhook (no receiver listens) reports bounces, complaints, unsubscribes and
        # skips, each logged when it happens.
        events = {d["event"] for d in await emu.webhook_log()}
        assert events == {"recipient.bounced", "recipient.skipped", "recipient.complained",
                          "recipient.unsubscribed"}


async def test_rate_limited() -> None:
    async with bundled("rate-limited", "test_key_acme") as emu:
        for i in range(5):
            await emu.send_one({"email": f"user{i}@example.test"}, "bc_otp")
        sixth = await emu.post_send({"email": "user5@example.test"}, "bc_otp")
        assert_envelope(sixth, 429)
        assert int(sixth.headers["retry-after"]) == 60
        await emu.advance(60)
        throttled = await emu.post_send({"email": "a@throttled.example"}, "bc_otp")
        assert_envelope(throttled, 429)
        assert await emu.rows("bc_otp", take=100) != []
        assert all(r["email"] != "a@throttled.example" for r in await emu.rows("bc_otp"))


async def test_flaky_provider() -> None:
    async with bundled("flaky-provider", "test_key_acme") as emu:
        statuses = []
        for i in range(6):
            response = await emu.post_send({"email": f"u{i}@example.test",
                                            "phone": f"+1555030{i:04d}"}, "bc_otp")
            statuses.append(response.status_code)
            if i == 2:
                body = assert_envelope(response, 503)
                assert body["message"] == "Service temporarily unavailable"
                assert response.headers["retry-after"] == "1"
        assert statuses == [200, 200, 503, 200, 200, 503]
        rows = await emu.rows("bc_otp")
        assert len(rows) == 8
        assert {r["integration_id"] for r in rows} == {"gmail", "whatsapp_bot"}


async def test_slow_delivery() -> None:
    async with bundled("slow-delivery", "test_key_acme") as emu:
        slow = await emu.send_one({"email": "ada@slow.example"}, "bc_welcome")
        normal = await emu.send_one({"email": "bob@example.test"}, "bc_welcome")
        assert slow["status"] == normal["status"] == "SENDING"
        assert set_flags(slow) == set()
        assert set_flags(normal) == {"is_sent"}
        await emu.advance(5)
        assert (await emu.row(normal["id"], "bc_welcome"))["status"] == "PROCESSED"
        assert (await emu.row(slow["id"], "bc_welcome"))["status"] == "SENDING"
        await emu.advance(55)
        done = await emu.row(slow["id"], "bc_welcome")
        assert done["status"] == "PROCESSED"
        assert (done["is_sent_at"], done["is_delivered_at"], done["is_opened_at"]) == (
            at(2), at(10), at(60))
        # A click: five minutes after its send, counted but not a field of the row.
        clicky = await emu.send_one({"email": "ada@clicky.example"}, "bc_welcome")
        await emu.advance(299)
        assert (await emu.broadcast("bc_welcome"))["click_count"] == 0
        await emu.advance(1)
        assert (await emu.broadcast("bc_welcome"))["click_count"] == 1
        opened = await emu.row(clicky["id"], "bc_welcome")
        assert opened["is_opened"] is True and "is_clicked" not in opened
        [message] = [m for m in await emu.get_json("/_emulator/messages")
                     if m["recipient_id"] == clicky["id"]]
        assert message["clicked"] is True and message["clicked_at"] == at(360)


@pytest.mark.slow  # a heavy case: left out by `dev.py test --fast`
async def test_big_campaign() -> None:
    async with bundled("big-campaign", "test_key_big") as emu:
        store = emu.app.state.emulator.registry
        assert len(store.orgs["org_big"].contacts) == 100_000
        launch = await emu.broadcast("bc_launch")
        assert (launch["status"], launch["send_to_all"]) == ("DRAFT", True)
        counts = {s["id"]: s["contacts_count"] for s in launch["segments"]}
        assert counts == {}  # send_to_all names no segment
        clock = await emu.get_json("/_emulator/clock")
        assert [o["org_id"] for o in clock["orgs"]] == ["org_big"]
