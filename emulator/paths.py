"""Every route template the emulator serves, public and control, written once. The operations
(emulator/http/), the guards, the health probe, the start banner and the inbox UI (through the
generated `wire.js`) all take their paths from here; nothing else spells one out.

Standard library only and at the bottom of the layers, so the health probe stays cheap."""

from __future__ import annotations

# The documented public API (the key's own org is `c`).
BROADCASTS = "/orgs/{org_id}/broadcasts"
BROADCAST_RECIPIENTS = "/orgs/{org_id}/broadcasts/{broadcast_id}/recipients"
BROADCAST_SEND = "/orgs/{org_id}/broadcasts/{broadcast_id}/send"
CONTACTS = "/orgs/{org_id}/contacts"
CONTACT = "/orgs/{org_id}/contacts/{contact_id}"
CONTACT_SEGMENTS = "/orgs/{org_id}/contacts/{contact_id}/segments"
CONTACT_SEGMENT = "/orgs/{org_id}/contacts/{contact_id}/segments/{segment_id}"
SEGMENTS = "/orgs/{org_id}/segments"
SEGMENT = "/orgs/{org_id}/segments/{segment_id}"

# The emulator's own control surface: no API key, same-origin only.
CONTROL_PREFIX = "/_emulator"
HEALTH = "/_emulator/health"
RESET = "/_emulator/reset"
SCENARIO = "/_emulator/scenario"
SNAPSHOT = "/_emulator/snapshot"
CLOCK = "/_emulator/clock"
CLOCK_ADVANCE = "/_emulator/clock/advance"
MAGIC = "/_emulator/magic"
SUPPRESSIONS = "/_emulator/suppressions"
WEBHOOKS = "/_emulator/webhooks"
MESSAGES = "/_emulator/messages"
EVENTS = "/_emulator/events"
REQUESTS = "/_emulator/requests"
ORGS = "/_emulator/orgs"
ORG = "/_emulator/orgs/{org_id}"
ORG_BROADCASTS = "/_emulator/orgs/{org_id}/broadcasts"
ORG_BROADCAST = "/_emulator/orgs/{org_id}/broadcasts/{broadcast_id}"
# activate, pause, resume (emulator.domain.broadcasts.BroadcastAction) and cancel.
ORG_BROADCAST_ACTION = "/_emulator/orgs/{org_id}/broadcasts/{broadcast_id}/{action}"
ORG_BROADCAST_TEMPLATES = "/_emulator/orgs/{org_id}/broadcasts/{broadcast_id}/templates"
ORG_RECIPIENT = ("/_emulator/orgs/{org_id}/broadcasts/{broadcast_id}/recipients/"
                 "{recipient_id}")
ORG_RECIPIENTS = "/_emulator/orgs/{org_id}/recipients"
ORG_MESSAGE = "/_emulator/orgs/{org_id}/messages/{recipient_id}"
# One org's run-time faults and outcome rules, and the org as a scenario file.
ORG_FAULTS = "/_emulator/orgs/{org_id}/faults"
ORG_FAULT = "/_emulator/orgs/{org_id}/faults/{fault_id}"
ORG_OUTCOMES = "/_emulator/orgs/{org_id}/outcomes"
ORG_EXPORT = "/_emulator/orgs/{org_id}/export"
UI = "/_emulator/ui"
UI_FILE = "/_emulator/ui/{name}"

# The API description and its explorer.
OPENAPI = "/openapi.json"
DOCS = "/docs"
DOCS_ASSET = "/docs/{asset}"

# The one control path open without the admin token (container health checks).
OPEN_CONTROL_PATHS = frozenset({HEALTH})


def fill(template: str, **values: str) -> str:
    """`fill(ORG_BROADCAST_ACTION, action="pause", ...)`: a template with some names given."""
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template


def is_control(path: str) -> bool:
    return path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")


def is_docs(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in (DOCS, OPENAPI))
