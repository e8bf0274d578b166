"""Assertions and small request helpers shared by the HTTP tests."""

from __future__ import annotations

from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

import httpx

Json = dict[str, Any]

ENVELOPE_KEYS = frozenset({"statusCode", "error", "message"})

# Seed 002: every field of the broadcast object, plus the emulator's documented `type` extension.
BROADCAST_KEYS = frozenset({
    "id", "name", "status", "scheduled_at", "started_at", "completed_at",
    "contacts_count", "recipients_count", "skipped_count", "sent_count", "failed_count",
    "delivered_count", "opened_count", "played_count", "click_count", "complained_count",
    "unsubscribed_count", "error_message", "segments", "send_to_all", "templates",
    "created_at", "updated_at", "type",
})
COUNTER_KEYS = (
    "contacts_count", "recipients_count", "skipped_count", "sent_count", "failed_count",
    "delivered_count", "opened_count", "played_count", "click_count", "complained_count",
    "unsubscribed_count",
)
TEMPLATE_KEYS = frozenset({
    "id", "broadcast_id", "connection_id", "integration_id", "recipients_count", "config",
    "error", "created_at", "updated_at",
})
SEGMENT_KEYS = frozenset({"id", "name", "contacts_count", "created_at", "updated_at"})

FLAGS = ("is_skipped", "is_failed", "is_bounced", "is_sent", "is_delivered", "is_complained",
         "is_unsubscribed", "is_opened", "is_played")
# invent-api.md §2: the union of seed 000's and seed 004's recipient shapes.
RECIPIENT_KEYS = frozenset({
    "id", "broadcast_id", "broadcast_name", "template_id", "integration_id", "user_id", "name",
    "username", "phone", "email", "status", "error_message", "external_message_id",
    "created_at", "updated_at", "contact",
    *FLAGS, *(f"{flag}_at" for flag in FLAGS),
})


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
