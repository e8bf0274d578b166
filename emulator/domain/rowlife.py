"""The life of a recipient row once it exists: added to its broadcast, its outcome's flags
recorded one by one on the org's clock (counters, consequences, event listeners), and finished
(PROCESSED) or skipped. A marketing send completes when its last row finishes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from emulator.domain.entities import (
    Broadcast,
    BroadcastStatus,
    BroadcastType,
    Recipient,
    Template,
    address_of,
)
from emulator.domain.org import Org, RecipientEvent
from emulator.domain.outcome import (
    FLAG_COUNTERS,
    OUTCOME_FLAGS,
    SUPPRESSED,
    Decision,
    Flag,
    error_of,
    timeline,
)
from emulator.domain.recipient import state_bits
from emulator.domain.rowindex import PROCESSED, RowIndex
from emulator.domain.why import Why, WhyKind


def add_row(org: Org, broadcast: Broadcast, row: Recipient,
            template: Template | None = None) -> None:
    """`template` is the row's own, when the caller has it at hand (saves a lookup per row)."""
    org.record_row(row)
    rows = broadcast.recipients
    row.position = len(rows)
    rows.append(row)
    broadcast.open_rows += 1
    counters = broadcast.counters
    counters["recipients_count"] += 1
    template = template or broadcast.template(row.template_id)
    if template is not None:
        template.recipients_count += 1
    if row.contact_id not in broadcast.contact_ids:
        broadcast.contact_ids.add(row.contact_id)
        counters["contacts_count"] += 1


def dispatch(org: Org, broadcast: Broadcast, row: Recipient, decision: Decision,
             start: datetime, *, immediate: bool) -> None:
    """Play the decision's events from `start`. With `immediate`, events due at `start` happen
    now (a synchronous send); the rest wait on the org's scheduler. The last event marks the row
    PROCESSED."""
    row.why = decision.why
    error = error_of(decision)
    if (immediate and not decision.delays
            and _settle_at_once(org, broadcast, row, AT_ONCE.get(decision.outcome), error,
                                start)):
        return
    events = timeline(decision)
    last = len(events) - 1
    send = broadcast.send_generation
    for index, event in enumerate(events):
        if immediate and not event.after:
            # What FlagDue.happen does, without making one: most rows happen at once.
            _happen(org, broadcast, row, event.flag, index == last, error, start)
        else:
            org.scheduler.at(start + event.after,
                             FlagDue(broadcast, row, event.flag, index == last, error, send))


@dataclass(frozen=True, slots=True)
class AtOnce:
    """What an outcome's flags do when they all happen at the moment the row is made."""

    state: int  # the flag bits and PROCESSED (Recipient.settle)
    marks: tuple[str, ...]  # the row index's keys
    counters: tuple[str, ...]
    sends: bool  # SENT among them: a message id is drawn
    fails: bool  # FAILED or SKIPPED among them: the row shows the error


def _at_once(flags: tuple[Flag, ...]) -> AtOnce:
    return AtOnce(state_bits(flags, processed=True),
                   (*(flag._value_ for flag in flags), PROCESSED),
                   tuple(counter for flag in flags for counter in FLAG_COUNTERS[flag]),
                   Flag.SENT in flags, Flag.FAILED in flags or Flag.SKIPPED in flags)


def _settle_at_once(org: Org, broadcast: Broadcast, row: Recipient, plan: AtOnce | None,
                    error: str | None, at: datetime) -> bool:
    """A just-added row's whole outcome in one step, when that is what `record` flag by flag
    then `finish` would leave: every flag at the row's own moment, nobody listening, no
    consequence (unsubscribe, suppression), the row untouched and current, its send not
    cancelled. The draws (one message id for SENT) are the same, in the same order. False
    (nothing done) otherwise: the caller goes the general way."""
    if (plan is None or at != row.created_at or not row.untouched
            or broadcast.status is BroadcastStatus.CANCELLED):
        return False
    rows, position = broadcast.recipients, row.position
    if not (0 <= position < len(rows) and rows[position] is row) or org.heard():
        return False
    if plan.sends and row.external_message_id is None:
        row.external_message_id = org.rng.id_number()
    if plan.fails:
        row.error_message = error
    row.settle(plan.state)
    row.updated_at = at
    mark = broadcast.row_index.mark
    for key in plan.marks:
        mark(key, position)
    counters = broadcast.counters
    for counter in plan.counters:
        counters[counter] += 1
    broadcast.open_rows -= 1
    complete_if_done(org, broadcast, at)
    return True


@dataclass(frozen=True, slots=True)
class FlagDue:
    """One flag of a row's outcome, due on the org's clock. It holds the broadcast and row
    themselves (a state file saves their ids) and the send it belongs to: a cancelled or
    restarted send leaves its unprocessed rows unsent."""

    broadcast: Broadcast
    row: Recipient
    flag: Flag
    is_last: bool
    error: str | None
    generation: int

    def happen(self, org: Org, at: datetime) -> None:
        broadcast = self.broadcast
        if broadcast.send_generation == self.generation:
            _happen(org, broadcast, self.row, self.flag, self.is_last, self.error, at)


