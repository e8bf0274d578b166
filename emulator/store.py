"""The running emulator's state: every org, the key index, the rate limiters, and the scenario
they were built from (so a reset can rebuild them exactly)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from emulator.clock import Clock, VirtualClock
from emulator.domain.entities import BroadcastStatus
from emulator.domain.errors import bad_request, found, too_many_requests, unauthorized
from emulator.domain.marketing import schedule
from emulator.domain.org import Listener, Org
from emulator.domain.outcomes import RulePolicy
from emulator.domain.ratelimit import Limit, SlidingWindowLimiter
from emulator.rng import RandomSource
from emulator.scenario.build import build_org, org_ids
from emulator.scenario.rules import build_rules
from emulator.scenario.schema import OrgSpec, RateLimitSpec, ScenarioSpec, WebhookSpec

ORG_ALIAS = "c"


@dataclass(frozen=True, slots=True)
class NewOrg:
    """What POST /_emulator/orgs asks for."""

    name: str | None = None
    parent: str | None = None
    copy_of: str | None = None
    scenario: ScenarioSpec | None = None
    scenario_org: str | None = None
    clock_mode: str | None = None
    clock_start: datetime | None = None


@dataclass(frozen=True, slots=True)
class Blueprint:
    """How to (re)build one org: the scenario it comes from, its part of it, and its clock."""

    spec: ScenarioSpec
    org_spec: OrgSpec
    virtual: bool
    start: datetime | None
    # Orgs made from a test's own scenario follow that scenario's outcome rules and webhooks.
    own_rules: bool = False


class Store:
    def __init__(self, spec: ScenarioSpec, clock: Clock) -> None:
        self.clock = clock
        self.orgs: dict[str, Org] = {}
        self.keys: dict[str, str] = {}
        # Told of every recipient event of every org (the webhook sender subscribes here).
        self.listeners: list[Listener] = []
        # One stream for the whole life of the store: ids and keys of orgs made at run time are
        # never issued twice, even across resets (an old client must get 401, not a new org).
        self._new_org_ids = RandomSource(spec.seed, "runtime-orgs")
        self.load(spec)

    def load(self, spec: ScenarioSpec) -> None:
        """Replace everything, orgs made at run time included, with what `spec` describes; all
        or nothing: if building fails, the running state is left exactly as it was."""
        saved = dict(self.__dict__)
        old_orgs = list(self.orgs.values())
        try:
            self._load(spec)
        except Exception:
            self.__dict__.clear()
            self.__dict__.update(saved)
            raise
        for org in old_orgs:
            _retire(org)

    def _load(self, spec: ScenarioSpec) -> None:
        self.spec = spec
        self.policy = RulePolicy(build_rules(spec.outcomes), spec.magic_addresses)
        self.send_limiter = _limiter(spec.rate_limits.send)
        self.general_limiter = _limiter(spec.rate_limits.general)
        self.blueprints: dict[str, Blueprint] = {}
        self.own_policies: dict[str, RulePolicy] = {}
        self.orgs = {}
        for org_id, org_spec in zip(org_ids(spec), spec.orgs, strict=True):
            self.blueprints[org_id] = Blueprint(spec, org_spec, spec.clock.mode == "virtual",
                                                spec.clock.start)
            self._build(org_id)
        self._index_keys()

    def _build(self, org_id: str) -> Org:
        blueprint = self.blueprints[org_id]
        clock: Clock = self.clock
        if blueprint.virtual:
            clock = VirtualClock(blueprint.start or self.clock.now())
        org = build_org(blueprint.spec, blueprint.org_spec, org_id, clock)
        org.listeners = self.listeners
        self.orgs[org.id] = org
        if blueprint.own_rules:
            self.own_policies[org_id] = RulePolicy(build_rules(blueprint.spec.outcomes),
                                                   blueprint.spec.magic_addresses)
        for broadcast in org.broadcasts.values():
            if broadcast.status is BroadcastStatus.SCHEDULED:
                schedule(org, broadcast, self.policy_for(org))
        return org

    def policy_for(self, org: Org) -> RulePolicy:
        return self.own_policies.get(org.id, self.policy)

    def webhooks_for(self, org_id: str) -> list[WebhookSpec]:
        blueprint = self.blueprints.get(org_id)
        if blueprint is not None and blueprint.own_rules:
            return blueprint.spec.webhooks
        return self.spec.webhooks

    def create_org(self, request: NewOrg) -> Org:
        """A fresh, isolated org with a new API key: empty, a copy of a scenario org, or an org
        of another scenario; optionally a sub-org, optionally on its own virtual clock."""
        if request.parent is not None:
            self.org(request.parent)
        org_id = self._new_org_ids.new_id("org")
        while org_id in self.orgs:
            org_id = self._new_org_ids.new_id("org")
        api_key = self._new_org_ids.token("test_key")
        source_spec, source_org = self.spec, OrgSpec()
        if request.copy_of is not None:
            source_org = self._scenario_org(self.spec, request.copy_of, "copy_of")
        elif request.scenario is not None:
            source_spec = request.scenario
            source_org = self._scenario_org(source_spec, request.scenario_org, "org")
        org_spec = source_org.model_copy(update={
            "id": org_id, "api_keys": [api_key], "parent": request.parent,
            "name": request.name or source_org.name or org_id,
        })
        virtual = (request.clock_mode or source_spec.clock.mode) == "virtual"
        self.blueprints[org_id] = Blueprint(
            source_spec, org_spec, virtual, request.clock_start or source_spec.clock.start,
            own_rules=request.scenario is not None)
        org = self._build(org_id)
        self.keys[api_key] = org_id
        return org

    def delete_org(self, org_id: str) -> None:
        """Remove an org made at run time (the pytest plugin does after each test), with its
        sub-orgs made at run time."""
        found(self.orgs.get(org_id), "Org", org_id)
        if org_id in org_ids(self.spec):
            raise bad_request(f"Org '{org_id}' comes from the scenario; reset it instead")
        doomed = [o for o in self.orgs.values() if o.id == org_id or self._reaches(org_id, o)]
        for victim in doomed:
            del self.orgs[victim.id]
            self.blueprints.pop(victim.id, None)
            self.own_policies.pop(victim.id, None)
            _retire(victim)
            self._forget_limits(victim.id)
            self.policy.forget(victim.id)
        self._index_keys()

    def _forget_limits(self, org_id: str) -> None:
        if self.send_limiter is not None:
            self.send_limiter.forget(org_id)
        if self.general_limiter is not None:
            self.general_limiter.forget_where(lambda key: key[0] == org_id)

    def _scenario_org(self, spec: ScenarioSpec, org_id: str | None, field: str) -> OrgSpec:
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

    def reset(self, org_id: str | None = None) -> None:
        if org_id is None:
            self.load(self.spec)
            return
        old = found(self.orgs.get(org_id), "Org", org_id)
        self._build(org_id)
        _retire(old)
        self._forget_limits(org_id)
        self.policy_for(self.orgs[org_id]).forget(org_id)
        self._index_keys()

    def advance(self, seconds: float, org_id: str | None = None) -> list[Org]:
        """Move virtual time forward, running everything that falls due in order, each at its
        own moment. Without `org_id`, every org on a virtual clock. Orgs that share one clock
        (an injected test clock) move together, once."""
        if org_id is not None:
            orgs = [self.org(org_id)]
            if not isinstance(orgs[0].clock, VirtualClock):
                raise bad_request(f"Org '{org_id}' runs on the real clock; set `clock: {{mode: "
                                  "virtual}` in the scenario to move time by hand")
        else:
            orgs = [o for o in self.orgs.values() if isinstance(o.clock, VirtualClock)]
            if not orgs:
                raise bad_request("Every org runs on the real clock; set `clock: {mode: "
                                  "virtual}` in the scenario to move time by hand")
        by_clock: dict[int, list[Org]] = {}
        for org in orgs:
            by_clock.setdefault(id(org.clock), []).append(org)
        for group in by_clock.values():
            clock = group[0].clock
            assert isinstance(clock, VirtualClock)
            target = clock.now() + timedelta(seconds=seconds)
            sharing = [o for o in self.orgs.values() if o.clock is clock]
            for org in sharing:
                org.run_until(clock.now())
            while True:
                dues = [d for o in sharing if (d := o.scheduler.next_due()) is not None]
                due = min(dues, default=None)
                if due is None or due > target:
                    break
                clock.set(due)
                for org in sharing:
                    org.run_until(due)
            clock.set(target)
        return orgs

    def _index_keys(self) -> None:
        self.keys = {key: org.id for org in self.orgs.values() for key in org.api_keys}

    def org(self, org_id: str) -> Org:
        org = found(self.orgs.get(org_id), "Org", org_id)
        org.catch_up()
        return org

    def authorize(self, api_key: str | None, org_id: str) -> Org:
        """The org a request may act on: `c` is the key's own org; any other id must be the key's
        org or one of its descendants."""
        if not api_key:
            raise unauthorized("Missing API key: send 'Authorization: Bearer <api key>'")
        own_id = self.keys.get(api_key)
        if own_id is None:
            raise unauthorized("Invalid API key")
        if org_id == ORG_ALIAS:
            return self.org(own_id)
        target = self.org(org_id)
        if not self._reaches(own_id, target):
            raise unauthorized(f"This API key cannot access org '{org_id}'")
        return target

    def _reaches(self, own_id: str, target: Org) -> bool:
        current: Org | None = target
        seen: set[str] = set()
        while current is not None and current.id not in seen:
            if current.id == own_id:
                return True
            seen.add(current.id)
            current = self.orgs.get(current.parent_id) if current.parent_id else None
        return False

    def check_send_limit(self, org: Org) -> None:
        if self.send_limiter is None:
            return
        retry_after = self.send_limiter.hit(org.id, org.clock.now())
        if retry_after is not None:
            limit = self.send_limiter.limit
            raise too_many_requests(
                f"Rate limit exceeded: the send endpoint allows {limit.requests} requests per "
                f"{limit.per_seconds:g} seconds per org; retry after {retry_after} s",
                retry_after,
            )

    def check_general_limit(self, client: str, org: Org) -> None:
        if self.general_limiter is None:
            return
        # Per key and org: each org has its own clock, and a reset forgets its org's windows.
        retry_after = self.general_limiter.hit((org.id, client), org.clock.now())
        if retry_after is not None:
            limit = self.general_limiter.limit
            raise too_many_requests(
                f"Rate limit exceeded: {limit.requests} requests per {limit.per_seconds:g} "
                f"seconds per API key and org; retry after {retry_after} s",
                retry_after,
            )


def _limiter(spec: RateLimitSpec | None) -> SlidingWindowLimiter | None:
    return None if spec is None else SlidingWindowLimiter(Limit(spec.requests, spec.per_seconds))


def _retire(org: Org) -> None:
    """An org replaced by a reset or a new scenario: nothing of it may run or report again."""
    org.listeners = []
    org.jobs.clear()
    org.retired = True
