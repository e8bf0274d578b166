"""The emulator's outbox: every message handed to a provider (every row not skipped), with its
content rendered as the send resolved it. Read by tests; never part of the public API."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from emulator.domain.entities import Broadcast, Recipient, address_of
from emulator.domain.org import Org
from emulator.domain.outcome import Flag
from emulator.domain.rows import merged_variables
from emulator.domain.templating import missing_variables, render_config
from emulator.support.addresses import normalize_address


@dataclass(frozen=True, slots=True)
class Message:
    org: Org
    broadcast: Broadcast
    row: Recipient

    @property
    def to(self) -> str | None:
        return address_of(self.row) or self.row.user_id

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


@dataclass(frozen=True, slots=True)
class MessageFilter:
    org_id: str | None = None
    broadcast_id: str | None = None
    to: str | None = None
    integration_id: str | None = None

    def matches(self, message: Message) -> bool:
        row = message.row
        if self.broadcast_id is not None and row.broadcast_id != self.broadcast_id:
            return False
        if self.integration_id is not None and row.integration_id.value != self.integration_id:
            return False
        if self.to is not None:
            to = message.to
            return to is not None and normalize_address(to) == normalize_address(self.to)
        return True


def messages(orgs: list[Org], wanted: MessageFilter) -> Iterator[Message]:
    """Newest first across the given orgs (by creation time, then creation order), read lazily:
    the first messages of a big outbox cost what they are, not the outbox."""
    streams = [_newest_first(org, wanted) for org in orgs
               if wanted.org_id is None or org.id == wanted.org_id]
    merged = heapq.merge(*streams, key=lambda item: (item[0], item[1]), reverse=True)
    return (message for _, _, message in merged)


def _newest_first(org: Org, wanted: MessageFilter) -> Iterator[tuple[Any, int, Message]]:
    rows = org.sent_rows
    positions: Iterable[int] = range(len(rows) - 1, -1, -1)
    if not org.rows_in_order:  # a row was added with an earlier time than the one before
        positions = sorted(positions, key=lambda p: (rows[p].created_at, p), reverse=True)
    for position in positions:
        row = rows[position]
        if row.has(Flag.SKIPPED):
            continue
        broadcast = org.broadcasts.get(row.broadcast_id)
        if broadcast is None:
            continue
        message = Message(org, broadcast, row)
        if wanted.matches(message):
            yield row.created_at, position, message
