"""The emulator's outbox: every message handed to a provider (every row not skipped), with its
content rendered as the send resolved it. Read by tests; never part of the public API.

The outbox is derived from the org's rows, so clearing it hides messages
instead of deleting anything (`Org.hidden`): rows, counters and the public API never change."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from emulator.domain.entities import Broadcast, Recipient, address_of
from emulator.domain.errors import not_found
from emulator.domain.org import Org
from emulator.domain.outcome import Flag, Outcome
from emulator.domain.rows import merged_variables
from emulator.domain.templating import missing_variables, render_config
from emulator.support.addresses import normalize_address

# A message's outcome so far: its most telling flag (a bounce over the send before it).
_OUTCOME_OF_FLAG: tuple[tuple[Flag, Outcome], ...] = (
    (Flag.SKIPPED, Outcome.SKIPPED),
    (Flag.BOUNCED, Outcome.BOUNCED),
    (Flag.FAILED, Outcome.FAILED),
    (Flag.COMPLAINED, Outcome.COMPLAINED),
    (Flag.UNSUBSCRIBED, Outcome.UNSUBSCRIBED),
    (Flag.CLICKED, Outcome.CLICKED),
    (Flag.PLAYED, Outcome.PLAYED),
    (Flag.OPENED, Outcome.OPENED),
    (Flag.DELIVERED, Outcome.DELIVERED),
    (Flag.SENT, Outcome.SENT),
)
PENDING = "pending"  # nothing has happened to the message yet
# Every value of a message's `outcome` (and of the outbox's `status` filter).
MESSAGE_OUTCOMES: tuple[str, ...] = (*(o.value for o in Outcome), PENDING)
_RATE_LIMITED_PREFIX = Outcome.RATE_LIMITED.value


def outcome_of(row: Recipient) -> str:
    for flag, outcome in _OUTCOME_OF_FLAG:
        if row.has(flag):
            if outcome is Outcome.FAILED and (row.error_message or "").startswith(
                    _RATE_LIMITED_PREFIX):
                return Outcome.RATE_LIMITED.value
            return outcome.value
    return PENDING


@dataclass(frozen=True, slots=True)
class Message:
    org: Org
    broadcast: Broadcast
    row: Recipient

    @property
    def to(self) -> str | None:
        return address_of(self.row) or self.row.user_id

    @property
    def outcome(self) -> str:
        return outcome_of(self.row)

    def variables(self) -> dict[str, Any]:
        if self.row.variables is not None:
            return self.row.variables
        contact = self.org.contacts.get(self.row.contact_id)
        return merged_variables(self.broadcast, contact) if contact else {}

    def content(self) -> tuple[dict[str, Any], list[str]]:
        """The template's config rendered, and the placeholders that had no value."""
        template = self.broadcast.template(self.row.template_id)
        config = template.config if template else {}
        variables = self.variables()
        return render_config(config, variables), missing_variables(config, variables)

    def mentions(self, needle: str) -> bool:
        """`needle` (lower case) in the address or the rendered subject or body, any case."""
        if any(needle in value.lower() for value in (self.to, self.row.email, self.row.phone)
               if value):
            return True
        content, _ = self.content()
        return any(needle in str(content[key]).lower() for key in ("subject", "body")
                   if content.get(key) is not None)


@dataclass(frozen=True, slots=True)
class MessageFilter:
    org_id: str | None = None
    broadcast_id: str | None = None
    to: str | None = None
    integration_id: str | None = None
    q: str | None = None  # lower case
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    include_skipped: bool = False

    def matches_row(self, row: Recipient) -> bool:
        """What a row alone decides, before any rendering."""
        if row.has(Flag.SKIPPED) and not self.include_skipped:
            return False
        if self.broadcast_id is not None and row.broadcast_id != self.broadcast_id:
            return False
        if self.integration_id is not None and row.integration_id.value != self.integration_id:
            return False
        if self.since is not None and row.created_at < self.since:
            return False
        if self.until is not None and row.created_at > self.until:
            return False
        return self.outcome is None or outcome_of(row) == self.outcome

    def matches(self, message: Message) -> bool:
        if self.to is not None:
            to = message.to
            if to is None or normalize_address(to) != normalize_address(self.to):
                return False
        return self.q is None or message.mentions(self.q)


def messages(orgs: list[Org], wanted: MessageFilter) -> Iterator[Message]:
    """Newest first across the given orgs (by creation time, then creation order), read lazily:
    the first messages of a big outbox cost what they are, not the outbox."""
    streams = [_newest_first(org, wanted) for org in orgs
               if wanted.org_id is None or org.id == wanted.org_id]
    if len(streams) == 1:  # one org (the inbox, a test's org): no merge to pay for
        return (message for _, _, message in streams[0])
    merged = heapq.merge(*streams, key=lambda item: (item[0], item[1]), reverse=True)
    return (message for _, _, message in merged)


def count(orgs: list[Org], wanted: MessageFilter) -> int:
    """How many messages `messages` would give, without making them where the rows alone
    decide (every filter but `to` and `q`)."""
    if wanted.to is not None or wanted.q is not None:
        return sum(1 for _ in messages(orgs, wanted))
    return sum(sum(1 for _ in _rows(org, wanted)) for org in orgs
               if wanted.org_id is None or org.id == wanted.org_id)


def _rows(org: Org, wanted: MessageFilter) -> Iterator[tuple[int, Recipient, Broadcast]]:
    """The org's rows that the row-level filters keep, newest first, with their broadcast."""
    rows = org.sent_rows
    hidden = org.hidden
    broadcasts = org.broadcasts
    positions: Iterable[int] = range(len(rows) - 1, hidden.before - 1, -1)
    if not org.rows_in_order:  # a row was added with an earlier time than the one before
        positions = sorted(positions, key=lambda p: (rows[p].created_at, p), reverse=True)
    hidden_ids = hidden.ids
    for position in positions:
        row = rows[position]
        if (hidden_ids and row.id in hidden_ids) or not wanted.matches_row(row):
            continue
        broadcast = broadcasts.get(row.broadcast_id)
        if broadcast is not None:
            yield position, row, broadcast


def _newest_first(org: Org, wanted: MessageFilter) -> Iterator[tuple[Any, int, Message]]:
    for position, row, broadcast in _rows(org, wanted):
        message = Message(org, broadcast, row)
        if wanted.matches(message):
            yield row.created_at, position, message


def clear(org: Org) -> int:
    """Hide every message the org's outbox shows now; how many that was."""
    cleared = sum(1 for _ in _rows(org, MessageFilter()))
    org.hidden.before = len(org.sent_rows)
    org.hidden.ids.clear()
    return cleared


def hide(org: Org, recipient_id: str) -> int:
    """Hide one message (by its row's id); 1, or 0 when it was hidden already."""
    rows = org.sent_rows
    position = next((p for p in range(len(rows) - 1, -1, -1) if rows[p].id == recipient_id),
                    None)
    if position is None:
        raise not_found(f"Message '{recipient_id}' not found in org '{org.id}'")
    if org.hidden.hides(position, rows[position]):
        return 0
    org.hidden.ids.add(recipient_id)
    return 0 if Flag.SKIPPED in rows[position].flags else 1
