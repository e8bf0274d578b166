"""The default scenario answers the documented paths end to end."""

from __future__ import annotations

import httpx


async def test_health(anon: httpx.AsyncClient) -> None:
    response = await anon.get("/_emulator/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_send_otp_delivers_on_both_channels(client: httpx.AsyncClient) -> None:
    response = await client.post("/orgs/c/broadcasts/bc_otp/send",
                                 json={"contact_id": "ct_ada", "variables": {"otp": "123456"}})
    assert response.status_code == 200, response.text
    rows = response.json()["recipients"]
    assert [r["integration_id"] for r in rows] == ["gmail", "whatsapp_bot"]
    assert all(r["status"] == "PROCESSED" and r["is_delivered"] for r in rows)
    assert rows[0]["email"] == "ada@example.com"
    assert rows[1]["phone"] == "+15550100001"
