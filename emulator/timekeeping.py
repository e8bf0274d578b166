"""Moving virtual time: everything that falls due on an org's clock runs in order, each at its own
moment, and orgs that share one clock (an injected test clock) move together, once."""

from __future__ import annotations

from datetime import datetime, timedelta

from emulator.domain.errors import bad_request
from emulator.domain.org import Org
from emulator.registry import OrgRegistry
from emulator.support.clock import VirtualClock, format_timestamp
from emulator.support.moments import LATEST_YEAR


def advance(registry: OrgRegistry, seconds: float, org_id: str | None = None) -> list[Org]:
    """Move one org's virtual clock, or (without `org_id`) every org on a virtual clock."""
    if org_id is not None:
        orgs = [registry.get(org_id)]
        if not isinstance(orgs[0].clock, VirtualClock):
            raise bad_request(f"Org '{org_id}' runs on the real clock; set `clock: {{mode: "
                              "virtual}` in the scenario to move time by hand")
    else:
        orgs = [o for o in registry.orgs.values() if isinstance(o.clock, VirtualClock)]
        if not orgs:
            raise bad_request("Every org runs on the real clock; set `clock: {mode: "
                              "virtual}` in the scenario to move time by hand")
    by_clock: dict[int, list[Org]] = {}
    for org in orgs:
        by_clock.setdefault(id(org.clock), []).append(org)
    targets = {key: _target(group[0].clock, seconds) for key, group in by_clock.items()}
    for key, group in by_clock.items():
        clock = group[0].clock
        assert isinstance(clock, VirtualClock)
        sharing = [o for o in registry.orgs.values() if o.clock is clock]
        _run_to(clock, sharing, targets[key])
    return orgs


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
