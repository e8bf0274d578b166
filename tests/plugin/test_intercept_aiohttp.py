"""invent_intercept and aiohttp (issue 21 item 7), as a user's suite sees it: the application's
session, with the production org id and key, reaches the test's org in-process (no socket) and
on an external server; nothing stays patched after the test. (A session made before the
interception, and the thread mode: tests/testing/test_aiohttp_interception.py.)"""

from __future__ import annotations

import pytest
from support.pytester import report, run, statuses

from emulator.testing import plugin as invent_plugin

APP = """\
import asyncio
import socket

import aiohttp
import pytest

LIVE = {"Authorization": "Bearer inv_live_key"}
ORIGINAL = aiohttp.ClientSession._request


async def create_and_list():
    # The application's own session: production URL, org id and key.
    async with aiohttp.ClientSession("https://api.useinvent.com", headers=LIVE) as session:
        body = {"name": "via aiohttp"}
        async with session.post("/orgs/org_live_1/broadcasts", json=body) as made:
            assert made.status == 200, await made.text()
        async with session.get("/orgs/org_live_1/broadcasts") as listed:
            return [b["name"] for b in await listed.json()]


def test_an_aiohttp_session_reaches_the_tests_org(invent, invent_intercept, invent_emulator):
    with pytest.MonkeyPatch.context() as patch:
        if invent_emulator.bridge is not None:  # the emulator lives here: no socket at all
            patch.setattr(socket.socket, "connect", lambda *a: pytest.fail("a socket opened"))
        assert asyncio.run(create_and_list()) == ["via aiohttp"]
    assert [b["name"] for b in invent.client.get("/orgs/c/broadcasts").json()] == ["via aiohttp"]
    assert [c.url.path for c in invent_intercept.calls] == ["/orgs/org_live_1/broadcasts"] * 2


def test_nothing_stays_patched():
    assert aiohttp.ClientSession._request is ORIGINAL
"""


@pytest.mark.parametrize("mode", ["inprocess", "external"])
def test_an_aiohttp_session_reaches_its_org(pytester: pytest.Pytester, mode: str,
                                           monkeypatch: pytest.MonkeyPatch,
                                           request: pytest.FixtureRequest) -> None:
    if mode == "external":
        monkeypatch.setenv(invent_plugin.URL_VARIABLE, request.getfixturevalue("external_url"))
    pytester.makepyfile(test_app=APP)

    result = run(pytester, "-p", "no:randomly",
                 *(["--invent-mode=inprocess"] if mode == "inprocess" else []))

    found = statuses(result)
    assert len(found) == 2 and all(s == {"PASSED"} for s in found.values()), report(result)
