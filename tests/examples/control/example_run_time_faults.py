"""docs/test-control.md example: make this test's sends fail, and only this test's."""

import pytest


@pytest.mark.invent_scenario("example_shop.yaml", org="org_shop")
def test_the_client_retries_after_a_503(invent):
    def send():
        return invent.client.post("/orgs/c/broadcasts/bc_otp/send",
                                  json={"email": "ada@example.com"})

    # The next two sends answer 503, then the fault is gone.
    invent.fault(when={"method": "POST", "path": "/orgs/*/broadcasts/*/send"},
                 respond=503, times=2)
    assert [send().status_code for _ in range(3)] == [503, 503, 200]

    # As a context manager, it ends with the block.
    with invent.fault(respond={"status": 429, "retry_after": 1}):
        assert send().status_code == 429
    assert send().status_code == 200
