"""FastJSONResponse writes exactly the bytes and headers of Starlette's JSONResponse: on the
emulator's own answers, and on payloads chosen to hit every place orjson and json differ."""

from __future__ import annotations

import enum
import json
import random
import struct
from typing import Any

import httpx
import pytest
from starlette.responses import JSONResponse
from support.apps import app_from_yaml, client_for
from support.wire import START

from emulator.http.fastjson import FastJSONResponse, encode_json, encode_typed
from emulator.support.clock import VirtualClock

EDGE_FLOATS = [0.0, -0.0, 0.1, 1.0, -1.5, 1 / 3, 1e-4, 9.99e-5, 1e-5, 1.5e-5, 2.5e-6, 1e-7,
               5e-324, 1e15, 123456789012345.6, 9999999999999998.0, 1e16, 1.5e16, 1e22,
               1.7976931348623157e308, -2.2250738585072014e-308, 100.0, 2.5]
BIG_INTS = [2**53 + 1, 2**63 - 1, -(2**63), 2**63, 2**64, -(2**63) - 1, 10**30, -(10**40)]
TEXTS = ["", "plain", "Zoë Ångström", "漢字かな", "🎉 emoji", "\u2028\u2029", "\x7f",
         "\x00\x01\x1f control", "quote \" and \\ backslash", "\b\f\n\r\t", "/slash/",
         "1e5", ":1e-7,", "0.00001", "[0.00001]"]


class Colour(enum.StrEnum):
    RED = "red"


def standard(content: Any) -> bytes:
    return bytes(JSONResponse(content).body)


def random_value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(9 if depth < 4 else 6)
    if kind == 0:
        return rng.choice(TEXTS) + rng.choice(["", str(rng.random())])
    if kind == 1:
        return rng.choice([rng.randint(-10**6, 10**6), rng.choice(BIG_INTS), True, False, None])
    if kind == 2:
        return struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0]
    if kind == 3:
        return rng.uniform(-1, 1) * 10 ** rng.randint(-9, 20)
    if kind == 4:
        return rng.choice(EDGE_FLOATS)
    if kind == 5:
        return round(rng.uniform(0, 1000), rng.randint(0, 6))
    if kind == 6:
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(5))]
    return {rng.choice(TEXTS) + str(i): random_value(rng, depth + 1)
            for i in range(rng.randrange(5))}


@pytest.mark.parametrize("content", [
    *EDGE_FLOATS, *BIG_INTS, *TEXTS,
    {"floats": EDGE_FLOATS, "ints": BIG_INTS, "texts": TEXTS},
    {7: "int key", False: "bool key", None: "null key", 2.5: "float key"},
    (1, "tuple", [2, (3,)]),
    {"enum": Colour.RED, "nested": [Colour.RED]},
    {"deep": json.loads("[" * 300 + "]" * 300)},
    [], {}, None, True, 0,
], ids=repr)
def test_edge_values_encode_as_the_standard_encoder_does(content: Any) -> None:
    assert encode_json(content) == standard(content)


def test_random_payloads_encode_as_the_standard_encoder_does() -> None:
    rng = random.Random(20261201)
    payloads = [random_value(rng) for _ in range(3000)]
    checked = 0
    for payload in payloads:
        try:
            expected = standard(payload)
        except ValueError:  # NaN or infinity drawn from random bits: out of scope (docstring)
            continue
        assert encode_json(payload) == expected, payload
        checked += 1
    assert checked > 2500


def test_typed_answers_encode_as_the_standard_encoder_does() -> None:
    """`encode_typed` searches only the free-form values for floats: with every edge float and
    random payload as such a value, the bytes are still the standard encoder's."""
    rng = random.Random(20261207)
    free_forms = [*({"x": value} for value in EDGE_FLOATS),
                  *(random_value(rng) for _ in range(1000))]
    for free_form in free_forms:
        content = {"id": "rcp_1e5", "count": 3, "ok": True, "none": None,
                   "contact": {"properties": free_form, "channels": [{"platform_data": {}}]}}
        try:
            expected = standard(content)
        except ValueError:  # NaN or infinity: out of scope (the module's docstring)
            continue
        assert encode_typed(content, [free_form, {}]) == expected, free_form


FLOAT_PROPERTIES = """
seed: 3
clock: {mode: virtual, start: "2026-01-05T09:00:00Z"}
orgs:
  - id: org_f
    name: Floats
    api_keys: [key_f]
    contacts:
      - id: ct_f
        email: f@example.test
        properties: {tiny: 1.0e-7, huge: 1.0e+16, small: 0.00001, plain: 2.5, deep: [{x: 1.5e-5}]}
    broadcasts:
      - id: bc_f
        name: F
        type: TRANSACTIONAL
        status: ACTIVE
        templates:
          - {id: tpl_a, integration_id: gmail, config: {subject: S}}
          - {id: tpl_b, integration_id: twilio, config: {body: B}}
"""


async def test_a_sends_answer_spells_its_contacts_floats_as_the_standard_encoder() -> None:
    app = app_from_yaml(FLOAT_PROPERTIES, VirtualClock(START))
    async with client_for(app, "key_f") as client:
        sent = await client.post("/orgs/c/broadcasts/bc_f/send", json={"email": "f@example.test"})
    assert sent.status_code == 200, sent.text
    assert sent.content == standard(sent.json())
    assert b'"tiny":1e-07' in sent.content and b'"huge":1e+16' in sent.content


@pytest.mark.parametrize("content", [
    {"lone": "\ud800"},  # a lone surrogate: not encodable as UTF-8
    {"object": object()},
    {"set": {1, 2}},
])
def test_what_the_standard_encoder_refuses_is_refused_with_the_same_error(content: Any) -> None:
    with pytest.raises(Exception) as standard_error:
        standard(content)
    with pytest.raises(Exception) as fast_error:
        encode_json(content)
    assert type(fast_error.value) is type(standard_error.value)
    assert str(fast_error.value) == str(standard_error.value)


async def test_the_emulators_own_answers_encode_identically(client: httpx.AsyncClient) -> None:
    sent = await client.post("/orgs/c/broadcasts/bc_otp/send", json={
        "email": "zoë@example.test", "name": "Zoë 🎉", "variables": {"otp": "1e-7"}})
    assert sent.status_code == 200, sent.text
    answers = [sent]
    for path in ("/orgs/c/broadcasts", "/orgs/c/contacts", "/orgs/c/segments",
                 "/orgs/c/broadcasts/bc_otp/recipients"):
        answers.append(await client.get(path))
    for answer in answers:
        assert answer.status_code == 200, answer.text
        content = answer.json()
        assert encode_json(content) == standard(content) == answer.content


def test_headers_are_the_standard_responses() -> None:
    content = {"name": "Zoë", "n": [1, 2.5]}
    fast, slow = FastJSONResponse(content, status_code=201), JSONResponse(content, 201)
    assert fast.body == slow.body
    assert fast.raw_headers == slow.raw_headers
    assert fast.status_code == slow.status_code
