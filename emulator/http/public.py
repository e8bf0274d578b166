"""The documented public endpoints. Each handler: authorize → parse → one domain call → render."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from emulator.domain.broadcasts import (
    NewBroadcast,
    create_broadcast,
    get_broadcast,
    list_broadcasts,
)
from emulator.domain.entities import BroadcastStatus, BroadcastType, Flag, RecipientStatus
from emulator.domain.errors import ApiError
from emulator.domain.marketing import send_marketing
from emulator.domain.org import Org
from emulator.domain.recipients import RecipientFilter, list_recipients
from emulator.domain.transactional import Trigger, trigger
from emulator.http import query
from emulator.http.journal import ENTRY_KEY
from emulator.http.render import broadcast_json, recipient_json
from emulator.http.schemas import CreateBroadcastBody, SendBody, parse_body
from emulator.runtime import Runtime
from emulator.store import Store

T = TypeVar("T")

BROADCAST_STATUS_FILTER = ("ALL", *(s.value for s in BroadcastStatus))
RECIPIENT_STATUS_FILTER = ("ALL", *(s.value for s in RecipientStatus))
# The documented boolean filters of the recipients list (is_bounced is not among them).
FILTERABLE_FLAGS = tuple(flag for flag in Flag if flag is not Flag.BOUNCED)


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def store_of(request: Request) -> Store:
    return runtime_of(request).store


def open_org(request: Request) -> Org:
    """Check the API key and the general rate limit (on the org's clock, so a virtual clock
    can move past it), and catch the org up with its clock."""
    store = store_of(request)
    api_key = _bearer(request)
    org = store.authorize(api_key, request.path_params["org_id"])
    entry = request.scope.get(ENTRY_KEY)
    if entry is not None:  # the journal shows the real org, and the time on its clock
        entry.org_id = org.id
        entry.at = org.clock.now()
    store.check_general_limit(api_key or "", org)
    return org


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "Malformed Authorization header: expected 'Bearer <api key>'")
    return token.strip()


async def read_body(request: Request) -> bytes:
    try:
        return await request.body()
    except ClientDisconnect:
        raise ApiError(400, "The client disconnected before sending the whole body") from None


def paged(items: Sequence[T], params: query.Page, render: Callable[[T], Any]) -> JSONResponse:
    return JSONResponse([render(item) for item in params.slice(items)],
                        headers=params.headers(len(items)))


async def create_broadcast_endpoint(request: Request) -> Response:
    org = open_org(request)
    body = parse_body(CreateBroadcastBody, await read_body(request))
    broadcast = create_broadcast(org, NewBroadcast(
        name=body.name,
        type=BroadcastType(body.type or "MARKETING"),
        scheduled_at=body.scheduled_at,
        segment_ids=tuple(body.segment_ids or ()),
        send_to_all=bool(body.send_to_all),
    ))
    return JSONResponse(broadcast_json(org, broadcast))


async def list_broadcasts_endpoint(request: Request) -> Response:
    org = open_org(request)
    params = request.query_params
    status = query.choice(params, "status", BROADCAST_STATUS_FILTER)
    page = query.page_of(params)
    chosen = list_broadcasts(org, None if status in (None, "ALL") else BroadcastStatus(status))
    return paged(chosen, page, lambda b: broadcast_json(org, b))


async def list_recipients_endpoint(request: Request) -> Response:
    org = open_org(request)
    broadcast = get_broadcast(org, request.path_params["broadcast_id"])
    params = request.query_params
    status = query.choice(params, "status", RECIPIENT_STATUS_FILTER)
    flags: dict[Flag, bool] = {}
    for flag in FILTERABLE_FLAGS:
        value = query.boolean(params, flag.value)
        if value is not None:
            flags[flag] = value
    wanted = RecipientFilter(
        status=None if status in (None, "ALL") else RecipientStatus(status),
        flags=flags,
        integration_id=query.text(params, "integration_id"),
        contact_id=query.text(params, "contact_id"),
        user_id=query.text(params, "user_id"),
        username=query.text(params, "username"),
        email=query.text(params, "email"),
    )
    page = query.page_of(params)
    rows = list_recipients(broadcast, wanted)
    return paged(rows, page, lambda row: recipient_json(org, row))


async def send_endpoint(request: Request) -> Response:
    org = open_org(request)
    runtime = runtime_of(request)
    store = runtime.store
    broadcast = get_broadcast(org, request.path_params["broadcast_id"])
    store.check_send_limit(org)
    if broadcast.type is BroadcastType.MARKETING:
        # A marketing send takes no body; one that is sent anyway is not looked at.
        send_marketing(org, broadcast, store.policy_for(org))
        response = JSONResponse(broadcast_json(org, broadcast))
        runtime.kick_jobs()
        return response
    body = parse_body(SendBody, await read_body(request))
    rows = trigger(org, broadcast, Trigger(
        contact_channel_id=body.contact_channel_id,
        contact_id=body.contact_id,
        phone=body.phone,
        email=body.email,
        name=body.name,
        variables=body.variables or {},
        template_ids=list(dict.fromkeys(body.template_ids)) if body.template_ids else None,
        background=bool(body.background),
    ), store.policy_for(org))
    return JSONResponse({"recipients": [recipient_json(org, row) for row in rows]})
