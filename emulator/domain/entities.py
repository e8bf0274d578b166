"""The in-memory entities: plain dataclasses and enums, rendered to JSON elsewhere."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

# The row and its kinds are defined first (domain/kinds.py, domain/recipient.py) and named
# here with every other entity.
from emulator.domain.kinds import Integration as Integration
from emulator.domain.kinds import RecipientStatus as RecipientStatus
from emulator.domain.outcome import COUNTER_NAMES
from emulator.domain.recipient import Recipient as Recipient
from emulator.domain.recipient import RowOrigin as RowOrigin
from emulator.domain.rowindex import RowIndex

T = TypeVar("T")


def newest_first(items: Iterable[T], created_at: Callable[[T], datetime]) -> list[T]:
    """The one ordering of every list: `items` in creation order in, newest first out, and
    items created at the same instant in reverse creation order (stable on every run)."""
    chosen = list(items)
    chosen.reverse()
    chosen.sort(key=created_at, reverse=True)  # stable: ties keep reverse creation order
    return chosen


EMAIL_INTEGRATIONS = frozenset({Integration.GMAIL})
PHONE_INTEGRATIONS = frozenset({Integration.TWILIO, Integration.TELNYX, Integration.WHATSAPP_BOT})


class BroadcastType(StrEnum):
    MARKETING = "MARKETING"
    TRANSACTIONAL = "TRANSACTIONAL"


class BroadcastStatus(StrEnum):
    """Marketing broadcasts: DRAFT, SCHEDULED, SENDING, SENT, CANCELLED, FAILED. Transactional
    broadcasts (the emulator's extension): DRAFT, then ACTIVE while they accept sends and PAUSED
    while they refuse them (the guide's "Status: Active" and "Status: Paused")."""

    DRAFT = "DRAFT"
    SCHEDULED = "SCHEDULED"
    SENDING = "SENDING"
    SENT = "SENT"
    CANCELLED = "CANCELLED"
    FAILED = "FAILED"
    # Extension for transactional broadcasts (see docs/decisions.md).
    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"


MARKETING_STATUSES = frozenset(
    {
        BroadcastStatus.DRAFT,
        BroadcastStatus.SCHEDULED,
        BroadcastStatus.SENDING,
        BroadcastStatus.SENT,
        BroadcastStatus.CANCELLED,
        BroadcastStatus.FAILED,
    }
)
TRANSACTIONAL_STATUSES = frozenset(
    {BroadcastStatus.DRAFT, BroadcastStatus.ACTIVE, BroadcastStatus.PAUSED}
)


@dataclass(slots=True)
class Channel:
    id: str
    contact_id: str
    type: Integration
    user_id: str
    created_at: datetime
    updated_at: datetime
    name: str | None = None
    username: str | None = None
    email: str | None = None
    phone: str | None = None
    avatar: str | None = None
    country: str | None = None
    agent: str | None = None
    ip: str | None = None
    language: str | None = None
    link: str | None = None
    platform_data: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Contact:
    id: str
    created_at: datetime
    updated_at: datetime
    name: str | None = None
    blocked: bool = False
    unsubscribed: bool = False
    is_admin: bool = False
    channels: list[Channel] = field(default_factory=list)
    segment_ids: list[str] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)
    blocked_at: datetime | None = None
    unsubscribed_at: datetime | None = None
    unsubscribe_reason: str | None = None
    unsubscribe_feedback: str | None = None

    def first_email(self) -> Channel | None:
        return next((ch for ch in self.channels if ch.email), None)

    def first_phone(self) -> Channel | None:
        return next((ch for ch in self.channels if ch.phone), None)

    def first_of_type(self, integration: Integration) -> Channel | None:
        return next((ch for ch in self.channels if ch.type == integration), None)


@dataclass(slots=True)
class Segment:
    id: str
    name: str
    color: str
    created_at: datetime
    updated_at: datetime
    # Insertion-ordered set of member contact ids.
    contact_ids: dict[str, None] = field(default_factory=dict)


@dataclass(slots=True)
class Template:
    id: str
    broadcast_id: str
    integration_id: Integration
    config: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    connection_id: str | None = None
    error: str | None = None
    recipients_count: int = 0


@dataclass(slots=True)
class Broadcast:
    id: str
    name: str
    type: BroadcastType
    status: BroadcastStatus
    created_at: datetime
    updated_at: datetime
    # Variable name -> default value (any JSON).
    properties: dict[str, Any] = field(default_factory=dict)
    templates: list[Template] = field(default_factory=list)
    segment_ids: list[str] = field(default_factory=list)
    send_to_all: bool = False
    scheduled_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    error_message: str | None = None
    counters: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTER_NAMES, 0))
    recipients: list[Recipient] = field(default_factory=list)
    row_index: RowIndex = field(default_factory=RowIndex)
    # Distinct contacts that have at least one row, for contacts_count.
    contact_ids: set[str] = field(default_factory=set)
    # Rows not yet PROCESSED; a marketing send is SENT when none are left and none are to come.
    open_rows: int = 0
    audience_pending: bool = False
    # Bumped by every marketing send and cancel, so a stale scheduled start does nothing.
    send_generation: int = 0
    # A scenario's `fail_with`: the reason a marketing send of this broadcast ends FAILED.
    fail_with: str | None = None

    # The shared origin of the rows of each template (see domain/recipient.py), by template id.
    row_origins: dict[str, RowOrigin] = field(init=False, default_factory=dict, repr=False)

    def template(self, template_id: str) -> Template | None:
        return next((t for t in self.templates if t.id == template_id), None)

    def origin_for(self, template: Template) -> RowOrigin:
        """The origin new rows of `template` share (made again once the broadcast is renamed)."""
        origin = self.row_origins.get(template.id)
        if (origin is None or origin.broadcast_name != self.name
                or origin.integration_id != template.integration_id):
            origin = self.row_origins[template.id] = RowOrigin(
                self.id, self.name, template.id, template.integration_id)
        return origin


def address_of(row: Recipient) -> str | None:
    """The address a row's message goes to."""
    return address_on(row.integration_id, row.email, row.phone)


def address_on(integration: Integration, email: str | None, phone: str | None) -> str | None:
    """The address a message of this integration goes to, of a row's (or channel's) two."""
    if integration in EMAIL_INTEGRATIONS:
        return email
    if integration in PHONE_INTEGRATIONS:
        return phone
    return email or phone


def channel_type_for(email: str | None, phone: str | None) -> Integration:
    """The channel type an address makes: an email a `gmail` channel, a phone a `twilio` one."""
    if email:
        return Integration.GMAIL
    return Integration.TWILIO if phone else Integration.CUSTOM


def address_channels(contact_id: str, now: datetime, new_id: Callable[[], str], *,
                     email: str | None = None, phone: str | None = None,
                     name: str | None = None) -> list[Channel]:
    """The one contact factory's channels: an email channel and/or a phone channel, in that
    order (ids are drawn in that order too, which keeps generated ids stable)."""
    channels: list[Channel] = []
    for address, is_email in ((email, True), (phone, False)):
        if address:
            channels.append(Channel(
                id=new_id(), contact_id=contact_id,
                type=channel_type_for(address, None) if is_email else Integration.TWILIO,
                user_id=address, email=address if is_email else None,
                phone=None if is_email else address, name=name, created_at=now, updated_at=now,
            ))
    return channels
