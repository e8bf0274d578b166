"""Facts of the wire every test area asserts: the keys of each documented object, the recipient
flags and the counters they feed, the error envelope, and the start of the tests' virtual
clock. Written out here (not imported from the emulator), so the tests check the code."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

Json = dict[str, Any]

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
START_YAML = "2026-01-05T09:00:00Z"
VIRTUAL = f'clock: {{mode: virtual, start: "{START_YAML}"}}'
# The bundled default scenario's org and key.
ACME_KEY = "test_key_acme"

ENVELOPE_KEYS = frozenset({"statusCode", "error", "message"})

FLAGS = ("is_skipped", "is_failed", "is_bounced", "is_sent", "is_delivered", "is_complained",
         "is_unsubscribed", "is_opened", "is_played")
# Which broadcast counter each flag feeds (a bounce counts as sent and failed, through its flags).
FLAG_COUNTERS = {
    "is_skipped": "skipped_count", "is_failed": "failed_count", "is_sent": "sent_count",
    "is_delivered": "delivered_count", "is_opened": "opened_count",
    "is_played": "played_count", "is_complained": "complained_count",
    "is_unsubscribed": "unsubscribed_count",
}
COUNTER_KEYS = (
    "contacts_count", "recipients_count", "skipped_count", "sent_count", "failed_count",
    "delivered_count", "opened_count", "played_count", "click_count", "complained_count",
    "unsubscribed_count",
)

# Seed 002: every field of the broadcast object, plus the emulator's documented `type` extension.
BROADCAST_KEYS = frozenset({
    "id", "name", "status", "scheduled_at", "started_at", "completed_at", *COUNTER_KEYS,
    "error_message", "segments", "send_to_all", "templates", "created_at", "updated_at", "type",
})
TEMPLATE_KEYS = frozenset({
    "id", "broadcast_id", "connection_id", "integration_id", "recipients_count", "config",
    "error", "created_at", "updated_at",
})
# A segment inside a broadcast or a contact; the segments endpoints add its color.
EMBEDDED_SEGMENT_KEYS = frozenset({"id", "name", "contacts_count", "created_at", "updated_at"})
SEGMENT_KEYS = EMBEDDED_SEGMENT_KEYS | {"color"}
# invent-api.md §2: the union of seed 000's and seed 004's recipient shapes.
RECIPIENT_KEYS = frozenset({
    "id", "broadcast_id", "broadcast_name", "template_id", "integration_id", "user_id", "name",
    "username", "phone", "email", "status", "error_message", "external_message_id",
    "created_at", "updated_at", "contact",
    *FLAGS, *(f"{flag}_at" for flag in FLAGS),
})
CONTACT_KEYS = frozenset({
    "id", "name", "blocked", "unsubscribed", "is_admin", "channels", "segments", "properties",
    "created_at", "updated_at", "blocked_at", "unsubscribed_at", "unsubscribe_reason",
    "unsubscribe_feedback",
})
CHANNEL_KEYS = frozenset({
    "id", "type", "user_id", "avatar", "name", "username", "email", "phone", "country", "agent",
    "ip", "language", "platform_data", "created_at", "updated_at", "link",
})
