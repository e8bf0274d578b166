"""The scenario file's shape (../shared/SCENARIO-FORMAT.md), validated with pydantic.

Strict, with unknown keys refused, because users write these files by hand and a typo must not be
silently ignored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from emulator.domain.entities import BroadcastStatus, BroadcastType, Integration

Scalar = str | int | float | bool | None
Id = Annotated[str, Field(min_length=1, max_length=256, pattern=r"^[^\s/]+$")]
SegmentColor = Literal[
    "red", "orange", "amber", "yellow", "lime", "green", "teal", "cyan", "sky", "blue",
    "indigo", "violet", "purple", "fuchsia", "pink", "rose", "neutral",
]
Email = Annotated[str, Field(max_length=256, pattern=r"^[^@\s]+@[^@\s]+$")]
Phone = Annotated[str, Field(max_length=256, pattern=r"^\+?[0-9 ()\-]*[0-9][0-9 ()\-]*$")]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class RateLimitSpec(_Spec):
    requests: int = Field(ge=1)
    per_seconds: float = Field(gt=0)


DEFAULT_SEND_LIMIT = RateLimitSpec(requests=100, per_seconds=60)


class RateLimitsSpec(_Spec):
    send: RateLimitSpec | None = DEFAULT_SEND_LIMIT
    general: RateLimitSpec | None = None


class ChannelSpec(_Spec):
    id: Id | None = None
    type: Integration = Field(strict=False)
    user_id: str | None = Field(default=None, max_length=256)
    name: str | None = Field(default=None, max_length=256)
    username: str | None = Field(default=None, max_length=256)
    email: Email | None = None
    phone: Phone | None = None
    country: str | None = None
    language: str | None = None
    platform_data: dict[str, Any] = Field(default_factory=dict)


class ContactSpec(_Spec):
    id: Id | None = None
    name: str | None = Field(default=None, max_length=256)
    email: Email | None = None
    phone: Phone | None = None
    channels: list[ChannelSpec] = Field(default_factory=list)
    blocked: bool = False
    unsubscribed: bool = False
    segments: list[Id] = Field(default_factory=list)
    properties: dict[str, Any] = Field(default_factory=dict)


class SegmentSpec(_Spec):
    id: Id | None = None
    name: str = Field(min_length=1, max_length=128)
    color: SegmentColor = "neutral"


class TemplateSpec(_Spec):
    id: Id | None = None
    integration_id: Integration = Field(strict=False)
    config: dict[str, Any] = Field(default_factory=dict)


class BroadcastSpec(_Spec):
    id: Id | None = None
    name: str = Field(min_length=1, max_length=255)
    type: BroadcastType = Field(default=BroadcastType.MARKETING, strict=False)
    status: BroadcastStatus = Field(default=BroadcastStatus.DRAFT, strict=False)
    properties: dict[str, Scalar] = Field(default_factory=dict)
    templates: list[TemplateSpec] = Field(default_factory=list)
    segment_ids: list[Id] = Field(default_factory=list, max_length=10)
    send_to_all: bool = False
    scheduled_at: datetime | None = Field(default=None, strict=False)


class OrgSpec(_Spec):
    id: Id | None = None
    name: str | None = Field(default=None, max_length=256)
    api_keys: list[Annotated[str, Field(min_length=1, max_length=256)]] | None = None
    parent: Id | None = None
    segments: list[SegmentSpec] = Field(default_factory=list)
    contacts: list[ContactSpec] = Field(default_factory=list)
    broadcasts: list[BroadcastSpec] = Field(default_factory=list)


class ScenarioSpec(_Spec):
    seed: int = 0
    rate_limits: RateLimitsSpec = RateLimitsSpec()
    orgs: list[OrgSpec] = Field(default_factory=list)
