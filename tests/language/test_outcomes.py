"""Outcome rules: the flags, timestamps and status each outcome leaves, rule matching, weighted
and sequence outcomes, and the broadcast counters they move."""

from __future__ import annotations

import pytest
from support.language import (
    ERROR_OUTCOMES,
    OUTCOME_FLAGS,
    Emu,
    Json,
    assert_counters_agree,
    assert_envelope,
    assert_flags,
    at,
    open_emulator,
    scenario,
    set_flags,
)

pytestmark = pytest.mark.anyio

# One rule per outcome, chosen by the address's domain: `<anyone>@<outcome>.test`.
ONE_RULE_PER_OUTCOME = "outcomes:\n" + "".join(
    f'  - {{when: {{email: "*@{name}.test"}}, outcome: {name}}}\n'
    for name in (*OUTCOME_FLAGS, "rate_limited")
)


@pytest.mark.parametrize("outcome", sorted(OUTCOME_FLAGS))
async def test_outcome_sets_exactly_its_flags(outcome: str) -> None:
    async with open_emulator(scenario(ONE_RULE_PER_OUTCOME)) as emu:
        row = await emu.send_one({"email": f"someone@{outcome}.test"})
        assert row["status"] == "PROCESSED"
        assert_flags(row, OUTCOME_FLAGS[outcome], at(0))
        if outcome in ERROR_OUTCOMES:
            assert isinstance(row["error_message"], str) and row["error_message"]
        else:
            assert row["error_message"] is None
        # The list endpoint shows the same row.
        stored = await emu.row(row["id"])
        assert {k: stored[k] for k in row if k != "contact"} == {
            k: row[k] for k in row if k != "contact"}
        assert_counters_agree(await emu.broadcast("bc_mail"), await emu.rows())


@pytest.mark.parametrize("outcome", sorted(ERROR_OUTCOMES))
async def test_rule_error_message_replaces_the_default(outcome: str) -> None:
    text = scenario(f"""
        outcomes:
          - when: {{email: "*@custom.test"}}
            outcome: {outcome}
            error_message: "550 5.1.1 custom reason"
          - when: {{email: "*@plain.test"}}
            outcome: {outcome}
    """)
    async with open_emulator(text) as emu:
        custom = await emu.send_one({"email": "x@custom.test"})
        plain = await emu.send_one({"email": "x@plain.test"})
    assert custom["error_message"] == "550 5.1.1 custom reason"
    assert plain["error_message"] and plain["error_message"] != custom["error_message"]
    assert set_flags(custom) == set_flags(plain) == OUTCOME_FLAGS[outcome]


async def test_rate_limited_answers_429_and_leaves_nothing_behind() -> None:
    async with open_emulator(scenario(ONE_RULE_PER_OUTCOME)) as emu:
        before = await emu.broadcast("bc_mail")
        response = await emu.post_send({"email": "someone@rate_limited.test"})
        body = assert_envelope(response, 429)
        assert int(response.headers["retry-after"]) >= 1
        assert "rate" in body["message"].lower()
        assert await emu.rows() == []
        after = await emu.broadcast("bc_mail")
        assert after == before
        # Also through an existing contact: still no row.
        response = await emu.post_send({"contact_id": "ct_ada"}, "bc_mail")
        assert response.status_code == 200  # ada@example.test matches no rule
        response = await emu.post_send({"contact_id": "ct_ada", "email": "a@rate_limited.test"})
        assert_envelope(response, 429)
        assert len(await emu.rows()) == 1
        assert_counters_agree(await emu.broadcast("bc_mail"), await emu.rows())


async def test_rate_limited_in_a_sequence_then_the_retry_goes_through() -> None:
    text = scenario("outcomes:\n  - {when: {email: 'busy@*'}, outcome: [rate_limited, "
                    "rate_limited, delivered]}\n")
    async with open_emulator(text) as emu:
        for _ in range(2):
            assert_envelope(await emu.post_send({"email": "busy@x.test"}), 429)
        row = await emu.send_one({"email": "busy@x.test"})
        assert set_flags(row) == OUTCOME_FLAGS["delivered"]
        assert [r["id"] for r in await emu.rows()] == [row["id"]]
        assert_counters_agree(await emu.broadcast("bc_mail"), await emu.rows())


async def test_the_first_matching_rule_wins() -> None:
    text = scenario("""
        outcomes:
          - {when: {email: "ada@*"}, outcome: failed}
          - {when: {email: "*@example.test"}, outcome: opened}
          - {when: {email: "ada@example.test"}, outcome: bounced}
    """)
    async with open_emulator(text) as emu:
        ada = await emu.send_one({"contact_id": "ct_ada"})
        bob = await emu.send_one({"contact_id": "ct_bob"})
        other = await emu.send_one({"email": "carol@elsewhere.test"})
    assert set_flags(ada) == OUTCOME_FLAGS["failed"]
    assert set_flags(bob) == OUTCOME_FLAGS["opened"]
    # No rule matches: delivered.
    assert set_flags(other) == OUTCOME_FLAGS["delivered"]


