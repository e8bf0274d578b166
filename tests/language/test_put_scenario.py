"""PUT /_emulator/scenario: replaces the whole running state with a YAML or JSON scenario, or
refuses it (400, naming the path and line) and leaves the running state alone."""

from __future__ import annotations

import json
import secrets
import tempfile
from pathlib import Path

import pytest
from support.language import (
    Emu,
    assert_envelope,
    at,
    open_emulator,
    scenario,
    set_flags,
)
from support.scenario_cases import billion_laughs

pytestmark = pytest.mark.anyio

NEW_YAML = """\
seed: 4
clock: {mode: virtual, start: "2030-06-01T12:00:00Z"}
orgs:
  - id: org_new
    name: New
    api_keys: [key_new]
    broadcasts:
      - id: bc_new
        name: New one
        type: TRANSACTIONAL
        status: ACTIVE
        templates: [{id: tpl_new, integration_id: gmail, config: {body: hi}}]
outcomes:
  - {when: {email: "*@x.test"}, outcome: opened}
"""

NEW_JSON = {
    "seed": 4,
    "clock": {"mode": "virtual", "start": "2030-06-01T12:00:00Z"},
    "orgs": [{
        "id": "org_new", "name": "New", "api_keys": ["key_new"],
        "broadcasts": [{
            "id": "bc_new", "name": "New one", "type": "TRANSACTIONAL", "status": "ACTIVE",
            "templates": [{"id": "tpl_new", "integration_id": "gmail",
                           "config": {"body": "hi"}}],
        }],
    }],
    "outcomes": [{"when": {"email": "*@x.test"}, "outcome": "opened"}],
}


async def _state_is_the_old_one(emu: Emu) -> None:
    """org_a still answers with its key, its broadcasts and its earlier row."""
    rows = await emu.rows()
    assert len(rows) == 1
    assert (await emu.http.get("/orgs/c/broadcasts")).status_code == 200
    assert await emu.now("org_a") == at(0)


@pytest.mark.parametrize("body", [NEW_YAML, json.dumps(NEW_JSON), json.dumps(NEW_JSON,
                                                                               indent=2)],
                         ids=["yaml", "json", "json_indented"])
async def test_put_replaces_the_state(body: str) -> None:
    async with open_emulator(scenario()) as emu:
        await emu.send_one({"contact_id": "ct_ada"})
        response = await emu.http.put("/_emulator/scenario", content=body.encode(),
                                      headers={"Content-Type": "application/yaml"})
        assert response.status_code == 200, response.text
        assert response.json() == {"status": "ok", "orgs": [
            {"id": "org_new", "name": "New", "api_keys": ["key_new"]}]}

        old = await emu.http.get("/orgs/c/broadcasts")
        assert_envelope(old, 401)
        assert_envelope(await emu.http.get("/orgs/org_a/broadcasts"), 401)

        new = await emu.with_key("key_new")
        listing = await new.http.get("/orgs/c/broadcasts")
        assert listing.status_code == 200
        assert [b["id"] for b in listing.json()] == ["bc_new"]
        row = await new.send_one({"email": "ada@x.test"}, "bc_new")
        assert set_flags(row) == {"is_sent", "is_delivered", "is_opened"}
        assert row["created_at"] == "2030-06-01T12:00:00.000Z"
        clock = await new.get_json("/_emulator/clock")
        assert [o["org_id"] for o in clock["orgs"]] == ["org_new"]
        # A reset goes back to the scenario that was PUT, not the one loaded at start.
        assert (await new.http.post("/_emulator/reset", json={})).status_code == 200
        assert await new.rows("bc_new") == []
        assert_envelope(await emu.http.get("/orgs/c/broadcasts"), 401)


async def test_put_the_same_scenario_again_starts_afresh() -> None:
    text = scenario("outcomes:\n  - {when: {email: 'flaky@*'}, outcome: [failed, delivered]}\n")
    async with open_emulator(text) as emu:
        first = await emu.send_one({"email": "flaky@x.test"})
        await emu.send_one({"email": "bounced@x.test"})
        await emu.advance(100)
        response = await emu.http.put("/_emulator/scenario", content=text)
        assert response.status_code == 200, response.text
        assert await emu.rows() == []
        assert await emu.get_json("/_emulator/suppressions") == []
        assert await emu.now("org_a") == at(0)
        again = await emu.send_one({"email": "flaky@x.test"})
    # The sequence starts again, and the same seed mints the same ids.
    assert again["is_failed"] is True
    assert again["id"] == first["id"]


