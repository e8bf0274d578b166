"""Recipient rows: their answer models beside the functions that render them (with `why`, what
decided a row's outcome), the documented recipients list and the control surface's row lookup."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Annotated, Any

from starlette.requests import Request
from starlette.responses import Response

import emulator.inspection as inspection
from emulator import paths
from emulator.domain import entities
from emulator.domain import why as why_
from emulator.domain.broadcasts import get_broadcast
from emulator.domain.entities import Integration, RecipientStatus
from emulator.domain.org import Org
from emulator.domain.outcome import WIRE_FLAGS, Flag
from emulator.domain.recipient import FLAG_BITS
from emulator.domain.recipients import RecipientFilter, page_recipients
from emulator.domain.why import WhyKind
from emulator.http import query
from emulator.http.answers import Answer, Field, Json, Timestamp, answer_class
from emulator.http.cached import json_array, keep_answer, kept_answer, rendered_all
from emulator.http.common import emulator_of, open_org
from emulator.http.contacts import Contact, contact_json
from emulator.http.fastjson import FastJSONResponse, encode_typed
from emulator.http.operation import BROADCASTS, CONTROL, Operations
from emulator.support.clock import format_timestamp as ts

OPERATIONS = Operations(BROADCASTS)


def _recipient_fields() -> dict[str, Any]:
    """The row's fields in wire order; its `is_*` pairs come from the one list of flags."""
    flags: dict[str, Any] = {}
    for flag in WIRE_FLAGS:
        flags[flag.value] = (bool, ...)
        flags[f"{flag.value}_at"] = (Timestamp | None, ...)
    return {
        "id": (str, ...), "broadcast_id": (str, ...), "broadcast_name": (str, ...),
        "template_id": (str, ...), "integration_id": (Integration, ...),
        "user_id": (str | None, ...), "name": (str | None, ...), "username": (str | None, ...),
        "phone": (str | None, ...), "email": (str | None, ...), "status": (RecipientStatus, ...),
        **flags,
        "error_message": (str | None, ...), "external_message_id": (str | None, ...),
        "created_at": (Timestamp, ...), "updated_at": (Timestamp, ...),
        "contact": (Contact | None, Field(description="Null once the contact is gone.")),
    }


if TYPE_CHECKING:
    Recipient = Answer
else:
    Recipient = answer_class(
        "Recipient", Answer, __name__,
        "One recipient row: the union of the send answer's and the recipients list's shapes.",
        _recipient_fields())


class Why(Answer):
    """What decided a row's outcome (the emulator's own field, never on the public row)."""

    kind: WhyKind
    summary: str
    rule: Annotated[int, Field(ge=0, description="Index of the rule in `outcomes`.")] | None = None
    where: str | None = Field(default=None, description="`file.yaml:line` of the rule.")
    step: Annotated[int, Field(ge=1, description="1-based step of a sequence.")] | None = None
    draw: Annotated[float, Field(ge=0, lt=1, description="The drawn point of a weighted "
                                                         "choice.")] | None = None


class RecipientWithWhy(Recipient):
    """A recipient row as the control surface's lookup shows it: with `why`."""

    why: Why | None


# ("is_sent", "is_sent_at") in wire order, instead of iterating the enum per row. This is the
# hot path of every list and send, so enum values are read as `_value_` (a plain attribute;
# `.value` is a descriptor several times slower).
_FLAG_KEYS = tuple((flag._value_, f"{flag._value_}_at") for flag in WIRE_FLAGS)


def recipient_json(org: Org, row: entities.Recipient) -> Json:
    contact = org.contacts.get(row.contact_id)
    return row_json(row, contact_json(org, contact) if contact else None)


def send_answer(org: Org, rows: list[entities.Recipient]) -> bytes:
    """A transactional send's answer (`SendAnswer` in http/broadcasts.py) encoded: its rows,
    each contact rendered once (a send's rows share theirs), and only the free-form values
    searched for floats (fastjson.encode_typed)."""
    contacts: dict[str, Json | None] = {}
    free_form: list[Any] = []
    rendered = []
    for row in rows:
        contact_id = row.contact_id
        if contact_id not in contacts:
            contact = org.contacts.get(contact_id)
            contacts[contact_id] = contact_json(org, contact) if contact else None
            if contact:
                free_form.append(contact.properties)
                free_form.extend(channel.platform_data for channel in contact.channels)
        rendered.append(row_json(row, contacts[contact_id]))
    return encode_typed({"recipients": rendered}, free_form)


