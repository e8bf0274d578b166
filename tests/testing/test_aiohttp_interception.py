"""Interception of aiohttp (issue 21 item 7): sessions made before the block reach the test's
org in each mode, with no socket in-process; other hosts are untouched or blocked; the patched
method is restored however the block ends; aiohttp outside the tested range is refused."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator

import aiohttp
import pytest

from emulator.testing import BlockedRequestError, InventOrg, intercept, running
from emulator.testing.aiohttp_adapter import TESTED_VERSIONS, check_version

LIVE = {"Authorization": "Bearer inv_live_key"}
BASE = "https://api.useinvent.com"


@pytest.fixture(scope="module", params=["inprocess", "thread"])
def org(request: pytest.FixtureRequest) -> Iterator[InventOrg]:
    with running(mode=request.param) as emu, emu.new_org() as made:
        yield made


async def _calls(session: aiohttp.ClientSession) -> list[object]:
    async with session.post("/orgs/org_live/broadcasts", json={"name": "via aiohttp"}) as made:
        made_json = await made.json()
        made_status = made.status
    async with session.get(f"{BASE}/orgs/c/broadcasts", params={"take": "5"}) as listed:
        listed_json = await listed.json()
        count = listed.headers["pagination-count"]
    async with session.post("/orgs/c/broadcasts", data=b'{"name": ""}',
                            headers={"Content-Type": "application/json"}) as refused:
        text = await refused.text()
        with pytest.raises(aiohttp.ClientResponseError) as raised:
            refused.raise_for_status()
    return [made_status, made_json["name"], [b["name"] for b in listed_json], count,
            refused.status, refused.reason, '"statusCode":400' in text, raised.value.status]


def test_a_session_made_before_the_block_reaches_the_org(org: InventOrg,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    async def scenario() -> list[object]:
        session = aiohttp.ClientSession(base_url=BASE, headers=LIVE)  # before the interception
        async with session:
            with intercept(org) as interception:
                if org.emulator.bridge is not None:  # the emulator lives here: no socket
                    monkeypatch.setattr(socket.socket, "connect",
                                        lambda *a: pytest.fail("a socket opened"))
                answers = await _calls(session)
                monkeypatch.undo()
                assert [c.url.path for c in interception.calls] == [
                    "/orgs/org_live/broadcasts", "/orgs/c/broadcasts", "/orgs/c/broadcasts"]
            return answers

    assert asyncio.run(scenario()) == [200, "via aiohttp", ["via aiohttp"], "1", 400,
                                       "Bad Request", True, 400]
    listed = org.client.get("/orgs/c/broadcasts").json()
    assert "via aiohttp" in [b["name"] for b in listed]


def test_a_session_level_raise_for_status_is_honoured(org: InventOrg) -> None:
    async def scenario() -> int:
        async with aiohttp.ClientSession(headers=LIVE, raise_for_status=True) as session:
            with intercept(org):
                with pytest.raises(aiohttp.ClientResponseError) as raised:
                    await session.post(f"{BASE}/orgs/c/broadcasts", json={"name": ""})
                return raised.value.status

    assert asyncio.run(scenario()) == 400


def test_other_hosts_are_blocked_when_asked_and_the_patch_is_undone(org: InventOrg) -> None:
    before = vars(aiohttp.ClientSession)["_request"]

    async def scenario() -> list[str]:
        async with aiohttp.ClientSession() as session:
            with intercept(org, block_others=True) as interception:
                with pytest.raises(BlockedRequestError, match=r"'example\.invalid'"):
                    await session.get("https://example.invalid/path")
                assert vars(aiohttp.ClientSession)["_request"] is not before
                blocked = interception.blocked
            return blocked

    assert asyncio.run(scenario()) == ["GET https://example.invalid/path"]
    assert vars(aiohttp.ClientSession)["_request"] is before


def test_the_installed_aiohttp_is_in_the_tested_range() -> None:
    check_version()
    low, high = TESTED_VERSIONS
    with pytest.raises(RuntimeError, match=r"supports aiohttp 3\.14 up to .*this is aiohttp 3\.9"):
        check_version("3.9.5")
    check_version(f"{low[0]}.{low[1]}.0")
    with pytest.raises(RuntimeError):
        check_version(f"{high[0]}.{high[1]}.0")
