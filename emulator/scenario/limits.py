"""Cost limits of a scenario, checked before anything is built or generated: a 48-byte file
asking for a million contacts must be refused, not take the server's memory. Each limit is
configurable (Settings / INVENT_EMULATOR_MAX_*); the defaults load every bundled scenario."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from emulator.scenario.problems import Path
from emulator.settings import Settings

if TYPE_CHECKING:
    from emulator.scenario.schema import OrgSpec, ScenarioSpec

# One source for the defaults: the Settings fields (no environment is read here).
_DEFAULTS = Settings()
DEFAULT_MAX_CONTACTS_PER_ORG = _DEFAULTS.max_contacts_per_org
DEFAULT_MAX_CONTACTS_TOTAL = _DEFAULTS.max_contacts_total
DEFAULT_MAX_INCLUDE_BYTES = _DEFAULTS.max_include_bytes

Finding = tuple[Path, str]
# Of one scenario file (and of a scenario sent in a request body).
MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ScenarioLimits:
    # Written (`contacts:`) plus generated (`generate: {count}`) contacts of one org.
    contacts_per_org: int = DEFAULT_MAX_CONTACTS_PER_ORG
    # The same, summed over every org of the scenario.
    contacts_total: int = DEFAULT_MAX_CONTACTS_TOTAL
    # Bytes of the scenario file plus every file it includes, together.
    include_bytes: int = DEFAULT_MAX_INCLUDE_BYTES

    @classmethod
    def from_settings(cls, settings: Settings) -> ScenarioLimits:
        return cls(settings.max_contacts_per_org, settings.max_contacts_total,
                   settings.max_include_bytes)


def check_limits(spec: ScenarioSpec, limits: ScenarioLimits) -> Iterator[Finding]:
    total = 0
    for index, org in enumerate(spec.orgs):
        count = contacts_of(org)
        where = _count_path(org, index)
        if count > limits.contacts_per_org:
            yield where, (f"org '{org.id or index}' would hold {count} contacts, more than the "
                          f"limit of {limits.contacts_per_org} per org "
                          "(INVENT_EMULATOR_MAX_CONTACTS_PER_ORG)")
        total += count
        if total > limits.contacts_total >= total - count:
            yield where, (f"the scenario would hold {total} contacts by this org, more than the "
                          f"limit of {limits.contacts_total} in total "
                          "(INVENT_EMULATOR_MAX_CONTACTS_TOTAL)")


def contacts_of(org: OrgSpec) -> int:
    return len(org.contacts) + (org.generate.count if org.generate is not None else 0)


def include_bytes_problem(total: int, limits: ScenarioLimits) -> str | None:
    if total <= limits.include_bytes:
        return None
    return (f"the scenario and the files it includes reach {total} bytes, more than the limit "
            f"of {limits.include_bytes} (INVENT_EMULATOR_MAX_INCLUDE_BYTES)")


def _count_path(org: OrgSpec, index: int) -> Path:
    if org.generate is not None and org.generate.count:
        return ("orgs", index, "generate", "count")
    return ("orgs", index, "contacts")
