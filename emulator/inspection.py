"""What the control surface lets a test look at: the outbox, the request journal, the webhook
log, suppressions, clocks, and single broadcasts and rows by id. Queries only, except clearing
suppressions."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from emulator.domain import outbox as outbox_rows
from emulator.domain.broadcasts import get_broadcast
from emulator.domain.entities import Broadcast
from emulator.domain.errors import not_found
from emulator.domain.org import Org, Suppression
from emulator.domain.outbox import Message, MessageFilter, messages
from emulator.domain.recipient import Recipient
from emulator.domain.webhooks import DeliveryState, WebhookDelivery
from emulator.journal import Entry, EntryFilter
from emulator.service import Emulator
from emulator.support.clock import VirtualClock

# How often a waiting outbox read looks again without being woken (a row that falls due on a
# real clock, or is made before anything happens to it, wakes nobody).
WAIT_RECHECK_SECONDS = 0.25


async def outbox(emulator: Emulator, wanted: MessageFilter, limit: int,
                 offset: int = 0) -> list[Message]:
    orgs = await emulator.orgs(wanted.org_id)
    return list(itertools.islice(messages(orgs, wanted), offset, offset + limit))


async def outbox_count(emulator: Emulator, wanted: MessageFilter) -> int:
    return outbox_rows.count(await emulator.orgs(wanted.org_id), wanted)


async def wait_for_outbox(emulator: Emulator, wanted: MessageFilter, limit: int,
                          wait: float, offset: int = 0) -> list[Message]:
    """`outbox` as soon as it finds something, or [] once `wait` seconds have passed (or the
    server stops)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        found = await outbox(emulator, wanted, limit, offset)
        remaining = deadline - loop.time()
        if found or remaining <= 0 or emulator.events.closed:
            return found
        await emulator.events.changed(min(remaining, WAIT_RECHECK_SECONDS))


async def clear_outbox(emulator: Emulator, org_id: str) -> int:
    """Hide every message of the org's outbox (its rows stay); how many were shown."""
    return outbox_rows.clear(await emulator.org(org_id))


async def hide_message(emulator: Emulator, org_id: str, recipient_id: str) -> int:
    return outbox_rows.hide(await emulator.org(org_id), recipient_id)


def journal(emulator: Emulator, wanted: EntryFilter, limit: int) -> tuple[list[Entry], int]:
    """The newest `limit` matching entries, and how many match in all."""
    matching = list(emulator.journal.newest_first(wanted))
    return matching[:limit], len(matching)


@dataclass(frozen=True, slots=True)
class DeliveryFilter:
    org_id: str | None = None
    state: DeliveryState | None = None
    event: str | None = None

    def matches(self, delivery: WebhookDelivery) -> bool:
        return ((self.org_id is None or delivery.org_id == self.org_id)
                and (self.state is None or delivery.state is self.state)
                and (self.event is None or delivery.event == self.event))


def webhook_log(emulator: Emulator, wanted: DeliveryFilter) -> list[WebhookDelivery]:
    """Newest first across every org."""
    logged: Iterator[WebhookDelivery] = itertools.chain.from_iterable(
        org.webhooks.log for org in emulator.registry.orgs.values())
    return sorted((d for d in logged if wanted.matches(d)), key=lambda d: d.sequence,
                  reverse=True)


async def suppressions(emulator: Emulator,
                       org_id: str | None) -> list[tuple[Org, Suppression]]:
    return [(org, s) for org in await emulator.orgs(org_id)
            for s in org.suppressions.values()]


async def clear_suppressions(emulator: Emulator, org_id: str | None) -> int:
    cleared = 0
    for org in await emulator.orgs(org_id):
        cleared += org.clear_suppressions()
    return cleared


@dataclass(frozen=True, slots=True)
class ClockState:
    org: Org
    virtual: bool
    pending: int


def clocks(orgs: list[Org]) -> list[ClockState]:
    return [ClockState(org, isinstance(org.clock, VirtualClock), len(org.scheduler))
            for org in orgs]


async def magic_enabled(emulator: Emulator, org_id: str | None) -> bool:
    """Orgs built from a test's own scenario follow that scenario's setting."""
    if org_id is None:
        return emulator.spec.magic_addresses
    return (await emulator.org(org_id)).policy.magic_addresses


async def broadcast(emulator: Emulator, org_id: str,
                    broadcast_id: str) -> tuple[Org, Broadcast]:
    org = await emulator.org(org_id)
    return org, get_broadcast(org, broadcast_id)


async def recipient(emulator: Emulator, org_id: str, broadcast_id: str,
                    recipient_id: str) -> tuple[Org, Recipient]:
    org, found = await broadcast(emulator, org_id, broadcast_id)
    row = next((r for r in reversed(found.recipients) if r.id == recipient_id), None)
    if row is None:
        raise not_found(f"Recipient '{recipient_id}' not found in broadcast '{found.id}'")
    return org, row
