"""Contacts and segments: the documented list, create and update operations."""

from __future__ import annotations

from dataclasses import dataclass

from emulator.domain.entities import Channel, Contact, Segment, channel_type_for, newest_first
from emulator.domain.errors import bad_request, found
from emulator.domain.org import Org

CONTACT_STATUSES = ("ALL", "SUBSCRIBED", "UNSUBSCRIBED", "BLOCKED", "AI_REPLIES_DISABLED")


@dataclass(frozen=True, slots=True)
class ContactFilter:
    status: str = "ALL"
    email: str | None = None
    user_id: str | None = None
    segment_id: str | None = None

    def matches(self, contact: Contact) -> bool:
        if not _status_matches(self.status, contact):
            return False
        if self.email is not None and not any(
            ch.email and ch.email.lower() == self.email.lower() for ch in contact.channels
        ):
            return False
        if self.user_id is not None and not any(ch.user_id == self.user_id
                                                for ch in contact.channels):
            return False
        return self.segment_id is None or self.segment_id in contact.segment_ids


def _status_matches(status: str, contact: Contact) -> bool:
    if status == "SUBSCRIBED":
        return not contact.unsubscribed and not contact.blocked
    if status == "UNSUBSCRIBED":
        return contact.unsubscribed
    if status == "BLOCKED":
        return contact.blocked
    # The emulator has no AI replies, so no contact has them disabled.
    return status != "AI_REPLIES_DISABLED"


def list_contacts(org: Org, wanted: ContactFilter) -> list[Contact]:
    """Newest first; contacts created at the same instant in reverse creation order."""
    if wanted.segment_id is not None:
        get_segment(org, wanted.segment_id)
    return newest_first((c for c in org.contacts.values() if wanted.matches(c)),
                        lambda c: c.created_at)


def get_contact(org: Org, contact_id: str) -> Contact:
    return found(org.contacts.get(contact_id), "Contact", contact_id)


def get_segment(org: Org, segment_id: str) -> Segment:
    return found(org.segments.get(segment_id), "Segment", segment_id)


@dataclass(frozen=True, slots=True)
class NewContact:
    user_id: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    segment_ids: tuple[str, ...] = ()


def create_contact(org: Org, spec: NewContact) -> Contact:
    """One contact with one channel; validates everything before adding anything."""
    if not (spec.user_id or spec.email or spec.phone):
        raise bad_request("channel: give at least one of user_id, email or phone", "channel")
    if spec.email and org.contact_by_email(spec.email):
        raise bad_request("channel.email: a contact with this email already exists",
                          "channel.email")
    if spec.phone and org.contact_by_phone(spec.phone):
        raise bad_request("channel.phone: a contact with this phone already exists",
                          "channel.phone")
    for index, segment_id in enumerate(spec.segment_ids):
        if segment_id not in org.segments:
            raise bad_request(f"segment_ids[{index}]: segment '{segment_id}' not found",
                              f"segment_ids[{index}]")
    now = org.clock.now()
    contact = Contact(id=org.rng.new_id("ct"), created_at=now, updated_at=now, name=spec.name,
                      segment_ids=list(dict.fromkeys(spec.segment_ids)))
    contact.channels.append(Channel(
        id=org.rng.new_id("ch"), contact_id=contact.id,
        type=channel_type_for(spec.email, spec.phone),
        user_id=spec.user_id or spec.email or spec.phone or contact.id, name=spec.name,
        email=spec.email, phone=spec.phone, created_at=now, updated_at=now,
    ))
    org.add_contact(contact)
    return contact


_UNSET = object()


def update_contact(org: Org, contact: Contact, *, name: object = _UNSET,
                   blocked: bool | None = None, unsubscribed: bool | None = None) -> Contact:
    """Setting `blocked` or `unsubscribed` stamps its `_at` (clearing it clears the stamp)."""
    now = org.clock.now()
    if name is not _UNSET:
        assert name is None or isinstance(name, str)
        contact.name = name
    if blocked is not None and blocked != contact.blocked:
        contact.blocked = blocked
        contact.blocked_at = now if blocked else None
    if unsubscribed is not None and unsubscribed != contact.unsubscribed:
        contact.unsubscribed = unsubscribed
        contact.unsubscribed_at = now if unsubscribed else None
        if not unsubscribed:
            contact.unsubscribe_reason = contact.unsubscribe_feedback = None
    contact.updated_at = now
    return contact


def add_to_segment(org: Org, contact: Contact, segment: Segment) -> Segment:
    """Idempotent: adding a member twice changes nothing."""
    if org.join_segment(contact, segment):
        contact.updated_at = segment.updated_at = org.clock.now()
    return segment


def list_segments(org: Org) -> list[Segment]:
    return newest_first(org.segments.values(), lambda s: s.created_at)


def update_segment(org: Org, segment: Segment, *, name: str | None = None,
                   color: str | None = None) -> Segment:
    if name is not None:
        segment.name = name
    if color is not None:
        segment.color = color
    segment.updated_at = org.clock.now()
    return segment
