"""A saved and restored emulator answers every list and lookup with the same bytes, and keeps
going the same way: timed outcomes, scheduled and half-made marketing sends, webhook retries,
sequence positions and random streams all survive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer
from starlette.applications import Starlette
from support.apps import client_for
from support.language import START, scenario
from support.wire import Json
from werkzeug.wrappers import Request, Response

from emulator import create_app, load_scenario_text
from emulator.settings import Settings
from emulator.testing import VirtualClock

TAIL = """
    rate_limits:
      send: {requests: 500, per_seconds: 60}
      general: {requests: 5000, per_seconds: 60}
    outcomes:
      - when: {email: "*@slow.test"}
        outcome: {opened: 1, complained: 1}
        timing: {sent_after: 1s, delivered_after: 30s, opened_after: 5m, complained_after: 10m}
      - when: {email: "seq*@*"}
        outcome: [failed, bounced, delivered, opened, complained]
      - when: {integration_id: whatsapp_bot}
        outcome: {delivered: 0.5, failed: 0.3, opened: 0.2}
    faults:
      - when: {method: GET, path: "/orgs/*/segments"}
        every: 3
        respond: {status: 503, retry_after: 2}
    webhooks:
      - url: "{url}"
        secret: s3cret
        max_attempts: 6
"""

OWN_SCENARIO: Json = {
    "seed": 99,
    "clock": {"mode": "virtual", "start": "2026-02-01T00:00:00Z"},
    "outcomes": [{"when": {}, "outcome": ["bounced", "delivered"]}],
    "orgs": [{"id": "own", "name": "Own", "contacts": [{"id": "ct_own", "email": "o@own.test"}],
              "broadcasts": [{"id": "bc_own", "name": "Own", "type": "TRANSACTIONAL",
                              "status": "ACTIVE", "templates": [
                                  {"id": "tpl_own", "integration_id": "gmail",
                                   "config": {"subject": "Hi {{name}}"}}]}]}],
}


def _app(path: Path, text: str | None = None) -> Starlette:
    spec = load_scenario_text(text) if text is not None else None
    return create_app(Settings(state_file=str(path)), scenario=spec, clock=VirtualClock(START))


async def _ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


async def _build(http: httpx.AsyncClient) -> dict[str, str]:
    """State through the public surface; returns org id → API key."""
    keys = {"org_a": "key_a", "org_b": "key_b"}
    copy = await _ok(await http.post("/_emulator/orgs", json={"copy_of": "org_a",
                                                              "name": "Copy"}))
    own = await _ok(await http.post("/_emulator/orgs", json={"scenario": OWN_SCENARIO}))
    child = await _ok(await http.post("/_emulator/orgs", json={"parent": copy["id"]}))
    keys[copy["id"]], keys[own["id"]] = copy["api_key"], own["api_key"]
    keys[child["id"]] = child["api_key"]
    a = client_for(http._transport.app, "key_a")  # type: ignore[attr-defined]
    async with a, client_for(http._transport.app, own["api_key"]) as o:  # type: ignore[attr-defined]
        for i in range(4):
            await _ok(await a.post("/orgs/org_a/broadcasts/bc_mail/send",
                                   json={"email": f"p{i}@slow.test", "variables": {"n": i}}))
            await _ok(await a.post("/orgs/org_a/broadcasts/bc_both/send",
                                   json={"email": f"w{i}@example.test",
                                         "phone": f"+1555030{i:04d}"}))
        await _ok(await a.post("/orgs/org_a/broadcasts/bc_news/send",
                               json={"email": "seq1@x.test"}))
        await _ok(await a.post("/orgs/org_a/broadcasts/bc_news/send",
                               json={"email": "seq2@x.test"}))  # bounced: suppressed
        await _ok(await o.post(f"/orgs/{own['id']}/broadcasts/bc_own/send",
                               json={"contact_id": "ct_own"}))
        contact = await _ok(await a.post("/orgs/org_a/contacts",
                                         json={"channel": {"name": "Zed", "email": "zed@z.test"},
                                               "segment_ids": []}))
        await _ok(await a.patch(f"/orgs/org_a/contacts/{contact['id']}", json={"name": "Zed Z"}))
        await _ok(await http.post("/_emulator/clock/advance", json={"seconds": 40}))
        await _marketing(http, a)
        # Last, so they are still waiting when the state is saved: a background skip and a
        # marketing send whose rows are not all made yet.
        await _ok(await a.post("/orgs/org_a/broadcasts/bc_news/send",
                               json={"email": "seq2@x.test", "background": True}))
        news = await _ok(await a.post("/orgs/org_a/broadcasts",
                                      json={"name": "Now", "send_to_all": True}))
        await _ok(await http.post(f"/_emulator/orgs/org_a/broadcasts/{news['id']}/templates",
                                  json={"integration_id": "gmail", "config": {"subject": "x"}}))
        await _ok(await a.post(f"/orgs/org_a/broadcasts/{news['id']}/send"))
    return keys


async def _marketing(http: httpx.AsyncClient, a: httpx.AsyncClient) -> None:
    """A campaign scheduled an hour ahead (its start waits on the scheduler)."""
    later = await _ok(await a.post("/orgs/org_a/broadcasts", json={
        "name": "Later", "send_to_all": True, "scheduled_at": "2026-01-05T10:00:00Z"}))
    await _ok(await http.post(f"/_emulator/orgs/org_a/broadcasts/{later['id']}/templates",
                              json={"integration_id": "gmail", "config": {"subject": "Hi"}}))
    await _ok(await a.post(f"/orgs/org_a/broadcasts/{later['id']}/send"))


async def _observe(app: Starlette, keys: dict[str, str]) -> list[tuple[str, int, bytes]]:
    """Every list and lookup, as raw answers (the same requests in the same order)."""
    seen: list[tuple[str, int, bytes]] = []
    async with client_for(app, None) as control:

        async def look(client: httpx.AsyncClient, path: str, **params: Any) -> httpx.Response:
            response = await client.get(path, params=params)
            seen.append((path, response.status_code, response.content))
            return response

        for org_id, key in keys.items():
            async with client_for(app, key) as http:
                broadcasts = (await look(http, f"/orgs/{org_id}/broadcasts", take=100)).json()
                for b in broadcasts:
                    await look(http, f"/orgs/{org_id}/broadcasts/{b['id']}/recipients", take=100)
                    await look(control, f"/_emulator/orgs/{org_id}/broadcasts/{b['id']}")
                contacts = (await look(http, f"/orgs/{org_id}/contacts", take=100)).json()
                for c in contacts[:3]:
                    await look(http, f"/orgs/{org_id}/contacts/{c['id']}/segments")
                await look(http, f"/orgs/{org_id}/segments")
        for path in ("/_emulator/messages", "/_emulator/suppressions", "/_emulator/clock",
                     "/_emulator/webhooks", "/_emulator/requests"):
            await look(control, path, limit=1000)
    return seen


async def _advance(app: Starlette, seconds: float) -> bytes:
    async with client_for(app, None) as control:
        response = await control.post("/_emulator/clock/advance", json={"seconds": seconds})
        assert response.status_code == 200, response.text
        return response.content


def _receiver(server: HTTPServer) -> str:
    """A webhook endpoint that refuses `recipient.sent` events (so they wait for retries) and
    takes the others: the same answer for the same request, whichever emulator asks."""

    def answer(request: Request) -> Response:
        refused = request.headers.get("Invent-Event") == "recipient.sent"
        return Response("no" if refused else "ok", status=503 if refused else 200)

    server.expect_request("/hooks").respond_with_handler(answer)
    return server.url_for("/hooks")


@pytest.mark.slow  # a heavy case: left out by `dev.py test --fast`
async def test_every_answer_is_the_same_after_a_restart(tmp_path: Path,
                                                        httpserver: HTTPServer) -> None:
    path = tmp_path / "state.json"
    first = _app(path, scenario(TAIL.replace("{url}", _receiver(httpserver))))
    async with client_for(first, None) as control:
        keys = await _build(control)
        saved = await _ok(await control.post("/_emulator/snapshot"))
    assert saved == {"saved": str(path), "bytes": path.stat().st_size}
    second = _app(path)

    before = await _observe(first, keys)
    assert await _observe(second, keys) == before
    pending = await _ok(await control_get(second, "/_emulator/clock"))
    assert sum(org["pending"] for org in pending["orgs"]) > 0, "nothing was left to happen"
    for seconds in (0.5, 29, 300, 3600, 7200):
        assert await _advance(second, seconds) == await _advance(first, seconds)
        assert await _observe(second, keys) == await _observe(first, keys)
        assert await _more(second, keys) == await _more(first, keys)
    assert await _observe(second, keys) == await _observe(first, keys)
    # A full reset goes back to the scenario the state file recorded.
    for app in (first, second):
        async with client_for(app, None) as control:
            assert (await control.post("/_emulator/reset", json={})).status_code == 200
    scenario_keys = {"org_a": "key_a", "org_b": "key_b"}
    assert await _observe(second, scenario_keys) == await _observe(first, scenario_keys)


async def _more(app: Starlette, keys: dict[str, str]) -> list[bytes]:
    """Requests that draw on sequence positions, random streams and id streams, and resets that
    rebuild orgs from their blueprints."""
    answers = []
    async with client_for(app, "key_a") as a, client_for(app, None) as control:
        for body in ({"email": "seq3@x.test"},
                     {"email": "new@example.test", "phone": "+15550409999"}):
            for broadcast in ("bc_news", "bc_both"):
                answers.append((await a.post(f"/orgs/org_a/broadcasts/{broadcast}/send",
                                             json=body)).content)
        made = await control.post("/_emulator/orgs", json={"copy_of": "org_b"})
        answers.append(made.content)
        for org_id in (made.json()["id"], "org_b", *list(keys)[2:]):
            answers.append((await control.post("/_emulator/reset",
                                               json={"org_id": org_id})).content)
    return answers


async def control_get(app: Starlette, path: str) -> httpx.Response:
    async with client_for(app, None) as control:
        return await control.get(path)
