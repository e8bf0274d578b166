"""Time: timelines on the per-org virtual clock, moving and reading the clock, background sends
and rate-limit windows."""

from __future__ import annotations

import pytest
from support.apps import client_for
from support.language import (
    START_YAML,
    assert_envelope,
    assert_flags,
    at,
    clock_modes,
    clock_nows,
    open_emulator,
    scenario,
    set_flags,
)

from emulator import create_app, load_scenario_text

pytestmark = pytest.mark.anyio

TIMED = """
    outcomes:
      - when: {email: "*@slow.test"}
        outcome: opened
        timing: {sent_after: 2s, delivered_after: 10500ms, opened_after: 1m}
      - when: {email: "*@late.test"}
        outcome: delivered
        timing: {delivered_after: 0.25}
"""


async def test_a_timeline_unfolds_on_the_clock() -> None:
    async with open_emulator(scenario(TIMED)) as emu:
        row = await emu.send_one({"email": "ada@slow.test"})
        assert row["status"] == "SENDING"
        assert_flags(row, set(), at(0))
        assert row["updated_at"] == at(0)

        await emu.advance(1.999)
        assert_flags(await emu.row(row["id"]), set(), at(0))

        await emu.advance(0.001)
        now = await emu.row(row["id"])
        assert now["status"] == "SENDING"
        assert_flags(now, {"is_sent"}, at(2))

        await emu.advance(8.499)
        assert_flags(await emu.row(row["id"]), {"is_sent"}, at(2))
        await emu.advance(0.001)
        now = await emu.row(row["id"])
        assert now["status"] == "SENDING"
        assert_flags(now, {"is_sent", "is_delivered"},
                     {"is_sent": at(2), "is_delivered": "2026-01-05T09:00:10.500Z"})

        await emu.advance(49.499)
        assert (await emu.row(row["id"]))["status"] == "SENDING"
        await emu.advance(0.001)  # exactly the last event
        done = await emu.row(row["id"])
        assert done["status"] == "PROCESSED"
        assert_flags(done, {"is_sent", "is_delivered", "is_opened"},
                     {"is_sent": at(2), "is_delivered": at(10.5), "is_opened": at(60)})
        assert done["updated_at"] == at(60)
        assert done["is_opened_at"] == "2026-01-05T09:01:00.000Z"


async def test_one_long_advance_stamps_each_event_at_its_own_moment() -> None:
    async with open_emulator(scenario(TIMED)) as emu:
        slow = await emu.send_one({"email": "ada@slow.test"})
        late = await emu.send_one({"email": "bob@late.test"})
        assert_flags(late, {"is_sent"}, at(0))
        assert late["status"] == "SENDING"
        answer = await emu.advance(3600)
        assert clock_nows(answer)["org_a"] == at(3600)
        slow_now = await emu.row(slow["id"])
        late_now = await emu.row(late["id"])
    assert_flags(slow_now, {"is_sent", "is_delivered", "is_opened"},
                 {"is_sent": at(2), "is_delivered": at(10.5), "is_opened": at(60)})
    assert_flags(late_now, {"is_sent", "is_delivered"},
                 {"is_sent": at(0), "is_delivered": "2026-01-05T09:00:00.250Z"})
    assert slow_now["status"] == late_now["status"] == "PROCESSED"


async def test_counters_move_only_when_events_happen() -> None:
    async with open_emulator(scenario(TIMED)) as emu:
        await emu.send_one({"email": "ada@slow.test"})
        before = await emu.broadcast("bc_mail")
        assert (before["recipients_count"], before["sent_count"]) == (1, 0)
        await emu.advance(2)
        assert (await emu.broadcast("bc_mail"))["sent_count"] == 1
        assert (await emu.broadcast("bc_mail"))["delivered_count"] == 0
        await emu.advance(60)
        after = await emu.broadcast("bc_mail")
        assert (after["delivered_count"], after["opened_count"]) == (1, 1)


async def test_advance_without_org_id_moves_every_org() -> None:
    async with open_emulator(scenario()) as emu:
        answer = await emu.advance(90)
        assert clock_modes(answer) == {"virtual"}
        assert clock_nows(answer) == {"org_a": at(90), "org_b": at(90)}
        assert await emu.now("org_a") == await emu.now("org_b") == at(90)
        listing = await emu.get_json("/_emulator/clock")
        assert clock_modes(listing) == {"virtual"}
        assert clock_nows(listing) == {"org_a": at(90), "org_b": at(90)}


async def test_advance_with_org_id_moves_only_that_org() -> None:
    async with open_emulator(scenario(TIMED)) as emu:
        other = await emu.with_key("key_b")
        row_a = await emu.send_one({"email": "x@slow.test"})
        row_b = await other.send_one({"email": "x@slow.test"})
        answer = await emu.advance(30, org_id="org_b")
        assert clock_nows(answer) == {"org_b": at(30)}
        assert await emu.now("org_a") == at(0)
        assert await emu.now("org_b") == at(30)
        assert set_flags(await emu.row(row_a["id"])) == set()
        assert set_flags(await other.row(row_b["id"])) == {"is_sent", "is_delivered"}
        # org_a's own clock moves on its own.
        await emu.advance(5, org_id="org_a")
        assert await emu.now("org_a") == at(5)
        assert await emu.now("org_b") == at(30)


async def test_clock_reports_pending_work() -> None:
    async with open_emulator(scenario(TIMED)) as emu:
        await emu.send_one({"email": "x@slow.test"})
        [org] = (await emu.get_json("/_emulator/clock", org_id="org_a"))["orgs"]
        assert (org["org_id"], org["now"], org["pending"]) == ("org_a", at(0), 3)
        await emu.advance(60)
        [org] = (await emu.get_json("/_emulator/clock", org_id="org_a"))["orgs"]
        assert org["pending"] == 0


