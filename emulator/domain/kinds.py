"""The kinds a recipient row is made of besides its flags (domain/outcome.py): the channel
integrations and a row's status (named with every other entity in domain/entities.py); and the
colors a segment may have."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

SegmentColor = Literal[
    "red", "orange", "amber", "yellow", "lime", "green", "teal", "cyan", "sky", "blue",
    "indigo", "violet", "purple", "fuchsia", "pink", "rose", "neutral",
]


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
