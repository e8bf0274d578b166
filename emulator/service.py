"""The running emulator: the org registry, the request journal, injected faults, webhooks and
the errors raised inside it, changed together so they never disagree about which scenario is
running. The HTTP layer calls this; `app.py` builds it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from emulator.domain.auth import parse_bearer
from emulator.domain.errors import ApiError
from emulator.domain.org import Org
from emulator.events import EventStream
from emulator.faults import FaultInjector, PickedFault
from emulator.journal import Journal
from emulator.registry import OrgRegistry
from emulator.scenario.blueprint import NewOrg
from emulator.scenario.prebuilt import PreparedScenario
from emulator.support.clock import Clock
from emulator.support.gcpause import SettledHeap, collector_paused
from emulator.support.rendercache import RenderCache
from emulator.timekeeping import advance, moving_orgs
from emulator.webhooks import RowRenderer, WebhookSender

if TYPE_CHECKING:
    from emulator.scenario.schema import ScenarioSpec

# Contacts a background slice of a marketing send covers before letting other requests in.
JOB_SLICE = 2_000


class Emulator:
    def __init__(self, spec: ScenarioSpec | PreparedScenario, clock: Clock,
                 render_row: RowRenderer, *,
                 build_orgs: bool = True) -> None:
        # Without `build_orgs` the registry starts empty (a state file fills it).
        self.registry = OrgRegistry(spec, clock, build=build_orgs)
        self.webhooks = WebhookSender(self.registry, render_row)
        self.events = EventStream(self.registry, render_row)
        self.faults = FaultInjector(spec)
        self.journal = Journal()
        self._job_driver: asyncio.Task[None] | None = None
        # True while served with a lifespan (uvicorn): background work may then run on its own.
        # In-process clients (httpx.ASGITransport) have none; each request catches up instead.
        self.background = False
        # Exceptions raised inside the emulator; the pytest plugin fails the test they hit.
        self.errors: list[BaseException] = []
        # Requests that may change something, counted as they start and as they end; rendered
        # answers kept in `renders` (None: the render cache is off) are stale once it moves.
        self.writes = 0
        self.renders: RenderCache | None = None
        # Frozen out of the collector's full passes when served by `serve` (launch.py).
        self.heap = SettledHeap()

    @contextlib.contextmanager
    def changing(self) -> Iterator[None]:
        """Around anything that may change state (every request that is not a read): rendered
        answers kept before it, or while it runs, are stale once it ends."""
        self.writes += 1
        try:
            yield
        finally:
            self.writes += 1

    @property
    def clock(self) -> Clock:
        return self.registry.clock

    @property
    def spec(self) -> ScenarioSpec:
        return self.registry.spec

    async def load(self, spec: ScenarioSpec) -> None:
        """A new scenario: every org, the journal and the fault counters start afresh. The orgs
        are built on a worker thread, so a big scenario never stalls other requests; the swap
        happens at once, all or nothing."""
        orgs = await asyncio.to_thread(self.registry.prepare, spec)
        replaced = self._held()
        self.registry.install(spec, orgs)
        self.heap.release(replaced)
        self.journal.clear()
        self.faults = FaultInjector(spec)

    async def reset(self, org_id: str | None = None) -> None:
        if org_id is not None:
            replaced = _weight(self.registry.find(org_id))
            self.registry.reset(org_id)
            self.heap.release(replaced)
            return
        await self.load(self.registry.spec)

    async def create_org(self, request: NewOrg) -> Org:
        """A new org; one with data (a copy, or a test's own scenario) is built off the loop."""
        blueprint = self.registry.plan(request)
        if request.copy_of is None and request.scenario is None:
            org = self.registry.build(blueprint)  # empty: cheaper than a thread hop
        else:
            generation = self.registry.generation
            org = await asyncio.to_thread(self.registry.build, blueprint)
            if generation != self.registry.generation:
                raise ApiError(409, "The emulator was reset while this org was being made; "
                                    "make it again")
        self.registry.add(org)
        return org

    def delete_org(self, org_id: str) -> None:
        held = self._held()
        self.registry.delete(org_id)
        self.heap.release(held - self._held())

    def _held(self) -> int:
        return sum(_weight(org) for org in self.registry.orgs.values())

    def pick_fault(self, method: str, path: str, authorization: str | None) -> PickedFault | None:
        """The fault a public request gets: first the run-time faults of the org it reaches
        (by its id, or `c` with its key, once the key is checked), then the scenario's."""
        org = self._reached(path, authorization)
        if org is not None:
            fault = org.faults.pick(method, path)
            if fault is not None:
                return PickedFault(fault.rule, fault.id, org.id)
        return self.faults.pick(method, path)

    def _reached(self, path: str, authorization: str | None) -> Org | None:
        """The org a public request may act on, or None (it will be answered 401 or 404)."""
        parts = path.split("/")
        if len(parts) < 3 or parts[1] != "orgs" or not self.registry.orgs:
            return None
        try:
            return self.registry.authorize(parse_bearer(authorization), parts[2])
        except ApiError:
            return None

    async def ready(self, org: Org) -> Org:
        """`org` caught up with its clock before a request reads or changes it, so every
        answer sees a settled state. Served, the rows of a big marketing send still to make are
        made a slice at a time, letting other requests in between: reading one big org never
        stalls the others."""
        if self.background and org.jobs:
            while org.jobs:
                with collector_paused():
                    org.step_jobs(JOB_SLICE)
                await asyncio.sleep(0)
            self.heap.settle()
        org.catch_up()
        return org

    async def org(self, org_id: str) -> Org:
        return await self.ready(self.registry.find(org_id))

    async def orgs(self, org_id: str | None = None) -> list[Org]:
        """One org, or every org, each caught up."""
        chosen = ([self.registry.find(org_id)] if org_id is not None
                  else list(self.registry.orgs.values()))
        return [await self.ready(org) for org in chosen]

    async def authorize(self, api_key: str | None, org_id: str) -> Org:
        return await self.ready(self.registry.authorize(api_key, org_id))

    async def advance(self, seconds: float, org_id: str | None = None) -> list[Org]:
        """Move virtual time; answers once everything that fell due ran, the moved orgs'
        webhook attempts included (each ends by its deadline; other orgs' are not waited for)."""
        orgs = moving_orgs(self.registry, org_id)
        for org in orgs:
            await self.ready(org)
        advance(self.registry, seconds, orgs)
        await self.webhooks.flush(orgs)
        return orgs

    def tick(self) -> None:
        """Run what fell due on every org's clock; jobs this starts go to the sliced driver, so
        a scheduled 200,000-row campaign never stalls the server."""
        for org in list(self.registry.orgs.values()):
            org.run_due(org.clock.now())
            if org.jobs:
                self.kick_jobs()

    def kick_jobs(self) -> None:
        """Work through marketing sends in the background, a slice at a time, yielding to other
        requests in between. (A request to the org itself finishes its jobs first.)"""
        if not self.background:
            return
        if self._job_driver is None or self._job_driver.done():
            self._job_driver = asyncio.get_running_loop().create_task(self._drive_jobs())

    async def _drive_jobs(self) -> None:
        while True:
            busy = [org for org in self.registry.orgs.values() if org.jobs]
            if not busy:
                self.heap.settle()  # the rows made are here to stay
                return
            for org in busy:
                if not self.registry.current(org):
                    continue  # replaced by a reset while this slice waited
                with collector_paused():
                    org.step_jobs(JOB_SLICE)
                await asyncio.sleep(0)


def _weight(org: Org) -> int:
    """About how many objects an org holds, for `SettledHeap.release`: its contacts and rows."""
    return len(org.contacts) + len(org.sent_rows)
