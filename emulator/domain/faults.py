"""Injected faults as data: which requests a rule matches, when it fires (every Nth, the Nth,
with a probability), what it does (an error status, latency, a dropped connection). The
scenario's `faults:` and each org's run-time faults (`OrgFaults`) are both made of these."""

from __future__ import annotations

from dataclasses import dataclass, fields
from fnmatch import fnmatchcase
from typing import Any

from emulator.domain.errors import found
from emulator.support.rng import RandomSource


@dataclass(frozen=True, slots=True)
class FaultRule:
    method: str | None = None
    path: str | None = None  # a glob
    every: int | None = None
    nth: int | None = None
    probability: float | None = None
    status: int | None = None  # answer this error status (None: no answer of its own)
    message: str | None = None
    retry_after: int | None = None
    delay: float | None = None  # seconds before acting
    drop: bool = False  # cut the connection

    def matches(self, method: str, path: str) -> bool:
        return ((self.method is None or self.method.upper() == method)
                and (self.path is None or fnmatchcase(path, self.path)))

    def fires(self, seen: int, rng: RandomSource) -> bool:
        """Whether the `seen`-th matching request gets the fault."""
        if self.every is not None:
            return seen % self.every == 0
        if self.nth is not None:
            return seen == self.nth
        if self.probability is not None:
            return rng.chance() < self.probability
        return True


@dataclass(slots=True)
class RunTimeFault:
    """A fault added to one org while it runs; `times` fires, then it is gone (None: never)."""

    id: str
    rule: FaultRule
    times: int | None = None
    seen: int = 0
    fired: int = 0

    @property
    def remaining(self) -> int | None:
        return None if self.times is None else self.times - self.fired


class OrgFaults:
    """One org's run-time faults, tried before the scenario's on requests that reach the org.
    Owned by the org, so resetting or deleting it drops them."""

    def __init__(self, rng: RandomSource) -> None:
        self.rng = rng
        self.rules: list[RunTimeFault] = []
        self.next_number = 1

    def add(self, rule: FaultRule, times: int | None = None) -> RunTimeFault:
        fault = RunTimeFault(f"fault_{self.next_number}", rule, times)
        self.next_number += 1
        self.rules.append(fault)
        return fault

    def remove(self, fault_id: str) -> None:
        """Drop one rule, or the documented 404."""
        fault = found(next((f for f in self.rules if f.id == fault_id), None), "Fault", fault_id)
        self.rules.remove(fault)

    def clear(self) -> int:
        count = len(self.rules)
        self.rules.clear()
        return count

    def pick(self, method: str, path: str) -> RunTimeFault | None:
        """The first rule that fires for this request (every matching rule counts it); a rule
        whose `times` are used up goes."""
        fired: RunTimeFault | None = None
        for fault in self.rules:
            if not fault.rule.matches(method, path):
                continue
            fault.seen += 1
            if fired is None and fault.rule.fires(fault.seen, self.rng):
                fault.fired += 1
                fired = fault
        if fired is not None and fired.remaining == 0:
            self.rules.remove(fired)
        return fired

    def dump(self) -> dict[str, Any]:
        """Plain JSON values (the state file keeps them)."""
        version, internal, gauss = self.rng.random.getstate()
        return {
            "next_number": self.next_number,
            "random": [version, list(internal), gauss],
            "rules": [{"id": f.id, "times": f.times, "seen": f.seen, "fired": f.fired,
                       "rule": {field.name: getattr(f.rule, field.name)
                                for field in fields(FaultRule)}}
                      for f in self.rules],
        }

    def restore(self, data: dict[str, Any]) -> None:
        self.next_number = int(data["next_number"])
        version, internal, gauss = data["random"]
        self.rng.random.setstate((version, tuple(internal), gauss))
        self.rules = [RunTimeFault(r["id"], FaultRule(**r["rule"]), r["times"], int(r["seen"]),
                                   int(r["fired"]))
                      for r in data["rules"]]