async def test_clock_of_an_unknown_org_is_404() -> None:
    async with open_emulator(scenario()) as emu:
        assert_envelope(await emu.http.get("/_emulator/clock", params={"org_id": "nope"}), 404)
        response = await emu.http.post("/_emulator/clock/advance",
                                       json={"seconds": 1, "org_id": "nope"})
        assert_envelope(response, 404)
        assert await emu.now("org_a") == at(0)


async def test_advance_on_a_real_clock_is_400() -> None:
    # On wall time: no test clock handed to the app.
    app = create_app(scenario=load_scenario_text(scenario(clock="")))
    async with client_for(app, "key_a") as http:
        for body in ({"seconds": 1}, {"seconds": 1, "org_id": "org_a"}):
            response = await http.post("/_emulator/clock/advance", json=body)
            answer = assert_envelope(response, 400)
            assert "virtual" in answer["message"]
        clock = await http.get("/_emulator/clock")
        assert clock.status_code == 200
        assert clock_modes(clock.json()) == {"real"}


@pytest.mark.parametrize("body", [{"seconds": -1}, {"seconds": -0.001}, {}, {"seconds": "5"}])
async def test_advance_rejects_bad_seconds(body: dict[str, object]) -> None:
    async with open_emulator(scenario()) as emu:
        response = await emu.http.post("/_emulator/clock/advance", json=body)
        answer = assert_envelope(response, 400)
        assert [d["field"] for d in answer["details"]] == ["seconds"]
        assert await emu.now("org_a") == at(0)


async def test_background_send_finishes_on_the_next_advance() -> None:
    async with open_emulator(scenario(TIMED)) as emu:
        rows = await emu.send({"contact_id": "ct_ada", "background": True}, "bc_both")
        assert [r["status"] for r in rows] == ["SENDING", "SENDING"]
        for row in rows:
            assert_flags(row, set(), at(0))
        await emu.advance(0)
        for row in rows:
            done = await emu.row(row["id"], "bc_both")
            assert done["status"] == "PROCESSED"
            assert_flags(done, {"is_sent", "is_delivered"}, at(0))
        # A timed outcome in the background keeps its timeline.
        slow = await emu.send_one({"email": "y@slow.test", "background": True})
        await emu.advance(0)
        assert set_flags(await emu.row(slow["id"])) == set()
        await emu.advance(60)
        assert (await emu.row(slow["id"]))["is_opened_at"] == at(60)


async def test_background_send_finishes_on_the_next_request() -> None:
    async with open_emulator(scenario()) as emu:
        row = await emu.send_one({"contact_id": "ct_ada", "background": True})
        assert row["status"] == "SENDING"
        done = await emu.row(row["id"])
        assert done["status"] == "PROCESSED"
        assert_flags(done, {"is_sent", "is_delivered"}, at(0))


TIGHT_LIMIT = """
    rate_limits:
      send: {requests: 2, per_seconds: 30}
"""


async def test_send_rate_limit_window_follows_the_virtual_clock() -> None:
    async with open_emulator(scenario(TIGHT_LIMIT)) as emu:
        await emu.send_one({"contact_id": "ct_ada"})
        await emu.advance(10)
        await emu.send_one({"contact_id": "ct_ada"})
        refused = await emu.post_send({"contact_id": "ct_ada"})
        assert_envelope(refused, 429)
        assert refused.headers["retry-after"] == "20"
        await emu.advance(19)
        still = await emu.post_send({"contact_id": "ct_ada"})
        assert_envelope(still, 429)
        assert still.headers["retry-after"] == "1"
        await emu.advance(1)  # the first send leaves the window
        await emu.send_one({"contact_id": "ct_ada"})
        assert_envelope(await emu.post_send({"contact_id": "ct_ada"}), 429)
        assert len(await emu.rows()) == 3


async def test_send_rate_limit_is_per_org_and_per_org_clock() -> None:
    async with open_emulator(scenario(TIGHT_LIMIT)) as emu:
        other = await emu.with_key("key_b")
        for _ in range(2):
            await emu.send_one({"contact_id": "ct_ada"})
        assert_envelope(await emu.post_send({"contact_id": "ct_ada"}), 429)
        # org_b has its own window...
        await other.send_one({"contact_id": "ct_ada"})
        # ... and moving org_b's clock does not free org_a's.
        await emu.advance(60, org_id="org_b")
        assert_envelope(await emu.post_send({"contact_id": "ct_ada"}), 429)
        await emu.advance(30, org_id="org_a")
        await emu.send_one({"contact_id": "ct_ada"})


async def test_general_rate_limit_window_follows_the_virtual_clock() -> None:
    text = scenario("""
        rate_limits:
          general: {requests: 3, per_seconds: 10}
    """)
    async with open_emulator(text) as emu:
        for _ in range(3):
            assert (await emu.http.get("/orgs/c/broadcasts")).status_code == 200
        assert_envelope(await emu.http.get("/orgs/c/broadcasts"), 429)
        await emu.advance(10)
        assert (await emu.http.get("/orgs/c/broadcasts")).status_code == 200


async def test_virtual_start_is_the_scenario_start() -> None:
    async with open_emulator(scenario()) as emu:
        row = await emu.send_one({"contact_id": "ct_ada"})
    assert START_YAML.replace(":00Z", ":00.000Z") == at(0)
    assert row["created_at"] == row["is_sent_at"] == at(0)
