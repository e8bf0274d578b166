"""The control surface's queries under /_emulator: clocks, magic addresses, suppressions, the
webhook log, the outbox, the request journal, and broadcasts and rows by id."""

from __future__ import annotations

import re

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response

import emulator.inspection as inspection
from emulator.domain.errors import bad_request
from emulator.domain.outbox import MESSAGE_OUTCOMES, MessageFilter
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
    recipient_json,
    suppression_json,
    webhook_delivery_json,
    why_json,
)
from emulator.journal import EntryFilter


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


# `wait` on the outbox: longer would outlive the plugin's (and most clients') read timeout.
MAX_WAIT_SECONDS = 30


def message_filter(params: QueryParams) -> MessageFilter:
    """The outbox's filters, shared by the list and by the inbox UI."""
    needle = (query.text(params, "q") or "").strip().lower()
    return MessageFilter(
        org_id=query.text(params, "org_id"),
        broadcast_id=query.text(params, "broadcast_id"),
        to=query.text(params, "to"),
        integration_id=query.text(params, "integration_id"),
        q=needle or None,
        outcome=query.choice(params, "status", MESSAGE_OUTCOMES),
        since=query.moment(params, "since"),
        until=query.moment(params, "until"),
        include_skipped=bool(query.boolean(params, "include_skipped")),
    )


async def list_messages(request: Request) -> Response:
    """Newest first; `limit`, or `page`/`take` with `pagination-count`; with `wait`, answers as
    soon as something matches, or [] when the wait ends."""
    params = request.query_params
    emulator = emulator_of(request)
    wanted = message_filter(params)
    wait = query.seconds(params, "wait", MAX_WAIT_SECONDS)
    paged = "page" in params or "take" in params
    if paged and "limit" in params:
        raise bad_request("Give either limit or page/take, not both", "limit")
    page = query.page_of(params) if paged else None
    limit = page.take if page is not None else query.limit_of(params)
    offset = page.offset if page is not None else 0
    if wait:
        found = await inspection.wait_for_outbox(emulator, wanted, limit, wait, offset)
    else:
        found = await inspection.outbox(emulator, wanted, limit, offset)
    headers = None
    if page is not None:
        headers = page.headers(await inspection.outbox_count(emulator, wanted))
    return FastJSONResponse([message_json(m) for m in found], headers=headers)


async def clear_messages(request: Request) -> Response:
    org_id = query.text(request.query_params, "org_id")
    if not org_id:
        raise bad_request("org_id is required: clearing hides one org's messages", "org_id")
    return FastJSONResponse({"cleared": await inspection.clear_outbox(emulator_of(request),
                                                                      org_id)})


async def hide_message(request: Request) -> Response:
    params = request.path_params
    cleared = await inspection.hide_message(emulator_of(request), params["org_id"],
                                            params["recipient_id"])
    return FastJSONResponse({"cleared": cleared})


async def list_requests(request: Request) -> Response:
    params = request.query_params
    status = query.text(params, "status")
    if status is not None and not re.fullmatch(r"[0-9]{3}", status):
        raise bad_request("status must be a number such as 429", "status")
    wanted = EntryFilter(
        method=query.text(params, "method"), path=query.text(params, "path"),
        org_id=query.text(params, "org_id"), status=int(status) if status else None,
    )
    entries = inspection.journal(emulator_of(request), wanted, query.limit_of(params))
    return FastJSONResponse([journal_entry_json(e) for e in entries])


async def clear_requests(request: Request) -> Response:
    return FastJSONResponse({"cleared": emulator_of(request).journal.clear()})


async def get_broadcast(request: Request) -> Response:
    org, broadcast = await inspection.broadcast(emulator_of(request), request.path_params["org_id"],
                                          request.path_params["broadcast_id"])
    return FastJSONResponse(broadcast_json(org, broadcast))


async def get_recipient(request: Request) -> Response:
    params = request.path_params
    org, row = await inspection.recipient(emulator_of(request), params["org_id"],
                                    params["broadcast_id"], params["recipient_id"])
    return FastJSONResponse({**recipient_json(org, row), "why": why_json(row.why)})
