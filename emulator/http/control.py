"""The emulator's own control surface under /_emulator: never mixed into the public routes, no
API key needed."""

from __future__ import annotations

import itertools
import re
from collections.abc import Awaitable, Callable
from fnmatch import fnmatchcase

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from emulator.clock import VirtualClock
from emulator.clock import format_timestamp as ts
from emulator.domain.broadcasts import add_template, get_broadcast, transition
from emulator.domain.errors import ApiError, FieldProblem, bad_request
from emulator.domain.magic import magic_table
from emulator.domain.marketing import cancel
from emulator.domain.org import Org
from emulator.domain.outbox import MessageFilter, messages
from emulator.fieldpath import format_path
from emulator.http import query
from emulator.http.public import read_body, runtime_of, store_of
from emulator.http.render import broadcast_json, message_json, recipient_json, template_json
from emulator.http.schemas import (
    AdvanceBody,
    NewOrgBody,
    ResetBody,
    TemplateBody,
    parse_body,
)
from emulator.scenario.load import load_scenario_json, load_scenario_text
from emulator.scenario.problems import ScenarioError
from emulator.store import NewOrg

Endpoint = Callable[[Request], Awaitable[Response]]


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def reset(request: Request) -> Response:
    body = parse_body(ResetBody, await read_body(request))
    runtime_of(request).reset(body.org_id)
    return JSONResponse({"status": "ok", "org_id": body.org_id})


def broadcast_action(action: str) -> Endpoint:
    """activate / pause / resume a transactional broadcast; answers the broadcast."""

    async def endpoint(request: Request) -> Response:
        org = store_of(request).org(request.path_params["org_id"])
        broadcast = get_broadcast(org, request.path_params["broadcast_id"])
        transition(org, broadcast, action)
        return JSONResponse(broadcast_json(org, broadcast))

    return endpoint


async def cancel_endpoint(request: Request) -> Response:
    org = store_of(request).org(request.path_params["org_id"])
    broadcast = get_broadcast(org, request.path_params["broadcast_id"])
    cancel(org, broadcast)
    return JSONResponse(broadcast_json(org, broadcast))


async def add_template_endpoint(request: Request) -> Response:
    org = store_of(request).org(request.path_params["org_id"])
    broadcast = get_broadcast(org, request.path_params["broadcast_id"])
    body = parse_body(TemplateBody, await read_body(request))
    template = add_template(org, broadcast, body.id, body.integration_id, body.config)
    return JSONResponse(template_json(template))


def _clock_json(orgs: list[Org]) -> JSONResponse:
    return JSONResponse({"orgs": [
        {"org_id": org.id, "mode": "virtual" if isinstance(org.clock, VirtualClock) else "real",
         "now": ts(org.clock.now()), "pending": len(org.scheduler)}
        for org in orgs
    ]})


def _orgs_of(request: Request, org_id: str | None) -> list[Org]:
    """One org or all, each caught up with its clock first."""
    store = store_of(request)
    if org_id is not None:
        return [store.org(org_id)]
    orgs = list(store.orgs.values())
    for org in orgs:
        org.catch_up()
    return orgs


async def get_clock(request: Request) -> Response:
    org_id = query.text(request.query_params, "org_id")
    return _clock_json(_orgs_of(request, org_id))


async def advance_clock(request: Request) -> Response:
    """Moves virtual time and answers once everything that fell due has run, webhooks included."""
    body = parse_body(AdvanceBody, await read_body(request))
    runtime = runtime_of(request)
    orgs = runtime.store.advance(body.seconds, body.org_id)
    await runtime.webhooks.flush()
    return _clock_json(orgs)


async def magic(request: Request) -> Response:
    """The table, and whether it applies (to one org with `?org_id=`: orgs built from a test's
    own scenario follow that scenario's setting)."""
    store = store_of(request)
    org_id = query.text(request.query_params, "org_id")
    enabled = (store.policy_for(store.org(org_id)).magic_addresses if org_id is not None
               else store.spec.magic_addresses)
    return JSONResponse({"enabled": enabled, "addresses": [
        {"address": m.pattern, "outcome": m.outcome.value, "error_message": m.error_message,
         "convention": m.source}
        for m in magic_table()
    ]})


async def list_suppressions(request: Request) -> Response:
    org_id = query.text(request.query_params, "org_id")
    return JSONResponse([
        {"org_id": org.id, "address": s.address, "reason": s.reason,
         "created_at": ts(s.created_at), "recipient_id": s.recipient_id,
         "broadcast_id": s.broadcast_id}
        for org in _orgs_of(request, org_id) for s in org.suppressions.values()
    ])


async def clear_suppressions(request: Request) -> Response:
    org_id = query.text(request.query_params, "org_id")
    cleared = 0
    for org in _orgs_of(request, org_id):
        cleared += len(org.suppressions)
        org.suppressions.clear()
    return JSONResponse({"cleared": cleared})