@functools.lru_cache(maxsize=1024)
def _flags_at_creation(bits: int, created: str) -> Json:
    """The flags part of a row whose every flag set holds its `created_at` (most rows: every
    flag of an outcome played out at once): a pure function of the two, so the rows of a send
    or a campaign share it (callers copy it into their own dict)."""
    body: Json = {}
    for (name, name_at), flag in zip(_FLAG_KEYS, WIRE_FLAGS, strict=True):
        held = bool(bits & FLAG_BITS[flag])
        body[name] = held
        body[name_at] = created if held else None
    return body


def _flags_json(row: entities.Recipient) -> Json:
    body: Json = {}
    for (name, name_at), at in zip(_FLAG_KEYS, row.flag_moments(WIRE_FLAGS), strict=True):
        if at is None:
            body[name] = False
            body[name_at] = None
        else:
            body[name] = True
            body[name_at] = ts(at)
    return body


def row_json(row: entities.Recipient, contact: Json | None) -> Json:
    """A row, with its contact already rendered."""
    origin = row.origin
    body: Json = {
        "id": row.id,
        "broadcast_id": origin.broadcast_id,
        "broadcast_name": origin.broadcast_name,
        "template_id": origin.template_id,
        "integration_id": origin.integration_id._value_,
        "user_id": row.user_id,
        "name": row.name,
        "username": row.username,
        "phone": row.phone,
        "email": row.email,
        "status": row.status._value_,
    }
    created = ts(row.created_at)
    bits = row.flags_at_creation()
    body.update(_flags_json(row) if bits is None else _flags_at_creation(bits, created))
    body["error_message"] = row.error_message
    body["external_message_id"] = row.external_message_id
    body["created_at"] = created
    body["updated_at"] = ts(row.updated_at)
    body["contact"] = contact
    return body


def why_json(why: why_.Why | None) -> Json | None:
    """What decided a row's outcome (the emulator's own field: never on the public wire)."""
    if why is None:
        return None
    body: Json = {"kind": why.kind.value, "summary": why.summary}
    for name in ("rule", "where", "step", "draw"):
        value = getattr(why, name)
        if value is not None:
            body[name] = value
    return body


RECIPIENT_STATUS_FILTER = ("ALL", *(s.value for s in RecipientStatus))
# The documented boolean filters of the recipients list (is_bounced is not among them).
FILTERABLE_FLAGS = tuple(flag for flag in WIRE_FLAGS if flag is not Flag.BOUNCED)
RECIPIENTS_QUERY = query.Query((
    query.choice("status", RECIPIENT_STATUS_FILTER),
    *(query.flag(flag.value) for flag in FILTERABLE_FLAGS),
    *(query.text(name) for name in ("integration_id", "contact_id", "user_id", "username",
                                    "email")),
), paged=True)


@OPERATIONS.declare("GET", paths.BROADCAST_RECIPIENTS, "listRecipients",
                    "List a broadcast's recipient rows, newest first", answer=Recipient,
                    many=True, errors=(400,), query=RECIPIENTS_QUERY)
async def list_recipients_endpoint(request: Request) -> Response:
    org = await open_org(request)
    broadcast = get_broadcast(org, request.path_params["broadcast_id"])
    emulator = emulator_of(request)
    query_string: bytes = request.scope.get("query_string", b"")
    kept = kept_answer(emulator, org, "rows", broadcast, query_string)
    if kept is not None:
        return kept
    given = RECIPIENTS_QUERY.parse(request.query_params)
    status = given["status"]
    wanted = RecipientFilter(
        status=None if status in (None, "ALL") else RecipientStatus(status),
        flags={flag: given[flag.value] for flag in FILTERABLE_FLAGS
               if given[flag.value] is not None},
        integration_id=given["integration_id"], contact_id=given["contact_id"],
        user_id=given["user_id"], username=given["username"], email=given["email"],
    )
    page: query.Page = given["page"]
    rows, count = page_recipients(broadcast, wanted, page.offset, page.take)
    return keep_answer(emulator, org, "rows", broadcast, query_string,
                       json_array(rendered_all(emulator, org, "row", rows, recipient_json)),
                       page.headers(count))


@OPERATIONS.declare("GET", paths.ORG_RECIPIENT, "getRecipient",
                    "One recipient row, with what decided its outcome", tag=CONTROL,
                    answer=RecipientWithWhy, errors=(404,))
async def get_recipient(request: Request) -> Response:
    params = request.path_params
    org, row = await inspection.recipient(emulator_of(request), params["org_id"],
                                          params["broadcast_id"], params["recipient_id"])
    return FastJSONResponse({**recipient_json(org, row), "why": why_json(row.why)})
