"""One running emulator: its state, the webhook sender and the fault injector, loaded and reset
together so they never disagree about which scenario is running."""

from __future__ import annotations

import asyncio

from emulator.clock import Clock
from emulator.gcpause import collector_paused
from emulator.http.faults import FaultInjector
from emulator.http.journal import Journal
from emulator.http.render import recipient_json
from emulator.scenario.schema import ScenarioSpec
from emulator.store import Store
from emulator.webhooks import WebhookSender

# Contacts a background slice of a marketing send covers before letting other requests in.
JOB_SLICE = 2_000


class Runtime:
    def __init__(self, spec: ScenarioSpec, clock: Clock) -> None:
        self.store = Store(spec, clock)
        self.webhooks = WebhookSender(self.store, recipient_json)
        self.faults = FaultInjector(spec)
        self.journal = Journal()
        self._job_driver: asyncio.Task[None] | None = None
        # True while served with a lifespan (uvicorn): background work may then run on its own.
        # In-process clients (httpx.ASGITransport) have none; each request catches up instead.
        self.background = False
        # Exceptions raised inside the emulator; the pytest plugin fails the test they hit.
        self.errors: list[BaseException] = []

    def kick_jobs(self) -> None:
        """Work through marketing sends in the background, a slice at a time, yielding to other
        requests in between. (A request to the org itself finishes its jobs first.)"""
        if not self.background:
            return
        if self._job_driver is None or self._job_driver.done():
            self._job_driver = asyncio.get_running_loop().create_task(self._drive_jobs())

    async def _drive_jobs(self) -> None:
        while True:
            busy = [org for org in list(self.store.orgs.values()) if org.jobs and not org.retired]
            if not busy:
                return
            for org in busy:
                if org.retired:
                    continue  # replaced by a reset while this slice waited
                with collector_paused():
                    org.step_jobs(JOB_SLICE)
                await asyncio.sleep(0)

    def load(self, spec: ScenarioSpec) -> None:
        self.store.load(spec)  # all or nothing: raises before anything else is touched
        self.webhooks.forget()
        self.journal.clear()
        self.faults = FaultInjector(spec)

    def reset(self, org_id: str | None = None) -> None:
        if org_id is not None:
            self.store.reset(org_id)
            self.webhooks.forget(org_id)
            return
        self.load(self.store.spec)

    def delete_org(self, org_id: str) -> None:
        self.store.delete_org(org_id)
        self.webhooks.forget_missing()

    def tick(self) -> None:
        """Run what fell due on every org's clock; jobs this starts go to the sliced driver, so
        a scheduled 200,000-row campaign never stalls the server."""
        for org in list(self.store.orgs.values()):
            org.scheduler.run_due(org.clock.now())
            if org.jobs:
                self.kick_jobs()
