"""Send `variables` over the contact's stored properties over the broadcast's defaults (seeds
000/001), checked through the content the emulator's outbox (/_emulator/messages) rendered.
Variables are any JSON; placeholders reach into objects and arrays with dots; a null is missing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from support.api import Json, send
from support.apps import app_from_yaml, client_for

from emulator.testing import VirtualClock

pytestmark = pytest.mark.anyio


async def _rendered(anon: httpx.AsyncClient, row: Json) -> Json:
    response = await anon.get("/_emulator/messages", params={"broadcast_id": row["broadcast_id"]})
    assert response.status_code == 200, response.text
    found = [m for m in response.json() if m["recipient_id"] == row["id"]]
    assert len(found) == 1, response.json()
    message: Json = found[0]
    return message


async def test_variables_beat_contact_properties_beat_broadcast_defaults(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    # bc_otp defaults: otp=000000, first_name=there. Ada's stored first_name: Ada.
    ada = await send(client, "bc_otp", {"contact_id": "ct_ada", "variables": {"otp": "123456"},
                                        "template_ids": ["tpl_otp_email"]})
    assert (await _rendered(anon, ada[0]))["body"] == "Hi Ada, your Acme code is 123456"

    renamed = await send(client, "bc_otp", {"contact_id": "ct_ada",
                                            "variables": {"first_name": "Dr. Lovelace"},
                                            "template_ids": ["tpl_otp_email"]})
    assert (await _rendered(anon, renamed[0]))["body"] == (
        "Hi Dr. Lovelace, your Acme code is 000000")

    stranger = await send(client, "bc_otp", {"email": "stranger@example.test",
                                             "template_ids": ["tpl_otp_email"]})
    assert (await _rendered(anon, stranger[0]))["body"] == "Hi there, your Acme code is 000000"


async def test_scalar_variables_render_as_text(client: httpx.AsyncClient,
                                               anon: httpx.AsyncClient) -> None:
    rows = await send(client, "bc_otp", {"contact_id": "ct_bob", "variables": {"otp": 42},
                                         "template_ids": ["tpl_otp_wa"]})
    assert (await _rendered(anon, rows[0]))["body"] == "42 is your Acme code"


async def test_variables_of_one_send_do_not_stick(client: httpx.AsyncClient,
                                                  anon: httpx.AsyncClient) -> None:
    await send(client, "bc_otp", {"contact_id": "ct_bob", "variables": {"otp": "999999"}})
    later = await send(client, "bc_otp", {"contact_id": "ct_bob",
                                          "template_ids": ["tpl_otp_wa"]})
    assert (await _rendered(anon, later[0]))["body"] == "000000 is your Acme code"


# --- any JSON, dotted paths, nulls -------------------------------------------------------------

SHOP = """
orgs:
  - id: org_shop
    api_keys: [key_shop]
    contacts:
      - id: ct_lin
        email: lin@example.test
        properties: {address: {city: Oslo, zip: "0150"}, tier: gold, nickname: null}
    broadcasts:
      - id: bc_order
        name: Order
        type: TRANSACTIONAL
        status: ACTIVE
        properties: {order: {id: "none"}, tier: basic, nickname: friend, currency: EUR}
        templates:
          - id: tpl_order
            integration_id: gmail
            config: {subject: "Order {{order.id}}", body: "BODY"}
"""


@pytest.fixture
async def shop(clock: VirtualClock) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    app = app_from_yaml(SHOP, clock)
    async with client_for(app, "key_shop") as http, client_for(app, None) as control:
        yield http, control


async def _message(shop: tuple[httpx.AsyncClient, httpx.AsyncClient], body: str,
                   variables: Any, contact: str = "ct_lin") -> Json:
    """Sends with the template's body set to `body`; the outbox entry of that send."""
    http, control = shop
    paused = await control.post("/_emulator/orgs/org_shop/broadcasts/bc_order/pause")
    assert paused.status_code == 200, paused.text
    template = await control.post("/_emulator/orgs/org_shop/broadcasts/bc_order/templates",
                                  json={"integration_id": "gmail",
                                        "config": {"subject": "S", "body": body}})
    assert template.status_code == 200, template.text
    resumed = await control.post("/_emulator/orgs/org_shop/broadcasts/bc_order/resume")
    assert resumed.status_code == 200, resumed.text
    template_id = template.json()["id"]
    rows = await send(http, "bc_order", {"contact_id": contact, "variables": variables,
                                         "template_ids": [template_id]})
    return await _rendered(control, rows[0])