BAD = """\
seed: 1
orgs:
  - id: org_bad
    api_keys: [key_bad]
    contacts:
      - id: ct_1
        emial: one@example.test
"""


async def test_a_bad_scenario_is_400_naming_path_and_line_and_changes_nothing() -> None:
    async with open_emulator(scenario()) as emu:
        await emu.send_one({"contact_id": "ct_ada"})
        response = await emu.http.put("/_emulator/scenario", content=BAD)
        body = assert_envelope(response, 400)
        [detail] = body["details"]
        assert detail["field"] == "orgs[0].contacts[0].emial"
        assert detail["message"].startswith("line 7, column 9: ")
        assert "unknown key" in detail["message"]
        assert "orgs[0].contacts[0].emial" in body["message"]
        await _state_is_the_old_one(emu)
        assert_envelope(await (await emu.with_key("key_bad")).http.get("/orgs/c/broadcasts"),
                        401)


@pytest.mark.parametrize(("text", "field", "line"), [
    ("orgs:\n  - id: org_a\n    contacts:\n      - {id: ct_1, segments: [seg_gold]}\n",
     "orgs[0].contacts[0].segments[0]", 4),
    ("outcomes:\n  - {when: {email: 'x@*'}, outcome: exploded}\n", "outcomes[0].outcome", 2),
    ('{"seed": 1, "orgs": [{"id": "org_a", "api_keys": [5]}]}', "orgs[0].api_keys[0]", 1),
    ("orgs: [\n", "(document)", 2),
    ("seed: 1\nseed: 2\n", "(document)", 2),
], ids=["cross_check", "bad_outcome", "json_type", "broken_yaml", "duplicate_key"])
async def test_each_bad_scenario_names_where(text: str, field: str, line: int) -> None:
    async with open_emulator(scenario()) as emu:
        await emu.send_one({"contact_id": "ct_ada"})
        response = await emu.http.put("/_emulator/scenario", content=text)
        body = assert_envelope(response, 400)
        fields = [d["field"] for d in body["details"]]
        assert field in fields, body
        detail = body["details"][fields.index(field)]
        assert detail["message"].startswith(f"line {line}, column "), detail
        await _state_is_the_old_one(emu)




async def test_an_alias_bomb_is_refused() -> None:
    async with open_emulator(scenario()) as emu:
        await emu.send_one({"contact_id": "ct_ada"})
        response = await emu.http.put("/_emulator/scenario", content=billion_laughs())
        body = assert_envelope(response, 400)
        assert "alias" in body["message"] or "anchor" in body["message"]
        await _state_is_the_old_one(emu)


async def test_a_python_tag_is_refused_and_never_run() -> None:
    marker = Path(tempfile.gettempdir()) / f"put-scenario-{secrets.token_hex(8)}"
    text = (f'seed: 1\norgs:\n  - id: org_a\n    name: !!python/object/apply:os.system '
            f'["touch {marker}"]\n')
    try:
        async with open_emulator(scenario()) as emu:
            await emu.send_one({"contact_id": "ct_ada"})
            response = await emu.http.put("/_emulator/scenario", content=text)
            body = assert_envelope(response, 400)
            assert "not allowed" in body["message"]
            assert not marker.exists()
            await _state_is_the_old_one(emu)
    finally:
        marker.unlink(missing_ok=True)


@pytest.mark.parametrize("content", [b"\xff\xfe not utf-8", b"- just\n- a list\n", b"42"],
                         ids=["not_utf8", "a_list", "a_number"])
async def test_a_body_that_is_no_scenario_is_refused(content: bytes) -> None:
    async with open_emulator(scenario()) as emu:
        await emu.send_one({"contact_id": "ct_ada"})
        assert_envelope(await emu.http.put("/_emulator/scenario", content=content), 400)
        await _state_is_the_old_one(emu)
