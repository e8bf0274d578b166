"""Turns a scenario into domain blueprints: how to build each org, its outcome rules, webhook
targets, rate limits and content (plain domain data, `domain/seeds.py`). Nothing below this
module sees a pydantic spec. Deterministic: the same spec and seed give the same ids and
timestamps (under a virtual clock)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from emulator.domain.errors import bad_request
from emulator.domain.faults import FaultRule
from emulator.domain.org import Blueprint
from emulator.domain.ratelimit import Limit, LimitSettings
from emulator.domain.seeds import (
    BroadcastSeed,
    ChannelSeed,
    ContactSeed,
    Generation,
    OrgContent,
    SegmentSeed,
    TemplateSeed,
)
from emulator.domain.webhooks import WebhookTarget
from emulator.scenario.outcomes import rule_book
from emulator.support.rng import RandomSource

if TYPE_CHECKING:
    from emulator.scenario.schema import (
        BroadcastSpec,
        ChannelSpec,
        ContactSpec,
        FaultSpec,
        GenerateSpec,
        OrgSpec,
        RateLimitSpec,
        ScenarioSpec,
    )


def org_ids(spec: ScenarioSpec) -> list[str]:
    """Every org's id, generating the missing ones from the scenario's own stream."""
    stream = RandomSource(spec.seed, "scenario")
    return [org.id or stream.new_id("org") for org in spec.orgs]


def scenario_blueprints(spec: ScenarioSpec) -> list[Blueprint]:
    """One blueprint per org of the scenario, in the scenario's order."""
    return [_blueprint(spec, spec, org_spec, org_id)
            for org_id, org_spec in zip(org_ids(spec), spec.orgs, strict=True)]


def fault_rule(spec: FaultSpec) -> FaultRule:
    """The domain rule of one entry in the scenario's `faults:` shape."""
    respond = spec.respond
    return FaultRule(
        method=spec.when.method, path=spec.when.path, every=spec.every, nth=spec.nth,
        probability=spec.probability, status=respond.status if respond else None,
        message=respond.message if respond else None,
        retry_after=respond.retry_after if respond else None, delay=spec.delay, drop=spec.drop,
    )


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
    # Here, not at the top: serving loads the scenario models only when first needed.
    from emulator.scenario.schema import OrgSpec

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
        content=org_content(org_spec),
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


def org_content(spec: OrgSpec) -> OrgContent:
    """The org's entities as plain domain data: the boundary past which no pydantic model goes."""
    return OrgContent(
        segments=tuple(SegmentSeed(id=s.id, name=s.name, color=s.color) for s in spec.segments),
        contacts=tuple(_contact(c) for c in spec.contacts),
        broadcasts=tuple(_broadcast(b) for b in spec.broadcasts),
        generate=_generation(spec.generate) if spec.generate is not None else None,
    )


def _contact(spec: ContactSpec) -> ContactSeed:
    return ContactSeed(
        id=spec.id, name=spec.name, email=spec.email, phone=spec.phone,
        channels=tuple(_channel(ch) for ch in spec.channels), blocked=spec.blocked,
        unsubscribed=spec.unsubscribed, segments=tuple(spec.segments),
        properties=dict(spec.properties),
    )


def _channel(spec: ChannelSpec) -> ChannelSeed:
    return ChannelSeed(
        type=spec.type, id=spec.id, user_id=spec.user_id, name=spec.name,
        username=spec.username, email=spec.email, phone=spec.phone, country=spec.country,
        language=spec.language, platform_data=dict(spec.platform_data),
    )


def _broadcast(spec: BroadcastSpec) -> BroadcastSeed:
    return BroadcastSeed(
        name=spec.name, id=spec.id, type=spec.type, status=spec.status,
        properties=dict(spec.properties),
        templates=tuple(TemplateSeed(integration_id=t.integration_id, id=t.id,
                                     config=dict(t.config)) for t in spec.templates),
        segment_ids=tuple(spec.segment_ids), send_to_all=spec.send_to_all,
        scheduled_at=spec.scheduled_at, fail_with=spec.fail_with,
    )


def _generation(spec: GenerateSpec) -> Generation:
    return Generation(count=spec.count, segments=tuple(spec.segments.items()),
                      email_domain=spec.email_domain)
