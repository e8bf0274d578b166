"""The documented broadcast endpoints. Each handler: read → authorize → parse → one domain call →
render. The body is read before anything else, so nothing can change the org between the
authorization and the change the request makes (a reset arriving mid-body included)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.broadcasts import (
    NewBroadcast,
    create_broadcast,
    get_broadcast,
    list_broadcasts,
)
from emulator.domain.entities import (
    WIRE_FLAGS,
    BroadcastStatus,
    BroadcastType,
    Flag,
    RecipientStatus,
)
from emulator.domain.marketing import send_marketing
from emulator.domain.recipients import RecipientFilter, page_recipients
from emulator.domain.transactional import Trigger, trigger
from emulator.http import query
from emulator.http.cached import broadcast_bytes, json_answer, json_array, paged_bytes, row_bytes
from emulator.http.common import emulator_of, open_org, read_body
from emulator.http.fastjson import FastJSONResponse
from emulator.http.render import broadcast_json, recipient_json
from emulator.http.schemas import CreateBroadcastBody, SendBody, parse_body

BROADCAST_STATUS_FILTER = ("ALL", *(s.value for s in BroadcastStatus))
RECIPIENT_STATUS_FILTER = ("ALL", *(s.value for s in RecipientStatus))
# The documented boolean filters of the recipients list (is_bounced is not among them).
FILTERABLE_FLAGS = tuple(flag for flag in WIRE_FLAGS if flag is not Flag.BOUNCED)


async def create_broadcast_endpoint(request: Request) -> Response:
    raw = await read_body(request)
    org = await open_org(request)
    body = parse_body(CreateBroadcastBody, raw)
    broadcast = create_broadcast(org, NewBroadcast(
        name=body.name,
        type=BroadcastType(body.type or "MARKETING"),
        scheduled_at=body.scheduled_at,
        segment_ids=tuple(body.segment_ids or ()),
        send_to_all=bool(body.send_to_all),
    ))
    return FastJSONResponse(broadcast_json(org, broadcast))


async def list_broadcasts_endpoint(request: Request) -> Response:
    org = await open_org(request)
    params = request.query_params
    status = query.choice(params, "status", BROADCAST_STATUS_FILTER)
    page = query.page_of(params)
    chosen = list_broadcasts(org, None if status in (None, "ALL") else BroadcastStatus(status))
    emulator = emulator_of(request)
    return paged_bytes(chosen, page, lambda b: broadcast_bytes(emulator, org, b))


async def list_recipients_endpoint(request: Request) -> Response:
    org = await open_org(request)
    broadcast = get_broadcast(org, request.path_params["broadcast_id"])
    wanted = _recipient_filter(request)
    page = query.page_of(request.query_params)
    rows, count = page_recipients(broadcast, wanted, page.offset, page.take)
    emulator = emulator_of(request)
    return json_answer(json_array(row_bytes(emulator, org, row) for row in rows),
                       page.headers(count))


def _recipient_filter(request: Request) -> RecipientFilter:
    params = request.query_params
    status = query.choice(params, "status", RECIPIENT_STATUS_FILTER)
    flags: dict[Flag, bool] = {}
    for flag in FILTERABLE_FLAGS:
        value = query.boolean(params, flag.value)
        if value is not None:
            flags[flag] = value
    return RecipientFilter(
        status=None if status in (None, "ALL") else RecipientStatus(status),
        flags=flags,
        integration_id=query.text(params, "integration_id"),
        contact_id=query.text(params, "contact_id"),
        user_id=query.text(params, "user_id"),
        username=query.text(params, "username"),
        email=query.text(params, "email"),
    )


async def send_endpoint(request: Request) -> Response:
    raw = await read_body(request)
    org = await open_org(request)
    broadcast = get_broadcast(org, request.path_params["broadcast_id"])
    org.limits.check_send(org.clock.now())
    if broadcast.type is BroadcastType.MARKETING:
        # A marketing send takes no body; one that is sent anyway is not looked at.
        send_marketing(org, broadcast)
        response = FastJSONResponse(broadcast_json(org, broadcast))
        emulator_of(request).kick_jobs()
        return response
    body = parse_body(SendBody, raw)
    rows = trigger(org, broadcast, Trigger(
        contact_channel_id=body.contact_channel_id,
        contact_id=body.contact_id,
        phone=body.phone,
        email=body.email,
        name=body.name,
        variables=body.variables or {},
        template_ids=body.template_ids,
        background=bool(body.background),
    ))
    return FastJSONResponse({"recipients": [recipient_json(org, row) for row in rows]})
