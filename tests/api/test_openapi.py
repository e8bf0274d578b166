"""The OpenAPI document: valid 3.1, served at /openapi.json and printed by the CLI, complete
(every route of the table is described), and the self-contract hook that checks every answer
of the suite against it really fails on a mismatch."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import replace
from typing import Any

import anyio
import httpx
import pytest
from openapi_spec_validator import validate
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from support.apps import app_from_yaml
from support.contract import ORIGINAL_CALL, Contract
from support.wire import START

from emulator import create_app
from emulator.http.openapi import routed_operations
from emulator.http.operation import Handler
from emulator.http.routes import OPERATIONS, ROUTES
from emulator.testing import VirtualClock

Json = dict[str, Any]

pytestmark = pytest.mark.anyio


@pytest.fixture
async def document(anon: httpx.AsyncClient) -> Json:
    response = await anon.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body: Json = response.json()
    return body


async def test_the_served_document_is_valid_openapi_3_1(document: Json) -> None:
    assert document["openapi"] == "3.1.0"
    validate(document)


@pytest.mark.slow  # a subprocess: left out by `dev.py test --fast`
async def test_the_cli_prints_the_served_document(document: Json) -> None:
    with anyio.fail_after(60):
        printed = await anyio.run_process([sys.executable, "-m", "emulator", "openapi"])
    assert json.loads(printed.stdout) == document


def test_every_route_has_an_entry_and_every_entry_a_route() -> None:
    routed = {(method, path) for method, path, _ in routed_operations(ROUTES)}
    assert set(OPERATIONS) == routed


def test_a_route_without_an_entry_is_an_error() -> None:
    async def endpoint(request: Any) -> JSONResponse:
        return JSONResponse({})

    with pytest.raises(LookupError, match="GET /_emulator/forgotten"):
        routed_operations([*ROUTES, Route("/_emulator/forgotten", endpoint)])


async def test_public_operations_need_the_bearer_key_and_the_control_surface_none(
        document: Json) -> None:
    bearer = document["components"]["securitySchemes"]["bearer"]
    assert (bearer["type"], bearer["scheme"]) == ("http", "bearer")
    for path, item in document["paths"].items():
        for operation in item.values():
            public = path.startswith("/orgs/")
            assert operation["security"] == ([{"bearer": []}] if public else []), path
            assert (operation["tags"] == ["emulator control"]) is not public, path
            if public:
                assert {"401", "404", "429"} <= set(operation["responses"]), path


async def test_lists_document_their_pagination_headers_and_429_its_retry_after(
        document: Json) -> None:
    listing = document["paths"]["/orgs/{org_id}/broadcasts"]["get"]["responses"]
    assert set(listing["200"]["headers"]) == {"pagination-count", "pagination-page",
                                              "pagination-take"}
    assert listing["429"]["headers"]["Retry-After"]["required"] is True
    send = document["paths"]["/orgs/{org_id}/broadcasts/{broadcast_id}/send"]["post"]
    assert {"400", "401", "404", "413", "429"} <= set(send["responses"])


async def test_request_schemas_come_from_the_parsing_models(document: Json) -> None:
    schemas = document["components"]["schemas"]
    create = schemas["CreateBroadcastBody"]
    assert create["additionalProperties"] is False
    assert create["required"] == ["name"]
    assert create["properties"]["name"]["maxLength"] == 255
    assert schemas["Segment"]["properties"]["color"]["enum"][0] == "red"
    assert "ACTIVE" in schemas["BroadcastStatus"]["enum"]


# --- the self-contract hook itself -------------------------------------------------------------


def _checked_client(app: Starlette, contract: Contract, original: Any) -> httpx.AsyncClient:
    """A client whose emulator is checked by `contract` alone (not the session's)."""
    call = contract.wrap(original)

    async def checked(scope: Any, receive: Any, send: Any) -> None:
        await call(app, scope, receive, send)

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=checked),
                             base_url="http://emulator.test")


