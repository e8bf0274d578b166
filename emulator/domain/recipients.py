"""Listing a broadcast's recipient rows with the documented filters, newest first, one page at a
time: no filter or one filter reads the row index (the cost of a page, whatever the size of the
send); a combination of filters scans the rows of its most selective one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from emulator.domain.entities import Broadcast, Integration, Recipient, RecipientStatus
from emulator.domain.outcome import Flag
from emulator.domain.rowindex import PROCESSED, PositionsNewestFirst
from emulator.support.addresses import normalize_email


@dataclass(frozen=True, slots=True)
class RecipientFilter:
    status: RecipientStatus | None = None
    flags: dict[Flag, bool] = field(default_factory=dict)
    integration_id: Integration | str | None = None
    contact_id: str | None = None
    user_id: str | None = None
    username: str | None = None
    email: str | None = None

    def matches(self, row: Recipient) -> bool:
        if self.status is not None and row.status is not self.status:
            return False
        for flag, wanted in self.flags.items():
            if row.has(flag) != wanted:
                return False
        return (
            (self.integration_id is None or row.integration_id == self.integration_id)
            and (self.contact_id is None or row.contact_id == self.contact_id)
            and (self.user_id is None or row.user_id == self.user_id)
            and (self.username is None or row.username == self.username)
            and (self.email is None or (row.email is not None and
                                        normalize_email(row.email) == normalize_email(self.email)))
        )

    def values(self) -> dict[str, str]:
        """The address filters given, by field, as the index compares them."""
        given = {"integration_id": self.integration_id, "contact_id": self.contact_id,
                 "user_id": self.user_id, "username": self.username,
                 "email": normalize_email(self.email) if self.email is not None else None}
        return {name: str(value) for name, value in given.items() if value is not None}

    def predicates(self) -> dict[str, bool]:
        """The flag and status filters, as keys of the row index that must (not) hold."""
        held = {flag.value: wanted for flag, wanted in self.flags.items()}
        if self.status is not None:
            held[PROCESSED] = self.status is RecipientStatus.PROCESSED
        return held


_VALUE_OF: dict[str, Callable[[Recipient], str | None]] = {
    "integration_id": lambda row: row.integration_id.value,
    "contact_id": lambda row: row.contact_id,
    "user_id": lambda row: row.user_id,
    "username": lambda row: row.username,
    "email": lambda row: normalize_email(row.email) if row.email is not None else None,
}


def page_recipients(broadcast: Broadcast, wanted: RecipientFilter, offset: int,
                    take: int) -> tuple[list[Recipient], int]:
    """One page of the matching rows, newest first (the reverse of creation order, stable
    under equal timestamps), and how many match in all."""
    rows = broadcast.recipients
    candidates = _candidates(broadcast, wanted)
    if candidates is None:  # no filter
        chosen = rows[max(0, len(rows) - offset - take):max(0, len(rows) - offset)]
        return chosen[::-1], len(rows)
    if len(wanted.values()) + len(wanted.predicates()) == 1:
        return [rows[p] for p in candidates.page(offset, take)], len(candidates)
    matching = [row for row in map(rows.__getitem__, candidates.newest_first())
                if wanted.matches(row)]
    return matching[offset:offset + take], len(matching)


def _candidates(broadcast: Broadcast, wanted: RecipientFilter) -> PositionsNewestFirst | None:
    """The rows of the most selective single filter, or None when nothing is filtered."""
    index, total = broadcast.row_index, len(broadcast.recipients)
    options = [index.with_value(name, value, total, _reader(broadcast, name))
               for name, value in wanted.values().items()]
    options += [index.holding(key, held, total) for key, held in wanted.predicates().items()]
    return min(options, key=len, default=None)


def _reader(broadcast: Broadcast, name: str) -> Callable[[int], str | None]:
    """Reads field `name` of the row at a position, as the index compares it."""
    value_of, rows = _VALUE_OF[name], broadcast.recipients
    return lambda position: value_of(rows[position])
