"""Sending a marketing broadcast once to its audience: scheduling, the audience, one row per
(contact, template), skip reasons, cancelling, and completion.

A send creates its rows through a job that works in slices, so a 200,000-row send never holds up
other requests; anything that reads the org first finishes the job, so what a test reads is the
same on every run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from emulator.domain.entities import Broadcast, BroadcastStatus, BroadcastType
from emulator.domain.errors import ApiError, FieldProblem, bad_request
from emulator.domain.org import Org
from emulator.domain.outcome import COUNTER_NAMES
from emulator.domain.rowindex import RowIndex
from emulator.domain.rowlife import complete_if_done
from emulator.domain.sendslice import send_slice

SENDABLE_FROM = (BroadcastStatus.DRAFT, BroadcastStatus.CANCELLED, BroadcastStatus.FAILED)
CANCELLABLE_FROM = (BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING)


@dataclass(slots=True)
class SendJob:
    """The rows of one marketing send still to be created, contact by contact."""

    broadcast: Broadcast
    started_at: datetime
    contact_ids: list[str]
    cursor: int = 0

    def step(self, org: Org, max_contacts: int | None) -> bool:
        """Create rows for up to `max_contacts` more contacts; True when the audience is done."""
        broadcast = self.broadcast
        if broadcast.status is not BroadcastStatus.SENDING:
            return True  # cancelled meanwhile
        end = len(self.contact_ids) if max_contacts is None else min(
            len(self.contact_ids), self.cursor + max_contacts)
        contacts = org.contacts
        send_slice(org, broadcast, (contacts[contact_id] for contact_id
                                    in self.contact_ids[self.cursor:end]
                                    if contact_id in contacts), self.started_at)
        self.cursor = end
        if self.cursor < len(self.contact_ids):
            return False
        broadcast.audience_pending = False
        complete_if_done(org, broadcast, self.started_at)
        return True


def send_marketing(org: Org, broadcast: Broadcast,
                   trigger_fields: Sequence[str] = ()) -> Broadcast:
    """Send to the audience. `trigger_fields` are the body fields the caller gave: a marketing
    send takes none (they belong to one transactional trigger), so any is a 400 and nothing is
    sent, rather than a campaign to everyone that the caller meant for one recipient."""
    if trigger_fields:
        names = ", ".join(trigger_fields)
        raise ApiError(400, f"Broadcast '{broadcast.id}' is a MARKETING broadcast: its send "
                            f"takes no body and goes to its whole audience; {names} "
                            "belong to a TRANSACTIONAL broadcast's trigger",
                       [FieldProblem(name, f"{name} is not accepted by a MARKETING broadcast's "
                                           "send") for name in trigger_fields])
    if broadcast.status not in SENDABLE_FROM:
        allowed = ", ".join(s.value for s in SENDABLE_FROM)
        raise bad_request(f"Broadcast '{broadcast.id}' is {broadcast.status.value}; a marketing "
                          f"broadcast can be sent only from {allowed}")
    if not broadcast.templates:
        raise bad_request(f"Broadcast '{broadcast.id}' has no template; add one before sending")
    now = org.clock.now()
    _clear_previous_send(broadcast)
    broadcast.updated_at = now
    if broadcast.scheduled_at is not None and broadcast.scheduled_at > now:
        schedule(org, broadcast)
    else:
        broadcast.send_generation += 1
        _start(org, broadcast, now, broadcast.send_generation)
    return broadcast


def schedule(org: Org, broadcast: Broadcast) -> None:
    """SCHEDULED until the org's clock reaches `scheduled_at` (also for scenario broadcasts
    loaded as SCHEDULED)."""
    assert broadcast.scheduled_at is not None
    broadcast.status = BroadcastStatus.SCHEDULED
    org.status_changed(broadcast, org.clock.now())
    broadcast.send_generation += 1
    generation = broadcast.send_generation
    # A schedule already past (a scenario loaded late) starts at once, not in the past.
    due = max(broadcast.scheduled_at, org.clock.now())
    org.scheduler.at(due, SendStart(broadcast, generation))


@dataclass(frozen=True, slots=True)
class SendStart:
    """A scheduled marketing send starting; stale once the broadcast was cancelled or sent
    again (its `send_generation` moved on)."""

    broadcast: Broadcast
    generation: int

    def happen(self, org: Org, at: datetime) -> None:
        _start(org, self.broadcast, at, self.generation)


def cancel(org: Org, broadcast: Broadcast) -> Broadcast:
    if broadcast.type is not BroadcastType.MARKETING:
        raise bad_request(f"Only a marketing broadcast can be cancelled; '{broadcast.id}' is "
                          "transactional (pause it instead)")
    if broadcast.status not in CANCELLABLE_FROM:
        raise bad_request(f"Cannot cancel broadcast '{broadcast.id}': it is "
                          f"{broadcast.status.value}, not SCHEDULED or SENDING")
    now = org.clock.now()
    broadcast.send_generation += 1  # a scheduled start of this send will find itself stale
    broadcast.status = BroadcastStatus.CANCELLED
    broadcast.audience_pending = False
    broadcast.updated_at = now
    org.status_changed(broadcast, now)
    return broadcast


def audience(org: Org, broadcast: Broadcast) -> list[str]:
    """Every contact, or the union of the segments' contacts, each once."""
    if broadcast.send_to_all:
        return list(org.contacts)
    chosen: dict[str, None] = {}
    for segment_id in broadcast.segment_ids:
        segment = org.segments.get(segment_id)
        if segment is not None:
            chosen.update(segment.contact_ids)
    return list(chosen)


def _clear_previous_send(broadcast: Broadcast) -> None:
    """Sending again (after CANCELLED or FAILED) starts afresh: rows and counters of the previous
    attempt are dropped, so the counters always agree with the rows."""
    broadcast.recipients = []
    broadcast.row_index = RowIndex()
    broadcast.contact_ids = set()
    broadcast.counters = dict.fromkeys(COUNTER_NAMES, 0)
    broadcast.open_rows = 0
    broadcast.error_message = None
    broadcast.started_at = broadcast.completed_at = None
    for template in broadcast.templates:
        template.recipients_count = 0


def _start(org: Org, broadcast: Broadcast, at: datetime, generation: int) -> None:
    if generation != broadcast.send_generation:
        return  # cancelled (or sent again) since this start was scheduled
    broadcast.status = BroadcastStatus.SENDING
    broadcast.started_at = at
    broadcast.updated_at = at
    if broadcast.fail_with is not None:
        broadcast.status = BroadcastStatus.FAILED
        broadcast.error_message = broadcast.fail_with
        broadcast.completed_at = at
    org.status_changed(broadcast, at)
    if broadcast.status is BroadcastStatus.FAILED:
        return
    broadcast.audience_pending = True
    org.start_job(SendJob(broadcast, at, audience(org, broadcast)))
