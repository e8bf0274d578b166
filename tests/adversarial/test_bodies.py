"""Hostile request bodies on every endpoint that takes one: each is a 4xx envelope that changes
nothing, leaves the server healthy and logs no traceback."""

from __future__ import annotations

import json

import pytest
from support.hostile import KEY, Hostile

pytestmark = pytest.mark.anyio

SEND = "/orgs/c/broadcasts/bc_otp/send"
AUTH = {"Authorization": f"Bearer {KEY}"}

DEEP = b"[" * 100_000 + b"]" * 100_000
HOSTILE_BODIES: dict[str, bytes] = {
    "not_json": b"this is not json",
    "truncated": b'{"email": "ada@example.com"',
    "array": b"[]",
    "string": b'"hello"',
    "number": b"42",
    "null": b"null",
    "deep_nesting": DEEP,
    "deep_object": b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
    "huge_integer": b'{"variables": {"x": ' + b"9" * 5_000 + b"}}",
    "huge_float": b'{"variables": {"x": 1e400}}',
    "nan": b'{"variables": {"x": NaN}}',
    "infinity": b'{"variables": {"x": -Infinity}}',
    "nul_in_string": b'{"email": "ada\\u0000@example.com"}',
    "lone_surrogate": b'{"email": "\\ud800@example.com"}',
    "invalid_utf8": b'{"email": "\xff\xfe@example.com"}',
    "utf16_bom": '{"email": "a@example.com"}'.encode("utf-16"),
    "wrong_types": b'{"email": 5, "variables": [], "template_ids": "tpl"}',
    "variables_nested_too_deep": (b'{"email": "a@example.com", "variables": '
                                  + b'{"x": ' * 300 + b"1" + b"}" * 301),
    "unknown_field": b'{"email": "a@example.com", "emial": "b@example.com"}',
    "long_id": json.dumps({"contact_id": "x" * 10_000}).encode(),
    "many_keys": json.dumps({f"k{i}": i for i in range(20_000)}).encode(),
    "bad_email": b'{"email": "not an email"}',
    "empty_email": b'{"email": ""}',
    "template_ids_empty": b'{"email": "a@example.com", "template_ids": []}',
    "unknown_template": b'{"email": "a@example.com", "template_ids": ["tpl_nope"]}',
    "blocked_contact": b'{"contact_id": "ct_mallory"}',
    "bool_as_string": b'{"email": "a@example.com", "background": "true"}',
}


@pytest.mark.parametrize("name", HOSTILE_BODIES)
async def test_hostile_send_bodies(hostile: Hostile, name: str) -> None:
    request = hostile.http.build_request("POST", SEND, content=HOSTILE_BODIES[name],
                                         headers={**AUTH, "Content-Type": "application/json"})
    await hostile.refused(request, 400)


@pytest.mark.parametrize("name", ["not_json", "array", "deep_nesting", "huge_integer", "nan",
                                  "invalid_utf8", "unknown_field", "long_id", "wrong_types"])
@pytest.mark.parametrize(("method", "path"), [
    ("POST", "/orgs/c/broadcasts"), ("POST", "/orgs/c/contacts"),
    ("PATCH", "/orgs/c/contacts/ct_ada"), ("PATCH", "/orgs/c/segments/seg_vip"),
])
async def test_hostile_bodies_on_public_writes(hostile: Hostile, name: str, method: str,
                                               path: str) -> None:
    request = hostile.http.build_request(method, path, content=HOSTILE_BODIES[name],
                                         headers=AUTH)
    await hostile.refused(request, 400)


@pytest.mark.parametrize("name", ["not_json", "array", "deep_nesting", "huge_integer",
                                  "huge_float", "nan", "invalid_utf8", "unknown_field"])
@pytest.mark.parametrize("path", ["/_emulator/reset", "/_emulator/orgs",
                                  "/_emulator/clock/advance"])
async def test_hostile_bodies_on_control_writes(hostile: Hostile, name: str, path: str) -> None:
    request = hostile.http.build_request("POST", path, content=HOSTILE_BODIES[name])
    await hostile.refused(request, 400)


@pytest.mark.parametrize("body", [
    {"seconds": -1}, {"seconds": 1e308}, {"seconds": "10"}, {"seconds": 10, "org_id": "nope"},
    {"seconds": 10 ** 30},
])
async def test_hostile_clock_moves(hostile: Hostile, body: dict[str, object]) -> None:
    request = hostile.http.build_request("POST", "/_emulator/clock/advance", json=body)
    await hostile.refused(request, 400, 404)


async def test_an_oversized_body_is_a_413_envelope(hostile: Hostile) -> None:
    big = b'{"email": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    request = hostile.http.build_request("POST", SEND, content=big, headers=AUTH)
    await hostile.refused(request, 413)


async def test_a_refused_request_leaves_the_server_working(hostile: Hostile) -> None:
    for body in HOSTILE_BODIES.values():
        await hostile.http.post(SEND, content=body, headers=AUTH)
    sent = await hostile.http.post(SEND, json={"email": "ada@example.com"}, headers=AUTH)
    assert sent.status_code == 200, sent.text
    await hostile.assert_healthy()
