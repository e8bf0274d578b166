"""Turns a scenario into domain blueprints: how to build each org, its outcome rules, webhook
targets and rate limits. Nothing below this module sees a pydantic spec. Deterministic: the same
spec and seed give the same ids and timestamps (under a virtual clock)."""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from emulator.domain.entities import (
    Broadcast,
    BroadcastStatus,
    Channel,
    Contact,
    Segment,
    Template,
    address_channels,
)
from emulator.domain.errors import bad_request
from emulator.domain.marketing import schedule
from emulator.domain.org import Blueprint, Org
from emulator.domain.ratelimit import Limit, LimitSettings
from emulator.domain.webhooks import WebhookTarget
from emulator.scenario.generate import generate_contacts
from emulator.scenario.outcomes import rule_book
from emulator.scenario.schema import (
    BroadcastSpec,
    ChannelSpec,
    ContactSpec,
    OrgSpec,
    RateLimitSpec,
    ScenarioSpec,
)
from emulator.support.rng import RandomSource


def org_ids(spec: ScenarioSpec) -> list[str]:
    """Every org's id, generating the missing ones from the scenario's own stream."""
    stream = RandomSource(spec.seed, "scenario")
    return [org.id or stream.new_id("org") for org in spec.orgs]


def scenario_blueprints(spec: ScenarioSpec) -> list[Blueprint]:
    """One blueprint per org of the scenario, in the scenario's order."""
    return [_blueprint(spec, spec, org_spec, org_id)
            for org_id, org_spec in zip(org_ids(spec), spec.orgs, strict=True)]


@dataclass(frozen=True, slots=True)
class NewOrg:
    """What POST /_emulator/orgs asks for: empty, a copy of a scenario org, or an org of a test's
    own scenario; optionally a sub-org, optionally on its own virtual clock."""

    name: str | None = None
    parent: str | None = None
    copy_of: str | None = None
    scenario: ScenarioSpec | None = None
    scenario_org: str | None = None
    clock_mode: str | None = None
    clock_start: datetime | None = None


def runtime_blueprint(loaded: ScenarioSpec, request: NewOrg, org_id: str,
                      api_key: str) -> Blueprint:
    """An org made at run time, with its own id and key. Orgs made from a test's own scenario
    follow that scenario's outcome rules and webhooks; rate limits are the loaded scenario's."""
    source_spec, source_org = loaded, OrgSpec()
    if request.copy_of is not None:
        source_org = _scenario_org(loaded, request.copy_of, "copy_of")
    elif request.scenario is not None:
        source_spec = request.scenario
        source_org = _scenario_org(source_spec, request.scenario_org, "org")
    org_spec = source_org.model_copy(update={
        "id": org_id, "api_keys": [api_key], "parent": request.parent,
        "name": request.name or source_org.name or org_id,
    })
    virtual = (request.clock_mode or source_spec.clock.mode) == "virtual"
    plan = _blueprint(source_spec, loaded, org_spec, org_id, from_scenario=False,
                      virtual=virtual, start=request.clock_start or source_spec.clock.start)
    return dataclasses.replace(plan, recipe=_recipe(request))


def _recipe(request: NewOrg) -> dict[str, Any]:
    """The request as plain JSON values (read back by the state file)."""
    return {
        "name": request.name, "parent": request.parent, "copy_of": request.copy_of,
        "scenario": (request.scenario.model_dump(mode="json")
                     if request.scenario is not None else None),
        "rule_sources": (request.scenario.rule_sources
                         if request.scenario is not None else []),
        "scenario_org": request.scenario_org, "clock_mode": request.clock_mode,
        "clock_start": (request.clock_start.isoformat()
                        if request.clock_start is not None else None),
    }


def _blueprint(source: ScenarioSpec, loaded: ScenarioSpec, org_spec: OrgSpec, org_id: str, *,
               from_scenario: bool = True, virtual: bool | None = None,
               start: datetime | None = None) -> Blueprint:
    return Blueprint(
        org_id=org_id, name=org_spec.name or org_id, seed=source.seed,
        fill=functools.partial(_fill, org_spec, source.seed),
        api_keys=tuple(org_spec.api_keys) if org_spec.api_keys is not None else None,
        parent_id=org_spec.parent,
        virtual_clock=source.clock.mode == "virtual" if virtual is None else virtual,
        clock_start=start if start is not None else source.clock.start,
        rules=rule_book(source), webhooks=_webhook_targets(source),
        limits=LimitSettings(_limit(loaded.rate_limits.send), _limit(loaded.rate_limits.general)),
        from_scenario=from_scenario,
    )


def _scenario_org(spec: ScenarioSpec, org_id: str | None, field: str) -> OrgSpec:
    ids = org_ids(spec)
    if org_id is None:
        if len(ids) != 1:
            raise bad_request(f"{field}: name the scenario org to use (one of "
                              f"{', '.join(ids) or 'none'})", field)
        return spec.orgs[0]
    if org_id not in ids:
        raise bad_request(f"{field}: no org '{org_id}' in the scenario (it has "
                          f"{', '.join(ids) or 'none'})", field)
    return spec.orgs[ids.index(org_id)]


def _limit(spec: RateLimitSpec | None) -> Limit | None:
    return None if spec is None else Limit(spec.requests, spec.per_seconds)


def _webhook_targets(spec: ScenarioSpec) -> tuple[WebhookTarget, ...]:
    return tuple(
        WebhookTarget(url=w.url, secret=w.secret,
                      events=frozenset(w.events) if w.events is not None else None,
                      max_attempts=w.max_attempts, timeout=w.timeout)
        for w in spec.webhooks
    )


def _fill(org_spec: OrgSpec, seed: int, org: Org) -> None:
    """The org's segments, contacts and broadcasts, then the schedules of SCHEDULED ones."""
    rng, now = org.rng, org.clock.now()
    for segment in org_spec.segments:
        built = Segment(id=segment.id or rng.new_id("seg"), name=segment.name,
                        color=segment.color, created_at=now, updated_at=now)
        org.segments[built.id] = built
    for contact in org_spec.contacts:
        org.add_contact(_contact(contact, rng, now))
    if org_spec.generate is not None:
        generate_contacts(org, org_spec.generate, seed, now)
    for broadcast in org_spec.broadcasts:
        built_broadcast = _broadcast(broadcast, rng, now)
        org.broadcasts[built_broadcast.id] = built_broadcast
    for broadcast_ in org.broadcasts.values():
        if broadcast_.status is BroadcastStatus.SCHEDULED:
            schedule(org, broadcast_)


def _contact(spec: ContactSpec, rng: RandomSource, now: datetime) -> Contact:
    contact = Contact(
        id=spec.id or rng.new_id("ct"), created_at=now, updated_at=now, name=spec.name,
        blocked=spec.blocked, unsubscribed=spec.unsubscribed, segment_ids=list(spec.segments),
        properties=dict(spec.properties),
        blocked_at=now if spec.blocked else None,
        unsubscribed_at=now if spec.unsubscribed else None,
    )
    contact.channels = address_channels(contact.id, now, lambda: rng.new_id("ch"),
                                        email=spec.email, phone=spec.phone, name=spec.name)
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
