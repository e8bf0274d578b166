"""Building one recipient row: which channel and address a template uses for a contact, with any
per-send overrides, and why a row is skipped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from emulator.domain.entities import (
    EMAIL_INTEGRATIONS,
    PHONE_INTEGRATIONS,
    Broadcast,
    Channel,
    Contact,
    Integration,
    Template,
    address_of,
)
from emulator.domain.org import Org
from emulator.domain.outcome import SUPPRESSED
from emulator.domain.recipient import Recipient


@dataclass(frozen=True, slots=True)
class Overrides:
    """Per-send values (transactional triggers); a marketing send has none."""

    channel: Channel | None = None  # tier 1: the caller chose the channel
    email: str | None = None
    phone: str | None = None
    name: str | None = None


NO_OVERRIDES = Overrides()


def build_row(org: Org, broadcast: Broadcast, template: Template, contact: Contact,
              now: datetime, overrides: Overrides = NO_OVERRIDES,
              variables: dict[str, Any] | None = None) -> Recipient:
    """A new SENDING row; `error_message` is set when the row must be skipped."""
    origin = broadcast.origin_for(template)
    row = Recipient.new(org.rng.id_number(), origin, contact.id, now, variables)
    integration = template.integration_id
    channel = overrides.channel or channel_for(integration, contact)
    if channel is not None:
        row.user_id, row.username = channel.user_id, channel.username
        row.email, row.phone = channel.email, channel.phone
    if overrides.channel is not None:
        row.email = overrides.email or row.email
        row.phone = overrides.phone or row.phone
    elif integration in EMAIL_INTEGRATIONS and overrides.email:
        row.email = overrides.email
        row.user_id = row.user_id or overrides.email
    elif integration in PHONE_INTEGRATIONS and overrides.phone:
        row.phone = overrides.phone
        row.user_id = row.user_id or overrides.phone
    elif channel is None:
        row.error_message = _missing(integration)
    row.name = overrides.name or (channel.name if channel else None) or contact.name
    if row.error_message is None and org.suppressions and org.is_suppressed(address_of(row)):
        row.error_message = SUPPRESSED
    return row


def channel_for(integration: Integration, contact: Contact) -> Channel | None:
    """The contact's channel a message of this integration goes through (its first fitting)."""
    if integration in EMAIL_INTEGRATIONS:
        return contact.first_email()
    if integration in PHONE_INTEGRATIONS:
        return contact.first_phone()
    return contact.first_of_type(integration)


def _missing(integration: Integration) -> str:
    if integration in EMAIL_INTEGRATIONS:
        return "Contact has no email address for this template"
    if integration in PHONE_INTEGRATIONS:
        return "Contact has no phone number for this template"
    return f"Contact has no {integration.value} channel for this template"


def merged_variables(broadcast: Broadcast, contact: Contact,
                     given: dict[str, Any] | None = None) -> dict[str, Any]:
    """Per-send values over the contact's stored values over the broadcast's defaults, key by
    key (an object in `variables` replaces the stored one whole). A null is no value: it falls
    back to the next source, like an omitted key."""
    merged: dict[str, Any] = {}
    for source in (broadcast.properties, contact.properties, given or {}):
        merged.update((key, value) for key, value in source.items() if value is not None)
    return merged
