"""The control surface's queries under /_emulator, each with its answer model beside the
function that renders it: magic addresses, suppressions, the webhook log, the outbox and the
request journal."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any, Literal

from starlette.requests import Request
from starlette.responses import Response

import emulator.inspection as inspection
from emulator import paths
from emulator.domain import org as org_
from emulator.domain import outbox, webhooks
from emulator.domain.entities import Integration, RecipientStatus
from emulator.domain.errors import bad_request
from emulator.domain.org import Org
from emulator.domain.outbox import MessageFilter
from emulator.domain.outcome import WIRE_FLAGS, Flag, Outcome
from emulator.domain.rules import magic_table
from emulator.domain.webhooks import DeliveryState
from emulator.http import query
from emulator.http.answers import (
    Answer,
    Count,
    Field,
    Json,
    JsonObject,
    Timestamp,
    answer_class,
)
from emulator.http.common import emulator_of
from emulator.http.fastjson import FastJSONResponse
from emulator.http.operation import CONTROL, Operations
from emulator.http.recipients import Why, why_json
from emulator.journal import Entry, EntryFilter
from emulator.support.clock import format_timestamp as ts

OPERATIONS = Operations(CONTROL)


class MagicAddress(Answer):
    address: str = Field(description="An address, or a pattern such as `bounced+*@resend.dev`.")
    outcome: Outcome
    error_message: str | None
    convention: str = Field(description="Whose sandbox convention it follows.")


class MagicAnswer(Answer):
    enabled: bool
    addresses: list[MagicAddress]


class Suppression(Answer):
    org_id: str
    address: str
    reason: str
    created_at: Timestamp
    recipient_id: str
    broadcast_id: str


class Cleared(Answer):
    cleared: Count


class WebhookAttempt(Answer):
    at: Timestamp
    status: int | None = Field(description="The receiver's status; null when none came back.")
    error: str | None


class WebhookDelivery(Answer):
    id: str
    org_id: str
    url: str
    event: str = Field(description="e.g. `recipient.delivered`.")
    state: Literal["pending", "delivered", "failed"]
    next_attempt_at: Timestamp | None
    attempts: list[WebhookAttempt]
    payload: JsonObject


def _message_fields() -> dict[str, Any]:
    """The outbox message's fields in wire order; its `is_*` flags come from the one list."""
    return {
        "org_id": (str, ...), "broadcast_id": (str, ...), "template_id": (str, ...),
        "recipient_id": (str, ...), "contact_id": (str, ...),
        "integration_id": (Integration, ...), "to": (str | None, ...),
        "subject": (Any, Field(description="The rendered `subject` of the template's config, "
                                           "if any.")),
        "body": (Any, Field(description="The rendered `body` of the template's config, if any.")),
        "content": (JsonObject, ...), "variables": (JsonObject, ...),
        "missing_variables": (list[str], ...), "external_message_id": (str | None, ...),
        "status": (RecipientStatus, ...),
        "outcome": (str, Field(description="What happened so far, by its most telling flag: "
                                           "an outcome name (as the `status` filter takes), "
                                           "or `pending`.")),
        **{flag.value: (bool, ...) for flag in WIRE_FLAGS},
        "clicked": (bool, Field(description="The emulator's own: the documented row has no click "
                                            "flag, so the outbox shows the click here.")),
        "clicked_at": (Timestamp | None, ...), "error_message": (str | None, ...),
        "why": (Why | None, ...), "created_at": (Timestamp, ...), "updated_at": (Timestamp, ...),
    }


if TYPE_CHECKING:
    Message = Answer
else:
    Message = answer_class(
        "Message", Answer, __name__,
        "One message of the outbox: a row that went to a provider, its content rendered.",
        _message_fields())


class JournalEntry(Answer):
    id: Annotated[int, Field(ge=1)]
    at: Timestamp
    method: str
    path: str
    query: str
    org_id: str | None
    status: int
    body: str = Field(description="The request body as text (cut at 64 KiB).")


def message_json(message: outbox.Message) -> Json:
    row = message.row
    content, missing = message.content()
    body: Json = {
        "org_id": message.org.id,
        "broadcast_id": row.broadcast_id,
        "template_id": row.template_id,
        "recipient_id": row.id,
        "contact_id": row.contact_id,
        "integration_id": row.integration_id.value,
        "to": message.to,
        "subject": content.get("subject"),
        "body": content.get("body"),
        "content": content,
        "variables": message.variables(),
        "missing_variables": missing,
        "external_message_id": row.external_message_id,
        "status": row.status.value,
        "outcome": message.outcome,
    }
    for flag in WIRE_FLAGS:
        body[flag.value] = row.has(flag)
    # The documented row has no click flag; the outbox shows the click under its own name.
    clicked_at = row.flag_at(Flag.CLICKED)
    body["clicked"] = clicked_at is not None
    body["clicked_at"] = ts(clicked_at)
    body["error_message"] = row.error_message
    body["why"] = why_json(row.why)
    body["created_at"] = ts(row.created_at)
    body["updated_at"] = ts(row.updated_at)
    return body


