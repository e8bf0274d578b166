"""The documented contacts and segments endpoints: read → authorize → parse → one domain call →
render, as in http/public.py."""

from __future__ import annotations

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.contacts import (
    CONTACT_STATUSES,
    ContactFilter,
    NewContact,
    add_to_segment,
    create_contact,
    get_contact,
    get_segment,
    list_contacts,
    list_segments,
    update_contact,
    update_segment,
)
from emulator.domain.errors import bad_request
from emulator.http import query
from emulator.http.cached import contact_bytes, paged_bytes
from emulator.http.common import emulator_of, open_org, paged, read_body
from emulator.http.fastjson import FastJSONResponse
from emulator.http.render import contact_json, segment_json
from emulator.http.schemas import (
    CreateContactBody,
    UpdateContactBody,
    UpdateSegmentBody,
    parse_body,
)


async def list_contacts_endpoint(request: Request) -> Response:
    org = await open_org(request)
    params = request.query_params
    wanted = ContactFilter(
        status=query.choice(params, "status", CONTACT_STATUSES) or "ALL",
        email=query.text(params, "email"),
        user_id=query.text(params, "user_id"),
        segment_id=query.text(params, "segment_id"),
    )
    page = query.page_of(params)
    emulator = emulator_of(request)
    return paged_bytes(list_contacts(org, wanted), page,
                       lambda c: contact_bytes(emulator, org, c))


async def create_contact_endpoint(request: Request) -> Response:
    raw = await read_body(request)
    org = await open_org(request)
    body = parse_body(CreateContactBody, raw)
    contact = create_contact(org, NewContact(
        user_id=body.channel.user_id, name=body.channel.name, email=body.channel.email,
        phone=body.channel.phone, segment_ids=tuple(body.segment_ids or ()),
    ))
    return FastJSONResponse(contact_json(org, contact))


async def update_contact_endpoint(request: Request) -> Response:
    raw = await read_body(request)
    org = await open_org(request)
    contact = get_contact(org, request.path_params["contact_id"])
    body = parse_body(UpdateContactBody, raw)
    given = _patched(body, non_null=("blocked", "unsubscribed"))
    changes: dict[str, object] = {"name": body.name} if "name" in given else {}
    update_contact(org, contact, blocked=body.blocked, unsubscribed=body.unsubscribed,
                   **changes)
    return FastJSONResponse(contact_json(org, contact))


async def contact_segments_endpoint(request: Request) -> Response:
    org = await open_org(request)
    contact = get_contact(org, request.path_params["contact_id"])
    return FastJSONResponse([segment_json(org.segments[s]) for s in contact.segment_ids
                         if s in org.segments])


async def add_contact_to_segment_endpoint(request: Request) -> Response:
    org = await open_org(request)
    contact = get_contact(org, request.path_params["contact_id"])
    segment = get_segment(org, request.path_params["segment_id"])
    add_to_segment(org, contact, segment)
    return FastJSONResponse(segment_json(segment))


async def list_segments_endpoint(request: Request) -> Response:
    org = await open_org(request)
    page = query.page_of(request.query_params)
    return paged(list_segments(org), page, segment_json)


async def update_segment_endpoint(request: Request) -> Response:
    raw = await read_body(request)
    org = await open_org(request)
    segment = get_segment(org, request.path_params["segment_id"])
    body = parse_body(UpdateSegmentBody, raw)
    _patched(body, non_null=("name", "color"))
    update_segment(org, segment, name=body.name, color=body.color)
    return FastJSONResponse(segment_json(segment))


def _patched(body: BaseModel, non_null: tuple[str, ...]) -> set[str]:
    """The fields a PATCH body sets: at least one, and none of `non_null` set to null."""
    given = body.model_fields_set
    if not given:
        raise bad_request(f"Give at least one of {', '.join(type(body).model_fields)}")
    for field_name in non_null:
        if field_name in given and getattr(body, field_name) is None:
            raise bad_request(f"{field_name}: must not be null", field_name)
    return given
