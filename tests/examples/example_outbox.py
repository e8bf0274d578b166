"""docs/inbox.md example: search the outbox, clear it, and wait for a message sent in the
background."""

import threading

import pytest


@pytest.mark.invent_scenario("example_outcomes.yaml", org="org_shop")
def test_the_outbox_can_be_searched_cleared_and_waited_on(invent):
    send = invent.client.post
    send("/orgs/c/broadcasts/bc_receipt/send", json={"email": "ada@example.com"})
    send("/orgs/c/broadcasts/bc_receipt/send", json={"email": "bob@bounce.example"})
    assert [m["to"] for m in invent.messages(q="BOUNCE.example")] == ["bob@bounce.example"]
    assert [m["to"] for m in invent.messages(status="delivered")] == ["ada@example.com"]

    assert invent.clear_messages() == 2
    assert invent.messages() == []
    assert len(invent.recipients("bc_receipt")) == 2  # the rows stay

    # Code that sends in the background: one request waits for the message, no polling.
    later = {"json": {"email": "late@example.com"}}
    threading.Timer(0.2, send, ["/orgs/c/broadcasts/bc_receipt/send"], later).start()
    assert invent.wait_for_message(to="late@example.com")["subject"] == "Receipt"