# (when, a send that matches it, a send that does not): (broadcast, org, body).
Send = tuple[str, str, Json]
WHEN_CASES: list[tuple[str, str, Send, Send]] = [
    ("email_glob", '{email: "*@Example.TEST"}',
     ("bc_mail", "org_a", {"email": "Carol@EXAMPLE.test"}),
     ("bc_mail", "org_a", {"email": "carol@example.org"})),
    ("email_exact_case_insensitive", '{email: "ADA@example.test"}',
     ("bc_mail", "org_a", {"contact_id": "ct_ada"}),
     ("bc_mail", "org_a", {"contact_id": "ct_bob"})),
    ("phone_glob", '{phone: "+1 555 0100*"}',
     ("bc_sms", "org_a", {"phone": "+1 (555) 010-0999"}),
     ("bc_sms", "org_a", {"phone": "+14150100999"})),
    ("integration_id", "{integration_id: twilio}",
     ("bc_sms", "org_a", {"contact_id": "ct_ada"}),
     ("bc_mail", "org_a", {"contact_id": "ct_ada"})),
    ("broadcast_id", "{broadcast_id: bc_news}",
     ("bc_news", "org_a", {"contact_id": "ct_ada"}),
     ("bc_mail", "org_a", {"contact_id": "ct_ada"})),
    ("template_id", "{template_id: tpl_news}",
     ("bc_news", "org_a", {"contact_id": "ct_ada"}),
     ("bc_mail", "org_a", {"contact_id": "ct_ada"})),
    ("contact_id", "{contact_id: ct_bob}",
     ("bc_mail", "org_a", {"contact_id": "ct_bob"}),
     ("bc_mail", "org_a", {"contact_id": "ct_ada"})),
    ("org_id", "{org_id: org_b}",
     ("bc_mail", "org_b", {"contact_id": "ct_ada"}),
     ("bc_mail", "org_a", {"contact_id": "ct_ada"})),
    ("all_of_them", "{email: 'ada@*', integration_id: gmail, broadcast_id: bc_news, "
                    "template_id: tpl_news, contact_id: ct_ada, org_id: org_a}",
     ("bc_news", "org_a", {"contact_id": "ct_ada"}),
     ("bc_news", "org_b", {"contact_id": "ct_ada"})),
]


async def _send_as(emu: Emu, other: Emu, target: Send) -> Json:
    broadcast, org, body = target
    client = emu if org == "org_a" else other
    return await client.send_one(body, broadcast)


@pytest.mark.parametrize(("when", "hit", "miss"), [c[1:] for c in WHEN_CASES],
                         ids=[c[0] for c in WHEN_CASES])
async def test_each_when_key_matches(when: str, hit: Send, miss: Send) -> None:
    async with open_emulator(scenario(f"outcomes:\n  - {{when: {when}, outcome: failed}}\n")) \
            as emu:
        other = await emu.with_key("key_b")
        assert set_flags(await _send_as(emu, other, hit)) == {"is_failed"}
        assert set_flags(await _send_as(emu, other, miss)) == {"is_sent", "is_delivered"}


async def test_when_keys_are_and_combined() -> None:
    text = scenario("""
        outcomes:
          - when: {email: "ada@*", broadcast_id: bc_news}
            outcome: failed
    """)
    async with open_emulator(text) as emu:
        both = await emu.send_one({"contact_id": "ct_ada"}, "bc_news")
        wrong_broadcast = await emu.send_one({"contact_id": "ct_ada"}, "bc_mail")
        wrong_email = await emu.send_one({"contact_id": "ct_bob"}, "bc_news")
    assert set_flags(both) == {"is_failed"}
    assert set_flags(wrong_broadcast) == set_flags(wrong_email) == {"is_sent", "is_delivered"}


async def test_template_id_decides_per_row() -> None:
    text = scenario("outcomes:\n  - {when: {template_id: tpl_both_wa}, outcome: failed}\n")
    async with open_emulator(text) as emu:
        rows = {r["template_id"]: r for r in await emu.send({"contact_id": "ct_ada"}, "bc_both")}
    assert set_flags(rows["tpl_both_mail"]) == {"is_sent", "is_delivered"}
    assert set_flags(rows["tpl_both_wa"]) == {"is_failed"}


@pytest.mark.parametrize("when", ["when: {}", ""], ids=["empty_when", "no_when"])
async def test_an_empty_when_matches_every_row(when: str) -> None:
    text = scenario(f"outcomes:\n  - {{{when + ', ' if when else ''}outcome: played}}\n")
    async with open_emulator(text) as emu:
        other = await emu.with_key("key_b")
        rows = [
            *await emu.send({"contact_id": "ct_ada"}, "bc_both"),
            await emu.send_one({"phone": "+15550177777"}, "bc_sms"),
            await other.send_one({"email": "z@z.test"}, "bc_news"),
        ]
    assert all(set_flags(r) == OUTCOME_FLAGS["played"] for r in rows), rows


