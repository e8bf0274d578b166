"""Send `variables` over the contact's stored properties over the broadcast's defaults (seeds
000/001), checked through the content the emulator's outbox (/_emulator/messages) rendered."""

from __future__ import annotations

import httpx
import pytest
from support.api import Json, send

pytestmark = pytest.mark.anyio


async def _rendered(anon: httpx.AsyncClient, row: Json) -> Json:
    response = await anon.get("/_emulator/messages", params={"broadcast_id": row["broadcast_id"]})
    if response.status_code == 404:
        pytest.skip("the emulator exposes no outbox yet")
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
