"""Every org of the running emulator, the index of their API keys, and the scenario they were
loaded from. Each org owns all of its state, so building, resetting and deleting one is a single
dictionary operation here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator.domain.auth import authorize, reaches
from emulator.domain.errors import bad_request, found
from emulator.domain.org import Blueprint, Listener, Org
from emulator.domain.populate import populate
from emulator.scenario.blueprint import NewOrg, runtime_blueprint, scenario_blueprints
from emulator.scenario.prebuilt import PreparedScenario
from emulator.support.clock import Clock, VirtualClock
from emulator.support.rng import RandomSource

if TYPE_CHECKING:
    from emulator.scenario.schema import ScenarioSpec


class OrgRegistry:
    def __init__(self, spec: ScenarioSpec | PreparedScenario, clock: Clock, *,
                 build: bool = True) -> None:
        self.clock = clock
        # The loaded scenario; a prepared one (the bundled default as served) is replaced by
        # its `ScenarioSpec` when that is first needed (`spec`).
        self._source = spec
        self.orgs: dict[str, Org] = {}
        self.keys: dict[str, str] = {}
        # The last key and org id `authorize` answered, and its org: a public request asks
        # twice (the Gateway's fault lookup, then `open_org`). Forgotten at every change here.
        self._authorized: tuple[str | None, str, Org] | None = None
        # Bumped by every load: work prepared against an older generation must not be installed.
        self.generation = 0
        # Told of every recipient event of every org (the webhook sender subscribes here).
        self.listeners: list[Listener] = []
        # One stream for the whole life of the registry: ids and keys of orgs made at run time
        # are never issued twice, even across resets (an old client must get 401, not a new org).
        self.new_org_ids = RandomSource(spec.seed, "runtime-orgs")
        if not build:  # (a state file brings its own orgs: see `install`)
            return
        if isinstance(spec, PreparedScenario):
            self._install(spec, {plan.org_id: self.build(plan) for plan in spec.blueprints})
        else:
            self.load(spec)

    @property
    def spec(self) -> ScenarioSpec:
        """The loaded scenario, made now if it came prepared (this imports pydantic)."""
        if isinstance(self._source, PreparedScenario):
            self._source = self._source.spec()
        return self._source

    def load(self, spec: ScenarioSpec) -> None:
        """Replace every org, those made at run time included, with what `spec` describes; all
        or nothing: if building fails, the running orgs are left exactly as they were."""
        self.install(spec, self.prepare(spec))

    def prepare(self, spec: ScenarioSpec) -> dict[str, Org]:
        """Build the orgs of `spec` without touching the running ones (safe off the loop)."""
        return {plan.org_id: self.build(plan) for plan in scenario_blueprints(spec)}

    def install(self, spec: ScenarioSpec, orgs: dict[str, Org]) -> None:
        """Every org replaced by `orgs`, already built (from `spec`, or from a state file)."""
        self._install(spec, orgs)

    def _install(self, spec: ScenarioSpec | PreparedScenario, orgs: dict[str, Org]) -> None:
        self._source, self.orgs = spec, orgs
        self.generation += 1
        self._index_keys()

    def build(self, blueprint: Blueprint) -> Org:
        """A new org from its blueprint (touches nothing of the registry: safe off the loop)."""
        clock: Clock = self.clock
        if blueprint.virtual_clock:
            clock = VirtualClock(blueprint.clock_start or self.clock.now())
        org = Org(blueprint, clock, self.listeners)
        populate(org, blueprint.content)
        return org

    def plan(self, request: NewOrg) -> Blueprint:
        """The blueprint of a fresh, isolated org with a new id and API key."""
        if request.parent is not None:
            self.find(request.parent)
        org_id = self.new_org_ids.new_id("org")
        while org_id in self.orgs:
            org_id = self.new_org_ids.new_id("org")
        api_key = self.new_org_ids.token("test_key")
        return runtime_blueprint(self.spec, request, org_id, api_key)

    def add(self, org: Org) -> None:
        self._authorized = None
        self.orgs[org.id] = org
        for key in org.api_keys:
            self.keys[key] = org.id

    def delete(self, org_id: str) -> None:
        """Remove an org made at run time (the pytest plugin does after each test), with its
        sub-orgs made at run time."""
        org = found(self.orgs.get(org_id), "Org", org_id)
        if org.blueprint.from_scenario:
            raise bad_request(f"Org '{org_id}' comes from the scenario; reset it instead")
        for victim in [o for o in self.orgs.values() if reaches(org_id, o, self.orgs)]:
            del self.orgs[victim.id]
        self._index_keys()

    def reset(self, org_id: str | None = None) -> None:
        """One org back to how it was built, or everything back to the loaded scenario."""
        if org_id is None:
            self.load(self.spec)
            return
        old = found(self.orgs.get(org_id), "Org", org_id)
        self.orgs[org_id] = self.build(old.blueprint)
        self._index_keys()

    def find(self, org_id: str) -> Org:
        """The org as it is, or the documented 404. Catching it up is `Emulator.ready`'s
        (the one catch-up path, sliced when served)."""
        return found(self.orgs.get(org_id), "Org", org_id)

    def current(self, org: Org) -> bool:
        """False once `org` was replaced by a reset or a new scenario, or deleted."""
        return self.orgs.get(org.id) is org

    def authorize(self, api_key: str | None, org_id: str) -> Org:
        """The org a key may act on, as it is (`Emulator.ready` catches it up). Refusals are
        not remembered: each is raised again, with its message."""
        last = self._authorized
        if last is not None and last[0] == api_key and last[1] == org_id:
            return last[2]
        org = authorize(api_key, org_id, self.keys, self.find, self.orgs)
        self._authorized = api_key, org_id, org
        return org

    def _index_keys(self) -> None:
        self._authorized = None
        self.keys = {key: org.id for org in self.orgs.values() for key in org.api_keys}
