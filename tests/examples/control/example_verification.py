"""docs/test-control.md example: assert what the code under test sent to Invent."""

import pytest


@pytest.mark.invent_scenario("example_shop.yaml", org="org_shop")
def test_one_code_was_sent(invent):
    invent.client.post("/orgs/c/broadcasts/bc_otp/send",
                       json={"email": "ada@example.com", "variables": {"otp": "123456"}})

    invent.assert_requested("POST", "/orgs/*/broadcasts/bc_otp/send", count=1,
                            json={"email": "ada@example.com", "variables": {"otp": "123456"}})
    assert [r["status"] for r in invent.requests(method="POST")] == [200]
