"""docs/pytest.md example: the fixtures named by their types; mypy --strict checks this file."""

import json

import httpx
import pytest
import requests

from emulator.testing import EmulatorHandle, Interception, InventOrg


def test_a_typed_test(invent: InventOrg, invent_emulator: EmulatorHandle) -> None:
    created = invent.client.post("/orgs/c/broadcasts", json={"name": "Typed"})
    assert created.status_code == 200
    assert invent.url == invent_emulator.url


@pytest.mark.invent_scenario("otp", org="org_otp")
def test_calls_holds_httpx_requests(invent: InventOrg, invent_intercept: Interception) -> None:
    # Production-style code calling the real host with `requests`.
    requests.post("https://api.useinvent.com/orgs/org_2f8kQx7LmN/broadcasts/bc_otp/send",
                  headers={"Authorization": "Bearer inv_live_replace_me"},
                  json={"email": "ada@example.test", "variables": {"otp": "482910"}},
                  timeout=10)

    [call] = invent_intercept.calls  # an httpx.Request, also for a `requests` call
    assert isinstance(call, httpx.Request)
    assert call.method == "POST" and call.url.host == "api.useinvent.com"
    assert call.url.path == "/orgs/org_2f8kQx7LmN/broadcasts/bc_otp/send"  # as the code sent it
    assert json.loads(call.content) == {"email": "ada@example.test",
                                        "variables": {"otp": "482910"}}
    assert invent.last_message(to="ada@example.test")["body"].endswith("10 minutes.")