def suppression_json(org: Org, suppression: org_.Suppression) -> Json:
    return {"org_id": org.id, "address": suppression.address, "reason": suppression.reason,
            "created_at": ts(suppression.created_at), "recipient_id": suppression.recipient_id,
            "broadcast_id": suppression.broadcast_id}


def webhook_delivery_json(delivery: webhooks.WebhookDelivery) -> Json:
    pending = delivery.state is DeliveryState.PENDING
    return {
        "id": delivery.id,
        "org_id": delivery.org_id,
        "url": delivery.url,
        "event": delivery.event,
        "state": delivery.state.value,
        "next_attempt_at": ts(delivery.due) if pending else None,
        "attempts": [{"at": ts(a.at), "status": a.status, "error": a.error}
                     for a in delivery.attempts],
        "payload": json.loads(delivery.body),
    }


def journal_entry_json(entry: Entry) -> Json:
    return {
        "id": entry.id,
        "at": ts(entry.at),
        "method": entry.method,
        "path": entry.path,
        "query": entry.query,
        "org_id": entry.org_id,
        "status": entry.status,
        "body": entry.body.decode("utf-8", errors="replace"),
    }


@OPERATIONS.declare("GET", paths.MAGIC, "magicAddresses",
                    "The magic test addresses and whether they apply", answer=MagicAnswer,
                    errors=(400, 404), query=query.ORG_ONLY)
async def magic(request: Request) -> Response:
    """The table, and whether it applies (to one org with `?org_id=`)."""
    org_id = query.ORG_ONLY.parse(request.query_params)["org_id"]
    enabled = await inspection.magic_enabled(emulator_of(request), org_id)
    return FastJSONResponse({"enabled": enabled, "addresses": [
        {"address": m.pattern, "outcome": m.outcome.value, "error_message": m.error_message,
         "convention": m.source}
        for m in magic_table()
    ]})


@OPERATIONS.declare("GET", paths.SUPPRESSIONS, "listSuppressions", "Suppressed addresses",
                    answer=Suppression, many=True, errors=(400, 404), query=query.ORG_ONLY)
async def list_suppressions(request: Request) -> Response:
    org_id = query.ORG_ONLY.parse(request.query_params)["org_id"]
    found = await inspection.suppressions(emulator_of(request), org_id)
    return FastJSONResponse([suppression_json(org, s) for org, s in found])


@OPERATIONS.declare("DELETE", paths.SUPPRESSIONS, "clearSuppressions",
                    "Forget suppressed addresses", answer=Cleared, errors=(400, 404),
                    query=query.ORG_ONLY)
async def clear_suppressions(request: Request) -> Response:
    org_id = query.ORG_ONLY.parse(request.query_params)["org_id"]
    cleared = await inspection.clear_suppressions(emulator_of(request), org_id)
    return FastJSONResponse({"cleared": cleared})


WEBHOOKS_QUERY = query.Query((
    query.text("org_id"), query.choice("state", tuple(s.value for s in DeliveryState)),
    query.text("event", "e.g. `recipient.delivered`.")))


@OPERATIONS.declare("GET", paths.WEBHOOKS, "listWebhooks",
                    "The webhook delivery log, newest first", answer=WebhookDelivery,
                    many=True, errors=(400,), query=WEBHOOKS_QUERY)
async def list_webhooks(request: Request) -> Response:
    given = WEBHOOKS_QUERY.parse(request.query_params)
    state = given["state"]
    wanted = inspection.DeliveryFilter(
        org_id=given["org_id"], event=given["event"],
        state=DeliveryState(state) if state is not None else None)
    log = inspection.webhook_log(emulator_of(request), wanted)
    return FastJSONResponse([webhook_delivery_json(d) for d in log])


# `wait` on the outbox: longer would outlive the plugin's (and most clients') read timeout.
MAX_WAIT_SECONDS = 30

