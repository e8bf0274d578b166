"""docs/pytest.md example: choose what happens to a message and watch it on the test's clock."""

import pytest


@pytest.mark.invent_scenario("example_outcomes.yaml", org="org_shop")  # beside this file
def test_a_bounce_suppresses_the_address(invent):
    sent = invent.client.post("/orgs/c/broadcasts/bc_receipt/send",
                              json={"email": "ada@bounce.example"})
    row = sent.json()["recipients"][0]
    assert row["status"] == "SENDING" and row["is_sent"]

    invent.advance(30)  # the bounce arrives 30 s later, on this test's own clock
    [row] = invent.recipients("bc_receipt")
    assert row["is_bounced"] and row["status"] == "PROCESSED"

    again = invent.client.post("/orgs/c/broadcasts/bc_receipt/send",
                               json={"email": "ada@bounce.example"})
    assert again.json()["recipients"][0]["error_message"] == "suppressed"
