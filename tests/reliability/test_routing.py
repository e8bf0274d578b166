"""Issue 12, item 6: an encoded slash never splits a path, and no redirect is built from Host."""

from __future__ import annotations

import httpx
import pytest
from support.api import assert_error

from emulator import create_app
from emulator.testing import VirtualClock

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("slash", ["%2F", "%2f"])
async def test_an_encoded_slash_does_not_reach_the_send_route(client: httpx.AsyncClient,
                                                              slash: str) -> None:
    before = (await client.get("/_emulator/messages")).content
    response = await client.post(f"/orgs/c/broadcasts/bc_otp{slash}send",
                                 json={"email": "ada@example.com"})
    body = assert_error(response, 404)
    assert slash in body["message"]
    assert (await client.get("/_emulator/messages")).content == before


@pytest.mark.parametrize("path", ["/orgs/c%2Fbroadcasts", "/_emulator%2Fhealth",
                                  "/_emulator/orgs/org_acme%2Fbroadcasts/bc_otp"])
async def test_an_encoded_slash_anywhere_matches_no_route(client: httpx.AsyncClient,
                                                          path: str) -> None:
    assert_error(await client.get(path), 404)


async def test_other_encoded_characters_still_reach_their_route(
        client: httpx.AsyncClient) -> None:
    # `%5F` is `_`: percent-encoding that does not hide a slash keeps routing as before.
    response = await client.get("/orgs/c/broadcasts/bc%5Fotp/recipients")
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("host", ["evil.example", "localhost:4010"])
async def test_a_trailing_slash_answers_404_and_never_redirects(clock: VirtualClock,
                                                                host: str) -> None:
    app = create_app(clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://127.0.0.1:4010",
                                 headers={"Authorization": "Bearer test_key_acme",
                                          "Host": host}) as http:
        response = await http.get("/orgs/c/broadcasts/")
    assert "location" not in response.headers
    body = assert_error(response, 404)
    assert "/orgs/c/broadcasts/" in body["message"]
