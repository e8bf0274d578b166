"""Async tests: `invent.async_client`, `invent.async_transport` and interception of an
AsyncClient made at import time, under pytest-asyncio and anyio (asyncio and trio backends),
each in strict and auto mode, with the emulator in a thread and in-process."""

from __future__ import annotations

import pytest
from support.pytester import report, run, statuses

INNER = """\
import anyio
import httpx
import pytest

EARLY = httpx.AsyncClient(base_url="https://api.useinvent.com",
                          headers={{"Authorization": "Bearer inv_live_key"}})


def names(invent):
    return [b["name"] for b in invent.client.get("/orgs/c/broadcasts").json()]


{mark}
async def test_the_org_async_client(invent):
    made = await invent.async_client.post("/orgs/c/broadcasts", json={{"name": "async"}})
    assert made.status_code == 200, made.text
    listed = await invent.async_client.get("/orgs/c/broadcasts")
    assert [b["name"] for b in listed.json()] == ["async"]


{mark}
async def test_many_calls_at_once_keep_the_loop_running(invent):
    ticks = 0
    answers = []

    async def ticker():
        nonlocal ticks
        while True:
            ticks += 1
            await anyio.sleep(0)

    async def post(n):
        answers.append(await invent.async_client.post("/orgs/c/broadcasts",
                                                      json={{"name": f"b{{n}}"}}))

    async with anyio.create_task_group() as beat:
        beat.start_soon(ticker)
        async with anyio.create_task_group() as posts:
            for n in range(20):
                posts.start_soon(post, n)
        beat.cancel_scope.cancel()
    assert [a.status_code for a in answers] == [200] * 20
    assert sorted(names(invent)) == sorted(f"b{{n}}" for n in range(20))
    assert ticks > 0


{mark}
async def test_the_code_under_tests_own_client(invent):
    async with httpx.AsyncClient(base_url=invent.url, transport=invent.async_transport,
                                 headers={{"Authorization": f"Bearer {{invent.api_key}}"}}) as own:
        made = await own.post("/orgs/c/broadcasts", json={{"name": "own"}})
    assert made.status_code == 200, made.text
    assert names(invent) == ["own"]


{mark}
@pytest.mark.invent_intercept
async def test_an_async_client_made_at_import_time_is_intercepted(invent):
    made = await EARLY.post("/orgs/org_live_1/broadcasts", json={{"name": "early"}})
    assert made.status_code == 200, made.text
    assert names(invent) == ["early"]
"""

CONFIGS = {
    "asyncio-strict": ("@pytest.mark.asyncio", ("asyncio",), []),
    "asyncio-auto": ("", ("asyncio",), ["-o", "asyncio_mode=auto"]),
    "anyio-strict": ("@pytest.mark.anyio", ("anyio",), []),
    "anyio-auto": ("", ("anyio",), ["-o", "anyio_mode=auto"]),
}


@pytest.mark.parametrize(("config", "mode"), [
    ("asyncio-strict", "thread"), ("asyncio-auto", "inprocess"),
    ("anyio-strict", "inprocess"), ("anyio-auto", "thread")])
def test_async_helpers_under_each_async_plugin(pytester: pytest.Pytester, config: str,
                                               mode: str) -> None:
    mark, plugins, options = CONFIGS[config]
    pytester.makepyfile(test_async=INNER.format(mark=mark))

    result = run(pytester, "-o", "asyncio_default_fixture_loop_scope=function",
                 f"--invent-mode={mode}", *options, plugins=plugins)

    found = statuses(result)
    # anyio runs each test on each backend it finds: asyncio, and trio (a test dependency)
    assert len(found) == (8 if config.startswith("anyio") else 4), report(result)
    assert all(s == {"PASSED"} for s in found.values()), report(result)
