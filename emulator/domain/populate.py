"""Fills a fresh org with its blueprint's content: segments, contacts, broadcasts and the
schedules of SCHEDULED ones, and `generate:` — many contacts synthesized from the seed. Small
pools of names and cities are drawn from the package's own word lists (domain/wordlists.py); the
contacts are combined from them with the seeded random stream, which keeps 100,000 contacts near a
second and byte-identical across runs and across releases of every dependency."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from emulator.domain.entities import (
    Broadcast,
    BroadcastStatus,
    Channel,
    Contact,
    Segment,
    Template,
    address_channels,
)
from emulator.domain.marketing import schedule
from emulator.domain.org import Org
from emulator.domain.seeds import BroadcastSeed, ChannelSeed, ContactSeed, Generation, OrgContent
from emulator.domain.wordlists import CITIES, FIRST_NAMES, LAST_NAMES
from emulator.support.gcpause import collector_paused
from emulator.support.rng import RandomSource

_POOL_BITS = 9
_POOL = 1 << _POOL_BITS
_NOT_LETTERS = re.compile(r"[^a-z]")
# 999 is not an assigned North American area code, so generated numbers never collide with
# the hand-written contacts of a scenario (which use 555 numbers).
PHONE_PREFIX = "+1999"


def populate(org: Org, content: OrgContent) -> None:
    """The org's segments, contacts and broadcasts, then the schedules of SCHEDULED ones."""
    rng, now = org.rng, org.clock.now()
    for segment in content.segments:
        built = Segment(id=segment.id or rng.new_id("seg"), name=segment.name,
                        color=segment.color, created_at=now, updated_at=now)
        org.add_segment(built)
    for contact in content.contacts:
        org.add_contact(_contact(contact, rng, now))
    if content.generate is not None:
        with collector_paused():
            org.add_contacts(_generated(org, content.generate, org.blueprint.seed, now),
                             normalized=True)
    for broadcast in content.broadcasts:
        built_broadcast = _broadcast(broadcast, rng, now)
        org.add_broadcast(built_broadcast)
    for broadcast_ in org.broadcasts.values():
        if broadcast_.status is BroadcastStatus.SCHEDULED:
            schedule(org, broadcast_)


def _contact(seed: ContactSeed, rng: RandomSource, now: datetime) -> Contact:
    contact = Contact(
        id=seed.id or rng.new_id("ct"), created_at=now, updated_at=now, name=seed.name,
        blocked=seed.blocked, unsubscribed=seed.unsubscribed, segment_ids=list(seed.segments),
        properties=dict(seed.properties),
        blocked_at=now if seed.blocked else None,
        unsubscribed_at=now if seed.unsubscribed else None,
    )
    contact.channels = address_channels(contact.id, now, lambda: rng.new_id("ch"),
                                        email=seed.email, phone=seed.phone, name=seed.name)
    contact.channels.extend(_channel(ch, contact, rng, now) for ch in seed.channels)
    return contact


def _channel(seed: ChannelSeed, contact: Contact, rng: RandomSource, now: datetime) -> Channel:
    channel_id = seed.id or rng.new_id("ch")
    return Channel(
        id=channel_id, contact_id=contact.id, type=seed.type,
        user_id=seed.user_id or seed.email or seed.phone or channel_id,
        name=seed.name or contact.name, username=seed.username, email=seed.email,
        phone=seed.phone, country=seed.country, language=seed.language,
        platform_data=dict(seed.platform_data), created_at=now, updated_at=now,
    )


def _broadcast(seed: BroadcastSeed, rng: RandomSource, now: datetime) -> Broadcast:
    broadcast = Broadcast(
        id=seed.id or rng.new_id("bc"), name=seed.name, type=seed.type, status=seed.status,
        created_at=now, updated_at=now, properties=dict(seed.properties),
        segment_ids=list(seed.segment_ids), send_to_all=seed.send_to_all,
        scheduled_at=seed.scheduled_at, fail_with=seed.fail_with,
        started_at=now if seed.status is BroadcastStatus.ACTIVE else None,
    )
    broadcast.templates = [
        Template(id=t.id or rng.new_id("tpl"), broadcast_id=broadcast.id,
                 integration_id=t.integration_id, config=dict(t.config),
                 created_at=now, updated_at=now)
        for t in seed.templates
    ]
    return broadcast


@dataclass(frozen=True, slots=True)
class _Pools:
    """Names (each with its email-safe form, worked out once per entry, not per contact) and
    cities to combine contacts from."""

    first_names: list[tuple[str, str]]
    last_names: list[tuple[str, str]]
    cities: list[str]


def _pools(seed: int, org_id: str) -> _Pools:
    # Pools of a power-of-two size let each contact pick with one call for random bits.
    draw = random.Random(f"{seed}:names:{org_id}").choice
    first_names = [_with_slug(draw(FIRST_NAMES)) for _ in range(_POOL)]
    last_names = [_with_slug(draw(LAST_NAMES)) for _ in range(_POOL)]
    return _Pools(first_names, last_names, [draw(CITIES) for _ in range(_POOL)])


def _generated(org: Org, spec: Generation, seed: int, now: datetime) -> Iterator[Contact]:
    """The contacts of `generate:`; their addresses are unique and already normalized."""
    pools = _pools(seed, org.id)
    first_names, last_names, cities = pools.first_names, pools.last_names, pools.cities
    plans = ("free", "pro", "business")
    domain = spec.email_domain.lower()
    pick = random.Random(f"{seed}:generate:{org.id}")
    bits = pick.getrandbits
    id_bits = org.rng.random.getrandbits
    segments = spec.segments
    for index in range(spec.count):
        first, first_slug = first_names[bits(_POOL_BITS)]
        last, last_slug = last_names[bits(_POOL_BITS)]
        name = f"{first} {last}"
        email = f"{first_slug}.{last_slug}.{index}@{domain}"
        phone = f"{PHONE_PREFIX}{index:07d}"
        hex_ids = f"{id_bits(192):048x}"
        contact_id = "ct_" + hex_ids[:16]
        channel_ids = iter(("ch_" + hex_ids[16:32], "ch_" + hex_ids[32:]))
        email_channel, phone_channel = address_channels(
            contact_id, now, channel_ids.__next__, email=email, phone=phone, name=name)
        contact = Contact(id=contact_id, created_at=now, updated_at=now, name=name,
                          channels=[email_channel, phone_channel],
                          properties={"first_name": first, "last_name": last,
                                      "city": cities[bits(_POOL_BITS)], "plan": plans[index % 3]})
        for segment_id, ratio in segments:
            if pick.random() < ratio:
                contact.segment_ids.append(segment_id)
        yield contact


def _with_slug(name: str) -> tuple[str, str]:
    return name, _NOT_LETTERS.sub("", name.lower())
