"""Assertions and small request helpers shared by the HTTP tests."""

from __future__ import annotations

from datetime import UTC, datetime
from http import HTTPStatus

import httpx

# Re-exported for the HTTP tests (`X as X` marks a re-export for mypy --strict).
from support.wire import BROADCAST_KEYS as BROADCAST_KEYS
from support.wire import COUNTER_KEYS as COUNTER_KEYS
from support.wire import EMBEDDED_SEGMENT_KEYS
from support.wire import ENVELOPE_KEYS as ENVELOPE_KEYS
from support.wire import FLAGS as FLAGS
from support.wire import RECIPIENT_KEYS as RECIPIENT_KEYS
from support.wire import TEMPLATE_KEYS as TEMPLATE_KEYS
from support.wire import Json as Json

SEGMENT_KEYS = EMBEDDED_SEGMENT_KEYS


def assert_error(response: httpx.Response, status: int, field: str | None = None) -> Json:
    """The response is the documented error envelope with `status`; when `field` is given, the
    details and the message both name it."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    assert isinstance(body, dict), body
    assert set(body) in (ENVELOPE_KEYS, ENVELOPE_KEYS | {"details"}), body
    assert body["statusCode"] == status
    assert body["error"] == HTTPStatus(status).phrase
    assert isinstance(body["message"], str) and body["message"].strip()
    if "details" in body:
        assert isinstance(body["details"], list) and body["details"], body
        for detail in body["details"]:
            assert set(detail) == {"field", "message"}, detail
            assert isinstance(detail["field"], str) and isinstance(detail["message"], str)
    if field is not None:
        fields = [d["field"] for d in body.get("details", [])]
        assert field in fields, body
        assert field in body["message"], body
    return body


def parse_ts(value: str) -> datetime:
    """A wire timestamp: ISO-8601, UTC, ending in `Z`."""
    assert isinstance(value, str) and value.endswith("Z"), value
    moment = datetime.fromisoformat(value)
    assert moment.utcoffset() is not None and moment.utcoffset() == UTC.utcoffset(None)
    return moment


async def list_all_broadcasts(client: httpx.AsyncClient, org: str = "c") -> list[Json]:
    response = await client.get(f"/orgs/{org}/broadcasts", params={"take": 100})
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body, list)
    return body


async def broadcast(client: httpx.AsyncClient, broadcast_id: str, org: str = "c") -> Json:
    """One broadcast as the list endpoint shows it (there is no GET-one route)."""
    found = [b for b in await list_all_broadcasts(client, org) if b["id"] == broadcast_id]
    assert len(found) == 1, f"broadcast {broadcast_id} not listed"
    return found[0]


async def counters(client: httpx.AsyncClient, broadcast_id: str, org: str = "c") -> Json:
    found = await broadcast(client, broadcast_id, org)
    body: Json = {name: found[name] for name in COUNTER_KEYS}
    body["templates"] = {t["id"]: t["recipients_count"] for t in found["templates"]}
    return body


async def recipients(client: httpx.AsyncClient, broadcast_id: str, org: str = "c",
                     **params: str | int) -> list[Json]:
    query: dict[str, str | int] = {"take": 100, **params}
    response = await client.get(f"/orgs/{org}/broadcasts/{broadcast_id}/recipients",
                                params=query)
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body, list)
    return body


async def send(client: httpx.AsyncClient, broadcast_id: str, body: Json,
               org: str = "c") -> list[Json]:
    """A send that must succeed; returns its recipient rows."""
    response = await client.post(f"/orgs/{org}/broadcasts/{broadcast_id}/send", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert set(answer) == {"recipients"}, answer
    rows = answer["recipients"]
    assert isinstance(rows, list)
    return rows


def by_template(rows: list[Json]) -> dict[str, Json]:
    found = {row["template_id"]: row for row in rows}
    assert len(found) == len(rows), "one row per template"
    return found


async def contacts(client: httpx.AsyncClient, org: str = "c", **params: str | int) -> list[Json]:
    query: dict[str, str | int] = {"take": 100, **params}
    response = await client.get(f"/orgs/{org}/contacts", params=query)
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body, list)
    return body
