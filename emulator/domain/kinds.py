"""The kinds a recipient row is made of: the channel integrations, a row's status and its
outcome flags (named with every other entity in domain/entities.py)."""

from __future__ import annotations

from enum import StrEnum


class Integration(StrEnum):
    INTERNAL = "internal"
    CUSTOM = "custom"
    WHATSAPP_BOT = "whatsapp_bot"
    MESSENGER_BOT = "messenger_bot"
    INSTAGRAM_DM = "instagram_dm"
    TWILIO = "twilio"
    TELNYX = "telnyx"
    SLACK_BOT = "slack_bot"
    TELEGRAM_BOT = "telegram_bot"
    GMAIL = "gmail"
    GOOGLE_CALENDAR = "google_calendar"


class RecipientStatus(StrEnum):
    SENDING = "SENDING"
    PROCESSED = "PROCESSED"


class Flag(StrEnum):
    """The outcome flags of a recipient row, in the order the wire shows them. `CLICKED` is the
    one flag the documented row does not show (`WIRE_FLAGS`): a click moves `click_count`, shows
    in the outbox and names its webhook event, but the row has no `is_clicked`."""

    SKIPPED = "is_skipped"
    FAILED = "is_failed"
    BOUNCED = "is_bounced"
    SENT = "is_sent"
    DELIVERED = "is_delivered"
    COMPLAINED = "is_complained"
    UNSUBSCRIBED = "is_unsubscribed"
    OPENED = "is_opened"
    PLAYED = "is_played"
    CLICKED = "is_clicked"
