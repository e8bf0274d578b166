"""docs/pytest.md example: a Django-style view that calls Invent with `requests` and the project's
production settings; the test changes none of them."""

import pytest
import requests

# myproject/settings.py, as deployed.
INVENT = {
    "API_URL": "https://api.useinvent.com",
    "ORG_ID": "org_2f8kQx7LmN",
    "API_KEY": "inv_live_replace_me",
}


# shop/views.py (a plain function of the posted form here, to stay framework-free)
def resend_receipt(form: dict[str, str]) -> dict[str, object]:
    response = requests.post(
        f"{INVENT['API_URL']}/orgs/{INVENT['ORG_ID']}/broadcasts/bc_receipt/send",
        headers={"Authorization": f"Bearer {INVENT['API_KEY']}"},
        json={"email": form["email"]},
        timeout=10,
    )
    if response.status_code != 200:
        return {"ok": False, "error": response.json()["message"]}
    return {"ok": True, "rows": len(response.json()["recipients"])}


# shop/tests.py
@pytest.mark.invent_scenario("example_outcomes.yaml", org="org_shop")
def test_resend_receipt(invent, invent_intercept):
    assert resend_receipt({"email": "ada@example.test"}) == {"ok": True, "rows": 1}

    invent.assert_sent(to="ada@example.test", count=1)
    [call] = invent_intercept.calls  # what the view sent, as it sent it
    assert call.url.path == "/orgs/org_2f8kQx7LmN/broadcasts/bc_receipt/send"


@pytest.mark.invent_intercept(block_others=True)  # no other host is reachable either
def test_an_unknown_broadcast_is_reported(invent):  # a fresh, empty org
    assert resend_receipt({"email": "ada@example.test"})["ok"] is False
