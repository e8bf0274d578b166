"""emulator.testing.intercept() outside pytest: routing, blocking, `requests` bodies and answers,
exact restoration of every patched method however the block ends, and `requests` optional."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import requests
import requests.adapters

from emulator.testing import BlockedRequestError, InventOrg, intercept, running

LIVE = {"Authorization": "Bearer inv_live_key"}
URL = "https://api.useinvent.com/orgs/org_live/broadcasts"


def patch_points() -> tuple[object, ...]:
    return (vars(httpx.HTTPTransport).get("handle_request"),
            vars(httpx.AsyncHTTPTransport).get("handle_async_request"),
            vars(requests.adapters.HTTPAdapter).get("send"))


@pytest.fixture(scope="module")
def org() -> Iterator[InventOrg]:
    with running(mode="inprocess") as emu, emu.new_org() as made:
        yield made


def test_every_patched_method_is_restored_when_the_block_raises(org: InventOrg) -> None:
    before = patch_points()
    with pytest.raises(KeyError), intercept(org):
        assert patch_points() != before
        raise KeyError("the test failed")
    assert patch_points() == before


def test_nested_interceptions_unwind_in_order(org: InventOrg) -> None:
    before = patch_points()
    with intercept(org, ["a.invent.test"]):
        outer = patch_points()
        with intercept(org, ["b.invent.test"]):
            assert httpx.get("https://b.invent.test/orgs/x/broadcasts", headers=LIVE).is_success
        assert patch_points() == outer
    assert patch_points() == before


def test_a_blocked_request_names_its_host_and_never_leaves(org: InventOrg) -> None:
    with intercept(org, block_others=True) as interception:
        with pytest.raises(BlockedRequestError, match=r"'example\.invalid'") as raised:
            requests.get("https://example.invalid/path", timeout=1)
        assert not isinstance(raised.value, (httpx.HTTPError, requests.RequestException))
        assert interception.blocked == ["GET https://example.invalid/path"]


@pytest.mark.parametrize("body", [
    b'{"name": "bytes"}',
    '{"name": "text"}',
    io.BytesIO(b'{"name": "file"}'),
    iter([b'{"name": ', b'"chunks"}']),
], ids=["bytes", "text", "file", "chunks"])
def test_requests_bodies_of_every_kind_arrive_whole(org: InventOrg, body: Any) -> None:
    with intercept(org):
        made = requests.post(URL, data=body, headers={**LIVE, "Content-Type": "application/json"})
    assert made.status_code == 200, made.text
    assert made.json()["name"] in ("bytes", "text", "file", "chunks")


def test_a_requests_answer_behaves_as_off_the_wire(org: InventOrg) -> None:
    with intercept(org):
        refused = requests.post(URL, json={"name": ""}, headers=LIVE)
        streamed = requests.get(URL, headers=LIVE, stream=True)
        chunks = list(streamed.iter_content(chunk_size=4))
    assert refused.status_code == 400 and refused.reason == "Bad Request"
    assert refused.json()["statusCode"] == 400 and refused.url == URL
    with pytest.raises(requests.HTTPError):
        refused.raise_for_status()
    assert streamed.status_code == 200 and b"".join(chunks).startswith(b"[")
    assert streamed.headers["content-type"] == "application/json"


@pytest.mark.slow  # a subprocess: left out by `dev.py test --fast`
def test_a_project_without_requests_is_intercepted_through_httpx() -> None:
    script = textwrap.dedent("""
        import sys

        sys.modules["requests"] = None  # as if not installed: `import requests` fails
        import httpx
        from emulator.testing import running

        with running(mode="inprocess") as emu, emu.new_org() as org, org.intercept():
            made = httpx.post("https://api.useinvent.com/orgs/o/broadcasts",
                              headers={"Authorization": "Bearer k"}, json={"name": "n"})
            assert made.status_code == 200, made.text
        assert sys.modules["requests"] is None
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


@pytest.mark.parametrize("host", ["api.useinvent.com.", "API.UseInvent.COM", "Api.useinvent.com."])
def test_the_fully_qualified_and_any_case_spelling_are_intercepted(org: InventOrg,
                                                                    host: str) -> None:
    with intercept(org, block_others=True) as interception:
        by_httpx = httpx.get(f"https://{host}/orgs/org_live/broadcasts", headers=LIVE)
        by_requests = requests.get(f"https://{host}/orgs/org_live/broadcasts", headers=LIVE,
                                   timeout=5)
    assert by_httpx.status_code == 200, by_httpx.text
    assert by_requests.status_code == 200, by_requests.text
    assert len(interception.calls) == 2 and interception.blocked == []


def test_hosts_given_with_a_trailing_dot_or_capitals_are_intercepted(org: InventOrg) -> None:
    with intercept(org, ["Mock.Invent.Test."]):
        assert httpx.get("https://mock.invent.test/orgs/x/broadcasts", headers=LIVE).is_success


def test_a_non_ascii_admin_token_is_a_clear_error_not_an_encoding_crash(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INVENT_EMULATOR_ADMIN_TOKEN", "jéton")
    with (pytest.raises(ValueError, match=r"INVENT_EMULATOR_ADMIN_TOKEN must be .*ASCII") as raised,
          running(mode="inprocess")):
        pass
    assert not isinstance(raised.value, UnicodeError)
