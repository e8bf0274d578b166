"""Webhook subscriptions and the deliveries they cause, as one org keeps them: its targets, the
deliveries waiting for their moment on the org's clock, and a bounded log of all of them.
Sending them over HTTP is not the domain's business (see emulator/webhooks.py)."""

from __future__ import annotations

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
    """One org's deliveries: replaced with the org, so a reset or delete drops them all."""

    def __init__(self, targets: tuple[WebhookTarget, ...] = ()) -> None:
        self.targets = targets
        self.pending: list[WebhookDelivery] = []
        self.log: deque[WebhookDelivery] = deque(maxlen=LOG_LIMIT)

    def add(self, delivery: WebhookDelivery) -> None:
        if len(self.pending) >= PENDING_LIMIT:
            dropped = self.pending.pop(0)
            dropped.state = DeliveryState.FAILED
            dropped.attempts.append(Attempt(delivery.due, None, "dropped: too many pending"))
        self.pending.append(delivery)
        self.log.append(delivery)

    def due(self, now: datetime) -> list[WebhookDelivery]:
        return [d for d in self.pending if d.due <= now]

    def settle(self) -> None:
        """Forget the deliveries that are no longer waiting."""
        self.pending = [d for d in self.pending if d.state is DeliveryState.PENDING]
