"""Every documented limit (the seeds and invent-api.md), and the emulator's own limits on the same
bodies, walked at and past its edge: a string says "characters", an array "items", and the
message names the field as the docs spell it (`name`, `channel.email`, `template_ids[0]`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from support.api import assert_error
from support.apps import app_from_yaml, client_for

from emulator.testing import VirtualClock

pytestmark = pytest.mark.anyio

SEGMENTS = "\n".join(f"      - {{id: seg_{i}, name: S{i}}}" for i in range(100))
SCENARIO = f"""
orgs:
  - id: org_w
    api_keys: [key_w]
    segments:
{SEGMENTS}
    contacts:
      - {{id: ct_x, name: X, email: x@example.test}}
    broadcasts:
      - id: bc_t
        name: T
        type: TRANSACTIONAL
        status: ACTIVE
        templates: [{{id: tpl_t, integration_id: gmail, config: {{body: hi}}}}]
"""
DOMAIN = "@example.test"


@dataclass(frozen=True)
class Limit:
    method: str
    path: str
    field: str  # as the docs spell it, and as `details[].field` names it
    bound: str  # "max" or "min"
    size: int
    body: Callable[[int], Any]  # a body whose `field` has this length
    unit: str = "characters"
    ok: tuple[int, ...] = (200,)  # the answer at the edge

    @property
    def past(self) -> int:
        return self.size + 1 if self.bound == "max" else self.size - 1

    def expected(self) -> str:
        verb = "be" if self.unit == "characters" else "have"
        bound = "at most" if self.bound == "max" else "at least"
        unit = self.unit.removesuffix("s") if self.size == 1 else self.unit
        return f"{self.field} must {verb} {bound} {self.size} {unit}"


def _segments(count: int) -> list[str]:
    return [f"seg_{i}" for i in range(count)]


SEND = "/orgs/c/broadcasts/bc_t/send"
LIMITS = [
    # Seed 002: create a broadcast.
    Limit("POST", "/orgs/c/broadcasts", "name", "max", 255, lambda n: {"name": "n" * n}),
    Limit("POST", "/orgs/c/broadcasts", "name", "min", 1, lambda n: {"name": "n" * n}),
    Limit("POST", "/orgs/c/broadcasts", "segment_ids", "max", 10,
          lambda n: {"name": "b", "segment_ids": _segments(n)}, unit="items"),
    # Seed 000: send.
    Limit("POST", SEND, "phone", "max", 256, lambda n: {"phone": "1" * n}),
    Limit("POST", SEND, "email", "max", 256, lambda n: {"email": "e" * (n - 13) + DOMAIN}),
    Limit("POST", SEND, "name", "max", 256, lambda n: {"contact_id": "ct_x", "name": "n" * n}),
    # invent-api.md §2: a segment's name.
    Limit("PATCH", "/orgs/c/segments/seg_0", "name", "max", 128, lambda n: {"name": "s" * n}),
    Limit("PATCH", "/orgs/c/segments/seg_0", "name", "min", 1, lambda n: {"name": "s" * n}),
    # The emulator's own limits (docs/decisions.md), worded the same way.
    Limit("POST", SEND, "template_ids", "min", 1,
          lambda n: {"contact_id": "ct_x", "template_ids": ["tpl_t"] * n}, unit="items"),
    Limit("POST", SEND, "template_ids[0]", "max", 256,
          lambda n: {"contact_id": "ct_x", "template_ids": ["t" * n]}, ok=(400,)),
    Limit("POST", SEND, "contact_id", "max", 256, lambda n: {"contact_id": "c" * n}, ok=(404,)),
    Limit("POST", SEND, "contact_id", "min", 1, lambda n: {"contact_id": "c" * n}, ok=(404,)),
    Limit("POST", SEND, "contact_channel_id", "max", 256,
          lambda n: {"contact_channel_id": "c" * n}, ok=(404,)),
    Limit("POST", "/orgs/c/contacts", "channel.name", "max", 256,
          lambda n: {"channel": {"user_id": "u", "name": "n" * n}}),
    Limit("POST", "/orgs/c/contacts", "channel.user_id", "max", 256,
          lambda n: {"channel": {"user_id": "u" * n}}),
    Limit("POST", "/orgs/c/contacts", "channel.user_id", "min", 1,
          lambda n: {"channel": {"user_id": "u" * n, "email": "new@example.test"}}),
    Limit("POST", "/orgs/c/contacts", "channel.email", "max", 256,
          lambda n: {"channel": {"email": "e" * (n - 13) + DOMAIN}}),
    Limit("POST", "/orgs/c/contacts", "channel.phone", "max", 256,
          lambda n: {"channel": {"phone": "7" * n}}),
    Limit("POST", "/orgs/c/contacts", "segment_ids", "max", 100,
          lambda n: {"channel": {"user_id": "u"}, "segment_ids": _segments(n)}, unit="items"),
    Limit("PATCH", "/orgs/c/contacts/ct_x", "name", "max", 256, lambda n: {"name": "n" * n}),
]


def _id(limit: Limit) -> str:
    return f"{limit.method} {limit.path} {limit.field} {limit.bound} {limit.size}"


@pytest.fixture
async def http(clock: VirtualClock) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app_from_yaml(SCENARIO, clock), "key_w") as client:
        yield client


@pytest.mark.parametrize("limit", LIMITS, ids=_id)
async def test_at_the_edge_the_field_passes(http: httpx.AsyncClient, limit: Limit) -> None:
    response = await http.request(limit.method, limit.path, json=limit.body(limit.size))
    assert response.status_code in limit.ok, response.text
    if response.status_code >= 400:  # refused for another reason, never this field's length
        body = response.json()
        assert limit.unit not in body["message"], body


@pytest.mark.parametrize("limit", LIMITS, ids=_id)
async def test_past_the_edge_the_message_says_what_and_where(
    http: httpx.AsyncClient, limit: Limit
) -> None:
    response = await http.request(limit.method, limit.path, json=limit.body(limit.past))
    body = assert_error(response, 400, limit.field)
    expected = limit.expected()
    assert body["details"] == [{"field": limit.field, "message": expected}]
    assert body["message"] == expected
    wrong_unit = "items" if limit.unit == "characters" else "characters"
    assert wrong_unit not in body["message"] and "item " not in body["message"]
    assert "Value should" not in body["message"] and "after validation" not in body["message"]


async def test_emoji_count_as_one_character_each(http: httpx.AsyncClient) -> None:
    emoji = "\U0001f600"
    assert (await http.post("/orgs/c/broadcasts", json={"name": emoji * 255})).status_code == 200
    body = assert_error(await http.post("/orgs/c/broadcasts", json={"name": emoji * 256}),
                        400, "name")
    assert body["message"] == "name must be at most 255 characters"


async def test_several_problems_are_each_named(http: httpx.AsyncClient) -> None:
    response = await http.post("/orgs/c/broadcasts", json={
        "name": "", "segment_ids": _segments(11), "colour": "red"})
    body = assert_error(response, 400)
    assert {d["field"]: d["message"] for d in body["details"]} == {
        "name": "name must be at least 1 character",
        "segment_ids": "segment_ids must have at most 10 items",
        "colour": "colour is not a known field",
    }
    assert body["message"] == "; ".join(d["message"] for d in body["details"])


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"contact_id": 5}, "contact_id", "contact_id must be a string"),
    ({"contact_id": "ct_x", "background": "yes"}, "background",
     "background must be a boolean (true or false)"),
    ({"contact_id": "ct_x", "template_ids": "tpl_t"}, "template_ids",
     "template_ids must be an array"),
    ({"contact_id": "ct_x", "variables": ["otp"]}, "variables", "variables must be an object"),
    ({"contact_id": "ct_x", "name": "a\x00"}, "name", "name must not contain NUL characters"),
    ({"phone": "none"}, "phone", "phone must be a phone number: text with at least one digit"),
])
async def test_type_and_format_messages_name_the_field(
    http: httpx.AsyncClient, body: dict[str, Any], field: str, message: str
) -> None:
    answer = assert_error(await http.post(SEND, json=body), 400, field)
    assert answer["details"] == [{"field": field, "message": message}]


@pytest.mark.parametrize(("path", "params", "field", "message"), [
    ("/orgs/c/broadcasts", {"take": "101"}, "take", "take must be from 1 to 100"),
    ("/orgs/c/broadcasts", {"take": "0"}, "take", "take must be from 1 to 100"),
    ("/orgs/c/broadcasts", {"page": "0"}, "page", "page must be 1 or more"),
    ("/orgs/c/broadcasts/bc_t/recipients", {"email": "e" * 257}, "email",
     "email must be at most 256 characters"),
    ("/orgs/c/contacts", {"user_id": "u" * 257}, "user_id",
     "user_id must be at most 256 characters"),
])
async def test_query_limits_use_the_same_words(
    http: httpx.AsyncClient, path: str, params: dict[str, str], field: str, message: str
) -> None:
    body = assert_error(await http.get(path, params=params), 400, field)
    assert body["message"] == message


@pytest.mark.parametrize(("path", "params"), [
    ("/orgs/c/broadcasts", {"take": "100"}), ("/orgs/c/broadcasts", {"take": "1"}),
    ("/orgs/c/broadcasts/bc_t/recipients", {"email": "e" * 256}),
    ("/orgs/c/contacts", {"user_id": "u" * 256}),
])
async def test_query_values_at_the_edge_pass(
    http: httpx.AsyncClient, path: str, params: dict[str, str]
) -> None:
    assert (await http.get(path, params=params)).status_code == 200
