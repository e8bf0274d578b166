"""What a fresh org starts with, as plain data: the segments, contacts, broadcasts and generated
contacts of its scenario. The scenario layer turns its specs into these at its boundary, so a
blueprint (and so every org) holds domain data, never a pydantic model. Ids left out are drawn
from the org's random stream when the org is filled (`populate.populate`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from emulator.domain.entities import BroadcastStatus, BroadcastType, Integration


@dataclass(frozen=True, slots=True)
class SegmentSeed:
    name: str
    color: str = "neutral"
    id: str | None = None


@dataclass(frozen=True, slots=True)
class ChannelSeed:
    type: Integration
    id: str | None = None
    user_id: str | None = None
    name: str | None = None
    username: str | None = None
    email: str | None = None
    phone: str | None = None
    country: str | None = None
    language: str | None = None
    platform_data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ContactSeed:
    id: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    channels: tuple[ChannelSeed, ...] = ()
    blocked: bool = False
    unsubscribed: bool = False
    segments: tuple[str, ...] = ()
    properties: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TemplateSeed:
    integration_id: Integration
    id: str | None = None
    config: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BroadcastSeed:
    name: str
    id: str | None = None
    type: BroadcastType = BroadcastType.MARKETING
    status: BroadcastStatus = BroadcastStatus.DRAFT
    properties: Mapping[str, Any] = field(default_factory=dict)
    templates: tuple[TemplateSeed, ...] = ()
    segment_ids: tuple[str, ...] = ()
    send_to_all: bool = False
    scheduled_at: datetime | None = None
    fail_with: str | None = None


@dataclass(frozen=True, slots=True)
class Generation:
    """`generate:` — how many contacts to synthesize, and each segment's share of them."""

    count: int
    segments: tuple[tuple[str, float], ...] = ()
    email_domain: str = "example.test"


@dataclass(frozen=True, slots=True)
class OrgContent:
    """Everything a fresh org is filled with, in the order it is made."""

    segments: tuple[SegmentSeed, ...] = ()
    contacts: tuple[ContactSeed, ...] = ()
    broadcasts: tuple[BroadcastSeed, ...] = ()
    generate: Generation | None = None
