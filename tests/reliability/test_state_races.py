"""Requests never act on state that a concurrent reset or load discarded, big loads never stall
other requests, and time cannot be moved past what dates can hold."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

import anyio
import httpx
import pytest
from starlette.applications import Starlette
from starlette.types import Message
from support.api import assert_error

pytestmark = pytest.mark.anyio

SEND_PATH = "/orgs/c/broadcasts/bc_otp/send"


def scope_for(method: str, path: str, key: str = "test_key_acme") -> dict[str, object]:
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "client": ("127.0.0.1", 1), "server": ("emulator.test", 80),
        "headers": [(b"authorization", f"Bearer {key}".encode()),
                    (b"content-type", b"application/json")],
    }


async def call_with_late_body(app: Starlette, method: str, path: str, body: object,
                              meanwhile: Callable[[], Awaitable[object]]) -> tuple[int, bytes]:
    """Send the request's headers, run `meanwhile` while its body is held back, then send the
    body; the status and body of the answer."""
    release = anyio.Event()
    waiting = anyio.Event()
    sent: list[Message] = []

    async def receive() -> Message:
        if not release.is_set():
            waiting.set()
            await release.wait()
            return {"type": "http.request", "body": json.dumps(body).encode(),
                    "more_body": False}
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        sent.append(message)

    async with anyio.create_task_group() as group:
        group.start_soon(app, scope_for(method, path), receive, send)
        await waiting.wait()
        await meanwhile()
        release.set()
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, content


async def test_a_send_whose_body_arrives_after_a_reset_acts_on_the_reset_org(
        app: Starlette, client: httpx.AsyncClient) -> None:
    await client.post(SEND_PATH, json={"email": "before@example.test"})

    async def reset() -> None:
        assert (await client.post("/_emulator/reset", json={})).status_code == 200

    status, content = await call_with_late_body(
        app, "POST", SEND_PATH, {"email": "during@example.test"}, reset)
    assert status == 200, content
    [row] = [r for r in json.loads(content)["recipients"] if r["integration_id"] == "gmail"]
    listed = (await client.get("/orgs/c/broadcasts/bc_otp/recipients")).json()
    assert [r["email"] for r in listed if r["integration_id"] == "gmail"] == [
        "during@example.test"]  # the row is in the org; the one from before the reset is gone
    after = await client.post(SEND_PATH, json={"email": "after@example.test"})
    assert row["id"] not in {r["id"] for r in after.json()["recipients"]}


async def test_a_broadcast_created_across_a_reset_exists_afterwards(
        app: Starlette, client: httpx.AsyncClient) -> None:
    async def reset() -> None:
        await client.post("/_emulator/reset", json={})

    status, content = await call_with_late_body(
        app, "POST", "/orgs/c/broadcasts", {"name": "Across"}, reset)
    assert status == 200, content
    created = json.loads(content)["id"]
    names = {b["id"]: b["name"] for b in (await client.get("/orgs/c/broadcasts")).json()}
    assert names[created] == "Across"


async def test_other_requests_are_answered_while_a_big_scenario_loads(
        client: httpx.AsyncClient) -> None:
    big = "orgs:\n  - id: org_big\n    api_keys: [key_big]\n    generate: {count: 30000}\n"
    order: list[str] = []

    async def load() -> None:
        response = await client.put("/_emulator/scenario", content=big)
        assert response.status_code == 200, response.text
        order.append("load")

    async def health() -> None:
        await anyio.sleep(0.01)  # the load has started and is building
        assert (await client.get("/_emulator/health")).status_code == 200
        order.append("health")

    async with anyio.create_task_group() as group:
        group.start_soon(load)
        group.start_soon(health)
    assert order == ["health", "load"]


async def test_the_clock_cannot_be_moved_past_the_supported_years(
        anon: httpx.AsyncClient) -> None:
    made = (await anon.post("/_emulator/orgs", json={
        "clock": {"mode": "virtual", "start": "9000-06-01T00:00:00Z"}})).json()
    ten_years = 10 * 365 * 24 * 3600
    refused = await anon.post("/_emulator/clock/advance",
                              json={"seconds": ten_years, "org_id": made["id"]})
    assert_error(refused, 400, "seconds")
    now = (await anon.get("/_emulator/clock", params={"org_id": made["id"]})).json()
    assert now["orgs"][0]["now"] == "9000-06-01T00:00:00.000Z"  # nothing moved
    fine = await anon.post("/_emulator/clock/advance",
                           json={"seconds": 3600, "org_id": made["id"]})
    assert fine.status_code == 200
