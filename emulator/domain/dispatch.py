"""Turns a decided outcome into row events on the org's clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from emulator.domain.delivery import DEFAULT_ERRORS, Outcome, finish, record, timeline
from emulator.domain.entities import Broadcast, BroadcastStatus, Flag, Recipient
from emulator.domain.org import Org


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    delays: dict[Flag, timedelta] = field(default_factory=dict)
    error_message: str | None = None


class OutcomePolicy(Protocol):
    def decide(self, org: Org, broadcast: Broadcast, row: Recipient) -> Decision:
        """The outcome of one row, drawn when the row is created."""
        ...

    def checkpoint(self, org: Org) -> object:
        """What `restore` needs to undo the decisions drawn for `org` from here on."""
        ...

    def restore(self, org: Org, checkpoint: object) -> None:
        ...


def dispatch(org: Org, broadcast: Broadcast, row: Recipient, decision: Decision,
             start: datetime, *, immediate: bool) -> None:
    """Play the decision's events from `start`. With `immediate`, events due at `start` happen
    now (a synchronous send); the rest wait on the org's scheduler. The last event marks the row
    PROCESSED."""
    events = timeline(decision.outcome, decision.delays)
    error = decision.error_message or DEFAULT_ERRORS.get(decision.outcome)
    last = len(events) - 1
    send = broadcast.send_generation
    for index, event in enumerate(events):
        if immediate and not event.after:
            _happen(org, broadcast, row, event.flag, index == last, error, start, send)
            continue

        def happen(at: datetime, flag: Flag = event.flag, is_last: bool = index == last) -> None:
            _happen(org, broadcast, row, flag, is_last, error, at, send)

        org.scheduler.at(start + event.after, happen)


def _happen(org: Org, broadcast: Broadcast, row: Recipient, flag: Flag, is_last: bool,
            error: str | None, at: datetime, send: int) -> None:
    if broadcast.status is BroadcastStatus.CANCELLED or broadcast.send_generation != send:
        return  # a cancelled (or since restarted) send leaves its unprocessed rows unsent
    if flag is Flag.SENT and row.external_message_id is None:
        row.external_message_id = org.rng.new_id("msg")
    if flag is Flag.FAILED or flag is Flag.SKIPPED:
        row.error_message = error
    record(org, broadcast, row, flag, at, last=is_last)
    if is_last:
        finish(broadcast, row, at)
