"""The control surface's queries under /_emulator: clocks, magic addresses, suppressions, the
webhook log, the outbox, the request journal, broadcasts and rows by id, an org's run-time
faults and outcome rules, and an org exported as a scenario."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response

import emulator.inspection as inspection
from emulator.domain.errors import bad_request
from emulator.domain.outbox import MessageFilter
from emulator.domain.rules import magic_table
from emulator.domain.webhooks import DeliveryState
from emulator.http import query
from emulator.http.common import emulator_of
from emulator.http.fastjson import FastJSONResponse
from emulator.http.render import (
    broadcast_json,
    clocks_json,
    journal_entry_json,
    message_json,
    outcomes_json,
    recipient_json,
    run_time_fault_json,
    suppression_json,
    webhook_delivery_json,
    why_json,
)
from emulator.journal import EntryFilter
from emulator.scenario.export import export_org as scenario_export


async def get_clock(request: Request) -> Response:
    org_id = query.text(request.query_params, "org_id")
    orgs = await emulator_of(request).orgs(org_id)
    return FastJSONResponse(clocks_json(inspection.clocks(orgs)))


async def magic(request: Request) -> Response:
    """The table, and whether it applies (to one org with `?org_id=`)."""
    enabled = await inspection.magic_enabled(emulator_of(request),
                                       query.text(request.query_params, "org_id"))
    return FastJSONResponse({"enabled": enabled, "addresses": [
        {"address": m.pattern, "outcome": m.outcome.value, "error_message": m.error_message,
         "convention": m.source}
        for m in magic_table()
    ]})


async def list_suppressions(request: Request) -> Response:
    org_id = query.text(request.query_params, "org_id")
    found = await inspection.suppressions(emulator_of(request), org_id)
    return FastJSONResponse([suppression_json(org, s) for org, s in found])


async def clear_suppressions(request: Request) -> Response:
    org_id = query.text(request.query_params, "org_id")
    cleared = await inspection.clear_suppressions(emulator_of(request), org_id)
    return FastJSONResponse({"cleared": cleared})


async def list_webhooks(request: Request) -> Response:
    params = request.query_params
    state = query.choice(params, "state", tuple(s.value for s in DeliveryState))
    wanted = inspection.DeliveryFilter(
        org_id=query.text(params, "org_id"),
        state=DeliveryState(state) if state is not None else None,
        event=query.text(params, "event"),
    )
    log = inspection.webhook_log(emulator_of(request), wanted)
    return FastJSONResponse([webhook_delivery_json(d) for d in log])


async def list_messages(request: Request) -> Response:
    params = request.query_params
    wanted = MessageFilter(
        org_id=query.text(params, "org_id"),
        broadcast_id=query.text(params, "broadcast_id"),
        to=query.text(params, "to"),
        integration_id=query.text(params, "integration_id"),
    )
    found = await inspection.outbox(emulator_of(request), wanted, query.limit_of(params))
    return FastJSONResponse([message_json(m) for m in found])


async def list_requests(request: Request) -> Response:
    params = request.query_params
    status = query.text(params, "status")
    if status is not None and not re.fullmatch(r"[0-9]{3}", status):
        raise bad_request("status must be a number such as 429", "status")
    wanted = EntryFilter(
        method=query.text(params, "method"), path=query.text(params, "path"),
        org_id=query.text(params, "org_id"), status=int(status) if status else None,
    )
    entries, count = inspection.journal(emulator_of(request), wanted, query.limit_of(params))
    return FastJSONResponse([journal_entry_json(e) for e in entries],
                            headers={"pagination-count": str(count)})


async def clear_requests(request: Request) -> Response:
    return FastJSONResponse({"cleared": emulator_of(request).journal.clear()})


async def list_faults(request: Request) -> Response:
    org = await emulator_of(request).org(request.path_params["org_id"])
    return FastJSONResponse([run_time_fault_json(f) for f in org.faults.rules])


async def get_outcomes(request: Request) -> Response:
    org = await emulator_of(request).org(request.path_params["org_id"])
    return FastJSONResponse(outcomes_json(org))


async def export_org(request: Request) -> Response:
    """The org as scenario YAML (contacts, segments, broadcasts, rules, webhooks; no rows)."""
    org = await emulator_of(request).org(request.path_params["org_id"])
    return Response(scenario_export(org), media_type="application/yaml")


async def get_broadcast(request: Request) -> Response:
    org, broadcast = await inspection.broadcast(emulator_of(request), request.path_params["org_id"],
                                          request.path_params["broadcast_id"])
    return FastJSONResponse(broadcast_json(org, broadcast))


async def get_recipient(request: Request) -> Response:
    params = request.path_params
    org, row = await inspection.recipient(emulator_of(request), params["org_id"],
                                    params["broadcast_id"], params["recipient_id"])
    return FastJSONResponse({**recipient_json(org, row), "why": why_json(row.why)})
