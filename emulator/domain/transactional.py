"""Triggering a transactional broadcast for one recipient, by the rules docs/api.md lists under
"The send rules" (choices of our own are in docs/decisions.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from emulator.domain.contacts import get_contact
from emulator.domain.entities import (
    Broadcast,
    BroadcastStatus,
    BroadcastType,
    Channel,
    Contact,
    Template,
    address_channels,
)
from emulator.domain.errors import ApiError, bad_request, found, too_many_requests
from emulator.domain.org import Org
from emulator.domain.outcome import Decision, Outcome
from emulator.domain.recipient import Recipient
from emulator.domain.rowlife import SkipDue, add_row, dispatch, skip
from emulator.domain.rows import Overrides, build_row, merged_variables


@dataclass(frozen=True, slots=True)
class Trigger:
    """A validated send body. Phone and email double as identifiers and per-send overrides."""

    contact_channel_id: str | None = None
    contact_id: str | None = None
    phone: str | None = None
    email: str | None = None
    name: str | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    template_ids: list[str] | None = None
    background: bool = False

    def __post_init__(self) -> None:
        # A template named twice is sent once.
        if self.template_ids is not None:
            object.__setattr__(self, "template_ids", list(dict.fromkeys(self.template_ids)))


@dataclass(slots=True)
class _Addressee:
    """The person the trigger resolved to; `contact` is not yet in the org when `is_new`."""

    contact: Contact
    channel: Channel | None
    is_new: bool


# Seconds a provider's 429 (the `rate_limited` outcome) asks the caller to wait.
PROVIDER_RETRY_AFTER = 1


def trigger(org: Org, broadcast: Broadcast, request: Trigger) -> list[Recipient]:
    """Fire the broadcast's templates at one recipient. Validates and draws everything before
    changing anything, and every refusal comes before the first draw (`_plan`), so a rejected
    trigger leaves no contact, row, counter, id or draw behind with nothing to rewind (the
    random state is not checkpointed per send: that copy was about 5 % of a send). A provider
    429 (`rate_limited`) counts as an attempt: its outcome draws stand, so a sequence such as
    [rate_limited, delivered] moves on."""
    now = org.clock.now()
    recipient, rows, decisions = _plan(org, broadcast, request, now)
    if recipient.is_new:
        org.add_contact(recipient.contact)
    for row, decision in zip(rows, decisions, strict=True):
        add_row(org, broadcast, row)
        if decision is None:
            _skip_row(org, broadcast, row, now, later=request.background)
        else:
            dispatch(org, broadcast, row, decision, now, immediate=not request.background)
    broadcast.updated_at = now
    return rows


def _plan(org: Org, broadcast: Broadcast, request: Trigger, now: datetime,
          ) -> tuple[_Addressee, list[Recipient], list[Decision | None]]:
    # The refusals first, then the draws (a new contact's ids, the rows' ids, the outcomes):
    # past this point nothing refuses but the provider's 429, whose draws stand.
    _check_sendable(broadcast)
    templates = _selected_templates(broadcast, request.template_ids)
    recipient = _resolve(org, request)
    if recipient is None:
        recipient = _Addressee(_new_contact(org, request, now), None, is_new=True)
    else:
        _check_reachable(recipient.contact)
    variables = merged_variables(broadcast, recipient.contact, request.variables)
    overrides = Overrides(recipient.channel, request.email, request.phone, request.name)
    rows = [build_row(org, broadcast, template, recipient.contact, now, overrides, variables)
            for template in templates]
    decisions = [
        None if row.error_message else org.policy.decide(row) for row in rows
    ]
    if any(d is not None and d.outcome is Outcome.RATE_LIMITED for d in decisions):
        raise too_many_requests("Rate limit exceeded by the provider; retry later",
                                PROVIDER_RETRY_AFTER)
    return recipient, rows, decisions


def _skip_row(org: Org, broadcast: Broadcast, row: Recipient, now: datetime,
              later: bool) -> None:
    """Skipped at once, or, for a background send, on the clock like every other row."""
    reason = row.error_message or "skipped"
    if later:
        org.scheduler.at(now, SkipDue(broadcast, row, reason))
    else:
        skip(org, broadcast, row, reason, now)


def _check_sendable(broadcast: Broadcast) -> None:
    if broadcast.type is not BroadcastType.TRANSACTIONAL:
        raise bad_request(f"Broadcast '{broadcast.id}' is a marketing broadcast")
    if broadcast.status is not BroadcastStatus.ACTIVE:
        raise bad_request(
            f"Broadcast '{broadcast.id}' is {broadcast.status.value}; only an ACTIVE "
            "transactional broadcast accepts triggers"
        )


def _selected_templates(broadcast: Broadcast, template_ids: list[str] | None) -> list[Template]:
    if template_ids is None:
        return list(broadcast.templates)
    for index, template_id in enumerate(template_ids):
        if broadcast.template(template_id) is None:
            raise bad_request(
                f"template_ids[{index}]: template '{template_id}' does not belong to broadcast "
                f"'{broadcast.id}'",
                f"template_ids[{index}]",
            )
    wanted = set(template_ids)
    return [t for t in broadcast.templates if t.id in wanted]


def _resolve(org: Org, request: Trigger) -> _Addressee | None:
    """The contact the trigger names, or None when its address is new (no draw here)."""
    if request.contact_channel_id is not None:
        channel = found(org.channels.get(request.contact_channel_id), "Contact channel",
                        request.contact_channel_id)
        return _Addressee(org.contacts[channel.contact_id], channel, is_new=False)
    if request.contact_id is not None:
        return _Addressee(get_contact(org, request.contact_id), None, is_new=False)
    if request.email is None and request.phone is None:
        raise bad_request(
            "Provide at least one recipient identifier: contact_channel_id, contact_id, phone "
            "or email",
            "contact_channel_id",
        )
    # Seed 000: an email "find-or-creates a contact by email"; only a phone-only trigger looks
    # up by phone. The phone of an email trigger is an override for this send (rows.build_row).
    existing = (org.contact_by_email(request.email) if request.email is not None
                else org.contact_by_phone(request.phone or ""))
    if existing is not None:
        return _Addressee(existing, None, is_new=False)
    return None


def _new_contact(org: Org, request: Trigger, now: datetime) -> Contact:
    """A contact with the trigger's email and phone; phones stay unique, so a phone another
    contact has is not stored (it still reaches this send's phone templates)."""
    phone = request.phone
    if phone is not None and org.contact_by_phone(phone) is not None:
        phone = None
    contact = Contact(id=org.rng.new_id("ct"), created_at=now, updated_at=now)
    contact.channels = address_channels(contact.id, now, lambda: org.rng.new_id("ch"),
                                        email=request.email, phone=phone)
    return contact


def _check_reachable(contact: Contact) -> None:
    if contact.blocked:
        raise ApiError(400, f"Contact '{contact.id}' is blocked; no message was sent")
    if contact.unsubscribed:
        raise ApiError(400, f"Contact '{contact.id}' is unsubscribed; no message was sent")
