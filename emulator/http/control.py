"""The control surface's commands under /_emulator (no API key): reset, load a scenario, move
clocks, make and remove orgs, drive broadcasts. Each handler: parse → one call → render."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.broadcasts import BroadcastAction, add_template, get_broadcast, transition
from emulator.domain.errors import ApiError, FieldProblem, bad_request
from emulator.domain.marketing import cancel
from emulator.http.common import emulator_of, read_body
from emulator.http.fastjson import FastJSONResponse
from emulator.http.render import broadcast_json, clocks_json, template_json
from emulator.http.schemas import AdvanceBody, NewOrgBody, ResetBody, TemplateBody, parse_body
from emulator.inspection import clocks
from emulator.scenario.blueprint import NewOrg
from emulator.scenario.load import load_scenario_json, load_scenario_text
from emulator.scenario.problems import ScenarioError
from emulator.scenario.schema import ScenarioSpec
from emulator.statefile import StateFileError, save_state
from emulator.support.clock import format_timestamp as ts
from emulator.support.fieldpath import format_path

Endpoint = Callable[[Request], Awaitable[Response]]


async def health(request: Request) -> Response:
    return FastJSONResponse({"status": "ok"})


async def reset(request: Request) -> Response:
    body = parse_body(ResetBody, await read_body(request))
    await emulator_of(request).reset(body.org_id)
    return FastJSONResponse({"status": "ok", "org_id": body.org_id})


def broadcast_action(action: BroadcastAction) -> Endpoint:
    """activate / pause / resume a transactional broadcast; answers the broadcast."""

    async def endpoint(request: Request) -> Response:
        org = await emulator_of(request).org(request.path_params["org_id"])
        broadcast = get_broadcast(org, request.path_params["broadcast_id"])
        transition(org, broadcast, action)
        return FastJSONResponse(broadcast_json(org, broadcast))

    return endpoint


async def cancel_endpoint(request: Request) -> Response:
    org = await emulator_of(request).org(request.path_params["org_id"])
    broadcast = get_broadcast(org, request.path_params["broadcast_id"])
    cancel(org, broadcast)
    return FastJSONResponse(broadcast_json(org, broadcast))


async def add_template_endpoint(request: Request) -> Response:
    raw = await read_body(request)
    org = await emulator_of(request).org(request.path_params["org_id"])
    broadcast = get_broadcast(org, request.path_params["broadcast_id"])
    body = parse_body(TemplateBody, raw)
    template = add_template(org, broadcast, body.id, body.integration_id, body.config)
    return FastJSONResponse(template_json(template))


async def advance_clock(request: Request) -> Response:
    """Moves virtual time and answers once everything that fell due has run, webhooks included."""
    body = parse_body(AdvanceBody, await read_body(request))
    orgs = await emulator_of(request).advance(body.seconds, body.org_id)
    return FastJSONResponse(clocks_json(clocks(orgs)))


async def snapshot(request: Request) -> Response:
    """Save the state file now (docs/sidecar.md, "State file")."""
    state_file = request.app.state.settings.state_file
    if not state_file:
        raise ApiError(409, "No state file is configured; start the emulator with --state-file "
                            "PATH (or INVENT_EMULATOR_STATE_FILE) to save its state")
    try:
        size = save_state(emulator_of(request), Path(state_file))
    except StateFileError as error:
        raise ApiError(500, str(error)) from None
    return FastJSONResponse({"saved": state_file, "bytes": size})


async def put_scenario(request: Request) -> Response:
    """Replace the running state with a scenario sent as YAML or JSON (JSON is YAML)."""
    raw = await read_body(request)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "The scenario must be UTF-8 text (YAML or JSON)") from None
    emulator = emulator_of(request)
    limits = request.app.state.scenario_limits
    spec = await asyncio.to_thread(
        _scenario, lambda: load_scenario_text(text, "<request body>", limits=limits))
    await emulator.load(spec)
    return FastJSONResponse({"status": "ok", "orgs": [
        {"id": org.id, "name": org.name, "api_keys": org.api_keys}
        for org in emulator.registry.orgs.values()
    ]})


async def create_org(request: Request) -> Response:
    """A fresh isolated org with a new key: how tests isolate themselves on one server."""
    body = parse_body(NewOrgBody, await read_body(request))
    if body.copy_of is not None and body.scenario is not None:
        raise ApiError(400, "Give copy_of or scenario, not both")
    if body.org is not None and body.scenario is None:
        raise bad_request("org: names an org of `scenario`, which is missing", "org")
    given = body.scenario
    limits = request.app.state.scenario_limits
    scenario = (None if given is None else await asyncio.to_thread(
        _scenario, lambda: load_scenario_json(given, "<scenario>", limits)))
    org = await emulator_of(request).create_org(NewOrg(
        name=body.name, parent=body.parent, copy_of=body.copy_of, scenario=scenario,
        scenario_org=body.org, clock_mode=body.clock.mode if body.clock else None,
        clock_start=body.clock.start if body.clock else None,
    ))
    return FastJSONResponse({"id": org.id, "api_key": org.api_keys[0], "name": org.name,
                         "parent": org.parent_id, "now": ts(org.clock.now())})


async def delete_org(request: Request) -> Response:
    org_id = request.path_params["org_id"]
    emulator_of(request).delete_org(org_id)
    return FastJSONResponse({"deleted": org_id})


def _scenario(load: Callable[[], ScenarioSpec]) -> ScenarioSpec:
    """A scenario from a request, or a 400 listing its problems with line and column."""
    try:
        return load()
    except ScenarioError as error:
        raise ApiError(400, str(error), [
            FieldProblem(format_path(p.path), f"line {p.line}, column {p.column}: {p.message}")
            for p in error.problems
        ]) from None
