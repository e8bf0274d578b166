"""Listing a broadcast's recipient rows with the documented filters, newest first."""

from __future__ import annotations

from dataclasses import dataclass, field

from emulator.domain.entities import Broadcast, Flag, Integration, Recipient, RecipientStatus
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
            if (flag in row.flags) != wanted:
                return False
        return (
            (self.integration_id is None or row.integration_id == self.integration_id)
            and (self.contact_id is None or row.contact_id == self.contact_id)
            and (self.user_id is None or row.user_id == self.user_id)
            and (self.username is None or row.username == self.username)
            and (self.email is None or (row.email is not None and
                                        normalize_email(row.email) == normalize_email(self.email)))
        )


def list_recipients(broadcast: Broadcast, wanted: RecipientFilter) -> list[Recipient]:
    """Newest first: the reverse of creation order, which is stable under equal timestamps."""
    return [row for row in reversed(broadcast.recipients) if wanted.matches(row)]
