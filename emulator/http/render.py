"""Entities to their documented JSON shapes. Field order follows the documentation pages; every
nullable field is present (null), never omitted.

This is the hot path of every list and send, so it reads enum values as `_value_` (a plain
attribute; `.value` is a descriptor several times slower) and works out per-flag keys once."""

from __future__ import annotations

import json
from typing import Any

from emulator.domain.entities import (
    COUNTER_NAMES,
    WIRE_FLAGS,
    Broadcast,
    Channel,
    Contact,
    Flag,
    Segment,
    Template,
)
from emulator.domain.org import Org, Suppression
from emulator.domain.outbox import Message
from emulator.domain.recipient import Recipient
from emulator.domain.webhooks import DeliveryState, WebhookDelivery
from emulator.domain.why import Why
from emulator.inspection import ClockState
from emulator.journal import Entry
from emulator.support.clock import format_timestamp as ts

Json = dict[str, Any]

# (flag, "is_sent", "is_sent_at") in wire order, instead of iterating the enum per row.
_FLAG_KEYS = tuple((flag, flag._value_, f"{flag._value_}_at") for flag in WIRE_FLAGS)


def segment_json(segment: Segment) -> Json:
    """A segment as the segments endpoints show it: the embedded shape and its color."""
    embedded = embedded_segment_json(segment)
    return {"id": embedded.pop("id"), "name": embedded.pop("name"), "color": segment.color,
            **embedded}


def embedded_segment_json(segment: Segment) -> Json:
    """A segment inside a broadcast or a contact: the documented shape has no color."""
    return {
        "id": segment.id,
        "name": segment.name,
        "contacts_count": len(segment.contact_ids),
        "created_at": ts(segment.created_at),
        "updated_at": ts(segment.updated_at),
    }


def template_json(template: Template) -> Json:
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


def broadcast_json(org: Org, broadcast: Broadcast) -> Json:
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


def channel_json(channel: Channel) -> Json:
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


def contact_json(org: Org, contact: Contact) -> Json:
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


def recipient_json(org: Org, row: Recipient) -> Json:
    body: Json = {
        "id": row.id,
        "broadcast_id": row.broadcast_id,
        "broadcast_name": row.broadcast_name,
        "template_id": row.template_id,
        "integration_id": row.integration_id._value_,
        "user_id": row.user_id,
        "name": row.name,
        "username": row.username,
        "phone": row.phone,
        "email": row.email,
        "status": row.status._value_,
    }
    for flag, name, name_at in _FLAG_KEYS:
        at = row.flag_at(flag)
        body[name] = at is not None
        body[name_at] = ts(at)
    contact = org.contacts.get(row.contact_id)
    body.update({
        "error_message": row.error_message,
        "external_message_id": row.external_message_id,
        "created_at": ts(row.created_at),
        "updated_at": ts(row.updated_at),
        "contact": contact_json(org, contact) if contact else None,
    })
    return body


def message_json(message: Message) -> Json:
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


def why_json(why: Why | None) -> Json | None:
    """What decided a row's outcome (the emulator's own field: never on the public wire)."""
    if why is None:
        return None
    body: Json = {"kind": why.kind.value, "summary": why.summary}
    for name in ("rule", "where", "step", "draw"):
        value = getattr(why, name)
        if value is not None:
            body[name] = value
    return body


def clocks_json(states: list[ClockState]) -> Json:
    return {"orgs": [
        {"org_id": s.org.id, "mode": "virtual" if s.virtual else "real",
         "now": ts(s.org.clock.now()), "pending": s.pending}
        for s in states
    ]}


def suppression_json(org: Org, suppression: Suppression) -> Json:
    return {"org_id": org.id, "address": suppression.address, "reason": suppression.reason,
            "created_at": ts(suppression.created_at), "recipient_id": suppression.recipient_id,
            "broadcast_id": suppression.broadcast_id}


def webhook_delivery_json(delivery: WebhookDelivery) -> Json:
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
