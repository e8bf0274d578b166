"""docs/test-control.md example: from now on, this org's messages bounce."""

import pytest


@pytest.mark.invent_scenario("example_shop.yaml", org="org_shop")
def test_bounces_from_now_on(invent):
    invent.client.post("/orgs/c/broadcasts/bc_otp/send", json={"email": "ada@example.com"})

    invent.outcomes([{"when": {"email": "*@example.com"}, "outcome": "bounced"}])
    invent.client.post("/orgs/c/broadcasts/bc_otp/send", json={"email": "bob@example.com"})

    newest, first = invent.messages()
    assert newest["is_bounced"] and newest["why"]["where"] == "run time"
    assert not first["is_bounced"]
