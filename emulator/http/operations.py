"""What the OpenAPI document says of each route, in one table keyed by (method, path): summary,
request and answer schemas, error statuses, query parameters. The paths and methods come from
the route table itself (http/openapi.py walks it), so a route without an entry here is an error."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from emulator.domain.contacts import CONTACT_STATUSES
from emulator.domain.outbox import MESSAGE_OUTCOMES
from emulator.http import control_responses as c
from emulator.http import query
from emulator.http import responses as r
from emulator.http import schemas as s
from emulator.http.public import (
    BROADCAST_STATUS_FILTER,
    FILTERABLE_FLAGS,
    RECIPIENT_STATUS_FILTER,
)

BROADCASTS, CONTACTS, SEGMENTS = "broadcasts", "contacts", "segments"
CONTROL = "emulator control"
PUBLIC_TAGS = (BROADCASTS, CONTACTS, SEGMENTS)
# Every public call: key (401), org (404), general rate limit (429, off unless configured).
PUBLIC_ERRORS = (401, 404, 429)


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    schema: dict[str, Any]
    description: str = ""


@dataclass(frozen=True, slots=True)
class Operation:
    id: str
    summary: str
    tag: str
    answer: type[BaseModel] | tuple[type[BaseModel], ...] | None
    many: bool = False  # the answer is a JSON array of `answer`
    body: type[BaseModel] | None = None
    yaml_body: bool = False  # a whole scenario file, YAML or JSON
    errors: tuple[int, ...] = ()
    query: tuple[Param, ...] = ()
    paged: bool = False  # pagination-* headers on the answer
    description: str = ""
    hidden: bool = False  # served, but not part of the API description (pages, assets)
    media_type: str = "application/json"  # of an answer without a model

    @property
    def public(self) -> bool:
        return self.tag in PUBLIC_TAGS


def _text(name: str, description: str = "") -> Param:
    return Param(name, {"type": "string", "maxLength": 256}, description)


def _choice(name: str, options: tuple[str, ...], description: str = "") -> Param:
    return Param(name, {"type": "string", "enum": list(options)}, description)


def _flag(name: str) -> Param:
    return Param(name, {"type": "boolean"}, "Exactly `true` or `false`.")


PAGING = (
    Param("page", {"type": "integer", "minimum": 1, "maximum": 10**18 - 1, "default": 1},
          "1-based page number, as plain digits."),
    Param("take", {"type": "integer", "minimum": 1, "maximum": query.MAX_TAKE,
                   "default": query.DEFAULT_TAKE}, "Items per page, as plain digits."),
    Param("next", {"type": "string"}, "Accepted and ignored (documented by Invent)."),
)
LIMIT = Param("limit", {"type": "integer", "minimum": 1, "maximum": query.MAX_LIMIT,
                        "default": query.DEFAULT_LIMIT}, "At most this many, newest first.")
ORG_FILTER = _text("org_id", "One org (404 when unknown); all orgs when absent.")
SEND_BODY_NOTE = (
    "A transactional broadcast (ACTIVE) takes the body below and answers its recipient rows; a "
    "marketing broadcast takes no body (one sent anyway is ignored) and answers the broadcast.")

OPERATIONS: dict[tuple[str, str], Operation] = {
    ("GET", "/orgs/{org_id}/broadcasts"): Operation(
        "listBroadcasts", "List broadcasts, newest first", BROADCASTS, r.Broadcast, many=True,
        errors=(400,), paged=True, query=(
            _choice("status", BROADCAST_STATUS_FILTER, "`ALL` (default) or one status."),
            *PAGING)),
    ("POST", "/orgs/{org_id}/broadcasts"): Operation(
        "createBroadcast", "Create a broadcast (DRAFT)", BROADCASTS, r.Broadcast,
        body=s.CreateBroadcastBody, errors=(400, 413)),
    ("GET", "/orgs/{org_id}/broadcasts/{broadcast_id}/recipients"): Operation(
        "listRecipients", "List a broadcast's recipient rows, newest first", BROADCASTS,
        r.Recipient, many=True, errors=(400,), paged=True, query=(
            _choice("status", RECIPIENT_STATUS_FILTER),
            *(_flag(flag.value) for flag in FILTERABLE_FLAGS),
            *(_text(name) for name in ("integration_id", "contact_id", "user_id", "username",
                                       "email")),
            *PAGING)),
    ("POST", "/orgs/{org_id}/broadcasts/{broadcast_id}/send"): Operation(
        "sendBroadcast", "Send a broadcast", BROADCASTS, (r.SendAnswer, r.Broadcast),
        body=s.SendBody, errors=(400, 413), description=SEND_BODY_NOTE),
    ("GET", "/orgs/{org_id}/contacts"): Operation(
        "listContacts", "List contacts, newest first", CONTACTS, r.Contact, many=True,
        errors=(400,), paged=True, query=(
            _choice("status", CONTACT_STATUSES), _text("email"), _text("user_id"),
            _text("segment_id"), *PAGING)),
    ("POST", "/orgs/{org_id}/contacts"): Operation(
        "createContact", "Create a contact with one channel", CONTACTS, r.Contact,
        body=s.CreateContactBody, errors=(400, 413)),
    ("PATCH", "/orgs/{org_id}/contacts/{contact_id}"): Operation(
        "updateContact", "Update a contact (name, blocked, unsubscribed)", CONTACTS, r.Contact,
        body=s.UpdateContactBody, errors=(400, 413)),
    ("GET", "/orgs/{org_id}/contacts/{contact_id}/segments"): Operation(
        "listContactSegments", "The segments a contact belongs to", CONTACTS, r.Segment,
        many=True),
    ("POST", "/orgs/{org_id}/contacts/{contact_id}/segments/{segment_id}"): Operation(
        "addContactToSegment", "Add a contact to a segment", CONTACTS, r.Segment),
    ("GET", "/orgs/{org_id}/segments"): Operation(
        "listSegments", "List segments, newest first", SEGMENTS, r.Segment, many=True,
        errors=(400,), paged=True, query=PAGING),
    ("PATCH", "/orgs/{org_id}/segments/{segment_id}"): Operation(
        "updateSegment", "Update a segment (name, color)", SEGMENTS, r.Segment,
        body=s.UpdateSegmentBody, errors=(400, 413)),
    # The emulator's own control surface: no API key, same-origin only.
    ("GET", "/_emulator/health"): Operation("health", "Is the emulator up", CONTROL, c.Health),
    ("POST", "/_emulator/reset"): Operation(
        "reset", "Reset one org (or all) to the scenario", CONTROL, c.ResetAnswer,
        body=s.ResetBody, errors=(400, 404, 413)),
    ("PUT", "/_emulator/scenario"): Operation(
        "putScenario", "Replace the running state with a scenario (YAML or JSON)", CONTROL,
        c.ScenarioAnswer, yaml_body=True, errors=(400, 413)),
    ("GET", "/_emulator/clock"): Operation(
        "getClock", "Each org's clock", CONTROL, c.ClockAnswer, errors=(400, 404),
        query=(ORG_FILTER,)),
    ("POST", "/_emulator/clock/advance"): Operation(
        "advanceClock", "Move virtual time; answers once what fell due has run", CONTROL,
        c.ClockAnswer, body=s.AdvanceBody, errors=(400, 404, 413)),
    ("GET", "/_emulator/magic"): Operation(
        "magicAddresses", "The magic test addresses and whether they apply", CONTROL,
        c.MagicAnswer, errors=(400, 404), query=(ORG_FILTER,)),
    ("GET", "/_emulator/suppressions"): Operation(
        "listSuppressions", "Suppressed addresses", CONTROL, c.Suppression, many=True,
        errors=(400, 404), query=(ORG_FILTER,)),
    ("DELETE", "/_emulator/suppressions"): Operation(
        "clearSuppressions", "Forget suppressed addresses", CONTROL, c.Cleared,
        errors=(400, 404), query=(ORG_FILTER,)),
    ("GET", "/_emulator/webhooks"): Operation(
        "listWebhooks", "The webhook delivery log, newest first", CONTROL, c.WebhookDelivery,
        many=True, errors=(400,), query=(
            _text("org_id"), _choice("state", ("pending", "delivered", "failed")),
            _text("event", "e.g. `recipient.delivered`."))),
    **{("POST", f"/_emulator/orgs/{{org_id}}/broadcasts/{{broadcast_id}}/{action}"): Operation(
        f"{action}Broadcast", f"{action.capitalize()} a transactional broadcast", CONTROL,
        r.Broadcast, errors=(400, 404))
       for action in ("activate", "pause", "resume")},
    ("POST", "/_emulator/orgs"): Operation(
        "createOrg", "A fresh isolated org with a new API key", CONTROL, c.NewOrgAnswer,
        body=s.NewOrgBody, errors=(400, 404, 413)),
    ("DELETE", "/_emulator/orgs/{org_id}"): Operation(
        "deleteOrg", "Delete an org created through the control surface", CONTROL, c.Deleted,
        errors=(400, 404)),
    ("GET", "/_emulator/orgs/{org_id}/broadcasts/{broadcast_id}"): Operation(
        "getBroadcast", "One broadcast", CONTROL, r.Broadcast, errors=(404,)),
    ("GET", "/_emulator/orgs/{org_id}/broadcasts/{broadcast_id}/recipients/{recipient_id}"):
        Operation("getRecipient", "One recipient row, with what decided its outcome", CONTROL,
                  c.RecipientWithWhy, errors=(404,)),
    ("GET", "/_emulator/messages"): Operation(
        "listMessages", "The outbox: messages handed to a provider, newest first", CONTROL,
        c.Message, many=True, errors=(400, 404), query=(
            ORG_FILTER, _text("broadcast_id"), _text("to", "An email address or phone number."),
            _text("integration_id"),
            _text("q", "Text in the rendered subject, body or address, any case."),
            _choice("status", MESSAGE_OUTCOMES, "The message's `outcome`."),
            Param("since", {"type": "string", "format": "date-time"},
                  "Made at or after this moment of the org's clock (RFC 3339)."),
            Param("until", {"type": "string", "format": "date-time"},
                  "Made at or before this moment of the org's clock (RFC 3339)."),
            _flag("include_skipped"),
            Param("wait", {"type": "number", "minimum": 0, "maximum": 30},
                  "Seconds to wait for a match; answers as soon as one exists, else `[]`."),
            LIMIT, *PAGING[:2]),
        description="`page`/`take` page the outbox and answer `pagination-count` (all "
                    "matches); `limit` (without them) caps a plain list."),
    ("DELETE", "/_emulator/messages"): Operation(
        "clearMessages", "Clear an org's outbox (its rows stay)", CONTROL, c.Cleared,
        errors=(400, 404), query=(_text("org_id", "Required: the org to clear."),),
        description="Hides every message the org's outbox shows now from every outbox view; "
                    "rows, counters and the public API are untouched."),
    ("GET", "/_emulator/events"): Operation(
        "streamEvents", "Live events (Server-Sent Events)", CONTROL, None, errors=(400, 404),
        media_type="text/event-stream",
        query=(ORG_FILTER,),
        description="`text/event-stream`: each recipient event as `id`, `event: <type>` and "
                    "`data: <the webhook body>`, and `broadcast.status` events with the "
                    "broadcast as `data`. `Last-Event-ID` resumes after that event; a comment "
                    "line every 15 s keeps the stream open. Without a running server "
                    "(in-process clients) the answer holds the events so far and ends."),
    ("GET", "/_emulator/requests"): Operation(
        "listRequests", "The request journal of the public API, newest first", CONTROL,
        c.JournalEntry, many=True, errors=(400,), query=(
            _text("method"), _text("path", "A glob, e.g. `/orgs/*/broadcasts`."),
            _text("org_id"), Param("status", {"type": "string", "pattern": "^[0-9]{3}$"}),
            LIMIT)),
    ("DELETE", "/_emulator/requests"): Operation(
        "clearRequests", "Empty the request journal", CONTROL, c.Cleared),
    ("POST", "/_emulator/orgs/{org_id}/broadcasts/{broadcast_id}/cancel"): Operation(
        "cancelBroadcast", "Cancel a scheduled or sending marketing broadcast", CONTROL,
        r.Broadcast, errors=(400, 404)),
    ("POST", "/_emulator/orgs/{org_id}/broadcasts/{broadcast_id}/templates"): Operation(
        "addTemplate", "Add a template to a broadcast", CONTROL, r.Template,
        body=s.TemplateBody, errors=(400, 404, 413)),
    ("POST", "/_emulator/snapshot"): Operation(
        "snapshot", "Save the state file now", CONTROL, c.Snapshot, errors=(409, 500),
        description="Answers 409 when no state file is set (`--state-file`)."),
    # What the inbox UI reads (http/inbox.py), and the UI itself.
    ("GET", "/_emulator/orgs"): Operation(
        "listOrgs", "Every org, with its keys and clock", CONTROL, c.InboxOrg, many=True),
    ("GET", "/_emulator/orgs/{org_id}/broadcasts"): Operation(
        "listOrgBroadcasts", "An org's broadcasts, newest first", CONTROL, c.InboxBroadcast,
        many=True, errors=(404,)),
    ("GET", "/_emulator/orgs/{org_id}/recipients"): Operation(
        "listOrgRecipients", "An org's recipient rows, newest first", CONTROL, r.Recipient,
        many=True, errors=(400, 404), query=(
            _text("q", "A part of the address, user id or name, any case."),
            _text("broadcast_id"), LIMIT)),
    ("GET", "/_emulator/orgs/{org_id}/messages/{recipient_id}"): Operation(
        "getOrgMessage", "One row's message, with the row", CONTROL, c.InboxMessage,
        errors=(404,)),
    ("DELETE", "/_emulator/orgs/{org_id}/messages/{recipient_id}"): Operation(
        "hideMessage", "Delete one message from the outbox (its row stays)", CONTROL, c.Cleared,
        errors=(404,)),
    ("GET", "/_emulator/ui"): Operation("inbox", "The inbox UI", CONTROL, None, hidden=True),
    ("GET", "/_emulator/ui/{name}"): Operation("inboxAsset", "Inbox UI files", CONTROL, None,
                                               hidden=True),
    # The API description itself and its explorer.
    ("GET", "/openapi.json"): Operation(
        "openapi", "This document (OpenAPI 3.1)", CONTROL, None),
    ("GET", "/docs"): Operation("docs", "The API explorer", CONTROL, None, hidden=True),
    ("GET", "/docs/{asset}"): Operation("docsAsset", "Explorer assets", CONTROL, None,
                                        hidden=True),
}