def _happen(org: Org, broadcast: Broadcast, row: Recipient, flag: Flag, is_last: bool,
            error: str | None, at: datetime) -> None:
    """One flag of a row's outcome happening (nothing, once its send was cancelled)."""
    if broadcast.status is BroadcastStatus.CANCELLED:
        return
    if flag is Flag.SENT and row.external_message_id is None:
        row.external_message_id = org.rng.id_number()
    if flag is Flag.FAILED or flag is Flag.SKIPPED:
        row.error_message = error
    record(org, broadcast, row, flag, at, last=is_last)
    if is_last:
        finish(org, broadcast, row, at)


@dataclass(frozen=True, slots=True)
class SkipDue:
    """A row of a background send skipped on the clock, like every other row of that send."""

    broadcast: Broadcast
    row: Recipient
    reason: str

    def happen(self, org: Org, at: datetime) -> None:
        skip(org, self.broadcast, self.row, self.reason, at)


def record(org: Org, broadcast: Broadcast, row: Recipient, flag: Flag, at: datetime,
           last: bool = False) -> None:
    """Set one flag on a row: counters, consequences, and the event listeners (webhooks).
    With `last`, the row is PROCESSED before listeners see it, as it is once the event is over."""
    if row.has(flag):
        return
    row.set_flag(flag, at)
    row.updated_at = at
    rows, position = broadcast.recipients, row.position
    current = 0 <= position < len(rows) and rows[position] is row  # _is_current, inlined
    if current:
        broadcast.row_index.mark(flag._value_, position)
    if last and not row.processed:
        if current:
            broadcast.row_index.mark(PROCESSED, position)
        row.mark_processed()
    counters = broadcast.counters
    for counter in FLAG_COUNTERS[flag]:
        counters[counter] += 1
    if flag in _WITH_CONSEQUENCES:
        _consequences(org, row, flag, at)
    if org.listeners:
        org.emit(RecipientEvent(flag, broadcast, row, at))


_WITH_CONSEQUENCES = frozenset({Flag.UNSUBSCRIBED, Flag.BOUNCED, Flag.COMPLAINED})
# The outcomes whose flags can be settled at once (none with a consequence).
AT_ONCE = {outcome: _at_once(flags) for outcome, flags in OUTCOME_FLAGS.items()
            if not _WITH_CONSEQUENCES.intersection(flags)}
_SKIPPED_AT_ONCE = _at_once((Flag.SKIPPED,))


def _consequences(org: Org, row: Recipient, flag: Flag, at: datetime) -> None:
    """What real providers do next: an unsubscribe marks the contact; bounces and complaints
    put the address on the org's suppression list."""
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


def index_rows(broadcast: Broadcast) -> None:
    """The broadcast's row index built afresh from its rows (rows restored from a state file)."""
    broadcast.row_index = RowIndex()
    for position, row in enumerate(broadcast.recipients):
        row.position = position
        for flag in row.flags:
            broadcast.row_index.mark(flag.value, position)
        if row.processed:
            broadcast.row_index.mark(PROCESSED, position)


def _is_current(broadcast: Broadcast, row: Recipient) -> bool:
    """False for a row of an earlier send of the broadcast (a marketing send sent again)."""
    rows = broadcast.recipients
    return 0 <= row.position < len(rows) and rows[row.position] is row


def _processed(broadcast: Broadcast, row: Recipient) -> None:
    if not row.processed and _is_current(broadcast, row):
        broadcast.row_index.mark(PROCESSED, row.position)
    row.mark_processed()


def finish(org: Org, broadcast: Broadcast, row: Recipient, at: datetime) -> None:
    _processed(broadcast, row)
    row.updated_at = at
    broadcast.open_rows -= 1
    complete_if_done(org, broadcast, at)


def complete_if_done(org: Org, broadcast: Broadcast, at: datetime) -> None:
    """A marketing send is SENT once every row of its audience exists and is processed."""
    if (broadcast.type is BroadcastType.MARKETING and broadcast.status is BroadcastStatus.SENDING
            and not broadcast.audience_pending and broadcast.open_rows == 0):
        broadcast.status = BroadcastStatus.SENT
        broadcast.completed_at = at
        broadcast.updated_at = at
        org.status_changed(broadcast, at)


def skip(org: Org, broadcast: Broadcast, row: Recipient, reason: str, at: datetime) -> None:
    row.error_message = reason
    row.why = (Why(WhyKind.SUPPRESSED, f"{address_of(row)} is on the org's suppression list: "
                                       "skipped")
               if reason == SUPPRESSED else Why(WhyKind.SKIPPED, f"Skipped: {reason}"))
    if _settle_at_once(org, broadcast, row, _SKIPPED_AT_ONCE, reason, at):
        return
    record(org, broadcast, row, Flag.SKIPPED, at, last=True)
    finish(org, broadcast, row, at)
