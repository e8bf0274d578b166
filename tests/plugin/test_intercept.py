"""invent_intercept: the code under test's own clients (made at import time, with its production
org id and key) reach the test's org through httpx and `requests`, in every mode; other hosts
are untouched or blocked; nothing stays patched after a test, even a failing one. (Under xdist:
test_xdist.py.)"""

from __future__ import annotations

import pytest
from support.pytester import report, run, statuses

from emulator.testing import plugin as invent_plugin

# The application's side: clients made at import time, production URL, org id and key.
APP = """\
import asyncio
import socket

import httpx
import pytest
import requests

from emulator.testing import BlockedRequestError

LIVE = {"Authorization": "Bearer inv_live_key"}
EARLY = httpx.Client(base_url="https://api.useinvent.com", headers=LIVE)
EARLY_ASYNC = httpx.AsyncClient(base_url="http://api.useinvent.com:8443", headers=LIVE)
SESSION = requests.Session()
SESSION.headers.update(LIVE)
URL = "https://api.useinvent.com/orgs/org_live_1/broadcasts"


def names(client):
    return [b["name"] for b in client.get("/orgs/c/broadcasts").json()]


def test_sync_clients_made_at_import_time(invent, invent_intercept, invent_emulator):
    with pytest.MonkeyPatch.context() as patch:
        if invent_emulator.bridge is not None:  # the emulator lives here: no socket at all
            patch.setattr(socket.socket, "connect", lambda *a: pytest.fail("a socket opened"))
        made = EARLY.post("/orgs/org_live_1/broadcasts", json={"name": "via httpx"})
        listed = SESSION.get(URL, params={"take": "5"})
        mine = EARLY.get("/orgs/c/broadcasts")
    assert made.status_code == 200, made.text
    assert str(made.url) == URL
    assert listed.status_code == 200, listed.text
    assert [b["name"] for b in listed.json()] == ["via httpx"]
    assert listed.headers["pagination-count"] == "1" and listed.url.startswith(URL)
    assert [b["name"] for b in mine.json()] == ["via httpx"]
    assert names(invent.client) == ["via httpx"]  # in the test's own org
    assert [c.url.path for c in invent_intercept.calls] == [
        "/orgs/org_live_1/broadcasts", "/orgs/org_live_1/broadcasts", "/orgs/c/broadcasts"]
    assert {c.headers["authorization"] for c in invent_intercept.calls} == {"Bearer inv_live_key"}


@pytest.mark.invent_intercept
def test_async_client_made_at_import_time_and_the_org_async_client(invent):
    async def scenario():
        made = await EARLY_ASYNC.post("/orgs/org_live_1/broadcasts", json={"name": "async"})
        mine = await invent.async_client.get("/orgs/c/broadcasts")
        return made, mine
    made, mine = asyncio.run(scenario())
    assert made.status_code == 200, made.text
    assert [b["name"] for b in mine.json()] == ["async"]
    assert names(invent.client) == ["async"]


@pytest.mark.invent_intercept
def test_without_a_key_the_answer_is_401(invent):
    assert requests.get(URL).status_code == 401
    assert httpx.get(URL).status_code == 401


def test_another_org_id_can_have_an_org_of_its_own(invent, invent_emulator, invent_intercept):
    sub = invent_emulator.new_org(parent=invent.org_id)
    invent_intercept.route_org("org_live_eu", sub)
    assert EARLY.post("/orgs/org_live_eu/broadcasts", json={"name": "eu"}).status_code == 200
    assert EARLY.post("/orgs/org_live_1/broadcasts", json={"name": "main"}).status_code == 200
    assert names(sub.client) == ["eu"] and names(invent.client) == ["main"]
    sub.close()
    sub.delete()


def test_hosts_from_the_ini_file_and_the_fixture(invent, invent_intercept):
    assert invent_intercept.hosts == {"api.useinvent.com", "mirror.invent.test"}
    mirrored = requests.post("http://mirror.invent.test:81/orgs/x/broadcasts", headers=LIVE,
                             json={"name": "mirror"})
    invent_intercept.hosts.add("eu.invent.test")
    added = httpx.post("https://eu.invent.test/orgs/y/broadcasts", headers=LIVE,
                       json={"name": "added"})
    assert (mirrored.status_code, added.status_code) == (200, 200)
    assert sorted(names(invent.client)) == ["added", "mirror"]


@pytest.mark.invent_intercept(host="only.invent.test", block_others=True)
def test_marker_host_and_blocking(invent, invent_intercept):
    assert invent_intercept.hosts == {"only.invent.test"}
    with pytest.raises(BlockedRequestError, match="'api.useinvent.com'"):
        EARLY.get("/orgs/c/broadcasts")  # no longer intercepted, so refused
    with pytest.raises(BlockedRequestError, match="'elsewhere.invalid'"):
        SESSION.get("https://elsewhere.invalid/")
    with pytest.raises(BlockedRequestError, match="'elsewhere.invalid'"):
        asyncio.run(httpx.AsyncClient().get("https://elsewhere.invalid/"))
    assert len(invent_intercept.blocked) == 3
    invent_intercept.blocked.clear()  # expected: the test does not fail for them
    assert httpx.post("https://only.invent.test/orgs/z/broadcasts", headers=LIVE,
                      json={"name": "only"}).status_code == 200
    assert invent.client.get("/orgs/c/broadcasts").status_code == 200  # its own host: allowed


@pytest.mark.invent_intercept(block_others=True)
def test_a_swallowed_blocked_request_still_fails_the_test(invent):
    try:
        requests.get("https://swallowed.invalid/")
    except Exception:
        pass
"""

