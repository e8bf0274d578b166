"""Contacts: their answer models beside the functions that render them, and the documented
contact endpoints (read → authorize → parse → one domain call → render)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from emulator import paths
from emulator.domain import entities
from emulator.domain.contacts import (
    CONTACT_STATUSES,
    ContactFilter,
    NewContact,
    add_to_segment,
    create_contact,
    get_contact,
    get_segment,
    list_contacts,
    update_contact,
)
from emulator.domain.entities import Integration
from emulator.domain.org import Org
from emulator.http import query
from emulator.http.answers import Answer, Json, JsonObject, Timestamp
from emulator.http.bodies import Body, patched
from emulator.http.cached import paged_rendered
from emulator.http.common import emulator_of, open_org, read_body
from emulator.http.fastjson import FastJSONResponse
from emulator.http.operation import CONTACTS, Operations
from emulator.http.segments import EmbeddedSegment, Segment, embedded_segment_json, segment_json
from emulator.support.clock import format_timestamp as ts

if TYPE_CHECKING:
    from emulator.http.schemas import CreateContactBody, UpdateContactBody

OPERATIONS = Operations(CONTACTS)
CREATE_CONTACT_BODY: Body[CreateContactBody] = Body("CreateContactBody")
UPDATE_CONTACT_BODY: Body[UpdateContactBody] = Body("UpdateContactBody")


class Channel(Answer):
    id: str
    type: Integration
    user_id: str
    avatar: str | None
    name: str | None
    username: str | None
    email: str | None
    phone: str | None
    country: str | None
    agent: str | None
    ip: str | None
    language: str | None
    platform_data: JsonObject
    created_at: Timestamp
    updated_at: Timestamp
    link: str | None


class Contact(Answer):
    id: str
    name: str | None
    blocked: bool
    unsubscribed: bool
    is_admin: bool
    channels: list[Channel]
    segments: list[EmbeddedSegment]
    properties: JsonObject
    created_at: Timestamp
    updated_at: Timestamp
    blocked_at: Timestamp | None
    unsubscribed_at: Timestamp | None
    unsubscribe_reason: str | None
    unsubscribe_feedback: str | None


def channel_json(channel: entities.Channel) -> Json:
    return {
        "id": channel.id,
        "type": channel.type._value_,
        "user_id": channel.user_id,
        "avatar": channel.avatar,
        "name": channel.name,
        "username": channel.username,
        "email": channel.email,
        "phone": channel.phone,
        "country": channel.country,
        "agent": channel.agent,
        "ip": channel.ip,
        "language": channel.language,
        "platform_data": channel.platform_data,
        "created_at": ts(channel.created_at),
        "updated_at": ts(channel.updated_at),
        "link": channel.link,
    }


def contact_json(org: Org, contact: entities.Contact) -> Json:
    return {
        "id": contact.id,
        "name": contact.name,
        "blocked": contact.blocked,
        "unsubscribed": contact.unsubscribed,
        "is_admin": contact.is_admin,
        "channels": [channel_json(ch) for ch in contact.channels],
        "segments": [embedded_segment_json(org.segments[s]) for s in contact.segment_ids
                     if s in org.segments],
        "properties": contact.properties,
        "created_at": ts(contact.created_at),
        "updated_at": ts(contact.updated_at),
        "blocked_at": ts(contact.blocked_at),
        "unsubscribed_at": ts(contact.unsubscribed_at),
        "unsubscribe_reason": contact.unsubscribe_reason,
        "unsubscribe_feedback": contact.unsubscribe_feedback,
    }


CONTACTS_QUERY = query.Query((
    query.choice("status", CONTACT_STATUSES), query.text("email"), query.text("user_id"),
    query.text("segment_id")), paged=True)


@OPERATIONS.declare("GET", paths.CONTACTS, "listContacts", "List contacts, newest first",
                    answer=Contact, many=True, errors=(400,), query=CONTACTS_QUERY)
async def list_contacts_endpoint(request: Request) -> Response:
    org = await open_org(request)
    given = CONTACTS_QUERY.parse(request.query_params)
    wanted = ContactFilter(status=given["status"] or "ALL", email=given["email"],
                           user_id=given["user_id"], segment_id=given["segment_id"])
    emulator = emulator_of(request)
    return paged_rendered(emulator, org, "contact", list_contacts(org, wanted), given["page"],
                          contact_json)


@OPERATIONS.declare("POST", paths.CONTACTS, "createContact", "Create a contact with one channel",
                    answer=Contact, body=CREATE_CONTACT_BODY, errors=(400, 413))
async def create_contact_endpoint(request: Request) -> Response:
    raw = await read_body(request)
    org = await open_org(request)
    body = CREATE_CONTACT_BODY.parse(raw)
    contact = create_contact(org, NewContact(
        user_id=body.channel.user_id, name=body.channel.name, email=body.channel.email,
        phone=body.channel.phone, segment_ids=tuple(body.segment_ids or ()),
    ))
    return FastJSONResponse(contact_json(org, contact))


@OPERATIONS.declare("PATCH", paths.CONTACT, "updateContact",
                    "Update a contact (name, blocked, unsubscribed)", answer=Contact,
                    body=UPDATE_CONTACT_BODY, errors=(400, 413))
async def update_contact_endpoint(request: Request) -> Response:
    raw = await read_body(request)
    org = await open_org(request)
    contact = get_contact(org, request.path_params["contact_id"])
    body = UPDATE_CONTACT_BODY.parse(raw)
    given = patched(body, non_null=("blocked", "unsubscribed"))
    changes: dict[str, object] = {"name": body.name} if "name" in given else {}
    update_contact(org, contact, blocked=body.blocked, unsubscribed=body.unsubscribed,
                   **changes)
    return FastJSONResponse(contact_json(org, contact))


@OPERATIONS.declare("GET", paths.CONTACT_SEGMENTS, "listContactSegments",
                    "The segments a contact belongs to", answer=Segment, many=True)
async def contact_segments_endpoint(request: Request) -> Response:
    org = await open_org(request)
    contact = get_contact(org, request.path_params["contact_id"])
    return FastJSONResponse([segment_json(org.segments[s]) for s in contact.segment_ids
                             if s in org.segments])


@OPERATIONS.declare("POST", paths.CONTACT_SEGMENT, "addContactToSegment",
                    "Add a contact to a segment", answer=Segment)
async def add_contact_to_segment_endpoint(request: Request) -> Response:
    org = await open_org(request)
    contact = get_contact(org, request.path_params["contact_id"])
    segment = get_segment(org, request.path_params["segment_id"])
    add_to_segment(org, contact, segment)
    return FastJSONResponse(segment_json(segment))
