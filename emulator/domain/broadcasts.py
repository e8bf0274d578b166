"""Creating, listing and moving broadcasts through their lifecycle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from emulator.domain.entities import (
    EMAIL_INTEGRATIONS,
    Broadcast,
    BroadcastStatus,
    BroadcastType,
    Integration,
    Template,
    newest_first,
)
from emulator.domain.errors import bad_request, found
from emulator.domain.org import Org


@dataclass(frozen=True, slots=True)
class NewBroadcast:
    name: str
    type: BroadcastType = BroadcastType.MARKETING
    scheduled_at: datetime | None = None
    segment_ids: tuple[str, ...] = ()
    send_to_all: bool = False


def create_broadcast(org: Org, spec: NewBroadcast) -> Broadcast:
    for index, segment_id in enumerate(spec.segment_ids):
        if segment_id not in org.segments:
            raise bad_request(
                f"segment_ids[{index}]: segment '{segment_id}' not found in org '{org.id}'",
                f"segment_ids[{index}]",
            )
    if spec.type is BroadcastType.TRANSACTIONAL:
        for field_name, given in (("scheduled_at", spec.scheduled_at is not None),
                                  ("segment_ids", bool(spec.segment_ids)),
                                  ("send_to_all", spec.send_to_all)):
            if given:
                raise bad_request(
                    f"{field_name}: a transactional broadcast has no audience or schedule",
                    field_name,
                )
    now = org.clock.now()
    broadcast = Broadcast(
        id=org.rng.new_id("bc"), name=spec.name, type=spec.type, status=BroadcastStatus.DRAFT,
        created_at=now, updated_at=now, scheduled_at=spec.scheduled_at,
        segment_ids=list(dict.fromkeys(spec.segment_ids)), send_to_all=spec.send_to_all,
    )
    org.add_broadcast(broadcast)
    return broadcast


def get_broadcast(org: Org, broadcast_id: str) -> Broadcast:
    return found(org.broadcasts.get(broadcast_id), "Broadcast", broadcast_id)


def list_broadcasts(org: Org, status: BroadcastStatus | None) -> list[Broadcast]:
    return newest_first((b for b in org.broadcasts.values()
                         if status is None or b.status is status), lambda b: b.created_at)


EDITABLE_STATUSES = (BroadcastStatus.DRAFT, BroadcastStatus.PAUSED, BroadcastStatus.CANCELLED,
                     BroadcastStatus.FAILED)


def add_template(org: Org, broadcast: Broadcast, template_id: str | None,
                 integration: Integration, config: dict[str, Any]) -> Template:
    if broadcast.status not in EDITABLE_STATUSES:
        raise bad_request(
            f"Broadcast '{broadcast.id}' is {broadcast.status.value}; templates can be added "
            "only while it is DRAFT, PAUSED, CANCELLED or FAILED"
        )
    if template_id is not None and _template_id_taken(org, template_id):
        raise bad_request(f"id: template '{template_id}' already exists", "id")
    now = org.clock.now()
    template = Template(
        id=template_id or org.rng.new_id("tpl"), broadcast_id=broadcast.id,
        integration_id=integration, config=config, created_at=now, updated_at=now,
    )
    broadcast.templates.append(template)
    broadcast.updated_at = now
    return template


def _template_id_taken(org: Org, template_id: str) -> bool:
    return any(b.template(template_id) for b in org.broadcasts.values())


class BroadcastAction(StrEnum):
    """Control-surface transitions of a transactional broadcast."""

    ACTIVATE = "activate"
    PAUSE = "pause"
    RESUME = "resume"


# action -> (from, to)
_TRANSITIONS: dict[BroadcastAction, tuple[BroadcastStatus, BroadcastStatus]] = {
    BroadcastAction.ACTIVATE: (BroadcastStatus.DRAFT, BroadcastStatus.ACTIVE),
    BroadcastAction.PAUSE: (BroadcastStatus.ACTIVE, BroadcastStatus.PAUSED),
    BroadcastAction.RESUME: (BroadcastStatus.PAUSED, BroadcastStatus.ACTIVE),
}


def transition(org: Org, broadcast: Broadcast, action: BroadcastAction) -> Broadcast:
    source, target = _TRANSITIONS[action]
    if broadcast.type is not BroadcastType.TRANSACTIONAL:
        raise bad_request(f"Only a transactional broadcast can {action}; "
                          f"'{broadcast.id}' is a marketing broadcast")
    if broadcast.status is not source:
        raise bad_request(f"Cannot {action} broadcast '{broadcast.id}': it is "
                          f"{broadcast.status.value}, not {source.value}")
    if target is BroadcastStatus.ACTIVE:
        _check_ready(broadcast, action)
    now = org.clock.now()
    broadcast.status = target
    broadcast.updated_at = now
    org.status_changed(broadcast, now)
    if action is BroadcastAction.ACTIVATE and broadcast.started_at is None:
        broadcast.started_at = now
    return broadcast


def missing_content(template: Template) -> list[str]:
    """The config keys a template still lacks to be complete: an email template needs a
    `subject` and a `body`, any other channel a `body`, each a non-blank string (the guide
    activates a broadcast only with its templates complete)."""
    needed = ("subject", "body") if template.integration_id in EMAIL_INTEGRATIONS else ("body",)
    return [key for key in needed
            if not (isinstance(text := template.config.get(key), str) and text.strip())]


def _check_ready(broadcast: Broadcast, action: BroadcastAction) -> None:
    """Opening the endpoint (activate, resume) needs a template, and every template complete."""
    if not broadcast.templates:
        raise bad_request(f"Cannot {action} broadcast '{broadcast.id}': it has no template")
    for template in broadcast.templates:
        missing = missing_content(template)
        if missing:
            raise bad_request(
                f"Cannot {action} broadcast '{broadcast.id}': template '{template.id}' "
                f"({template.integration_id.value}) is not complete: its config has no "
                f"{' and no '.join(missing)}")
