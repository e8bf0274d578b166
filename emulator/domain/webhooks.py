"""Webhook subscriptions and the deliveries they cause, as one org keeps them: its targets, the
deliveries waiting for their moment on the org's clock, and a bounded log of all of them.
Sending them over HTTP is not the domain's business (see emulator/webhooks.py)."""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

# Per org: deliveries kept in the log, and deliveries waiting at once (past that the oldest
# waiting one is given up and logged as failed).
LOG_LIMIT = 10_000
PENDING_LIMIT = 100_000


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    url: str
    secret: str | None
    events: frozenset[str] | None  # None: every event
    max_attempts: int
    timeout: float

    def wants(self, event: str) -> bool:
        return self.events is None or event in self.events


class DeliveryState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(slots=True)
class Attempt:
    at: datetime
    status: int | None
    error: str | None


@dataclass(slots=True)
class WebhookDelivery:
    id: str
    org_id: str
    url: str
    event: str
    body: bytes
    headers: dict[str, str]
    due: datetime
    max_attempts: int
    timeout: float
    # Orders deliveries across orgs, oldest first.
    sequence: int = 0
    state: DeliveryState = DeliveryState.PENDING
    attempts: list[Attempt] = field(default_factory=list)


class WebhookQueue:
    """One org's deliveries: replaced with the org, so a reset or delete drops them all.
    `pending` is a heap by (due, sequence): the deliveries waiting for their moment."""

    def __init__(self, targets: tuple[WebhookTarget, ...] = ()) -> None:
        self.targets = targets
        self.pending: list[tuple[datetime, int, WebhookDelivery]] = []
        self.log: deque[WebhookDelivery] = deque(maxlen=LOG_LIMIT)

    def add(self, delivery: WebhookDelivery) -> None:
        if len(self.pending) >= PENDING_LIMIT:
            _, _, dropped = heapq.heappop(self.pending)
            dropped.state = DeliveryState.FAILED
            dropped.attempts.append(Attempt(delivery.due, None, "dropped: too many pending"))
        self.wait(delivery)
        self.log.append(delivery)

    def wait(self, delivery: WebhookDelivery) -> None:
        """(Again) wait for `delivery.due`."""
        heapq.heappush(self.pending, (delivery.due, delivery.sequence, delivery))

    def state(self) -> tuple[list[WebhookDelivery], list[WebhookDelivery]]:
        """The log, oldest first, and the deliveries waiting (for the state file)."""
        return list(self.log), [delivery for _, _, delivery in self.pending]

    def restore(self, log: list[WebhookDelivery], waiting: list[WebhookDelivery]) -> None:
        """Put back what `state` gave (a waiting delivery may be in the log too)."""
        self.log.clear()
        self.log.extend(log)
        self.pending = []
        for delivery in waiting:
            self.wait(delivery)

    def next_due(self) -> datetime | None:
        return self.pending[0][0] if self.pending else None

    def take_due(self, now: datetime) -> list[WebhookDelivery]:
        """The deliveries due at `now`, in order; they stop waiting."""
        taken = []
        while self.pending and self.pending[0][0] <= now:
            taken.append(heapq.heappop(self.pending)[2])
        return taken
