"""One running emulator: its state, the webhook sender and the fault injector, loaded and reset
together so they never disagree about which scenario is running."""

from __future__ import annotations

from emulator.clock import Clock
from emulator.http.faults import FaultInjector
from emulator.scenario.schema import ScenarioSpec
from emulator.store import Store
from emulator.webhooks import WebhookSender


class Runtime:
    def __init__(self, spec: ScenarioSpec, clock: Clock) -> None:
        self.store = Store(spec, clock)
        self.webhooks = WebhookSender(self.store)
        self.faults = FaultInjector(spec)

    def load(self, spec: ScenarioSpec) -> None:
        self.webhooks.forget()
        self.store.load(spec)
        self.faults = FaultInjector(spec)

    def reset(self, org_id: str | None = None) -> None:
        if org_id is not None:
            self.store.reset(org_id)
            self.webhooks.forget(org_id)
            return
        self.load(self.store.spec)

    def catch_up_all(self) -> None:
        for org in list(self.store.orgs.values()):
            org.catch_up()
