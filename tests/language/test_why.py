"""Why this outcome: every row records what decided it (a rule with its place in the file, a
sequence step, a weighted draw, a magic address, a suppression, a skip, or the default), shown
by the outbox and the control surface's row lookup, never on the public row."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.apps import client_for
from support.language import Emu, Json, open_emulator, scenario
from support.wire import RECIPIENT_KEYS, START

from emulator import create_app, load_scenario_file
from emulator.testing import VirtualClock

pytestmark = pytest.mark.anyio

RULES = """\
outcomes:
  - when: {email: "fixed@*"}
    outcome: opened
  - when: {email: "seq@*"}
    outcome: [failed, delivered]
  - when: {email: "draw@*"}
    outcome: {delivered: 1, bounced: 1}
"""


async def why_of(emu: Emu, row: Json) -> Json:
    """The row's `why` as the control lookup and the outbox show it (they must agree)."""
    org_id = (await emu.get_json("/_emulator/clock"))["orgs"][0]["org_id"]
    looked_up = await emu.get_json(
        f"/_emulator/orgs/{org_id}/broadcasts/{row['broadcast_id']}/recipients/{row['id']}")
    messages = await emu.get_json("/_emulator/messages", org_id=org_id)
    in_outbox = [m["why"] for m in messages if m["recipient_id"] == row["id"]]
    assert in_outbox in ([looked_up["why"]], []), (in_outbox, looked_up["why"])
    why: Json = looked_up["why"]
    return why


async def test_a_fixed_rule_names_its_place_in_the_file(tmp_path: Path) -> None:
    file = tmp_path / "rules.yaml"
    file.write_text(scenario(RULES, orgs=[("org_a", "key_a")]))
    app = create_app(scenario=load_scenario_file(file), clock=VirtualClock(START))
    async with client_for(app, "key_a") as http:
        sent = await http.post("/orgs/c/broadcasts/bc_mail/send",
                               json={"email": "fixed@example.test"})
        row = sent.json()["recipients"][0]
        looked_up = (await http.get(f"/_emulator/orgs/org_a/broadcasts/bc_mail/recipients/"
                                    f"{row['id']}")).json()
    line = file.read_text().splitlines().index("  - when: {email: \"fixed@*\"}") + 1
    assert looked_up["why"] == {
        "kind": "rule", "rule": 0, "where": f"rules.yaml:{line}",
        "summary": f"Scenario rule outcomes[0] (rules.yaml:{line}) matched: opened",
    }


async def test_sequence_steps_and_weighted_draws_say_which() -> None:
    async with open_emulator(scenario(RULES)) as emu:
        first = await why_of(emu, await emu.send_one({"email": "seq@example.test"}))
        second = await why_of(emu, await emu.send_one({"email": "seq@example.test"}))
        third = await why_of(emu, await emu.send_one({"email": "seq@example.test"}))
        drawn = await why_of(emu, await emu.send_one({"email": "draw@example.test"}))
    assert (first["kind"], first["step"], second["step"], third["step"]) == (
        "sequence", 1, 2, 2)
    assert "step 1 of 2" in first["summary"] and first["rule"] == 1
    assert "where" in first  # the scenario came from YAML text, so lines are known
    assert drawn["kind"] == "weighted" and 0 <= drawn["draw"] < 1
    assert f"{drawn['draw']:.4f}" in drawn["summary"]


async def test_magic_addresses_suppressions_skips_and_the_default() -> None:
    async with open_emulator(scenario()) as emu:
        magic = await why_of(emu, await emu.send_one({"email": "bounced@example.test"}))
        suppressed = await why_of(emu, await emu.send_one({"email": "bounced@example.test"}))
        plain = await why_of(emu, await emu.send_one({"email": "plain@example.test"}))
        no_phone = await emu.send_one({"email": "mail-only@example.test"}, broadcast="bc_sms")
        skipped = await why_of(emu, no_phone)
    assert magic == {"kind": "magic_address",
                     "summary": "bounced@example.test is a magic test address: bounced"}
    assert suppressed["kind"] == "suppressed"
    assert "suppression list" in suppressed["summary"]
    assert plain["kind"] == "default"
    assert skipped["kind"] == "skipped" and "no phone number" in skipped["summary"]


async def test_the_public_row_has_no_why() -> None:
    async with open_emulator(scenario(RULES)) as emu:
        row = await emu.send_one({"email": "fixed@example.test"})
        listed = await emu.rows()
    assert set(row) == RECIPIENT_KEYS
    assert all(set(r) == RECIPIENT_KEYS for r in listed)
