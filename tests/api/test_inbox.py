"""The control-surface queries the inbox UI reads (orgs, an org's broadcasts, rows and one row's
message) and the UI's static files with their Content-Security-Policy."""

from __future__ import annotations

import re

import httpx
import pytest
from support.api import BROADCAST_KEYS, RECIPIENT_KEYS, assert_error, send
from support.apps import app_from_yaml, client_for
from support.scenarios import TWO_ORGS
from support.wire import START

from emulator.testing import VirtualClock

pytestmark = pytest.mark.anyio


async def test_orgs_lists_every_org_with_its_keys_and_clock(anon: httpx.AsyncClient) -> None:
    response = await anon.get("/_emulator/orgs")
    assert response.status_code == 200, response.text
    [acme] = response.json()
    assert acme["id"] == "org_acme" and acme["name"] == "Acme"
    assert acme["api_keys"] == ["test_key_acme"] and acme["parent"] is None
    # The test app runs on an injected virtual clock.
    assert acme["clock"] == {"mode": "virtual", "now": "2026-01-05T09:00:00.000Z", "pending": 0}
    assert acme["broadcasts_count"] == 2 and acme["rows_count"] == 0


async def test_orgs_made_at_run_time_are_listed_after_the_scenario_ones(
        anon: httpx.AsyncClient) -> None:
    made = await anon.post("/_emulator/orgs", json={"name": "Mine", "clock": {"mode": "virtual"}})
    assert made.status_code == 200, made.text
    orgs = (await anon.get("/_emulator/orgs")).json()
    assert [o["id"] for o in orgs] == ["org_acme", made.json()["id"]]
    assert orgs[1]["api_keys"] == [made.json()["api_key"]]
    assert orgs[1]["clock"]["mode"] == "virtual"


async def test_an_orgs_broadcasts_come_newest_first_with_counters_and_defaults(
        client: httpx.AsyncClient, anon: httpx.AsyncClient) -> None:
    await send(client, "bc_otp", {"email": "ada@example.com"})
    response = await anon.get("/_emulator/orgs/org_acme/broadcasts")
    assert response.status_code == 200, response.text
    public = (await client.get("/orgs/c/broadcasts")).json()
    assert [b["id"] for b in response.json()] == [b["id"] for b in public]
    broadcasts = {b["id"]: b for b in response.json()}
    assert set(broadcasts) == {"bc_otp", "bc_spring"}
    otp = broadcasts["bc_otp"]
    assert set(otp) == BROADCAST_KEYS | {"properties"}
    assert otp["properties"] == {"otp": "000000", "first_name": "there"}
    assert otp["recipients_count"] == 2 and otp["delivered_count"] == 2  # email and WhatsApp


async def test_rows_are_newest_first_and_searchable_by_address(
        client: httpx.AsyncClient, anon: httpx.AsyncClient) -> None:
    await send(client, "bc_otp", {"email": "ada@example.com"})
    await send(client, "bc_otp", {"email": "Grace@Example.com", "template_ids": ["tpl_otp_email"]})
    rows = (await anon.get("/_emulator/orgs/org_acme/recipients")).json()
    assert [(r["email"], r["integration_id"]) for r in rows][:1] == [("Grace@Example.com",
                                                                     "gmail")]
    assert len(rows) == 3 and set(rows[0]) == RECIPIENT_KEYS
    found = (await anon.get("/_emulator/orgs/org_acme/recipients",
                            params={"q": " grace@EXAMPLE "})).json()
    assert [r["email"] for r in found] == ["Grace@Example.com"]
    limited = (await anon.get("/_emulator/orgs/org_acme/recipients",
                              params={"limit": 1, "broadcast_id": "bc_otp"})).json()
    assert [r["id"] for r in limited] == [rows[0]["id"]]
    none = await anon.get("/_emulator/orgs/org_acme/recipients", params={"broadcast_id": "bc_x"})
    assert none.json() == []


