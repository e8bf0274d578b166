"""docs/pytest.md example: a FastAPI app that calls Invent with an async httpx client built from its
production settings; the test changes none of them."""

import httpx
import pytest
from fastapi import FastAPI

# app/settings.py: the production values (in real life, read from the environment).
INVENT_API_URL = "https://api.useinvent.com"
INVENT_ORG_ID = "org_2f8kQx7LmN"
INVENT_API_KEY = "inv_live_replace_me"

# app/main.py: one client for the app's lifetime, made at import time.
invent_api = httpx.AsyncClient(base_url=INVENT_API_URL,
                               headers={"Authorization": f"Bearer {INVENT_API_KEY}"})
app = FastAPI()


@app.post("/signup")
async def signup(email: str) -> dict[str, str]:
    sent = await invent_api.post(f"/orgs/{INVENT_ORG_ID}/broadcasts/bc_otp/send",
                                 json={"email": email, "variables": {"otp": "482910"}})
    sent.raise_for_status()
    return {"status": "code sent"}


# tests/test_signup.py
@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.anyio
@pytest.mark.invent_intercept  # api.useinvent.com now reaches this test's own org
@pytest.mark.invent_scenario("otp", org="org_otp")
async def test_signup_sends_a_login_code(invent):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://app.test") as client:
        response = await client.post("/signup", params={"email": "ada@example.test"})

    assert response.json() == {"status": "code sent"}
    assert "482910" in invent.last_message(to="ada@example.test")["body"]
