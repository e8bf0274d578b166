"""docs/pytest.md example: an OTP login flow tested end to end against the emulator."""

import re

import httpx
import pytest


# Your application's code: it triggers the OTP broadcast through the Invent API.
def send_login_code(invent_url: str, api_key: str, email: str, code: str,
                    transport: httpx.BaseTransport | None = None) -> None:
    with httpx.Client(base_url=invent_url, transport=transport,
                      headers={"Authorization": f"Bearer {api_key}"}) as http:
        response = http.post("/orgs/c/broadcasts/bc_otp/send",
                             json={"email": email, "variables": {"otp": code}})
        response.raise_for_status()


@pytest.mark.invent_scenario("otp", org="org_otp")  # a bundled scenario, or a path
def test_login_code_arrives_by_email(invent):
    send_login_code(invent.url, invent.api_key, "ada@example.test", "482910",
                    transport=invent.transport)

    message = invent.last_message(to="ada@example.test")
    code = re.search(r"\b(\d{6})\b", message["body"]).group(1)
    assert code == "482910"
    assert message["subject"] == "Acme login code"
    invent.assert_sent(to="ada@example.test", count=1)
