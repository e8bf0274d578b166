"""Moving virtual time: everything that falls due on an org's clock runs in order, each at its own
moment, and orgs that share one clock (an injected test clock) move together, once."""

from __future__ import annotations

from datetime import datetime, timedelta

from emulator.domain.errors import bad_request
from emulator.domain.org import Org
from emulator.registry import OrgRegistry
from emulator.support.clock import VirtualClock, format_timestamp
from emulator.support.moments import LATEST_YEAR


def moving_orgs(registry: OrgRegistry, org_id: str | None = None) -> list[Org]:
    """The orgs `advance` moves: one org (404 if unknown), or every org on a virtual clock;
    a 400 if the clock is real."""
    if org_id is not None:
        org = registry.find(org_id)
        if not isinstance(org.clock, VirtualClock):
            raise bad_request(f"Org '{org_id}' runs on the real clock; set `clock: {{mode: "
                              "virtual}` in the scenario to move time by hand")
        return [org]
    orgs = [o for o in registry.orgs.values() if isinstance(o.clock, VirtualClock)]
    if not orgs:
        raise bad_request("Every org runs on the real clock; set `clock: {mode: "
                          "virtual}` in the scenario to move time by hand")
    return orgs


def advance(registry: OrgRegistry, seconds: float, orgs: list[Org]) -> None:
    """Move the virtual clocks of `orgs` (from `moving_orgs`, already caught up); orgs that
    share one of those clocks move with them."""
    by_clock: dict[int, list[Org]] = {}
    for org in orgs:
        by_clock.setdefault(id(org.clock), []).append(org)
    targets = {key: _target(group[0].clock, seconds) for key, group in by_clock.items()}
    for key, group in by_clock.items():
        clock = group[0].clock
        assert isinstance(clock, VirtualClock)
        sharing = [o for o in registry.orgs.values() if o.clock is clock]
        _run_to(clock, sharing, targets[key])


def _target(clock: object, seconds: float) -> datetime:
    """Where the clock lands; past the supported years is a 400 before any clock moves (so
    every later date, a timed outcome or a rate-limit window, stays representable)."""
    assert isinstance(clock, VirtualClock)
    target = clock.now() + timedelta(seconds=seconds)
    if target.year > LATEST_YEAR:
        raise bad_request(f"seconds: the clock would pass the year {LATEST_YEAR} (it is "
                          f"{format_timestamp(clock.now())})", "seconds")
    return target


def _run_to(clock: VirtualClock, sharing: list[Org], target: datetime) -> None:
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
