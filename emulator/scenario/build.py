"""Builds the in-memory orgs a scenario describes. Deterministic: the same spec and seed give the
same ids and timestamps (under a virtual clock)."""

from __future__ import annotations

from datetime import datetime

from emulator.clock import Clock
from emulator.domain.entities import (
    Broadcast,
    BroadcastStatus,
    Channel,
    Contact,
    Integration,
    Segment,
    Template,
)
from emulator.domain.org import Org
from emulator.rng import RandomSource
from emulator.scenario.generate import generate_contacts
from emulator.scenario.schema import (
    BroadcastSpec,
    ChannelSpec,
    ContactSpec,
    OrgSpec,
    ScenarioSpec,
)


def org_ids(spec: ScenarioSpec) -> list[str]:
    """Every org's id, generating the missing ones from the scenario's own stream."""
    stream = RandomSource(spec.seed, "scenario")
    return [org.id or stream.new_id("org") for org in spec.orgs]


def build_org(spec: ScenarioSpec, org_spec: OrgSpec, org_id: str, clock: Clock) -> Org:
    rng = RandomSource(spec.seed, f"org:{org_id}")
    now = clock.now()
    keys = list(org_spec.api_keys) if org_spec.api_keys is not None else [rng.token("test_key")]
    org = Org(id=org_id, name=org_spec.name or org_id, clock=clock, rng=rng,
              parent_id=org_spec.parent, api_keys=keys)
    for segment in org_spec.segments:
        built = Segment(id=segment.id or rng.new_id("seg"), name=segment.name,
                        color=segment.color, created_at=now, updated_at=now)
        org.segments[built.id] = built
    for contact in org_spec.contacts:
        org.add_contact(_contact(contact, rng, now))
    if org_spec.generate is not None:
        generate_contacts(org, org_spec.generate, spec.seed, now)
    for broadcast in org_spec.broadcasts:
        built_broadcast = _broadcast(broadcast, rng, now)
        org.broadcasts[built_broadcast.id] = built_broadcast
    return org


def _contact(spec: ContactSpec, rng: RandomSource, now: datetime) -> Contact:
    contact = Contact(
        id=spec.id or rng.new_id("ct"), created_at=now, updated_at=now, name=spec.name,
        blocked=spec.blocked, unsubscribed=spec.unsubscribed, segment_ids=list(spec.segments),
        properties=dict(spec.properties),
        blocked_at=now if spec.blocked else None,
        unsubscribed_at=now if spec.unsubscribed else None,
    )
    if spec.email is not None:
        contact.channels.append(Channel(
            id=rng.new_id("ch"), contact_id=contact.id, type=Integration.GMAIL,
            user_id=spec.email, email=spec.email, name=spec.name, created_at=now, updated_at=now,
        ))
    if spec.phone is not None:
        contact.channels.append(Channel(
            id=rng.new_id("ch"), contact_id=contact.id, type=Integration.TWILIO,
            user_id=spec.phone, phone=spec.phone, name=spec.name, created_at=now, updated_at=now,
        ))
    contact.channels.extend(_channel(ch, contact, rng, now) for ch in spec.channels)
    return contact


def _channel(spec: ChannelSpec, contact: Contact, rng: RandomSource, now: datetime) -> Channel:
    channel_id = spec.id or rng.new_id("ch")
    return Channel(
        id=channel_id, contact_id=contact.id, type=spec.type,
        user_id=spec.user_id or spec.email or spec.phone or channel_id,
        name=spec.name or contact.name, username=spec.username, email=spec.email,
        phone=spec.phone, country=spec.country, language=spec.language,
        platform_data=dict(spec.platform_data), created_at=now, updated_at=now,
    )


def _broadcast(spec: BroadcastSpec, rng: RandomSource, now: datetime) -> Broadcast:
    broadcast = Broadcast(
        id=spec.id or rng.new_id("bc"), name=spec.name, type=spec.type, status=spec.status,
        created_at=now, updated_at=now, properties=dict(spec.properties),
        segment_ids=list(spec.segment_ids), send_to_all=spec.send_to_all,
        scheduled_at=spec.scheduled_at, fail_with=spec.fail_with,
        started_at=now if spec.status is BroadcastStatus.ACTIVE else None,
    )
    broadcast.templates = [
        Template(id=t.id or rng.new_id("tpl"), broadcast_id=broadcast.id,
                 integration_id=t.integration_id, config=dict(t.config),
                 created_at=now, updated_at=now)
        for t in spec.templates
    ]
    return broadcast
