"""Broadcasts and their templates: answer models beside the functions that render them, the
documented broadcast endpoints, and the control surface's commands on one broadcast (activate,
pause, resume, cancel, add a template, look it up). Each handler: read → authorize → parse → one
domain call → render. The body is read before anything else, so nothing can change the org
between the authorization and the change the request makes (a reset arriving mid-body
included)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

import emulator.inspection as inspection
from emulator import paths
from emulator.domain import entities
from emulator.domain.broadcasts import (
    BroadcastAction,
    NewBroadcast,
    add_template,
    create_broadcast,
    get_broadcast,
    list_broadcasts,
    transition,
)
from emulator.domain.entities import BroadcastStatus, BroadcastType, Integration
from emulator.domain.marketing import cancel, send_marketing
from emulator.domain.org import Org
from emulator.domain.outcome import COUNTER_NAMES
from emulator.domain.transactional import Trigger, trigger
from emulator.http import query
from emulator.http.answers import Answer, Count, Field, Json, JsonObject, Timestamp
from emulator.http.bodies import Body
from emulator.http.cached import json_answer, json_array, keep_answer, kept_answer, rendered_all
from emulator.http.common import emulator_of, open_org, read_body
from emulator.http.fastjson import FastJSONResponse
from emulator.http.operation import BROADCASTS, CONTROL, Handler, Operations
from emulator.http.recipients import Recipient, send_answer
from emulator.http.segments import EmbeddedSegment, embedded_segment_json
from emulator.support.clock import format_timestamp as ts

if TYPE_CHECKING:
    from emulator.http.schemas import CreateBroadcastBody, SendBody, TemplateBody

OPERATIONS = Operations(BROADCASTS)
CREATE_BROADCAST_BODY: Body[CreateBroadcastBody] = Body("CreateBroadcastBody")
SEND_BODY: Body[SendBody] = Body("SendBody")
TEMPLATE_BODY: Body[TemplateBody] = Body("TemplateBody")


class Template(Answer):
    id: str
    broadcast_id: str
    connection_id: str | None
    integration_id: Integration
    recipients_count: Count
    config: JsonObject = Field(description="Channel content; `{{variable}}` placeholders.")
    error: str | None
    created_at: Timestamp
    updated_at: Timestamp


class Broadcast(Answer):
    id: str
    name: str
    status: BroadcastStatus = Field(
        description="Marketing: DRAFT SCHEDULED SENDING SENT CANCELLED FAILED; "
                    "transactional (emulator extension): DRAFT ACTIVE PAUSED.")
    type: BroadcastType = Field(description="Emulator extension, fixed at creation.")
    scheduled_at: Timestamp | None
    started_at: Timestamp | None
    completed_at: Timestamp | None
    contacts_count: Count
    recipients_count: Count
    skipped_count: Count
    sent_count: Count
    failed_count: Count
    delivered_count: Count
    opened_count: Count
    played_count: Count
    click_count: Count
    complained_count: Count
    unsubscribed_count: Count
    error_message: str | None
    segments: list[EmbeddedSegment]
    send_to_all: bool
    templates: list[Template]
    created_at: Timestamp
    updated_at: Timestamp


class SendAnswer(Answer):
    """A transactional send: one row per template fired (a marketing send answers the
    broadcast)."""

    recipients: list[Recipient]


def template_json(template: entities.Template) -> Json:
    return {
        "id": template.id,
        "broadcast_id": template.broadcast_id,
        "connection_id": template.connection_id,
        "integration_id": template.integration_id._value_,
        "recipients_count": template.recipients_count,
        "config": template.config,
        "error": template.error,
        "created_at": ts(template.created_at),
        "updated_at": ts(template.updated_at),
    }


def broadcast_json(org: Org, broadcast: entities.Broadcast) -> Json:
    body: Json = {
        "id": broadcast.id,
        "name": broadcast.name,
        "status": broadcast.status._value_,
        "type": broadcast.type._value_,
        "scheduled_at": ts(broadcast.scheduled_at),
        "started_at": ts(broadcast.started_at),
        "completed_at": ts(broadcast.completed_at),
    }
    counters = broadcast.counters
    for counter in COUNTER_NAMES:
        body[counter] = counters[counter]
    body.update({
        "error_message": broadcast.error_message,
        "segments": [embedded_segment_json(org.segments[s]) for s in broadcast.segment_ids
                     if s in org.segments],
        "send_to_all": broadcast.send_to_all,
        "templates": [template_json(t) for t in broadcast.templates],
        "created_at": ts(broadcast.created_at),
        "updated_at": ts(broadcast.updated_at),
    })
    return body


BROADCAST_STATUS_FILTER = ("ALL", *(s.value for s in BroadcastStatus))
BROADCASTS_QUERY = query.Query((
    query.choice("status", BROADCAST_STATUS_FILTER, "`ALL` (default) or one status."),
), paged=True)
SEND_BODY_NOTE = (
    "A transactional broadcast (ACTIVE) takes the body below and answers its recipient rows; a "
    "marketing broadcast takes no body (or `{}`): any of these fields is a 400 naming the "
    "broadcast's type, and nothing is sent; it answers the broadcast.")


@OPERATIONS.declare("GET", paths.BROADCASTS, "listBroadcasts", "List broadcasts, newest first",
                    answer=Broadcast, many=True, errors=(400,), query=BROADCASTS_QUERY)
async def list_broadcasts_endpoint(request: Request) -> Response:
    org = await open_org(request)
    emulator = emulator_of(request)
    query_string: bytes = request.scope.get("query_string", b"")
    kept = kept_answer(emulator, org, "broadcasts", org, query_string)
    if kept is not None:
        return kept
    given = BROADCASTS_QUERY.parse(request.query_params)
    status = given["status"]
    chosen = list_broadcasts(org, None if status in (None, "ALL") else BroadcastStatus(status))
    page: query.Page = given["page"]
    return keep_answer(emulator, org, "broadcasts", org, query_string, json_array(
        rendered_all(emulator, org, "broadcast", page.slice(chosen), broadcast_json)),
        page.headers(len(chosen)))


@OPERATIONS.declare("POST", paths.BROADCASTS, "createBroadcast", "Create a broadcast (DRAFT)",
                    answer=Broadcast, body=CREATE_BROADCAST_BODY, errors=(400, 413))
async def create_broadcast_endpoint(request: Request) -> Response:
    raw = await read_body(request)
    org = await open_org(request)
    body = CREATE_BROADCAST_BODY.parse(raw)
    broadcast = create_broadcast(org, NewBroadcast(
        name=body.name,
        type=BroadcastType(body.type or "MARKETING"),
        scheduled_at=body.scheduled_at,
        segment_ids=tuple(body.segment_ids or ()),
        send_to_all=bool(body.send_to_all),
    ))
    return FastJSONResponse(broadcast_json(org, broadcast))


@OPERATIONS.declare("POST", paths.BROADCAST_SEND, "sendBroadcast", "Send a broadcast",
                    answer=(SendAnswer, Broadcast), body=SEND_BODY, errors=(400, 413),
                    description=SEND_BODY_NOTE)
async def send_endpoint(request: Request) -> Response:
    raw = await read_body(request)
    org = await open_org(request)
    broadcast = get_broadcast(org, request.path_params["broadcast_id"])
    org.limits.check_send(org.clock.now())
    body = SEND_BODY.parse(raw)
    if broadcast.type is BroadcastType.MARKETING:
        # A marketing send takes no body: a trigger's fields are refused, never ignored.
        send_marketing(org, broadcast, body.given())
        response = FastJSONResponse(broadcast_json(org, broadcast))
        emulator_of(request).kick_jobs()
        return response
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
    return json_answer(send_answer(org, rows))


# The emulator's own commands on one broadcast (no API key).
@OPERATIONS.declare("GET", paths.ORG_BROADCAST, "getBroadcast", "One broadcast", tag=CONTROL,
                    answer=Broadcast, errors=(404,))
async def get_broadcast_endpoint(request: Request) -> Response:
    org, broadcast = await inspection.broadcast(
        emulator_of(request), request.path_params["org_id"], request.path_params["broadcast_id"])
    return FastJSONResponse(broadcast_json(org, broadcast))


def broadcast_action(action: BroadcastAction) -> Handler:
    """activate / pause / resume a transactional broadcast; answers the broadcast."""

    async def endpoint(request: Request) -> Response:
        org = await emulator_of(request).org(request.path_params["org_id"])
        broadcast = get_broadcast(org, request.path_params["broadcast_id"])
        transition(org, broadcast, action)
        return FastJSONResponse(broadcast_json(org, broadcast))

    return endpoint


for _action in BroadcastAction:
    OPERATIONS.declare(
        "POST", paths.fill(paths.ORG_BROADCAST_ACTION, action=_action.value),
        f"{_action.value}Broadcast", f"{_action.value.capitalize()} a transactional broadcast",
        tag=CONTROL, answer=Broadcast, errors=(400, 404))(broadcast_action(_action))


@OPERATIONS.declare("POST", paths.fill(paths.ORG_BROADCAST_ACTION, action="cancel"),
                    "cancelBroadcast", "Cancel a scheduled or sending marketing broadcast",
                    tag=CONTROL, answer=Broadcast, errors=(400, 404))
async def cancel_endpoint(request: Request) -> Response:
    org = await emulator_of(request).org(request.path_params["org_id"])
    broadcast = get_broadcast(org, request.path_params["broadcast_id"])
    cancel(org, broadcast)
    return FastJSONResponse(broadcast_json(org, broadcast))


@OPERATIONS.declare("POST", paths.ORG_BROADCAST_TEMPLATES, "addTemplate",
                    "Add a template to a broadcast", tag=CONTROL, answer=Template,
                    body=TEMPLATE_BODY, errors=(400, 404, 413))
async def add_template_endpoint(request: Request) -> Response:
    raw = await read_body(request)
    org = await emulator_of(request).org(request.path_params["org_id"])
    broadcast = get_broadcast(org, request.path_params["broadcast_id"])
    body = TEMPLATE_BODY.parse(raw)
    template = add_template(org, broadcast, body.id, body.integration_id, body.config)
    return FastJSONResponse(template_json(template))
