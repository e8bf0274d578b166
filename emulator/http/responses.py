"""Wire schemas of the public API's answers, for the OpenAPI document only: the JSON itself is
built by http/render.py, and the test suite checks every answer it receives against these.
Field order and nullability follow render.py; every field is required (nullable ones are
present with null)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from emulator.domain.entities import BroadcastStatus, BroadcastType, Integration, RecipientStatus
from emulator.scenario.schema import SegmentColor

# What clock.format_timestamp writes: UTC, milliseconds, `Z` (docs/decisions.md, "Wire format").
Timestamp = Annotated[str, Field(
    pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$",
    json_schema_extra={"format": "date-time", "examples": ["2026-01-05T09:00:00.000Z"]},
)]
Count = Annotated[int, Field(ge=0)]
JsonObject = dict[str, Any]


class Answer(BaseModel):
    """An answer object: every field listed, nothing else (additionalProperties false)."""

    # Built when the API description or a test first asks (never on a request's path), so
    # start-up does not pay for the schema of every answer.
    model_config = ConfigDict(extra="forbid", defer_build=True)


class ErrorDetail(Answer):
    field: str = Field(description="The field or parameter, e.g. `template_ids[1]`.")
    message: str


class Error(Answer):
    """The one error envelope of every 4xx/5xx the emulator itself answers."""

    statusCode: Annotated[int, Field(ge=400, le=599)]
    error: str = Field(description="The status's reason phrase, e.g. `Bad Request`.")
    message: str
    details: list[ErrorDetail] = Field(
        default_factory=list, min_length=1,
        description="Present on validation errors only: one entry per field.")


class EmbeddedSegment(Answer):
    """A segment inside a broadcast or a contact (no `color`)."""

    id: str
    name: str
    contacts_count: Count
    created_at: Timestamp
    updated_at: Timestamp


class Segment(Answer):
    """A segment as the segments endpoints show it."""

    id: str
    name: Annotated[str, Field(min_length=1, max_length=128)]
    color: SegmentColor
    contacts_count: Count
    created_at: Timestamp
    updated_at: Timestamp


class Template(Answer):
    id: str
    broadcast_id: str
    connection_id: str | None
    integration_id: Integration
    recipients_count: Count
    config: JsonObject = Field(description="Channel content; `{{variable}}` placeholders.")
    error: str | None
    created_at: Timestamp
    updated_at: Timestamp


class Broadcast(Answer):
    id: str
    name: str
    status: BroadcastStatus = Field(
        description="Marketing: DRAFT SCHEDULED SENDING SENT CANCELLED FAILED; "
                    "transactional (emulator extension): DRAFT ACTIVE PAUSED.")
    type: BroadcastType = Field(description="Emulator extension, fixed at creation.")
    scheduled_at: Timestamp | None
    started_at: Timestamp | None
    completed_at: Timestamp | None
    contacts_count: Count
    recipients_count: Count
    skipped_count: Count
    sent_count: Count
    failed_count: Count
    delivered_count: Count
    opened_count: Count
    played_count: Count
    click_count: Count
    complained_count: Count
    unsubscribed_count: Count
    error_message: str | None
    segments: list[EmbeddedSegment]
    send_to_all: bool
    templates: list[Template]
    created_at: Timestamp
    updated_at: Timestamp


class Channel(Answer):
    id: str
    type: Integration
    user_id: str
    avatar: str | None
    name: str | None
    username: str | None
    email: str | None
    phone: str | None
    country: str | None
    agent: str | None
    ip: str | None
    language: str | None
    platform_data: JsonObject
    created_at: Timestamp
    updated_at: Timestamp
    link: str | None


class Contact(Answer):
    id: str
    name: str | None
    blocked: bool
    unsubscribed: bool
    is_admin: bool
    channels: list[Channel]
    segments: list[EmbeddedSegment]
    properties: JsonObject
    created_at: Timestamp
    updated_at: Timestamp
    blocked_at: Timestamp | None
    unsubscribed_at: Timestamp | None
    unsubscribe_reason: str | None
    unsubscribe_feedback: str | None


class Recipient(Answer):
    """One recipient row: the union of the send answer's and the recipients list's shapes."""

    id: str
    broadcast_id: str
    broadcast_name: str
    template_id: str
    integration_id: Integration
    user_id: str | None
    name: str | None
    username: str | None
    phone: str | None
    email: str | None
    status: RecipientStatus
    is_skipped: bool
    is_skipped_at: Timestamp | None
    is_failed: bool
    is_failed_at: Timestamp | None
    is_bounced: bool
    is_bounced_at: Timestamp | None
    is_sent: bool
    is_sent_at: Timestamp | None
    is_delivered: bool
    is_delivered_at: Timestamp | None
    is_complained: bool
    is_complained_at: Timestamp | None
    is_unsubscribed: bool
    is_unsubscribed_at: Timestamp | None
    is_opened: bool
    is_opened_at: Timestamp | None
    is_played: bool
    is_played_at: Timestamp | None
    error_message: str | None
    external_message_id: str | None
    created_at: Timestamp
    updated_at: Timestamp
    contact: Contact | None = Field(description="Null once the contact is gone.")


class SendAnswer(Answer):
    """A transactional send: one row per template fired (a marketing send answers the
    broadcast)."""

    recipients: list[Recipient]

