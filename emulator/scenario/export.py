"""One org as a scenario file (GET /_emulator/orgs/{id}/export): its contacts, segments,
broadcasts with templates, outcome rules and webhooks, not its rows. Loading the text back
(`serve --scenario`, POST /_emulator/orgs) and exporting again gives the same bytes."""

from __future__ import annotations

from typing import Any

from emulator.domain.entities import Broadcast, BroadcastStatus, BroadcastType, Channel, Contact
from emulator.domain.org import Org
from emulator.domain.outcome import EVENT_NAMES
from emulator.domain.ratelimit import Limit
from emulator.scenario.outcomes import rule_shape
from emulator.support.clock import VirtualClock, format_timestamp

_CHANNEL_KEYS = ("user_id", "name", "username", "email", "phone", "country", "language")


def export_org(org: Org) -> str:
    """The org as scenario YAML; the caller catches the org up first."""
    import yaml  # here, not at the top: serving needs PyYAML only once an org is exported

    return yaml.safe_dump(org_scenario(org), sort_keys=False, allow_unicode=True,
                          default_flow_style=False, width=100)


def org_scenario(org: Org) -> dict[str, Any]:
    """The org as a scenario document of plain values. A virtual clock is exported at the org's
    present moment; the parent of a sub-org is left out (it is not in the file)."""
    plan = org.blueprint
    clock: dict[str, Any] = ({"mode": "virtual", "start": format_timestamp(org.clock.now())}
                             if isinstance(org.clock, VirtualClock) else {"mode": "real"})
    return {
        "seed": plan.seed,
        "clock": clock,
        "magic_addresses": org.policy.magic_addresses,
        "rate_limits": {"send": _limit(plan.limits.send),
                        "general": _limit(plan.limits.general)},
        "orgs": [{
            "id": org.id, "name": org.name, "api_keys": list(org.api_keys),
            "segments": [{"id": s.id, "name": s.name, "color": s.color}
                         for s in org.segments.values()],
            "contacts": [_contact(c) for c in org.contacts.values()],
            "broadcasts": [_broadcast(b) for b in org.broadcasts.values()],
        }],
        "outcomes": [rule_shape(rule) for rule in org.policy.book.rules],
        "webhooks": [
            {"url": t.url, **({"secret": t.secret} if t.secret is not None else {}),
             **({"events": [e for e in EVENT_NAMES if e in t.events]}
                if t.events is not None else {}),
             "max_attempts": t.max_attempts, "timeout": t.timeout}
            for t in org.webhooks.targets
        ],
    }


def _limit(limit: Limit | None) -> dict[str, Any] | None:
    return None if limit is None else {"requests": limit.requests,
                                       "per_seconds": limit.per_seconds}


def _contact(contact: Contact) -> dict[str, Any]:
    shape: dict[str, Any] = {"id": contact.id}
    if contact.name is not None:
        shape["name"] = contact.name
    if contact.blocked:
        shape["blocked"] = True
    if contact.unsubscribed:
        shape["unsubscribed"] = True
    if contact.segment_ids:
        shape["segments"] = list(contact.segment_ids)
    if contact.properties:
        shape["properties"] = contact.properties
    if contact.channels:
        shape["channels"] = [_channel(ch) for ch in contact.channels]
    return shape


def _channel(channel: Channel) -> dict[str, Any]:
    shape: dict[str, Any] = {"id": channel.id, "type": channel.type.value}
    shape.update({k: getattr(channel, k) for k in _CHANNEL_KEYS
                  if getattr(channel, k) is not None})
    if channel.platform_data:
        shape["platform_data"] = channel.platform_data
    return shape


def _broadcast(broadcast: Broadcast) -> dict[str, Any]:
    # A send in progress cannot be loaded (scenario/check.py); its rows are not exported, so
    # it is exported as what it becomes, SENT.
    status = (BroadcastStatus.SENT if broadcast.status is BroadcastStatus.SENDING
              else broadcast.status)
    shape: dict[str, Any] = {"id": broadcast.id, "name": broadcast.name,
                             "type": broadcast.type.value, "status": status.value}
    if broadcast.properties:
        shape["properties"] = broadcast.properties
    shape["templates"] = [{"id": t.id, "integration_id": t.integration_id.value,
                           "config": t.config} for t in broadcast.templates]
    if broadcast.type is BroadcastType.MARKETING:
        if broadcast.segment_ids:
            shape["segment_ids"] = list(broadcast.segment_ids)
        if broadcast.send_to_all:
            shape["send_to_all"] = True
        if broadcast.scheduled_at is not None:
            shape["scheduled_at"] = format_timestamp(broadcast.scheduled_at)
        if broadcast.fail_with is not None:
            shape["fail_with"] = broadcast.fail_with
    return shape
