"""The handle of an emulator in this process (thread or in-process mode, what `running()` and
the plugin's `invent_emulator` give) makes and removes its orgs on the emulator's loop, without
HTTP: the org is the one HTTP would make (same id, key and answers afterwards, byte for byte),
and a refusal reads the same. A handle without the loop (an external emulator) still goes over
HTTP."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, Literal

import httpx
import pytest

from emulator import Settings, create_app
from emulator.testing import EmulatorHandle, InProcessTransport, InventOrg, running
from emulator.testing.launch import IN_PROCESS_URL

START = "2030-01-02T03:04:05Z"
SEND = {"email": "ada@example.test", "variables": {"otp": "123456"}}
ORG_CALLS = ("/_emulator/orgs",)


def exchange(handle: EmulatorHandle) -> list[Any]:
    """Orgs made three ways, used, and removed: everything the caller sees, as bytes."""
    empty = handle.new_org(start=START)
    copy = handle.new_org(copy_of="org_otp", start=START)
    child = handle.new_org(parent=copy.org_id, start=START)
    seen: list[Any] = [(o.org_id, o.api_key) for o in (empty, copy, child)]
    for org, method, path, body in (
            (copy, "POST", "/orgs/c/broadcasts/bc_otp/send", SEND),
            (copy, "GET", "/orgs/c/broadcasts", None),
            (copy, "GET", "/orgs/c/contacts", None),
            (empty, "GET", "/orgs/c/broadcasts", None),
            (child, "GET", "/orgs/c/segments", None)):
        answer = org.client.request(method, path, json=body)
        seen.append((answer.status_code, answer.content))
    for path, params in (("/_emulator/messages", {"org_id": copy.org_id}),
                         ("/_emulator/clock", {"org_id": child.org_id})):
        answer = handle.control.get(path, params=params)
        seen.append((answer.status_code, answer.content))
    copy.delete()  # its sub-org goes with it
    copy.delete()  # gone already: not an error
    gone = handle.control.delete(f"/_emulator/orgs/{child.org_id}")
    refused = child.client.get("/orgs/c/broadcasts")
    seen += [(gone.status_code, gone.content), (refused.status_code, refused.content)]
    for org in (empty, copy, child):
        org.close()
    empty.delete()
    return seen


@pytest.mark.parametrize("mode", ["inprocess", "thread"])
def test_an_org_made_on_the_loop_answers_as_one_made_over_http(
        mode: Literal["inprocess", "thread"]) -> None:
    with running("otp", mode) as direct, running("otp", mode) as other:
        over_http = EmulatorHandle(other.url, other.transport, other.errors)
        try:
            assert exchange(direct) == exchange(over_http)
        finally:
            over_http.close()
        assert direct.take_errors() == other.take_errors() == []


class Recording(httpx.BaseTransport):
    """The in-process transport, noting each request's method and path."""

    def __init__(self, inner: InProcessTransport) -> None:
        self.inner = inner
        self.seen: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(f"{request.method} {request.url.path}")
        return self.inner.handle_request(request)


@contextlib.contextmanager
def in_process(*, with_loop: bool) -> Iterator[tuple[EmulatorHandle, Recording]]:
    """An in-process emulator on the `otp` scenario; its handle is given the emulator's loop
    (as `running()` gives it) or only a transport (as for an emulator elsewhere)."""
    app = create_app(Settings(scenario="otp"))
    transport = InProcessTransport(app)
    recording = Recording(transport)
    handle = EmulatorHandle(IN_PROCESS_URL, recording, app.state.errors,
                            bridge=transport.bridge if with_loop else None)
    try:
        yield handle, recording
    finally:
        handle.close()
        transport.shutdown()


def test_a_handle_without_the_loop_goes_over_http() -> None:
    for with_loop, expected in ((True, []),
                                (False, ["POST /_emulator/orgs", "DELETE /_emulator/orgs/"])):
        with in_process(with_loop=with_loop) as (handle, recording):
            org = handle.new_org()
            org.delete()
            calls = [call.removesuffix(org.org_id) for call in recording.seen]
            assert calls == expected, with_loop


def refusals(handle: EmulatorHandle) -> list[str]:
    messages = []
    cases: tuple[dict[str, Any], ...] = (
        {"copy_of": "org_nope"}, {"parent": "org_nope"}, {"start": "yesterday"},
        {"copy_of": "org_otp", "start": "2030-13-01T00:00:00Z"})
    for arguments in cases:
        with pytest.raises(AssertionError) as refused:
            handle.new_org(**arguments)
        messages.append(str(refused.value))
    with pytest.raises(AssertionError) as refused:  # an org of the scenario: reset it instead
        InventOrg(handle, "org_otp", "key").delete()
    messages.append(str(refused.value))
    return messages


def test_a_refusal_reads_the_same_either_way() -> None:
    with in_process(with_loop=True) as (direct, _), in_process(with_loop=False) as (http, _):
        direct_refusals = refusals(direct)
        assert direct_refusals == refusals(http)
    assert direct_refusals[0].startswith("POST /_emulator/orgs answered 400: {")
    assert direct_refusals[1].startswith("POST /_emulator/orgs answered 404: {")
    assert "clock.start" in direct_refusals[2]
    assert direct_refusals[-1].startswith("DELETE /_emulator/orgs/org_otp answered 400: {")