async def list_webhooks(request: Request) -> Response:
    params = request.query_params
    org_id = query.text(params, "org_id")
    state = query.choice(params, "state", ("pending", "delivered", "failed"))
    event = query.text(params, "event")
    deliveries = [
        d for d in reversed(runtime_of(request).webhooks.log)
        if (org_id is None or d.org_id == org_id) and (state is None or d.state == state)
        and (event is None or d.event == event)
    ]
    return JSONResponse([d.json() for d in deliveries])


def _scenario_error(error: ScenarioError) -> ApiError:
    return ApiError(400, str(error), [
        FieldProblem(format_path(p.path), f"line {p.line}, column {p.column}: {p.message}")
        for p in error.problems
    ])


async def put_scenario(request: Request) -> Response:
    """Replace the running state with a scenario sent as YAML or JSON (JSON is YAML)."""
    raw = await read_body(request)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "The scenario must be UTF-8 text (YAML or JSON)") from None
    try:
        spec = load_scenario_text(text, "<request body>",
                                  limits=request.app.state.scenario_limits)
    except ScenarioError as error:
        raise _scenario_error(error) from None
    runtime_of(request).load(spec)
    store = store_of(request)
    return JSONResponse({"status": "ok", "orgs": [
        {"id": org.id, "name": org.name, "api_keys": org.api_keys} for org in store.orgs.values()
    ]})


async def create_org(request: Request) -> Response:
    """A fresh isolated org with a new key: how tests isolate themselves on one server."""
    body = parse_body(NewOrgBody, await read_body(request))
    if body.copy_of is not None and body.scenario is not None:
        raise ApiError(400, "Give copy_of or scenario, not both")
    if body.org is not None and body.scenario is None:
        raise bad_request("org: names an org of `scenario`, which is missing", "org")
    scenario = None
    if body.scenario is not None:
        try:
            scenario = load_scenario_json(body.scenario, "<scenario>",
                                          request.app.state.scenario_limits)
        except ScenarioError as error:
            raise _scenario_error(error) from None
    org = store_of(request).create_org(NewOrg(
        name=body.name, parent=body.parent, copy_of=body.copy_of, scenario=scenario,
        scenario_org=body.org, clock_mode=body.clock.mode if body.clock else None,
        clock_start=body.clock.start if body.clock else None,
    ))
    return JSONResponse({"id": org.id, "api_key": org.api_keys[0], "name": org.name,
                         "parent": org.parent_id, "now": ts(org.clock.now())})


async def delete_org(request: Request) -> Response:
    org_id = request.path_params["org_id"]
    runtime_of(request).delete_org(org_id)
    return JSONResponse({"deleted": org_id})


async def get_broadcast_endpoint(request: Request) -> Response:
    org = store_of(request).org(request.path_params["org_id"])
    broadcast = get_broadcast(org, request.path_params["broadcast_id"])
    return JSONResponse(broadcast_json(org, broadcast))


async def get_recipient_endpoint(request: Request) -> Response:
    org = store_of(request).org(request.path_params["org_id"])
    broadcast = get_broadcast(org, request.path_params["broadcast_id"])
    wanted = request.path_params["recipient_id"]
    row = next((r for r in reversed(broadcast.recipients) if r.id == wanted), None)
    if row is None:
        raise ApiError(404, f"Recipient '{wanted}' not found in broadcast '{broadcast.id}'")
    return JSONResponse(recipient_json(org, row))


async def list_messages(request: Request) -> Response:
    params = request.query_params
    org_id = query.text(params, "org_id")
    orgs = _orgs_of(request, org_id)
    wanted = MessageFilter(
        org_id=org_id,
        broadcast_id=query.text(params, "broadcast_id"),
        to=query.text(params, "to"),
        integration_id=query.text(params, "integration_id"),
    )
    limit = query.limit_of(params)
    found = itertools.islice(messages(orgs, wanted), limit)
    return JSONResponse([message_json(m) for m in found])


async def list_requests(request: Request) -> Response:
    params = request.query_params
    method = query.text(params, "method")
    path = query.text(params, "path")
    org_id = query.text(params, "org_id")
    status = query.text(params, "status")
    if status is not None and not re.fullmatch(r"[0-9]{3}", status):
        raise bad_request("status must be a number such as 429", "status")
    limit = query.limit_of(params)
    entries = (
        e for e in reversed(runtime_of(request).journal.entries)
        if (method is None or e.method == method.upper())
        and (path is None or fnmatchcase(e.path, path))
        and (org_id is None or e.org_id == org_id)
        and (status is None or e.status == int(status))
    )
    return JSONResponse([e.json() for e in itertools.islice(entries, limit)])


async def clear_requests(request: Request) -> Response:
    return JSONResponse({"cleared": runtime_of(request).journal.clear()})
