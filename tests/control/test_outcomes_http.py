"""Run-time outcome rules over HTTP (issue 21 item 2): PUT replaces one org's rules from its
next message on, GET answers the same shape, a row's `why` says "run time"; other orgs keep the
scenario's rules; a reset goes back to them; the state file keeps them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from support.apps import app_from_yaml, client_for
from support.scenarios import TWO_ORGS
from support.wire import START

from emulator import create_app
from emulator.scenario.load import load_scenario_text
from emulator.settings import Settings
from emulator.support.clock import VirtualClock

pytestmark = pytest.mark.anyio

SCENARIO_RULE = """
outcomes:
  - when: {email: "*@slow.test"}
    outcome: opened
"""
RULES: list[dict[str, Any]] = [
    {"when": {"email": "*@example.test"}, "outcome": "bounced",
     "error_message": "mailbox full"},
    {"outcome": ["failed", "delivered"], "timing": {"delivered_after": 10.0}},
    {"when": {"integration_id": "whatsapp_bot"}, "outcome": {"delivered": 0.5, "failed": 0.5}},
]


async def _ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


async def _row(client: httpx.AsyncClient, broadcast: str, email: str) -> dict[str, Any]:
    answer = await _ok(await client.post(f"/orgs/c/broadcasts/{broadcast}/send",
                                         json={"email": email}))
    row: dict[str, Any] = answer["recipients"][0]
    return row


async def _why(control: httpx.AsyncClient, org: str, row: dict[str, Any]) -> dict[str, Any]:
    found = await _ok(await control.get(
        f"/_emulator/orgs/{org}/broadcasts/{row['broadcast_id']}/recipients/{row['id']}"))
    why: dict[str, Any] = found["why"]
    return why


async def test_put_replaces_one_orgs_rules_from_the_next_message_on() -> None:
    app = app_from_yaml(TWO_ORGS + SCENARIO_RULE, VirtualClock(START))
    async with (client_for(app, None) as control, client_for(app, "key_a") as a,
                client_for(app, "key_b") as b):
        before = await _ok(await control.get("/_emulator/orgs/org_a/outcomes"))
        assert before == {"outcomes": [{"when": {"email": "*@slow.test"}, "outcome": "opened"}]}
        first = await _row(a, "bc_a", "x@example.test")
        assert first["status"] != "FAILED"
        answer = await _ok(await control.put("/_emulator/orgs/org_a/outcomes",
                                             json={"outcomes": RULES}))
        assert answer == {"outcomes": RULES}
        assert await _ok(await control.get("/_emulator/orgs/org_a/outcomes")) == answer
        bounced = await _row(a, "bc_a", "y@example.test")
        why = await _why(control, "org_a", bounced)
        assert why["where"] == "run time"
        assert (why["kind"], why["rule"]) == ("rule", 0)
        assert "Run-time rule outcomes[0]" in why["summary"]
        assert [(await _why(control, "org_a", await _row(a, "bc_a", f"s{i}@other.test")))["step"]
                for i in range(3)] == [1, 2, 2]
        # org_b still has the scenario's rules.
        assert await _ok(await control.get("/_emulator/orgs/org_b/outcomes")) == before
        other = await _row(b, "bc_b", "z@example.test")
        assert (await _why(control, "org_b", other))["kind"] == "default"
        # A reset brings back the scenario's rules.
        await _ok(await control.post("/_emulator/reset", json={"org_id": "org_a"}))
        assert await _ok(await control.get("/_emulator/orgs/org_a/outcomes")) == before


async def test_a_bad_rule_is_a_400_and_changes_nothing() -> None:
    app = app_from_yaml(TWO_ORGS + SCENARIO_RULE, VirtualClock(START))
    async with client_for(app, None) as control:
        before = await _ok(await control.get("/_emulator/orgs/org_a/outcomes"))
        for body in ({"outcomes": [{"outcome": "vanished"}]}, {"outcomes": "bounced"},
                     {"outcomes": [{"outcome": "bounced", "when": {"mail": "x"}}]}, {},
                     # A rule's `source` is where a scenario file had it, never a key.
                     {"outcomes": [{"outcome": "bounced", "source": "mine.yaml:1"}]}):
            response = await control.put("/_emulator/orgs/org_a/outcomes", json=body)
            assert response.status_code == 400, (body, response.text)
            assert "outcomes" in response.text
        assert response.json()["details"] == [{  # the last body: `source` is refused as unknown
            "field": "outcomes[0].source",
            "message": "outcomes[0].source is not a known field"}]
        assert await _ok(await control.get("/_emulator/orgs/org_a/outcomes")) == before
        empty = await _ok(await control.put("/_emulator/orgs/org_a/outcomes",
                                            json={"outcomes": []}))
        assert empty == {"outcomes": []}
        assert (await control.get("/_emulator/orgs/nope/outcomes")).status_code == 404


async def test_run_time_rules_survive_the_state_file(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    spec = load_scenario_text(TWO_ORGS)
    first = create_app(Settings(state_file=str(path)), scenario=spec, clock=VirtualClock(START))
    async with client_for(first, None) as control, client_for(first, "key_a") as a:
        await _ok(await control.put("/_emulator/orgs/org_a/outcomes", json={"outcomes": RULES}))
        await _row(a, "bc_a", "s1@other.test")  # step 1 of the sequence
        await _ok(await control.post("/_emulator/snapshot"))
    second = create_app(Settings(state_file=str(path)), clock=VirtualClock(START))
    async with client_for(second, None) as control, client_for(second, "key_a") as a2:
        assert await _ok(await control.get("/_emulator/orgs/org_a/outcomes")) == {
            "outcomes": RULES}
        row = await _row(a2, "bc_a", "s2@other.test")
        why = await _why(control, "org_a", row)
        assert (why["where"], why["step"]) == ("run time", 2)
