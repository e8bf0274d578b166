"""Issue 12, item 9: the control surface refuses cross-site writes, foreign Host names (DNS
rebinding) over a socket bound to loopback, and, with an admin token, requests without it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest
from support.api import assert_error

from emulator import create_app
from emulator.settings import Settings
from emulator.testing import VirtualClock

pytestmark = pytest.mark.anyio

# The ASGI transport puts the URL's host in scope["server"], as a server puts its socket's
# address: a numeric base URL stands for a request that came over a socket.
SOCKET_URL = "http://127.0.0.1:4010"
IN_PROCESS_URL = "http://emulator.test"


def _client(settings: Settings, clock: VirtualClock, base_url: str = SOCKET_URL,
            **headers: str) -> httpx.AsyncClient:
    app = create_app(settings, clock=clock)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url,
                             headers=headers)


@pytest.fixture
async def http(clock: VirtualClock) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(Settings(), clock) as client:
        yield client


async def _orgs(http: httpx.AsyncClient) -> bytes:
    return (await http.get("/_emulator/clock")).content


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example", "Content-Type": "text/plain"},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site", "Origin": "http://127.0.0.1:4010"},
])
@pytest.mark.parametrize("path", ["/_emulator/reset", "/_emulator/orgs"])
async def test_cross_site_control_writes_are_refused(http: httpx.AsyncClient, path: str,
                                                     headers: dict[str, str]) -> None:
    before = await _orgs(http)
    response = await http.post(path, content=b"{}", headers=headers)
    assert "Cross-site" in assert_error(response, 403)["message"]
    assert await _orgs(http) == before


async def test_same_origin_and_non_browser_writes_pass(http: httpx.AsyncClient) -> None:
    made = await http.post("/_emulator/orgs", json={},
                           headers={"Origin": "http://127.0.0.1:4010",
                                    "Sec-Fetch-Site": "same-origin"})
    assert made.status_code == 200, made.text
    assert (await http.post("/_emulator/orgs", json={})).status_code == 200
    # Reads stay readable cross-site (no CORS headers, so a page cannot see the answer).
    read = await http.get("/_emulator/clock", headers={"Origin": "https://evil.example"})
    assert read.status_code == 200 and "access-control-allow-origin" not in read.headers


async def test_public_api_is_not_guarded(http: httpx.AsyncClient) -> None:
    response = await http.post("/orgs/c/broadcasts", json={"name": "x"},
                               headers={"Authorization": "Bearer test_key_acme",
                                        "Origin": "https://app.example", "Host": "evil.example"})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("host", ["evil.example", "evil.example:4010", "127.0.0.1.evil.example",
                                  "localhost.evil.example:80"])
@pytest.mark.parametrize("path", ["/_emulator/clock", "/_emulator/health", "/docs",
                                  "/openapi.json"])
async def test_a_foreign_host_is_refused_while_bound_to_loopback(http: httpx.AsyncClient,
                                                                 host: str, path: str) -> None:
    response = await http.get(path, headers={"Host": host})
    assert "DNS-rebinding" in assert_error(response, 403)["message"]


@pytest.mark.parametrize("host", ["localhost", "localhost:4010", "127.0.0.1:1", "127.8.9.10",
                                  "[::1]:4010", "[::1]", "LOCALHOST:4010"])
async def test_loopback_hosts_pass(http: httpx.AsyncClient, host: str) -> None:
    response = await http.get("/_emulator/health", headers={"Host": host})
    assert response.status_code == 200, response.text


async def test_allowed_hosts_extend_the_loopback_names(clock: VirtualClock) -> None:
    settings = replace(Settings(), allowed_hosts=("emulator.internal",))
    async with _client(settings, clock) as http:
        ok = await http.get("/_emulator/clock", headers={"Host": "Emulator.Internal:4010"})
        assert ok.status_code == 200, ok.text
        assert_error(await http.get("/_emulator/clock", headers={"Host": "other.internal"}),
                     403)


BEYOND_LOOPBACK_PASS = ["invent-emulator:4010", "emulator", "Emulator.:4010", "localhost:4010",
                         "10.1.2.3:4010", "[fd00::1]:4010", "127.0.0.1", "sub.localhost"]
BEYOND_LOOPBACK_REFUSED = ["rebind.attacker.example:4010", "evil.example", "a.b",
                           "10.1.2.3.nip.io:4010", "emulator.internal"]


@pytest.mark.parametrize("host", BEYOND_LOOPBACK_PASS)
async def test_bound_beyond_loopback_names_an_attacker_cannot_own_pass(
        clock: VirtualClock, host: str) -> None:
    wide = replace(Settings(), host="0.0.0.0")  # the container case; no socket is opened here
    async with _client(wide, clock) as http:
        ok = await http.get("/_emulator/clock", headers={"Host": host})
        assert ok.status_code == 200, ok.text


@pytest.mark.parametrize("path", ["/_emulator/orgs", "/docs", "/openapi.json"])
@pytest.mark.parametrize("host", BEYOND_LOOPBACK_REFUSED)
async def test_bound_beyond_loopback_a_rebinding_host_is_refused(
        clock: VirtualClock, host: str, path: str) -> None:
    wide = replace(Settings(), host="0.0.0.0")
    async with _client(wide, clock) as http:
        refused = await http.get(path, headers={"Host": host,
                                                "Origin": f"http://{host}"})
        assert "DNS-rebinding" in assert_error(refused, 403)["message"]


async def test_allowed_hosts_add_to_the_names_that_pass(clock: VirtualClock) -> None:
    listed = replace(Settings(), host="0.0.0.0", allowed_hosts=("emulator.internal",))
    async with _client(listed, clock) as http:
        for host in ("emulator.internal:4010", "Emulator.Internal.", "invent-emulator",
                     "10.0.0.7"):
            ok = await http.get("/_emulator/clock", headers={"Host": host})
            assert ok.status_code == 200, (host, ok.text)
        assert_error(await http.get("/_emulator/clock", headers={"Host": "evil.example"}), 403)


async def test_bound_to_loopback_only_loopback_and_allowed_names_pass(
        clock: VirtualClock) -> None:
    async with _client(Settings(), clock) as http:
        for host in ("invent-emulator", "10.1.2.3"):
            assert_error(await http.get("/_emulator/clock", headers={"Host": host}), 403)


async def test_in_process_traffic_is_exempt_from_the_host_check(clock: VirtualClock) -> None:
    async with _client(Settings(), clock, IN_PROCESS_URL) as http:
        response = await http.get("/_emulator/clock", headers={"Host": "anything.example"})
        assert response.status_code == 200, response.text


async def test_the_admin_token_guards_the_control_surface_but_health(
        clock: VirtualClock) -> None:
    settings = replace(Settings(), admin_token="s3cret-token")
    async with _client(settings, clock, IN_PROCESS_URL) as http:
        assert (await http.get("/_emulator/health")).status_code == 200
        refused = await http.post("/_emulator/reset", json={})
        assert "admin token" in assert_error(refused, 401)["message"]
        assert refused.headers["www-authenticate"] == "Bearer"
        assert_error(await http.get("/_emulator/clock"), 401)
        assert_error(await http.get("/_emulator/clock",
                                    headers={"Authorization": "Bearer wrong"}), 401)
        assert_error(await http.get("/_emulator/clock",
                                    headers={"X-Invent-Admin-Token": "s3cret-toke"}), 401)
        for headers in ({"Authorization": "Bearer s3cret-token"},
                        {"authorization": "bearer s3cret-token"},
                        {"X-Invent-Admin-Token": "s3cret-token"}):
            response = await http.get("/_emulator/clock", headers=headers)
            assert response.status_code == 200, (headers, response.text)
        # The public API keeps its own keys.
        public = await http.get("/orgs/c/broadcasts",
                                headers={"Authorization": "Bearer test_key_acme"})
        assert public.status_code == 200, public.text


def test_settings_read_allowed_hosts_and_the_admin_token_from_the_environment() -> None:
    settings = Settings.from_env({"INVENT_EMULATOR_ALLOWED_HOSTS": " a.test, B.test ,,",
                                  "INVENT_EMULATOR_ADMIN_TOKEN": "tok"})
    assert (settings.allowed_hosts, settings.admin_token) == (("a.test", "b.test"), "tok")
    assert Settings.from_env({}).admin_token is None
