"""Hostile paths, query strings, headers and credentials: each is a 4xx envelope that changes
nothing, leaves the server healthy and logs no traceback."""

from __future__ import annotations

import pytest
from support.hostile import KEY, Hostile

pytestmark = pytest.mark.anyio

AUTH = {"Authorization": f"Bearer {KEY}"}

PATHS = [
    "/orgs/c/broadcasts/bc_otp%00/send", "/orgs/c%00/broadcasts", "/orgs/c/broadcasts/%00",
    "/orgs/c/broadcasts/bc_otp%2Fsend", "/orgs/c/broadcasts/bc_otp%2fsend",
    "/orgs/c/broadcasts/%2e%2e/x/send",
    "/orgs/c/broadcasts/bc_otp/send/", "/orgs/c/broadcasts/", "//orgs/c/broadcasts",
    "/orgs/c/broadcasts/" + "x" * 10_000 + "/send", "/orgs/c/broadcasts/%zz/send",
    "/orgs/c/broadcasts/%ff%fe/send", "/orgs/c/broadcasts/bc_\u00e9/send",
    "/orgs/c/broadcasts/bc%5Cotp/send", "/orgs/c/broadcasts/bc_otp;x=1/send",
    "/_emulator/orgs/org_acme%00", "/_emulator%2Freset",
    "/_emulator/orgs/%2e%2e", "/" + "a/" * 2_000,
]
# httpx removes plain `..` segments before sending; the served test sends them raw.


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_hostile_paths(hostile: Hostile, path: str, method: str) -> None:
    request = hostile.http.build_request(method, path, headers=AUTH, content=b"{}")
    await hostile.refused(request, 400, 404, 405)


QUERIES = [
    "page=-1", "page=1e3", "page=5_0", "page=%205%20", "take=0", "take=-5",
    "take=99999999999999999999", "take=abc", "page=%00", "status=%ff", "is_sent=yes",
    "is_sent=TRUE", "take=" + "9" * 5_000, "name=" + "x" * 10_000, "page=1&page=x",
    "status=NOT_A_STATUS", "segment_id=" + "%00" * 10,
]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("path", ["/orgs/c/broadcasts", "/orgs/c/broadcasts/bc_otp/recipients",
                                  "/orgs/c/contacts"])
async def test_hostile_queries(hostile: Hostile, query: str, path: str) -> None:
    response = await hostile.http.get(f"{path}?{query}", headers=AUTH)
    if response.status_code == 200:  # an unknown parameter is ignored (a documented choice)
        assert "pagination-count" in response.headers or isinstance(response.json(), list)
        await hostile.assert_healthy()
        return
    request = hostile.http.build_request("GET", f"{path}?{query}", headers=AUTH)
    await hostile.refused(request, 400, 404)


@pytest.mark.parametrize("query", ["limit=-1", "limit=abc", "limit=" + "9" * 100,
                                   "org_id=%00", "to=" + "x" * 10_000])
async def test_hostile_control_queries(hostile: Hostile, query: str) -> None:
    request = hostile.http.build_request("GET", f"/_emulator/messages?{query}")
    await hostile.refused(request, 400, 404)


CREDENTIALS = [
    "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token " + KEY,
    "Bearer " + "x" * 100_000, "Bearer wrong_key",
    "Bearer " + KEY.upper(), "Bearer test_key_acme x",
]


@pytest.mark.parametrize("authorization", CREDENTIALS)
@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/orgs/c/broadcasts"), ("POST", "/orgs/c/broadcasts/bc_otp/send"),
    ("GET", "/orgs/org_acme/contacts"),
])
async def test_hostile_credentials(hostile: Hostile, authorization: str, method: str,
                                   path: str) -> None:
    request = hostile.http.build_request(method, path, json={"email": "ada@example.com"},
                                         headers={"Authorization": authorization})
    await hostile.refused(request, 401)


async def test_non_ascii_bytes_in_authorization(hostile: Hostile) -> None:
    request = hostile.http.build_request("GET", "/orgs/c/broadcasts",
                                         headers={b"Authorization": b"Bearer \xe9\xff\x00"})
    await hostile.refused(request, 401)


async def test_two_authorization_headers(hostile: Hostile) -> None:
    request = hostile.http.build_request("GET", "/orgs/c/broadcasts", headers=[
        ("Authorization", "Bearer wrong"), ("Authorization", f"Bearer {KEY}")])
    await hostile.refused(request, 401)


@pytest.mark.parametrize("headers", [
    {"Content-Type": "text/plain"}, {"Content-Type": "application/x-www-form-urlencoded"},
    {"Content-Type": "multipart/form-data; boundary=x"}, {"Content-Type": "\x00"},
    {"Content-Encoding": "gzip"}, {"Transfer-Encoding": "chunked"},
    {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"},
    {"Accept": "text/html"}, {"Accept-Charset": "utf-7"}, {"X-Huge": "x" * 60_000},
    {"Origin": "https://evil.example"}, {"Cookie": "a=" + "b" * 10_000},
])
async def test_odd_headers_on_a_refused_send(hostile: Hostile, headers: dict[str, str]) -> None:
    # The body is invalid on purpose: the odd header must not turn a 400 into anything else.
    request = hostile.http.build_request("POST", "/orgs/c/broadcasts/bc_otp/send",
                                         content=b"{not json", headers={**AUTH, **headers})
    await hostile.refused(request, 400)


@pytest.mark.parametrize("method", ["PUT", "TRACE", "CONNECT", "PROPFIND", "FOO"])
async def test_unknown_methods(hostile: Hostile, method: str) -> None:
    request = hostile.http.build_request(method, "/orgs/c/broadcasts", headers=AUTH)
    await hostile.refused(request, 405)
