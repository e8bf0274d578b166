"""Every error leaves as `{statusCode, error, message[, details]}`: routing errors, oversized and
malformed bodies included (invent-api.md §1)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from support.api import assert_error, list_all_broadcasts

pytestmark = pytest.mark.anyio

MIB = 1024 * 1024


async def test_unknown_route_is_a_404_envelope(client: httpx.AsyncClient) -> None:
    for path in ("/nope", "/orgs/c", "/orgs/c/widgets", "/orgs/c/broadcasts/bc_otp"):
        assert_error(await client.get(path), 404)


async def test_unknown_route_needs_no_key_to_be_404(anon: httpx.AsyncClient) -> None:
    assert_error(await anon.get("/definitely/not/a/route"), 404)


async def test_wrong_method_is_a_405_envelope_with_allow(client: httpx.AsyncClient) -> None:
    for method in ("DELETE", "PUT", "PATCH"):
        response = await client.request(method, "/orgs/c/broadcasts")
        assert_error(response, 405)
        allowed = {m.strip() for m in response.headers["allow"].split(",")}
        assert {"GET", "POST"} <= allowed, response.headers


async def test_wrong_method_on_send_and_recipients(client: httpx.AsyncClient) -> None:
    send = await client.get("/orgs/c/broadcasts/bc_otp/send")
    assert_error(send, 405)
    assert "POST" in send.headers["allow"]
    listing = await client.post("/orgs/c/broadcasts/bc_otp/recipients", json={})
    assert_error(listing, 405)
    assert "GET" in listing.headers["allow"]


async def test_oversized_body_with_content_length_is_413(client: httpx.AsyncClient) -> None:
    body = b'{"name": "' + b"x" * MIB + b'"}'
    response = await client.post("/orgs/c/broadcasts", content=body,
                                 headers={"Content-Type": "application/json"})
    assert_error(response, 413)
    assert len(await list_all_broadcasts(client)) == 2


async def test_oversized_chunked_body_is_413(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"name": "'
        for _ in range(17):
            yield b"x" * (64 * 1024)
        yield b'"}'

    response = await client.post("/orgs/c/broadcasts", content=chunks(),
                                 headers={"Content-Type": "application/json"})
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert_error(response, 413)
    assert len(await list_all_broadcasts(client)) == 2


async def test_oversized_send_body_is_413(client: httpx.AsyncClient) -> None:
    body = {"contact_id": "ct_ada", "variables": {"otp": "1" * (MIB + 1)}}
    response = await client.post("/orgs/c/broadcasts/bc_otp/send", json=body)
    assert_error(response, 413)
    listing = await client.get("/orgs/c/broadcasts/bc_otp/recipients")
    assert listing.json() == []


async def test_small_chunked_body_is_read_normally(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"name":'
        yield b' "chunky"}'

    response = await client.post("/orgs/c/broadcasts", content=chunks(),
                                 headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "chunky"


async def test_body_just_under_the_limit_is_not_413(client: httpx.AsyncClient) -> None:
    # A 1 MiB body (whitespace padding) is read and judged on its content: a too-long name.
    body = b'{"name": "' + b"x" * 256 + b'"}'
    body += b" " * (MIB - len(body))
    response = await client.post("/orgs/c/broadcasts", content=body,
                                 headers={"Content-Type": "application/json"})
    assert_error(response, 400, "name")


@pytest.mark.parametrize("raw", [b"{bad", b'{"name": "x",}', b"\xff\xfe", b'{"name": '])
async def test_malformed_json_is_400_naming_body(client: httpx.AsyncClient, raw: bytes) -> None:
    response = await client.post("/orgs/c/broadcasts", content=raw,
                                 headers={"Content-Type": "application/json"})
    assert_error(response, 400, "body")
    assert len(await list_all_broadcasts(client)) == 2


@pytest.mark.parametrize("raw", [[{"name": "x"}], "just a string", 42, None])
async def test_non_object_body_is_400(client: httpx.AsyncClient, raw: object) -> None:
    response = await client.post("/orgs/c/broadcasts", content=json.dumps(raw),
                                 headers={"Content-Type": "application/json"})
    assert_error(response, 400, "body")
    response = await client.post("/orgs/c/broadcasts/bc_otp/send", content=json.dumps(raw),
                                 headers={"Content-Type": "application/json"})
    assert_error(response, 400, "body")


async def test_error_bodies_carry_no_extra_keys(client: httpx.AsyncClient) -> None:
    # One of each family: validation (with details), domain 400, 404, 401.
    validation = assert_error(await client.post("/orgs/c/broadcasts", json={"name": ""}), 400)
    assert "details" in validation
    domain = assert_error(await client.post("/orgs/c/broadcasts/bc_otp/send",
                                            json={"contact_id": "ct_mallory"}), 400)
    assert "details" not in domain
    assert_error(await client.get("/orgs/c/broadcasts/bc_nope/recipients"), 404)
    assert_error(await client.get("/orgs/c/broadcasts",
                                  headers={"Authorization": "Bearer wrong"}), 401)


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity"])
async def test_non_json_number_literals_are_400(client: httpx.AsyncClient, literal: bytes) -> None:
    # Not JSON numbers; the parser reads them, so the error names the field that holds one.
    raw = b'{"contact_id": "ct_ada", "variables": {"otp": ' + literal + b"}}"
    response = await client.post("/orgs/c/broadcasts/bc_otp/send", content=raw,
                                 headers={"Content-Type": "application/json"})
    assert_error(response, 400, "variables")