MESSAGES_QUERY = query.Query((
    query.ORG_FILTER, query.text("broadcast_id"),
    query.text("to", "An email address or phone number."), query.text("integration_id"),
    query.text("q", "Text in the rendered subject, body or address, any case."),
    query.choice("status", outbox.MESSAGE_OUTCOMES, "The message's `outcome`."),
    query.moment("since", "Made at or after this moment of the org's clock (RFC 3339)."),
    query.moment("until", "Made at or before this moment of the org's clock (RFC 3339)."),
    query.flag("include_skipped"),
    query.seconds("wait", MAX_WAIT_SECONDS,
                  "Seconds to wait for a match: answers as soon as one exists, else `[]`."),
    query.LIMIT, *(query.raw_number(p.name, p.schema, p.description) for p in query.PAGING[:2]),
))


def message_filter(given: dict[str, Any]) -> MessageFilter:
    needle = (given["q"] or "").strip().lower()
    return MessageFilter(
        org_id=given["org_id"], broadcast_id=given["broadcast_id"], to=given["to"],
        integration_id=given["integration_id"], q=needle or None, outcome=given["status"],
        since=given["since"], until=given["until"],
        include_skipped=bool(given["include_skipped"]))


@OPERATIONS.declare("GET", paths.MESSAGES, "listMessages",
                    "The outbox: messages handed to a provider, newest first", answer=Message,
                    many=True, errors=(400, 404), query=MESSAGES_QUERY,
                    description="`page`/`take` page the outbox and answer `pagination-count` "
                                "(all matches); `limit` (without them) caps a plain list.")
async def list_messages(request: Request) -> Response:
    params = request.query_params
    given = MESSAGES_QUERY.parse(params)
    emulator = emulator_of(request)
    wanted = message_filter(given)
    paged = given["page"] is not None or given["take"] is not None
    if paged and "limit" in params:
        raise bad_request("Give either limit or page/take, not both", "limit")
    page = query.page_of(params) if paged else None
    limit = page.take if page is not None else given["limit"]
    offset = page.offset if page is not None else 0
    if given["wait"]:
        found = await inspection.wait_for_outbox(emulator, wanted, limit, given["wait"], offset)
    else:
        found = await inspection.outbox(emulator, wanted, limit, offset)
    headers = None
    if page is not None:
        headers = page.headers(await inspection.outbox_count(emulator, wanted))
    return FastJSONResponse([message_json(m) for m in found], headers=headers)


@OPERATIONS.declare("DELETE", paths.MESSAGES, "clearMessages",
                    "Clear an org's outbox (its rows stay)", answer=Cleared, errors=(400, 404),
                    query=query.Query((query.text("org_id", "Required: the org to clear."),)),
                    description="Hides every message the org's outbox shows now from every "
                                "outbox view; rows, counters and the public API are untouched.")
async def clear_messages(request: Request) -> Response:
    org_id = query.ORG_ONLY.parse(request.query_params)["org_id"]
    if not org_id:
        raise bad_request("org_id is required: clearing hides one org's messages", "org_id")
    return FastJSONResponse({"cleared": await inspection.clear_outbox(emulator_of(request),
                                                                      org_id)})


@OPERATIONS.declare("DELETE", paths.ORG_MESSAGE, "hideMessage",
                    "Delete one message from the outbox (its row stays)", answer=Cleared,
                    errors=(404,))
async def hide_message(request: Request) -> Response:
    params = request.path_params
    cleared = await inspection.hide_message(emulator_of(request), params["org_id"],
                                            params["recipient_id"])
    return FastJSONResponse({"cleared": cleared})


REQUESTS_QUERY = query.Query((
    query.text("method"), query.text("path", "A glob, e.g. `/orgs/*/broadcasts`."),
    query.text("org_id"), query.status_code("status"), query.LIMIT))


@OPERATIONS.declare("GET", paths.REQUESTS, "listRequests",
                    "The request journal of the public API, newest first", answer=JournalEntry,
                    many=True, errors=(400,), query=REQUESTS_QUERY, counted=True)
async def list_requests(request: Request) -> Response:
    given = REQUESTS_QUERY.parse(request.query_params)
    wanted = EntryFilter(method=given["method"], path=given["path"], org_id=given["org_id"],
                         status=given["status"])
    entries, count = inspection.journal(emulator_of(request), wanted, given["limit"])
    return FastJSONResponse([journal_entry_json(e) for e in entries],
                            headers={"pagination-count": str(count)})


@OPERATIONS.declare("DELETE", paths.REQUESTS, "clearRequests", "Empty the request journal",
                    answer=Cleared)
async def clear_requests(request: Request) -> Response:
    return FastJSONResponse({"cleared": emulator_of(request).journal.clear()})
