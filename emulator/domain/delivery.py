"""What happens to a recipient row once it is sent: outcomes, their flags, the counters they move,
and the consequences real providers have (unsubscribes, suppressed addresses)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from emulator.domain.entities import (
    FLAG_COUNTERS,
    Broadcast,
    BroadcastStatus,
    BroadcastType,
    Flag,
    Recipient,
    RecipientStatus,
    address_of,
)
from emulator.domain.org import Org, RecipientEvent


class Outcome(StrEnum):
    SENT = "sent"
    DELIVERED = "delivered"
    OPENED = "opened"
    PLAYED = "played"
    BOUNCED = "bounced"
    FAILED = "failed"
    COMPLAINED = "complained"
    UNSUBSCRIBED = "unsubscribed"
    SKIPPED = "skipped"
    RATE_LIMITED = "rate_limited"


# The flags each outcome sets, in the order they happen (an open implies sent and delivered).
OUTCOME_FLAGS: dict[Outcome, tuple[Flag, ...]] = {
    Outcome.SENT: (Flag.SENT,),
    Outcome.DELIVERED: (Flag.SENT, Flag.DELIVERED),
    Outcome.OPENED: (Flag.SENT, Flag.DELIVERED, Flag.OPENED),
    Outcome.PLAYED: (Flag.SENT, Flag.DELIVERED, Flag.PLAYED),
    Outcome.BOUNCED: (Flag.SENT, Flag.BOUNCED, Flag.FAILED),
    Outcome.FAILED: (Flag.FAILED,),
    Outcome.COMPLAINED: (Flag.SENT, Flag.DELIVERED, Flag.COMPLAINED),
    Outcome.UNSUBSCRIBED: (Flag.SENT, Flag.DELIVERED, Flag.UNSUBSCRIBED),
    Outcome.SKIPPED: (Flag.SKIPPED,),
    Outcome.RATE_LIMITED: (Flag.FAILED,),
}

DEFAULT_ERRORS: dict[Outcome, str] = {
    Outcome.BOUNCED: "bounced: the recipient's mail server rejected the message",
    Outcome.FAILED: "failed: the provider could not deliver the message",
    Outcome.SKIPPED: "skipped",
    Outcome.RATE_LIMITED: "rate_limited: the provider refused the message, too many requests",
}

SUPPRESSED = "suppressed"


@dataclass(frozen=True, slots=True)
class TimedFlag:
    flag: Flag
    after: timedelta


_NO_DELAY = timedelta(0)
_INSTANT_TIMELINES = {
    outcome: tuple(TimedFlag(flag, _NO_DELAY) for flag in flags)
    for outcome, flags in OUTCOME_FLAGS.items()
}


def timeline(outcome: Outcome, delays: dict[Flag, timedelta]) -> tuple[TimedFlag, ...]:
    """When each of the outcome's flags happens, relative to the send; never out of order."""
    if not delays:
        return _INSTANT_TIMELINES[outcome]
    events: list[TimedFlag] = []
    previous = timedelta(0)
    for flag in OUTCOME_FLAGS[outcome]:
        previous = max(previous, delays.get(flag, previous))
        events.append(TimedFlag(flag, previous))
    return tuple(events)


def record(org: Org, broadcast: Broadcast, row: Recipient, flag: Flag, at: datetime,
           last: bool = False) -> None:
    """Set one flag on a row: counters, consequences, and the event listeners (webhooks).
    With `last`, the row is PROCESSED before listeners see it, as it is once the event is over."""
    if flag in row.flags:
        return
    row.flags[flag] = at
    row.updated_at = at
    if last:
        row.status = RecipientStatus.PROCESSED
    for counter in FLAG_COUNTERS[flag]:
        broadcast.counters[counter] += 1
    if flag in _WITH_CONSEQUENCES:
        _consequences(org, row, flag, at)
    if org.listeners:
        org.emit(RecipientEvent(flag, broadcast, row, at))


_WITH_CONSEQUENCES = frozenset({Flag.UNSUBSCRIBED, Flag.BOUNCED, Flag.COMPLAINED})


def _consequences(org: Org, row: Recipient, flag: Flag, at: datetime) -> None:
    if flag is Flag.UNSUBSCRIBED:
        contact = org.contacts.get(row.contact_id)
        if contact is not None and not contact.unsubscribed:
            contact.unsubscribed = True
            contact.unsubscribed_at = at
            contact.unsubscribe_reason = "Unsubscribed from a message"
            contact.updated_at = at
    elif flag in (Flag.BOUNCED, Flag.COMPLAINED):
        address = address_of(row)
        if address:
            org.suppress(address, "bounced" if flag is Flag.BOUNCED else "complained", row, at)


def finish(broadcast: Broadcast, row: Recipient, at: datetime) -> None:
    row.status = RecipientStatus.PROCESSED
    row.updated_at = at
    broadcast.open_rows -= 1
    complete_if_done(broadcast, at)


def complete_if_done(broadcast: Broadcast, at: datetime) -> None:
    """A marketing send is SENT once every row of its audience exists and is processed."""
    if (broadcast.type is BroadcastType.MARKETING and broadcast.status is BroadcastStatus.SENDING
            and not broadcast.audience_pending and broadcast.open_rows == 0):
        broadcast.status = BroadcastStatus.SENT
        broadcast.completed_at = at
        broadcast.updated_at = at


def add_row(org: Org, broadcast: Broadcast, row: Recipient) -> None:
    org.sent_rows.append(row)
    broadcast.recipients.append(row)
    broadcast.open_rows += 1
    broadcast.counters["recipients_count"] += 1
    template = broadcast.template(row.template_id)
    if template is not None:
        template.recipients_count += 1
    if row.contact_id not in broadcast.contact_ids:
        broadcast.contact_ids.add(row.contact_id)
        broadcast.counters["contacts_count"] += 1


def skip(org: Org, broadcast: Broadcast, row: Recipient, reason: str, at: datetime) -> None:
    row.error_message = reason
    record(org, broadcast, row, Flag.SKIPPED, at, last=True)
    finish(broadcast, row, at)
