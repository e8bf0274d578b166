"""Checks across the whole scenario that a schema cannot express: unique ids, references that
resolve, statuses that fit the broadcast type."""

from __future__ import annotations

from collections.abc import Iterator

from emulator.domain.entities import MARKETING_STATUSES, TRANSACTIONAL_STATUSES, BroadcastType
from emulator.scenario.problems import Path
from emulator.scenario.schema import BroadcastSpec, OrgSpec, ScenarioSpec
from emulator.support.addresses import normalize_email, normalize_phone

Finding = tuple[Path, str]


def check_scenario(spec: ScenarioSpec) -> list[Finding]:
    findings: list[Finding] = []
    findings += _check_orgs(spec)
    for index, org in enumerate(spec.orgs):
        findings += _check_org(org, ("orgs", index))
    return findings


def _check_orgs(spec: ScenarioSpec) -> Iterator[Finding]:
    ids: dict[str, int] = {}
    keys: dict[str, int] = {}
    for index, org in enumerate(spec.orgs):
        if org.id is not None:
            if org.id in ids:
                yield (("orgs", index, "id"),
                       f"duplicate org id '{org.id}' (also orgs[{ids[org.id]}])")
            ids.setdefault(org.id, index)
        for key_index, key in enumerate(org.api_keys or ()):
            if key in keys:
                yield (("orgs", index, "api_keys", key_index),
                       f"API key already belongs to orgs[{keys[key]}]")
            keys.setdefault(key, index)
    yield from _check_parents(spec, ids)


def _check_parents(spec: ScenarioSpec, ids: dict[str, int]) -> Iterator[Finding]:
    """Every parent exists, and no chain of parents comes back to where it started."""
    parents = {org.id: org.parent for org in spec.orgs if org.id is not None}
    for index, org in enumerate(spec.orgs):
        if org.parent is None:
            continue
        if org.parent not in ids:
            yield ("orgs", index, "parent"), f"unknown parent org '{org.parent}'"
            continue
        seen = {org.id}
        ancestor: str | None = org.parent
        while ancestor is not None:
            if ancestor in seen:
                yield ("orgs", index, "parent"), "parent orgs form a cycle"
                break
            seen.add(ancestor)
            ancestor = parents.get(ancestor)


def _check_org(org: OrgSpec, at: Path) -> Iterator[Finding]:
    segment_ids = {s.id for s in org.segments if s.id is not None}
    yield from _unique_ids(at, "segments", [s.id for s in org.segments])
    yield from _unique_ids(at, "contacts", [c.id for c in org.contacts])
    yield from _unique_ids(at, "broadcasts", [b.id for b in org.broadcasts])
    yield from _check_contacts(org, at, segment_ids)
    if org.generate is not None:
        for name in org.generate.segments:
            if name not in segment_ids:
                yield (*at, "generate", "segments", name), f"unknown segment '{name}'"
    template_ids: set[str] = set()
    for b_index, broadcast in enumerate(org.broadcasts):
        yield from _check_broadcast(broadcast, (*at, "broadcasts", b_index), segment_ids,
                                    template_ids)


def _check_contacts(org: OrgSpec, at: Path, segment_ids: set[str]) -> Iterator[Finding]:
    """Known segments, unique channel ids, and no address shared by two contacts."""
    channel_ids: dict[str, Path] = {}
    emails: dict[str, int] = {}
    phones: dict[str, int] = {}
    for c_index, contact in enumerate(org.contacts):
        here = (*at, "contacts", c_index)
        for s_index, segment in enumerate(contact.segments):
            if segment not in segment_ids:
                yield (*here, "segments", s_index), f"unknown segment '{segment}'"
        addresses = [((*here, "email"), contact.email, None),
                     ((*here, "phone"), None, contact.phone)]
        for ch_index, channel in enumerate(contact.channels):
            ch_path = (*here, "channels", ch_index)
            if channel.id is not None:
                if channel.id in channel_ids:
                    yield (*ch_path, "id"), f"duplicate channel id '{channel.id}'"
                channel_ids.setdefault(channel.id, ch_path)
            addresses.append(((*ch_path, "email"), channel.email, None))
            addresses.append(((*ch_path, "phone"), None, channel.phone))
        for path, email, phone in addresses:
            if email is not None:
                yield from _unique_address(emails, normalize_email(email), path, c_index, "email")
            if phone is not None:
                yield from _unique_address(phones, normalize_phone(phone), path, c_index, "phone")


def _check_broadcast(broadcast: BroadcastSpec, here: Path, segment_ids: set[str],
                     template_ids: set[str]) -> Iterator[Finding]:
    """Known segments, a status that fits the type and has what it needs, unique templates."""
    for s_index, segment in enumerate(broadcast.segment_ids):
        if segment not in segment_ids:
            yield (*here, "segment_ids", s_index), f"unknown segment '{segment}'"
    yield from _check_status(broadcast, here)
    if broadcast.type is BroadcastType.TRANSACTIONAL and (
        broadcast.segment_ids or broadcast.send_to_all or broadcast.scheduled_at
        or broadcast.fail_with
    ):
        yield here, ("a transactional broadcast has no segment_ids, send_to_all, "
                     "scheduled_at or fail_with")
    for t_index, template in enumerate(broadcast.templates):
        if template.id is None:
            continue
        if template.id in template_ids:
            yield (*here, "templates", t_index, "id"), f"duplicate template id '{template.id}'"
        template_ids.add(template.id)


def _check_status(broadcast: BroadcastSpec, here: Path) -> Iterator[Finding]:
    allowed = (TRANSACTIONAL_STATUSES if broadcast.type is BroadcastType.TRANSACTIONAL
               else MARKETING_STATUSES)
    status = broadcast.status.value
    if broadcast.status not in allowed:
        names = ", ".join(sorted(s.value for s in allowed))
        yield (*here, "status"), (f"status {status} is not one of a "
                                  f"{broadcast.type.value.lower()} broadcast's: {names}")
    if status == "SENDING":
        yield (*here, "status"), ("a scenario cannot hold a send in progress: load it as "
                                  "SCHEDULED, or send it once the emulator runs")
    if status == "SCHEDULED" and broadcast.scheduled_at is None:
        yield (*here, "scheduled_at"), "a SCHEDULED broadcast needs scheduled_at"
    if status in ("ACTIVE", "SCHEDULED") and not broadcast.templates:
        article = "an" if status == "ACTIVE" else "a"
        yield (*here, "templates"), (f"{article} {status} broadcast needs at "
                                     "least one template")


def _unique_ids(at: Path, collection: str, ids: list[str | None]) -> Iterator[Finding]:
    seen: set[str] = set()
    for index, item_id in enumerate(ids):
        if item_id is None:
            continue
        if item_id in seen:
            yield (*at, collection, index, "id"), f"duplicate id '{item_id}'"
        seen.add(item_id)


def _unique_address(seen: dict[str, int], address: str, path: Path, contact_index: int,
                    kind: str) -> Iterator[Finding]:
    """Find-or-create looks contacts up by address, so two contacts may not share one."""
    owner = seen.setdefault(address, contact_index)
    if owner != contact_index:
        yield path, f"{kind} already belongs to another contact (contacts[{owner}])"
