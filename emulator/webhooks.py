"""Webhooks (an emulator extension; Invent documents none): each recipient event is POSTed as
JSON to the scenario's URLs when it happens on the org's clock, signed with HMAC-SHA256, retried
with exponential backoff on 5xx and timeouts on the same clock, and logged for inspection.

Deliveries are made right after the request during which their event happened (once its answer
is out), by a clock advance, and by the served emulator's ticker: never by a task left running
on its own."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from emulator import __version__
from emulator.clock import format_timestamp as ts
from emulator.domain.entities import Flag, Recipient
from emulator.domain.org import Org, RecipientEvent
from emulator.store import Store

log = logging.getLogger("emulator.webhooks")
RowRenderer = Callable[[Org, Recipient], dict[str, Any]]

SIGNATURE_HEADER = "Invent-Signature"
LOG_LIMIT = 10_000
# Deliveries waiting at once; past it the oldest is given up (logged as failed).
PENDING_LIMIT = 100_000


@dataclass(slots=True)
class Attempt:
    at: datetime
    status: int | None
    error: str | None


@dataclass(slots=True)
class Delivery:
    id: str
    org_id: str
    url: str
    event: str
    body: bytes
    headers: dict[str, str]
    due: datetime
    max_attempts: int
    timeout: float
    state: str = "pending"  # pending | delivered | failed
    attempts: list[Attempt] = field(default_factory=list)

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "org_id": self.org_id,
            "url": self.url,
            "event": self.event,
            "state": self.state,
            "next_attempt_at": ts(self.due) if self.state == "pending" else None,
            "attempts": [{"at": ts(a.at), "status": a.status, "error": a.error}
                         for a in self.attempts],
            "payload": json.loads(self.body),
        }


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempts_made: int) -> timedelta:
    """1 s, 2 s, 4 s, … after the first, second, third failed attempt."""
    return timedelta(seconds=2 ** (attempts_made - 1))


class WebhookSender:
    def __init__(self, store: Store, render_row: RowRenderer) -> None:
        # How a row looks on the wire is the HTTP layer's business; it hands the renderer in.
        self.render_row = render_row
        self.store = store
        self.log: deque[Delivery] = deque(maxlen=LOG_LIMIT)
        self._pending: list[Delivery] = []
        self._flushing = asyncio.Lock()
        store.listeners.append(self.on_event)

    def on_event(self, org: Org, event: RecipientEvent) -> None:
        specs = self.store.webhooks_for(org.id)
        if not specs:
            return
        name = "recipient." + event.flag.value.removeprefix("is_")
        # A bounce is the failure event of a bounced row; do not report it twice.
        if event.flag is Flag.FAILED and Flag.BOUNCED in event.row.flags:
            return
        matching = [s for s in specs if s.events is None or name in s.events]
        if not matching:
            return
        payload = {
            "id": org.rng.new_id("evt"),
            "type": name,
            "created_at": ts(event.at),
            "org_id": org.id,
            "data": self.render_row(org, event.row),
        }
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        for spec in matching:
            headers = {"Content-Type": "application/json", "Invent-Event": name,
                       "User-Agent": f"invent-emulator/{__version__}"}
            if spec.secret:
                headers[SIGNATURE_HEADER] = sign(spec.secret, body)
            delivery = Delivery(
                id=org.rng.new_id("whd"), org_id=org.id, url=spec.url, event=name, body=body,
                headers=headers, due=event.at, max_attempts=spec.max_attempts,
                timeout=spec.timeout,
            )
            delivery.headers["Invent-Delivery"] = delivery.id
            if len(self._pending) >= PENDING_LIMIT:
                dropped = self._pending.pop(0)
                dropped.state = "failed"
                dropped.attempts.append(Attempt(event.at, None, "dropped: too many pending"))
            self._pending.append(delivery)
            self.log.append(delivery)

    def has_due(self) -> bool:
        return bool(self._pending) and bool(self._due())

    def _due(self) -> list[Delivery]:
        due = []
        for delivery in self._pending:
            org = self.store.orgs.get(delivery.org_id)
            if org is None:
                continue
            if delivery.due <= org.clock.now():
                due.append(delivery)
        return sorted(due, key=lambda d: d.due)

    async def flush(self) -> int:
        """Attempt every delivery that is due now, once; returns how many were attempted.
        One flush at a time (the background sender and a clock advance may both ask)."""
        async with self._flushing:
            due = self._due()
            if not due:
                return 0
            # trust_env=False: a proxy from the environment must not see test traffic.
            async with httpx.AsyncClient(trust_env=False) as client:
                for delivery in due:
                    await self._attempt(client, delivery)
            self._pending = [d for d in self._pending if d.state == "pending"
                             and d.org_id in self.store.orgs]
            return len(due)

    async def _attempt(self, client: httpx.AsyncClient, delivery: Delivery) -> None:
        org = self.store.orgs.get(delivery.org_id)
        if org is None or delivery.state != "pending" or delivery not in self._pending:
            return  # its org was reset or removed while earlier deliveries were being sent
        status: int | None = None
        error: str | None = None
        try:
            response = await client.post(delivery.url, content=delivery.body,
                                         headers=delivery.headers, timeout=delivery.timeout)
            status = response.status_code
        except httpx.TimeoutException:
            error = "timeout"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        at = org.clock.now()
        delivery.attempts.append(Attempt(at, status, error))
        retryable = status is None or status >= 500
        if status is not None and status < 400:
            delivery.state = "delivered"
        elif not retryable or len(delivery.attempts) >= delivery.max_attempts:
            delivery.state = "failed"
            log.warning("webhook %s to %s failed: %s", delivery.event, delivery.url,
                        error or f"HTTP {status}")
        else:
            delivery.due = at + backoff(len(delivery.attempts))

    def forget_missing(self) -> None:
        """Drop pending deliveries of orgs that no longer exist."""
        self._pending = [d for d in self._pending if d.org_id in self.store.orgs]

    def forget(self, org_id: str | None = None) -> None:
        """Drop pending deliveries (and log entries) of one org, or of all, on a reset."""
        keep = (lambda d: False) if org_id is None else (lambda d: d.org_id != org_id)
        self._pending = [d for d in self._pending if keep(d)]
        self.log = deque((d for d in self.log if keep(d)), maxlen=LOG_LIMIT)