@pytest.mark.parametrize(("body", "variables", "rendered"), [
    ("{{order.id}}", {"order": {"id": "A-17"}}, "A-17"),
    ("{{order.lines.0.sku}} x{{order.lines.1.qty}}",
     {"order": {"lines": [{"sku": "s1"}, {"sku": "s2", "qty": 3}]}}, "s1 x3"),
    ("{{ order.total }}", {"order": {"total": 12.5}}, "12.5"),
    ("{{flags}} {{tags}} {{on}}", {"flags": {"a": True}, "tags": ["x", "é"], "on": False},
     '{"a":true} ["x","é"] false'),
    ("{{order.id}}", {"order.id": "the key wins", "order": {"id": "path"}}, "the key wins"),
    ("{{address.city}} {{address.zip}}", {}, "Oslo 0150"),  # the contact's stored object
    ("{{address.city}}/{{address.zip}}", {"address": {"city": "Bergen"}}, "Bergen/"),
    ("{{tier}} {{currency}}", {}, "gold EUR"),
])
async def test_placeholders_reach_into_any_json(
    shop: tuple[httpx.AsyncClient, httpx.AsyncClient], body: str, variables: Any, rendered: str
) -> None:
    message = await _message(shop, body, variables)
    assert message["body"] == rendered


@pytest.mark.parametrize(("body", "variables", "missing"), [
    ("[{{order.lines.2}}]", {"order": {"lines": [1, 2]}}, ["order.lines.2"]),
    ("[{{order.lines.-1}}]", {"order": {"lines": [1, 2]}}, ["order.lines.-1"]),
    ("[{{order.lines.01}}]", {"order": {"lines": [1, 2]}}, ["order.lines.01"]),
    ("[{{order.id.deeper}}]", {"order": {"id": "A-1"}}, ["order.id.deeper"]),
    ("[{{order..id}}]", {"order": {"id": "A-1"}}, ["order..id"]),
    ("[{{order.lines.0}}]", {"order": {"lines": [None]}}, ["order.lines.0"]),
    ("[{{nope.x}}]", {}, ["nope.x"]),
])
async def test_a_path_that_leads_nowhere_renders_empty_and_is_missing(
    shop: tuple[httpx.AsyncClient, httpx.AsyncClient], body: str, variables: Any,
    missing: list[str]
) -> None:
    message = await _message(shop, body, variables)
    assert message["body"] == "[]"
    assert message["missing_variables"] == missing


async def test_an_explicit_null_falls_back_like_an_omitted_value(
    shop: tuple[httpx.AsyncClient, httpx.AsyncClient]
) -> None:
    # tier: the contact's stored value; currency: the broadcast's default; coupon: nothing.
    message = await _message(shop, "{{tier}}|{{currency}}|{{coupon}}",
                             {"tier": None, "currency": None, "coupon": None})
    assert message["body"] == "gold|EUR|"
    assert message["missing_variables"] == ["coupon"]
    assert "coupon" not in message["variables"]


async def test_a_stored_null_falls_back_to_the_broadcast_default(
    shop: tuple[httpx.AsyncClient, httpx.AsyncClient]
) -> None:
    message = await _message(shop, "Hi {{nickname}}", {})
    assert message["body"] == "Hi friend"


async def test_the_outbox_shows_the_variables_the_send_resolved(
    shop: tuple[httpx.AsyncClient, httpx.AsyncClient]
) -> None:
    message = await _message(shop, "{{order.id}}", {"order": {"id": 7, "lines": [[1, [2]]]}})
    assert message["variables"] == {
        "order": {"id": 7, "lines": [[1, [2]]]}, "tier": "gold", "nickname": "friend",
        "currency": "EUR", "address": {"city": "Oslo", "zip": "0150"}}
    assert message["body"] == "7" and message["missing_variables"] == []


async def test_the_subject_uses_the_broadcast_default_object(
    shop: tuple[httpx.AsyncClient, httpx.AsyncClient]
) -> None:
    http, control = shop
    rows = await send(http, "bc_order", {"email": "new@example.test"})
    assert (await _rendered(control, rows[0]))["subject"] == "Order none"
    rows = await send(http, "bc_order", {"email": "new@example.test",
                                         "variables": {"order": {"id": 9}}})
    assert (await _rendered(control, rows[0]))["subject"] == "Order 9"


async def test_deeply_nested_variables_render_and_too_deep_is_a_400(
    shop: tuple[httpx.AsyncClient, httpx.AsyncClient]
) -> None:
    deep: Any = "bottom"
    for _ in range(100):
        deep = {"d": deep}
    message = await _message(shop, "{{v" + ".d" * 100 + "}}", {"v": deep})
    assert message["body"] == "bottom"
    http, _ = shop
    raw = '{"contact_id": "ct_lin", "variables": {"v": ' + "[" * 5000 + "]" * 5000 + "}}"
    response = await http.post("/orgs/c/broadcasts/bc_order/send", content=raw)
    assert response.status_code == 400, response.text
    assert response.json()["details"][0]["field"] == "body"