async def test_the_hook_reports_an_answer_the_document_does_not_allow(
        pytestconfig: pytest.Config, monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app(clock=VirtualClock(START))
    async def drifted(request: Request) -> Response:
        return JSONResponse({"status": "ok", "uptime": 3})

    _replace_handler(monkeypatch, "GET", "/_emulator/health", drifted)
    contract = Contract.build()
    async with _checked_client(app, contract, pytestconfig.stash[ORIGINAL_CALL]) as http:
        assert (await http.get("/_emulator/health")).status_code == 200
        assert (await http.get("/_emulator/magic")).status_code == 200
    problems = contract.take_problems()
    assert len(problems) == 1, problems
    assert "GET /_emulator/health answered 200" in problems[0]
    assert "'uptime' was unexpected" in problems[0]


async def test_the_hook_reports_an_undocumented_status(
        pytestconfig: pytest.Config, monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app(clock=VirtualClock(START))
    async def conflict(request: Request) -> Response:
        body = {"statusCode": 409, "error": "Conflict", "message": "in use"}
        return JSONResponse(body, status_code=409)

    _replace_handler(monkeypatch, "DELETE", "/_emulator/orgs/{org_id}", conflict)
    contract = Contract.build()
    async with _checked_client(app, contract, pytestconfig.stash[ORIGINAL_CALL]) as http:
        assert (await http.delete("/_emulator/orgs/org_x")).status_code == 409
    problems = contract.take_problems()
    assert len(problems) == 1 and "status 409 is not documented" in problems[0], problems


def _replace_handler(monkeypatch: pytest.MonkeyPatch, method: str, path: str,
                     handler: Handler) -> None:
    """Serves `method path` with `handler` until the test ends (the dispatch looks the
    operation up in its route on every request)."""
    route = next(r for r in ROUTES if r.path == path)
    monkeypatch.setitem(route.operations, method, replace(route.operations[method],
                                                          handler=handler))


async def test_router_answers_are_checked_as_envelopes(pytestconfig: pytest.Config) -> None:
    app = create_app(clock=VirtualClock(START))
    contract = Contract.build()
    async with _checked_client(app, contract, pytestconfig.stash[ORIGINAL_CALL]) as http:
        assert (await http.post("/_emulator/health")).status_code == 405
        assert (await http.get("/no/such/route")).status_code == 404
    assert contract.take_problems() == []
    assert contract.checked == 2


async def test_injected_faults_are_exempt(pytestconfig: pytest.Config) -> None:
    app = app_from_yaml("""
seed: 1
orgs:
  - id: org_a
    api_keys: [key_a]
faults:
  - when: {method: GET, path: "/orgs/*/broadcasts"}
    respond: {status: 418, message: "injected"}
""", VirtualClock(START))
    contract = Contract.build()
    async with _checked_client(app, contract, pytestconfig.stash[ORIGINAL_CALL]) as http:
        answer = await http.get("/orgs/c/broadcasts", headers={"Authorization": "Bearer key_a"})
        assert answer.status_code == 418
    assert contract.take_problems() == []
    assert contract.checked == 0


def _request_schemas(document: Json) -> list[tuple[str, Json]]:
    """Every request body's schema and the schemas nested in it."""
    schemas = document["components"]["schemas"]
    names = [op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
             for item in document["paths"].values() for op in item.values()
             if "schema" in op.get("requestBody", {}).get("content", {}).get(
                 "application/json", {}) and "$ref" in
             op["requestBody"]["content"]["application/json"]["schema"]]
    found: dict[str, Json] = {}
    while names:
        name = names.pop()
        if name in found:
            continue
        found[name] = schemas[name]
        names += [ref.rsplit("/", 1)[1] for ref in
                  re.findall(r'"\$ref": "([^"]+)"', json.dumps(schemas[name]))]
    return sorted(found.items())


async def test_optional_request_fields_are_absent_not_null(document: Json) -> None:
    nullable = {("UpdateContactBody", "name")}  # a PATCH's null clears the name
    for name, schema in _request_schemas(document):
        for field, spec in schema.get("properties", {}).items():
            assert "default" not in spec or spec["default"] is not None, (name, field)
            if (name, field) not in nullable:
                assert {"type": "null"} not in spec.get("anyOf", []), (name, field)
    send = document["components"]["schemas"]["CreateBroadcastBody"]
    assert send["required"] == ["name"]


async def test_examples_are_real_requests_and_errors_carry_their_own_status(
        document: Json, client: httpx.AsyncClient) -> None:
    send = document["paths"]["/orgs/{org_id}/broadcasts/{broadcast_id}/send"]["post"]
    example = send["requestBody"]["content"]["application/json"]["example"]
    assert {"email", "variables"} <= set(example)
    answer = await client.post("/orgs/c/broadcasts/bc_otp/send", json=example)
    assert answer.status_code == 200, answer.text
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if status == "200":
                    continue
                shown = response["content"]["application/json"]["example"]
                assert shown["statusCode"] == int(status), (method, path, status)


async def test_descriptions_carry_no_internal_notes(document: Json) -> None:
    text = json.dumps(document)
    assert "Seed 0" not in text
    assert document["components"]["schemas"]["BroadcastStatus"]["enum"][-2:] == [
        "ACTIVE", "PAUSED"]
    assert "Status: Active" in document["components"]["schemas"]["BroadcastStatus"][
        "description"]
