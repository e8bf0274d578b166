"""An org exported as scenario YAML (issue 21 item 6) loads back: export → `serve --scenario`
→ export is byte-identical; through POST /_emulator/orgs it is identical but for the org's id
and key. Rows are not exported; what the org became through the API is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from support.apps import app_from_yaml, client_for
from support.cli import Spawner
from support.wire import START

from emulator import create_app
from emulator.scenario.load import load_scenario_file
from emulator.support.clock import VirtualClock

pytestmark = pytest.mark.anyio

SCENARIO = """
seed: 7
clock: {mode: virtual, start: "2026-01-05T09:00:00Z"}
orgs:
  - id: org_x
    name: X
    api_keys: [key_x]
    segments:
      - {id: seg_vip, name: VIP, color: violet}
    contacts:
      - id: ct_ada
        name: Ada
        email: ada@example.test
        phone: "+15550100001"
        segments: [seg_vip]
        properties: {first_name: Ada, tier: 2, tags: [a, b]}
      - id: ct_bob
        blocked: true
        channels:
          - {id: ch_bob_wa, type: whatsapp_bot, user_id: "+15550100002", phone: "+15550100002",
             platform_data: {opt_in: true}}
    broadcasts:
      - id: bc_otp
        name: OTP
        type: TRANSACTIONAL
        status: ACTIVE
        properties: {otp: "000000"}
        templates:
          - {id: tpl_otp, integration_id: gmail, config: {subject: "Code", body: "{{otp}}"}}
      - id: bc_sale
        name: Sale
        segment_ids: [seg_vip]
        status: SCHEDULED
        scheduled_at: "2026-01-06T09:00:00Z"
        templates:
          - {id: tpl_sale, integration_id: gmail, config: {subject: Sale}}
  - id: org_other
    api_keys: [key_other]
outcomes:
  - when: {email: "*@bounce.test"}
    outcome: bounced
    timing: {delivered_after: 10s}
  - outcome: {delivered: 3, failed: 1}
webhooks:
  - url: http://127.0.0.1:9/hooks
    secret: whsec_x
    events: [recipient.bounced, recipient.delivered]
"""


async def _ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


async def _built() -> tuple[str, httpx.AsyncClient]:
    """org_x changed through the API after it was loaded; its export."""
    app = app_from_yaml(SCENARIO, VirtualClock(START))
    async with client_for(app, "key_x") as x, client_for(app, None) as control:
        contact = await _ok(await x.post("/orgs/c/contacts", json={
            "channel": {"name": "Cy", "email": "cy@example.test"}, "segment_ids": ["seg_vip"]}))
        await _ok(await x.patch(f"/orgs/c/contacts/{contact['id']}", json={"unsubscribed": True}))
        await _ok(await x.post("/orgs/c/broadcasts/bc_otp/send",
                               json={"email": "new@example.test"}))
        draft = await _ok(await x.post("/orgs/c/broadcasts", json={"name": "Later"}))
        await _ok(await control.post(f"/_emulator/orgs/org_x/broadcasts/{draft['id']}/templates",
                                     json={"integration_id": "twilio", "config": {"body": "hi"}}))
        await _ok(await control.put("/_emulator/orgs/org_x/outcomes", json={"outcomes": [
            {"when": {"broadcast_id": "bc_otp"}, "outcome": ["failed", "delivered"]}]}))
        await _ok(await control.post("/_emulator/clock/advance",
                                     json={"seconds": 60, "org_id": "org_x"}))
        exported = await control.get("/_emulator/orgs/org_x/export")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/yaml")
    return exported.text, control


async def test_the_export_holds_the_org_and_no_rows() -> None:
    text, _ = await _built()
    document = yaml.safe_load(text)
    assert list(document) == ["seed", "clock", "magic_addresses", "rate_limits", "orgs",
                              "outcomes", "webhooks"]
    assert document["clock"] == {"mode": "virtual", "start": "2026-01-05T09:01:00.000Z"}
    (org,) = document["orgs"]
    assert (org["id"], org["api_keys"]) == ("org_x", ["key_x"])
    contacts = {c.get("name"): c for c in org["contacts"]}
    assert contacts["Cy"]["unsubscribed"] is True
    assert contacts["Cy"]["segments"] == ["seg_vip"]
    assert contacts["Ada"]["properties"] == {"first_name": "Ada", "tier": 2, "tags": ["a", "b"]}
    assert [b["id"] for b in org["broadcasts"]][:2] == ["bc_otp", "bc_sale"]
    assert org["broadcasts"][2]["templates"][0]["integration_id"] == "twilio"
    assert document["outcomes"] == [{"when": {"broadcast_id": "bc_otp"},
                                     "outcome": ["failed", "delivered"]}]
    assert document["webhooks"][0]["events"] == ["recipient.delivered", "recipient.bounced"]
    # The send made a contact (exported) and a row (not exported: the format has no rows).
    assert list(org) == ["id", "name", "api_keys", "segments", "contacts", "broadcasts"]
    assert any(c.get("channels", [{}])[0].get("email") == "new@example.test"
               for c in org["contacts"])


async def test_export_serve_export_is_byte_identical(tmp_path: Path) -> None:
    text, _ = await _built()
    path = tmp_path / "exported.yaml"
    path.write_text(text, encoding="utf-8")
    app = create_app(scenario=load_scenario_file(path), clock=VirtualClock(START))
    async with client_for(app, None) as control:
        again = await control.get("/_emulator/orgs/org_x/export")
    assert again.text == text


@pytest.mark.slow  # a served process: left out by `dev.py test --fast`
def test_the_cli_serves_an_export(tmp_path: Path) -> None:
    """One served round trip: `invent-emulator serve --scenario` of an exported file."""
    import anyio

    text = anyio.run(_built)[0]
    (tmp_path / "exported.yaml").write_text(text, encoding="utf-8")
    with Spawner(tmp_path) as spawn:
        server = spawn("--port", "0", "--scenario", "exported.yaml")
        url, _ = server.wait_healthy()
        again = httpx.get(f"{url}/_emulator/orgs/org_x/export", timeout=10)
    assert again.status_code == 200, again.text
    assert again.text == text


async def test_post_orgs_loads_an_export_as_text_or_object() -> None:
    text, _ = await _built()
    app = app_from_yaml(SCENARIO, VirtualClock(START))
    async with client_for(app, None) as control:
        for scenario in (text, yaml.safe_load(text)):
            made = await _ok(await control.post("/_emulator/orgs", json={"scenario": scenario}))
            again = (await control.get(f"/_emulator/orgs/{made['id']}/export")).text
            assert again == text.replace("org_x", made["id"]).replace("key_x", made["api_key"])


async def test_exporting_an_unknown_org_is_a_404() -> None:
    app = app_from_yaml(SCENARIO, VirtualClock(START))
    async with client_for(app, None) as control:
        assert (await control.get("/_emulator/orgs/nope/export")).status_code == 404