async def test_rows_refuse_a_bad_limit_and_an_unknown_org(anon: httpx.AsyncClient) -> None:
    assert_error(await anon.get("/_emulator/orgs/org_acme/recipients", params={"limit": "0"}),
                 400, "limit")
    assert_error(await anon.get("/_emulator/orgs/org_nope/recipients"), 404)
    assert_error(await anon.get("/_emulator/orgs/org_nope/broadcasts"), 404)


async def test_a_rows_message_is_rendered_with_the_row(
        client: httpx.AsyncClient, anon: httpx.AsyncClient) -> None:
    [email, _] = await send(client, "bc_otp", {"email": "ada@example.com",
                                               "variables": {"otp": "482916"}})
    response = await anon.get(f"/_emulator/orgs/org_acme/messages/{email['id']}")
    assert response.status_code == 200, response.text
    message = response.json()
    assert message["subject"] == "Your Acme code"
    assert message["body"] == "Hi Ada, your Acme code is 482916"
    assert message["variables"]["otp"] == "482916" and message["missing_variables"] == []
    assert message["row"]["id"] == email["id"] and message["row"]["is_delivered_at"]
    missing = await anon.get("/_emulator/orgs/org_acme/messages/rcp_nope")
    assert "rcp_nope" in assert_error(missing, 404)["message"]


async def test_rows_stay_within_their_org(clock: VirtualClock) -> None:
    app = app_from_yaml(TWO_ORGS, clock)
    async with client_for(app, "key_a") as a, client_for(app, None) as anon:
        await send(a, "bc_a", {"email": "someone@example.test"})
        assert len((await anon.get("/_emulator/orgs/org_a/recipients")).json()) == 1
        assert (await anon.get("/_emulator/orgs/org_b/recipients")).json() == []
        row_id = (await anon.get("/_emulator/orgs/org_a/recipients")).json()[0]["id"]
        assert_error(await anon.get(f"/_emulator/orgs/org_b/messages/{row_id}"), 404)
    assert clock.now() == START


async def test_the_ui_is_served_with_a_policy_that_allows_no_inline_script(
        anon: httpx.AsyncClient) -> None:
    page = await anon.get("/_emulator/ui")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    policy = dict(part.strip().split(" ", 1) for part in
                  page.headers["content-security-policy"].split(";"))
    assert policy["script-src"] == "'self'" and policy["default-src"] == "'none'"
    assert policy["connect-src"] == "'self'"
    assert "<script>" not in page.text and 'type="module"' in page.text
    assert page.headers["x-content-type-options"] == "nosniff"
    # Every asset the page names is on this origin and is served.
    for asset in re.findall(r'(?:src|href)="([^"#]+)"', page.text):
        assert asset.startswith("/_emulator/ui/"), asset
        served = await anon.get(asset)
        assert served.status_code == 200, asset
        assert "content-security-policy" in served.headers


async def test_ui_modules_are_javascript_and_name_nothing_outside_the_origin(
        anon: httpx.AsyncClient) -> None:
    app = await anon.get("/_emulator/ui/app.js")
    assert app.headers["content-type"] == "text/javascript; charset=utf-8"
    imports = re.findall(r'from "(\./[a-z-]+\.js)"', app.text)
    assert imports, "app.js imports its modules"
    for module in imports:
        body = (await anon.get(f"/_emulator/ui/{module[2:]}")).text
        assert not re.search(r"https?://", body), module
    css = await anon.get("/_emulator/ui/style.css")
    assert css.headers["content-type"] == "text/css; charset=utf-8"
    assert "url(" not in css.text and "@import" not in css.text


@pytest.mark.parametrize("name", ["nope.js", "..%2Fapp.py", "App.js", "inbox.py", ".hidden.js"])
async def test_only_the_uis_own_files_are_served(anon: httpx.AsyncClient, name: str) -> None:
    assert_error(await anon.get(f"/_emulator/ui/{name}"), 404)


async def test_the_ui_is_not_open_to_other_origins(anon: httpx.AsyncClient) -> None:
    for path in ("/_emulator/ui", "/_emulator/orgs"):
        response = await anon.get(path, headers={"Origin": "http://127.0.0.1:9"})
        assert "access-control-allow-origin" not in response.headers, path
