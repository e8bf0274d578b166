"""The running emulator's state: every org, the key index, the rate limiters, and the scenario
they were built from (so a reset can rebuild them exactly)."""

from __future__ import annotations

from datetime import timedelta

from emulator.clock import Clock, VirtualClock
from emulator.domain.entities import BroadcastStatus
from emulator.domain.errors import bad_request, not_found, too_many_requests, unauthorized
from emulator.domain.marketing import schedule
from emulator.domain.org import Listener, Org
from emulator.domain.outcomes import RulePolicy
from emulator.domain.ratelimit import Limit, SlidingWindowLimiter
from emulator.scenario.build import build_org, org_ids
from emulator.scenario.rules import build_rules
from emulator.scenario.schema import RateLimitSpec, ScenarioSpec

ORG_ALIAS = "c"


class Store:
    def __init__(self, spec: ScenarioSpec, clock: Clock) -> None:
        self.clock = clock
        self.orgs: dict[str, Org] = {}
        self.keys: dict[str, str] = {}
        # Told of every recipient event of every org (the webhook sender subscribes here).
        self.listeners: list[Listener] = []
        self.load(spec)

    def load(self, spec: ScenarioSpec) -> None:
        """Replace everything with what `spec` describes."""
        self.spec = spec
        self.policy = RulePolicy(build_rules(spec.outcomes), spec.magic_addresses)
        self.send_limiter = _limiter(spec.rate_limits.send)
        self.general_limiter = _limiter(spec.rate_limits.general)
        self.orgs = {}
        for org_id, org_spec in zip(org_ids(spec), spec.orgs, strict=True):
            self._install(build_org(spec, org_spec, org_id, self._new_clock()))
        self._index_keys()

    def _install(self, org: Org) -> None:
        org.listeners = self.listeners
        self.orgs[org.id] = org
        for broadcast in org.broadcasts.values():
            if broadcast.status is BroadcastStatus.SCHEDULED:
                schedule(org, broadcast, self.policy)

    def reset(self, org_id: str | None = None) -> None:
        if org_id is None:
            self.load(self.spec)
            return
        if org_id not in self.orgs:
            raise not_found(f"Org '{org_id}' not found")
        ids = org_ids(self.spec)
        if org_id in ids:
            org_spec = self.spec.orgs[ids.index(org_id)]
            self._install(build_org(self.spec, org_spec, org_id, self._new_clock()))
        if self.send_limiter is not None:
            self.send_limiter.forget(org_id)
        self.policy.forget(org_id)
        self._index_keys()

    @property
    def virtual(self) -> bool:
        return self.spec.clock.mode == "virtual"

    def _new_clock(self) -> Clock:
        """Virtual time is kept per org, so tests sharing one server never move each other's."""
        if not self.virtual:
            return self.clock
        return VirtualClock(self.spec.clock.start or self.clock.now())

    def advance(self, seconds: float, org_id: str | None = None) -> list[Org]:
        """Move virtual time forward, running everything that falls due in order, each at its
        own moment."""
        if not self.virtual:
            raise bad_request("The scenario's clock is real; set `clock: {mode: virtual}` in "
                              "the scenario to move time by hand")
        orgs = [self.org(org_id)] if org_id is not None else list(self.orgs.values())
        for org in orgs:
            clock = org.clock
            assert isinstance(clock, VirtualClock)
            target = clock.now() + timedelta(seconds=seconds)
            org.run_until(clock.now())
            while (due := org.scheduler.next_due()) is not None and due <= target:
                clock.set(due)
                org.run_until(due)
            clock.set(target)
        return orgs

    def _index_keys(self) -> None:
        self.keys = {key: org.id for org in self.orgs.values() for key in org.api_keys}

    def org(self, org_id: str) -> Org:
        org = self.orgs.get(org_id)
        if org is None:
            raise not_found(f"Org '{org_id}' not found")
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

    def check_general_limit(self, client: str) -> None:
        if self.general_limiter is None:
            return
        retry_after = self.general_limiter.hit(client, self.clock.now())
        if retry_after is not None:
            limit = self.general_limiter.limit
            raise too_many_requests(
                f"Rate limit exceeded: {limit.requests} requests per {limit.per_seconds:g} "
                f"seconds per client; retry after {retry_after} s",
                retry_after,
            )


def _limiter(spec: RateLimitSpec | None) -> SlidingWindowLimiter | None:
    return None if spec is None else SlidingWindowLimiter(Limit(spec.requests, spec.per_seconds))
