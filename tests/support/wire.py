"""Facts of the wire every test area asserts: the keys of each documented object, the recipient
flags and the counters they feed, the error envelope, and the start of the tests' virtual
clock. The flags, counters and envelope keys come from the package's one definition of each
(emulator/domain/outcome.py, emulator/http/errors.py); the objects' keys are written out here,
from the public documentation, so the tests check the renderers against the docs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from emulator.domain.outcome import COUNTER_NAMES, WIRE_FLAGS
from emulator.domain.outcome import FLAG_COUNTERS as DOMAIN_FLAG_COUNTERS
from emulator.http.errors import Error

Json = dict[str, Any]

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
START_YAML = "2026-01-05T09:00:00Z"
VIRTUAL = f'clock: {{mode: virtual, start: "{START_YAML}"}}'
# The bundled default scenario's org and key.
ACME_KEY = "test_key_acme"

# Every key of the envelope but `details` (validation errors only).
ENVELOPE_KEYS = frozenset(Error.__annotations__) - {"details"}

FLAGS = tuple(flag.value for flag in WIRE_FLAGS)
# Which broadcast counter each flag feeds (a bounce counts as sent and failed, through its flags).
FLAG_COUNTERS = {flag.value: counters[0] for flag, counters in DOMAIN_FLAG_COUNTERS.items()
                 if flag in WIRE_FLAGS and counters}
COUNTER_KEYS = COUNTER_NAMES

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