INI = """\
[pytest]
invent_intercept_host = api.useinvent.com mirror.invent.test
"""


@pytest.mark.parametrize("mode", ["thread", "inprocess", "external"])
def test_the_code_under_test_reaches_its_org(pytester: pytest.Pytester, mode: str,
                                             monkeypatch: pytest.MonkeyPatch,
                                             request: pytest.FixtureRequest) -> None:
    if mode == "external":
        monkeypatch.setenv(invent_plugin.URL_VARIABLE, request.getfixturevalue("external_url"))
    pytester.makeini(INI)
    pytester.makepyfile(test_app=APP)

    result = run(pytester, *(["--invent-mode=inprocess"] if mode == "inprocess" else []))

    found = statuses(result)
    swallowed = "test_a_swallowed_blocked_request_still_fails_the_test"
    assert found.pop(swallowed) == {"PASSED", "ERROR"}, report(result)
    assert len(found) == 6 and all(s == {"PASSED"} for s in found.values()), report(result)
    assert "blocked requests to hosts that are not intercepted" in result.stdout.str()
    assert "GET https://swallowed.invalid/" in result.stdout.str()


# A test that fails while intercepting `localhost` (where a real local server listens), then
# tests that find every patched method restored and the real server answering on that name.
AFTER_A_FAILURE = """\
import asyncio

import httpx
import pytest
import requests

ORIGINAL = (httpx.HTTPTransport.handle_request, httpx.AsyncHTTPTransport.handle_async_request,
            requests.adapters.HTTPAdapter.send)
EARLY = httpx.Client()
REAL = {"from": "the local server"}


@pytest.fixture
def local(httpserver):
    httpserver.expect_request("/orgs/o/broadcasts").respond_with_json(REAL)
    return httpserver.url_for("/orgs/o/broadcasts").replace("127.0.0.1", "localhost")


def patched():
    return (httpx.HTTPTransport.handle_request, httpx.AsyncHTTPTransport.handle_async_request,
            requests.adapters.HTTPAdapter.send)


async def async_get(url):
    async with httpx.AsyncClient() as client:
        return (await client.get(url)).json()


@pytest.mark.invent_intercept(host="localhost")
def test_1_fails_while_intercepting(local, invent):
    assert patched() != ORIGINAL
    key = {"Authorization": "Bearer k"}
    assert EARLY.get(local, headers=key).json() == []  # the emulator's answer: an empty org
    assert requests.get(local, headers=key).json() == []
    assert asyncio.run(async_get(local)) != REAL
    other_name = local.replace("localhost", "127.0.0.1")  # not intercepted: untouched
    assert EARLY.get(other_name).json() == REAL
    assert requests.get(other_name).json() == REAL
    assert asyncio.run(async_get(other_name)) == REAL
    assert False, "deliberate failure"


def test_2_after_it_nothing_is_patched(local):
    assert patched() == ORIGINAL
    assert "handle_request" in vars(httpx.HTTPTransport)
    assert EARLY.get(local).json() == REAL
    assert requests.get(local).json() == REAL
    assert asyncio.run(async_get(local)) == REAL
"""


def test_a_failing_test_leaves_nothing_patched(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_after=AFTER_A_FAILURE)
    result = run(pytester, plugins=("pytest_httpserver",))
    assert statuses(result) == {"test_1_fails_while_intercepting": {"FAILED"},
                                "test_2_after_it_nothing_is_patched": {"PASSED"}}, report(result)
    assert "deliberate failure" in result.stdout.str()


def test_a_bad_marker_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_bad="""
import pytest

@pytest.mark.invent_intercept(hosts=["x"])
def test_bad():
    pass
""")
    result = run(pytester)
    assert "invent_intercept takes only the keywords host= and block_others=" in (
        result.stdout.str() + result.stderr.str()), report(result)
    assert result.ret != pytest.ExitCode.OK


# The marker alone (no `invent` argument) still has the emulator's errors fail their test.
MARKER_ONLY_ERROR = """\
import httpx
import pytest

import emulator.http.broadcasts as public


def boom(*args, **kwargs):
    raise RuntimeError("emulator kaboom")


@pytest.mark.invent_intercept
def test_a_breaks_the_emulator_through_interception(monkeypatch):
    monkeypatch.setattr(public, "list_broadcasts", boom)
    try:
        httpx.get("https://api.useinvent.com/orgs/o/broadcasts",
                  headers={"Authorization": "Bearer k"})
    except RuntimeError:  # the in-process transport also hands it to the caller
        pass


@pytest.mark.invent_intercept
def test_b_is_normal():
    assert httpx.get("https://api.useinvent.com/orgs/o/broadcasts",
                     headers={"Authorization": "Bearer k"}).json() == []
"""


@pytest.mark.usefixtures("emulator_broken_on_purpose")
@pytest.mark.parametrize("mode", ["thread", "inprocess"])
def test_emulator_errors_fail_a_marker_only_test(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makepyfile(test_marker_only=MARKER_ONLY_ERROR)
    result = run(pytester, f"--invent-mode={mode}")
    found = statuses(result)
    assert found["test_b_is_normal"] == {"PASSED"}, report(result)
    assert "FAILED" in found["test_a_breaks_the_emulator_through_interception"] or (
        "ERROR" in found["test_a_breaks_the_emulator_through_interception"]), report(result)
    assert "emulator kaboom" in result.stdout.str()
