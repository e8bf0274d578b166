"""Injected faults from the scenario's `faults:`: which request gets one. For matching requests,
every Nth / the Nth / with a probability; counted and drawn from the seed, so a run repeats
exactly. (The HTTP layer acts them out: an error status, latency, or a dropped connection.)"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from emulator.scenario.schema import FaultSpec, ScenarioSpec
from emulator.support.rng import RandomSource


@dataclass(slots=True)
class _FaultState:
    spec: FaultSpec
    seen: int = 0


class FaultInjector:
    """Holds the counters of the loaded scenario's faults; replaced whole when it is reloaded."""

    def __init__(self, spec: ScenarioSpec) -> None:
        self.faults = [_FaultState(f) for f in spec.faults]
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

    def pick(self, method: str, path: str) -> tuple[int, FaultSpec] | None:
        """The first fault that fires for this request; every matching rule counts it."""
        fired: tuple[int, FaultSpec] | None = None
        for index, state in enumerate(self.faults):
            when = state.spec.when
            if when.method and when.method.upper() != method:
                continue
            if when.path and not fnmatchcase(path, when.path):
                continue
            state.seen += 1
            if fired is None and self._fires(state):
                fired = (index, state.spec)
        return fired

    def _fires(self, state: _FaultState) -> bool:
        spec = state.spec
        if spec.every is not None:
            return state.seen % spec.every == 0
        if spec.nth is not None:
            return state.seen == spec.nth
        if spec.probability is not None:
            return self.rng.chance() < spec.probability
        return True
