"""Injected faults: the scenario's `faults:` (server-wide) and each org's run-time faults, and
which one a request gets. Counted and drawn from the seed, so a run repeats exactly. (The HTTP
layer acts them out: an error status, latency, or a dropped connection.)"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from emulator.domain.faults import FaultRule
from emulator.scenario.blueprint import fault_rule
from emulator.scenario.prebuilt import PreparedScenario
from emulator.support.rng import RandomSource

if TYPE_CHECKING:
    from emulator.scenario.schema import ScenarioSpec


def fault_shape(rule: FaultRule) -> dict[str, Any]:
    """A rule back in the scenario's `faults:` shape (what GET .../faults lists)."""
    shape: dict[str, Any] = {"when": {k: v for k, v in (("method", rule.method),
                                                         ("path", rule.path)) if v is not None}}
    for name in ("every", "nth", "probability"):
        if getattr(rule, name) is not None:
            shape[name] = getattr(rule, name)
    if rule.status is not None:
        shape["respond"] = {"status": rule.status, **{
            k: v for k, v in (("message", rule.message), ("retry_after", rule.retry_after))
            if v is not None}}
    if rule.delay is not None:
        shape["delay"] = rule.delay
    if rule.drop:
        shape["drop"] = True
    return shape


@dataclass(frozen=True, slots=True)
class PickedFault:
    """The fault a request gets: its rule, what names it in messages, and the org it hit (None
    for a scenario fault)."""

    rule: FaultRule
    label: str
    org_id: str | None = None


@dataclass(slots=True)
class _FaultState:
    rule: FaultRule
    seen: int = 0


class FaultInjector:
    """Holds the counters of the loaded scenario's faults; replaced whole when it is reloaded."""

    def __init__(self, spec: ScenarioSpec | PreparedScenario) -> None:
        rules = (spec.faults if isinstance(spec, PreparedScenario)
                 else [fault_rule(fault) for fault in spec.faults])
        self.faults = [_FaultState(rule) for rule in rules]
        self.rng = RandomSource(spec.seed, "faults")

    def state(self) -> tuple[list[int], list[object]]:
        """How often each fault's rule matched, and the random stream (for the state file)."""
        return [fault.seen for fault in self.faults], self.rng.state()

    def restore(self, seen: list[int], random_state: object) -> None:
        """Put back what `state` gave, for the same scenario's faults."""
        if len(seen) != len(self.faults):
            raise ValueError(f"{len(seen)} fault counters for {len(self.faults)} faults")
        self.rng.restore(random_state)
        for fault, count in zip(self.faults, seen, strict=True):
            fault.seen = count

    def pick(self, method: str, path: str) -> PickedFault | None:
        """The first fault that fires for this request; every matching rule counts it."""
        fired: PickedFault | None = None
        for index, state in enumerate(self.faults):
            if not state.rule.matches(method, path):
                continue
            state.seen += 1
            if fired is None and state.rule.fires(state.seen, self.rng):
                fired = PickedFault(state.rule, f"faults[{index}]")
        return fired