WEIGHTED = """
    rate_limits: {send: null}
    outcomes:
      - when: {broadcast_id: bc_mail}
        outcome: {delivered: 3, failed: 1, bounced: 0}
"""


async def _weighted_run(seed: int, sends: int) -> list[str]:
    async with open_emulator(scenario(WEIGHTED, seed=seed)) as emu:
        rows = [await emu.send_one({"email": f"user{i}@example.org"}) for i in range(sends)]
        assert_counters_agree(await emu.broadcast("bc_mail"), await emu.rows())
    return ["failed" if r["is_failed"] else "delivered" for r in rows]


async def test_weighted_choice_is_the_same_for_the_same_seed() -> None:
    first = await _weighted_run(seed=99, sends=40)
    second = await _weighted_run(seed=99, sends=40)
    assert first == second
    assert {"failed", "delivered"} <= set(first)
    # The seed decides: another seed draws another sequence (40 draws agreeing by chance is
    # below one in a million).
    assert await _weighted_run(seed=100, sends=40) != first


async def test_weighted_choice_roughly_respects_the_weights() -> None:
    async with open_emulator(scenario(WEIGHTED, seed=5)) as emu:
        for i in range(200):
            await emu.send_one({"email": f"user{i}@example.org"})
        rows = await emu.rows()
        assert len(rows) == 200
        outcomes = [frozenset(set_flags(r)) for r in rows]
        failed = outcomes.count(OUTCOME_FLAGS["failed"])
        delivered = outcomes.count(OUTCOME_FLAGS["delivered"])
        assert failed + delivered == 200  # the zero-weight bounce never happens
        # Expected 50 failures (sd about 6): accept four standard deviations either way.
        assert 25 <= failed <= 75, failed
        assert_counters_agree(await emu.broadcast("bc_mail"), rows)


SEQUENCE = """
    outcomes:
      - when: {email: "flaky@*"}
        outcome: [failed, failed, delivered]
"""


async def test_sequence_in_order_then_the_last_repeats() -> None:
    async with open_emulator(scenario(SEQUENCE)) as emu:
        rows = [await emu.send_one({"email": "flaky@example.org"}) for _ in range(5)]
        # Another address matching the same rule continues the same sequence.
        rows.append(await emu.send_one({"email": "flaky@other.test"}))
        # Rows the rule does not match leave it alone.
        assert set_flags(await emu.send_one({"contact_id": "ct_ada"})) == {"is_sent",
                                                                           "is_delivered"}
        rows.append(await emu.send_one({"email": "flaky@example.org"}))
    got = ["failed" if r["is_failed"] else "delivered" for r in rows]
    assert got == ["failed", "failed", "delivered", "delivered", "delivered", "delivered",
                   "delivered"]


async def test_sequences_are_kept_per_org() -> None:
    async with open_emulator(scenario(SEQUENCE)) as emu:
        other = await emu.with_key("key_b")
        a1 = await emu.send_one({"email": "flaky@example.org"})
        a2 = await emu.send_one({"email": "flaky@example.org"})
        b1 = await other.send_one({"email": "flaky@example.org"})
        b2 = await other.send_one({"email": "flaky@example.org"})
        a3 = await emu.send_one({"email": "flaky@example.org"})
        b3 = await other.send_one({"email": "flaky@example.org"})
    assert [r["is_failed"] for r in (a1, a2, a3)] == [True, True, False]
    assert [r["is_failed"] for r in (b1, b2, b3)] == [True, True, False]


async def test_counters_agree_with_the_rows() -> None:
    text = scenario(ONE_RULE_PER_OUTCOME
                    + '  - {when: {email: "seq@*"}, outcome: [complained, unsubscribed, opened]}\n')
    async with open_emulator(text) as emu:
        for name in sorted(OUTCOME_FLAGS):
            await emu.send({"email": f"one@{name}.test"}, "bc_both")
            await emu.send({"email": f"two@{name}.test"}, "bc_mail")
        for i in range(3):
            await emu.send({"email": f"seq@x{i}.test"}, "bc_mail")
        await emu.send({"contact_id": "ct_ada"}, "bc_both")
        for broadcast_id in ("bc_mail", "bc_both"):
            broadcast = await emu.broadcast(broadcast_id)
            rows = await emu.rows(broadcast_id)
            assert_counters_agree(broadcast, rows)
            assert sum(t["recipients_count"] for t in broadcast["templates"]) == len(rows)
        mail = await emu.broadcast("bc_mail")
    # Ten outcomes + three sequence rows on bc_mail: every counter moved.
    assert mail["recipients_count"] == 13
    for counter in ("sent_count", "delivered_count", "failed_count", "opened_count",
                    "played_count", "complained_count", "unsubscribed_count", "skipped_count"):
        assert mail[counter] > 0, counter
    # Rows show no click: the one clicked row is counted as opened and in click_count.
    assert mail["click_count"] == 1
